package sqlite_test

import (
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
)

// The night the clocks go back, the hour from 02:00 comes twice: the
// report by hour shows each as a row of its own, in the order they came,
// not the two hours' sales as one; the day still has them all.
func TestSalesReportByHourRepeatedHour(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	e := newASEnv(t, pos.ReturnPolicy{})
	for _, at := range []time.Time{
		time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), // 02:30 summer time
		time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), // 02:30 again, winter time
		time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), // 03:30
	} {
		e.mu.Lock()
		e.now = at.In(loc)
		e.mu.Unlock()
		e.sell(e.cashier, []buy{{bookSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	}
	day := time.Date(2026, 10, 25, 0, 0, 0, 0, loc)
	rows, err := e.db.SalesReport(e.ctx, pos.ReportByHour, day, day.AddDate(0, 0, 1))
	e.must(err)
	var keys []string
	for _, r := range rows {
		if r.Count != 1 {
			t.Errorf("hour %s has %d receipts, want 1", r.Key, r.Count)
		}
		keys = append(keys, r.Key)
	}
	want := []string{"2026-10-25T02+02:00", "2026-10-25T02+01:00", "2026-10-25T03"}
	if len(keys) != len(want) || keys[0] != want[0] || keys[1] != want[1] || keys[2] != want[2] {
		t.Fatalf("hours %v, want %v", keys, want)
	}
	days, err := e.db.SalesReport(e.ctx, pos.ReportByDay, day, day.AddDate(0, 0, 1))
	e.must(err)
	if len(days) != 1 || days[0].Key != "2026-10-25" || days[0].Count != 3 {
		t.Fatalf("days %+v", days)
	}
}
