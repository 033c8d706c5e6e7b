package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// TestClockJumpsChangeNoOrder makes sales while the wall clock jumps back
// an hour, forward a day and back again: receipts and events stay in the
// order the sales happened, numbered without gaps; only their time
// stamps show the jumps.
func TestClockJumpsChangeNoOrder(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	jumps := []time.Duration{0, -time.Hour, 24 * time.Hour, -48 * time.Hour, time.Minute}
	var now time.Time
	svc := pos.NewService(pos.Options{Store: db, Now: func() time.Time { return now }})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	var ids []string
	for _, j := range jumps {
		now = base.Add(j)
		ids = append(ids, sellBackpack(t, svc, a).ID)
	}
	evs, err := db.EventsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(jumps) {
		t.Fatalf("%d events for %d sales", len(evs), len(jumps))
	}
	for i, ev := range evs {
		s, err := db.Sale(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if ev.Seq != int64(i+1) || s.ReceiptNo != int64(i+1) || ev.ID != s.EventID {
			t.Errorf("sale %d: receipt %d, event seq %d (%s), want both %d", i, s.ReceiptNo, ev.Seq, ev.ID, i+1)
		}
		if !ev.Time.Equal(base.Add(jumps[i])) {
			t.Errorf("event %d stamped %v, want the clock's %v", i, ev.Time, base.Add(jumps[i]))
		}
	}
}

// LastRecorded is the newest sale's time even after a sale recorded with
// the clock set back: a later record at an earlier time does not hide it.
func TestLastRecordedKeepsTheNewestSale(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	now := base
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if last, err := db.LastRecorded(ctx); err != nil || !last.IsZero() {
		t.Fatalf("empty database: %s, %v", last, err)
	}
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db, Now: func() time.Time { return now }})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	sellBackpack(t, svc, a)
	now = base.Add(-20 * time.Hour) // restarted on a clock saved the day before
	sellBackpack(t, svc, a)
	last, err := db.LastRecorded(ctx)
	if err != nil || !last.Equal(base) {
		t.Fatalf("last recorded %s, %v; want %s", last, err, base)
	}
}
