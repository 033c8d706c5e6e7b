package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
)

// TestRefetchableCommitsLeaveTheWriterDurable checks that a page commit,
// which does not wait for the disk, leaves the writer's connection at
// synchronous=FULL for the next transaction, also when it fails, and that
// it refuses to carry events.
func TestRefetchableCommitsLeaveTheWriterDurable(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "pos.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	level := func(tx *Tx) int {
		t.Helper()
		var n int
		// Not through the statement cache: SQLite reads a pragma's
		// value when the statement is prepared.
		if err := tx.sqlTx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const normal, full = 1, 2
	durable := func() {
		t.Helper()
		if err := db.Update(ctx, func(tx *Tx) error {
			if n := level(tx); n != full {
				t.Errorf("synchronous = %d in a durable transaction, want %d", n, full)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	durable()
	if err := db.updateRefetchable(ctx, func(tx *Tx) error {
		if n := level(tx); n != normal {
			t.Errorf("synchronous = %d in a refetchable transaction, want %d", n, normal)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	durable()
	// A failed one, and one whose context ends inside it.
	if err := db.updateRefetchable(ctx, func(tx *Tx) error { return pos.ErrInvalidItem }); err != pos.ErrInvalidItem {
		t.Fatalf("err = %v", err)
	}
	durable()
	cctx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	db.updateRefetchable(cctx, func(tx *Tx) error { <-cctx.Done(); return cctx.Err() })
	durable()
	err = db.updateRefetchable(ctx, func(tx *Tx) error {
		ev := pos.Event{Type: pos.EventStockAdjusted, Time: time.Now(), Data: []byte(`{"sku":"1","delta":1,"reason":"count"}`)}
		return tx.AppendEvent(&ev)
	})
	if err == nil || !strings.Contains(err.Error(), "events") {
		t.Fatalf("events in a refetchable transaction: err = %v", err)
	}
	if evs, _ := db.EventsAfter(ctx, 0, 10); len(evs) != 0 {
		t.Fatalf("events committed: %+v", evs)
	}
	durable()
	// The pages use it.
	it := pos.Item{SKU: "1", Active: true, Names: map[string]string{"en": "One"}, Unit: pos.UnitEach, Price: 100}
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 1, Items: []pos.Item{it}}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	durable()
}
