package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// A stock page tells the screens of every SKU whose count it changed: those
// it brings, and those it no longer lists, whose count from central it
// drops (their stock is then this node's own movements only).
func TestStockPageTellsTheSKUsItDrops(t *testing.T) {
	ctx := context.Background()
	db := emptyDB(t)
	var told [][]string
	s := centralState{db, func(skus []string) { told = append(told, slices.Sorted(slices.Values(skus))) }}
	for _, p := range []pos.StockPage{
		{Page: "p1", Version: 1, Items: []pos.StockCount{{SKU: "100234", OnHand: 25}, {SKU: "100235", OnHand: 7}}},
		{Page: "p1", Version: 2, Items: []pos.StockCount{{SKU: "100234", OnHand: 24}}},
	} {
		if ok, err := s.ApplyStockPage(ctx, p); !ok || err != nil {
			t.Fatalf("page %s version %d: %v, %v", p.Page, p.Version, ok, err)
		}
	}
	if st, err := db.Stock(ctx, "100235"); err != nil || st.OnHand != 0 {
		t.Fatalf("stock of 100235 after the page dropped it: %+v, %v", st, err)
	}
	if len(told) != 2 || !slices.Equal(told[1], []string{"100234", "100235"}) {
		t.Fatalf("screens told of %v, want the second page's 100234 and the 100235 it dropped", told)
	}
}

// A stock manifest that no longer names a page held tells the screens of
// the SKUs whose counts from central went with it.
func TestStockManifestTellsTheSKUsItDrops(t *testing.T) {
	ctx := context.Background()
	db := emptyDB(t)
	var told [][]string
	s := centralState{db, func(skus []string) { told = append(told, slices.Sorted(slices.Values(skus))) }}
	if ok, _, err := s.ApplyManifest(ctx, sqlite.KindStock, 1, map[string]int64{"p1": 1, "p2": 1}); !ok || err != nil {
		t.Fatalf("manifest 1: %v, %v", ok, err)
	}
	for _, p := range []pos.StockPage{
		{Page: "p1", Version: 1, Items: []pos.StockCount{{SKU: "100234", OnHand: 25}}},
		{Page: "p2", Version: 1, Items: []pos.StockCount{{SKU: "100235", OnHand: 7}, {SKU: "100236", OnHand: 3}}},
	} {
		if ok, err := s.ApplyStockPage(ctx, p); !ok || err != nil {
			t.Fatalf("page %s: %v, %v", p.Page, ok, err)
		}
	}
	told = nil
	if ok, _, err := s.ApplyManifest(ctx, sqlite.KindStock, 2, map[string]int64{"p1": 1}); !ok || err != nil {
		t.Fatalf("manifest 2: %v, %v", ok, err)
	}
	if st, err := db.Stock(ctx, "100235"); err != nil || st.OnHand != 0 {
		t.Fatalf("stock of 100235 after its page was dropped: %+v, %v", st, err)
	}
	if len(told) != 1 || !slices.Equal(told[0], []string{"100235", "100236"}) {
		t.Fatalf("screens told of %v, want the dropped page's 100235 and 100236", told)
	}
}

// emptyDB is a node's database in a temporary directory, with nothing in
// it yet, closed when the test ends.
func emptyDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
