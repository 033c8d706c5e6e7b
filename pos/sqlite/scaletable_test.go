package sqlite_test

import (
	"context"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// TestUseScaleTable: the first table recorded changes nothing; the same
// one again neither; another one has every catalog page fetched again,
// so that its codes are kept as the new table reads them, and counts the
// items of a local import that only importing the file again re-keys.
func TestUseScaleTable(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	apples := pos.Item{SKU: "300100", Active: true, Names: map[string]string{"en": "Apples"}, Barcodes: []string{"2300100000008"}, Unit: pos.UnitKg, Price: 2990, TaxRateBP: 1200}
	tent := pos.Item{SKU: "200001", Active: true, Names: map[string]string{"en": "Tent"}, Barcodes: []string{"7310865009999"}, Unit: pos.UnitEach, Price: 99900, TaxRateBP: 2500}
	local := pos.Item{SKU: "900001", Active: true, Names: map[string]string{"en": "Bread"}, Barcodes: []string{"2100900000006"}, Unit: pos.UnitEach, Price: 3500, TaxRateBP: 1200}
	for _, p := range []pos.CatalogPage{{Page: "3", Version: 5, Items: []pos.Item{apples}}, {Page: "4", Version: 2, Items: []pos.Item{tent}}} {
		if ok, err := db.ApplyCatalogPage(ctx, p, pos.Sweden); err != nil || !ok {
			t.Fatal(ok, err)
		}
	}
	if err := db.PutItems(ctx, []pos.Item{local}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	held := func() map[string]int64 {
		t.Helper()
		v, err := db.PageVersions(ctx, sqlite.KindCatalog)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for i, want := range []bool{false, false} {
		if changed, _, err := db.UseScaleTable(ctx, pos.Sweden.String()); err != nil || changed != want {
			t.Fatalf("Sweden's table, call %d: changed %t, %v", i+1, changed, err)
		}
		if v := held(); v["3"] != 5 || v["4"] != 2 {
			t.Fatalf("pages held after call %d: %v", i+1, v)
		}
	}
	changed, n, err := db.UseScaleTable(ctx, pos.NoScaleLabels.String())
	if err != nil || !changed || n != 1 {
		t.Fatalf("no scale labels: changed %t, %d local items, %v; want changed, 1", changed, n, err)
	}
	if v := held(); v["3"] >= 5 || v["4"] >= 2 {
		t.Fatalf("pages held after the change: %v, want both fetched again", v)
	}
	// Page 3 comes again at the version held before and is applied: its
	// code is now kept whole.
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "3", Version: 5, Items: []pos.Item{apples}}, pos.NoScaleLabels); err != nil || !ok {
		t.Fatalf("page 3 again: %v, %v", ok, err)
	}
	if it, err := db.ItemByCode(ctx, "2300100000008"); err != nil || it.SKU != "300100" {
		t.Fatalf("apples by their whole code: %+v, %v", it, err)
	}
	if changed, _, err := db.UseScaleTable(ctx, pos.NoScaleLabels.String()); err != nil || changed {
		t.Fatalf("the same table again: changed %t, %v", changed, err)
	}
}

// TestFirstScaleTable: a database that recorded no table holds its codes
// as Sweden's table reads them. Another table is a change for it when it
// holds codes (an upgraded store whose configuration sets its own
// layouts at the upgrade), and none for a new, empty one.
func TestFirstScaleTable(t *testing.T) {
	ctx := context.Background()
	own := pos.Sweden.With('6', pos.VMLayout{KeyLen: 7, ValueStart: 7, PriceFactor: 1}).String()
	if changed, _, err := openDB(t).UseScaleTable(ctx, own); err != nil || changed {
		t.Fatalf("a new database: changed %t, %v", changed, err)
	}
	db := openDB(t)
	tent := pos.Item{SKU: "200001", Active: true, Names: map[string]string{"en": "Tent"}, Barcodes: []string{"2612345000003"}, Unit: pos.UnitEach, Price: 99900, TaxRateBP: 2500}
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "3", Version: 5, Items: []pos.Item{tent}}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if changed, _, err := db.UseScaleTable(ctx, own); err != nil || !changed {
		t.Fatalf("a database with codes, no table recorded, another table: changed %t, %v", changed, err)
	}
	if v, err := db.PageVersions(ctx, sqlite.KindCatalog); err != nil || v["3"] >= 5 {
		t.Fatalf("pages held: %v, %v; want page 3 fetched again", v, err)
	}
	db2 := openDB(t)
	if ok, err := db2.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "3", Version: 5, Items: []pos.Item{tent}}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if changed, _, err := db2.UseScaleTable(ctx, pos.Sweden.String()); err != nil || changed {
		t.Fatalf("Sweden's table first: changed %t, %v", changed, err)
	}
}
