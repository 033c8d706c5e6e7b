package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
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
// It compares instants, not the text of times kept with their offset: in
// the hour after the clocks go back for winter, a sale stamped 02:50+02:00
// by a clock set back was made before one stamped 02:10+01:00, though its
// text sorts after it.
func TestLastRecordedKeepsTheNewestSale(t *testing.T) {
	base := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	winter := time.Date(2026, 10, 25, 2, 10, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name  string
		sales []time.Time // the clock at each sale, in the order made
	}{
		{"restarted on a clock saved the day before", []time.Time{base, base.Add(-20 * time.Hour)}},
		{"set back across the change to winter time", []time.Time{winter, time.Date(2026, 10, 25, 2, 50, 0, 0, time.FixedZone("CEST", 2*3600))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			now := tc.sales[0]
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
			for _, now = range tc.sales {
				sellBackpack(t, svc, a)
			}
			last, err := db.LastRecorded(ctx)
			if err != nil || !last.Equal(tc.sales[0]) {
				t.Fatalf("last recorded %s, %v; want %s", last, err, tc.sales[0])
			}
		})
	}
}

// The newest sale is found through an index, whatever the number of sales:
// the clock is checked against it while the node runs.
func TestNewestSaleFoundByIndex(t *testing.T) {
	plan := queryPlan(t, openDB(t), "SELECT completed_at FROM sales ORDER BY julianday(completed_at) DESC LIMIT 1")
	if len(plan) != 1 || !strings.Contains(plan[0], "USING INDEX") {
		t.Errorf("plan %q, want one step through an index", plan)
	}
}
