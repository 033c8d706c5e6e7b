package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/posnode/posnode/pos/sqlite"
)

// The receipt series (which names, with the store and node, the node's
// receipt codes) is the database's own: kept when the database begins a
// new event epoch and when it takes over the document numbers of one it
// replaces, as its receipt numbers go on then, and another for a new
// database, whose numbers start at 1 again, even one made at the same
// instant (a box without a clock battery boots at the same time).
func TestReceiptSeries(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	series := func(path string) string {
		t.Helper()
		db, err := sqlite.Open(ctx, path, sqlite.Options{Now: func() time.Time { return at }})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		s, err := db.ReceiptSeries(ctx)
		if err != nil || s == "" {
			t.Fatalf("series %q, %v", s, err)
		}
		return s
	}
	dir := t.TempDir()
	first := filepath.Join(dir, "first.db")
	s := series(first)
	if _, _, err := sqlite.NewEpoch(ctx, first, "epoch-2"); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.RaiseCounters(ctx, first, map[string]int64{"receipt_no": 41}); err != nil {
		t.Fatal(err)
	}
	if got := series(first); got != s {
		t.Errorf("series after a new epoch and raised counters = %q, want %q as before", got, s)
	}
	if other := series(filepath.Join(dir, "second.db")); other == s {
		t.Errorf("a new database made at the same instant has the series %q of the one before", s)
	}
	// A database made before a series was drawn for it: its creation
	// time, the same at every start.
	old := filepath.Join(dir, "old.db")
	series(old)
	raw := rawDB(t, old)
	if _, err := raw.Exec("DELETE FROM meta WHERE key = 'receipt_series'"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	for range 2 {
		if got := series(old); got != at.Format(time.RFC3339Nano) {
			t.Errorf("series of a database made before series = %q, want its creation time", got)
		}
	}
}
