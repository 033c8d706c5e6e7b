package ui_test

import (
	"testing"
	"time"

	"github.com/posnode/posnode/ui"
)

// A node in Taipei whose clock reads UTC counts a report's days from
// Taipei's midnights, and tells the screens the zone to show times in.
func TestStoreZone(t *testing.T) {
	taipei, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	// 20:00 UTC on 6 December is 04:00 on 7 December in Taipei.
	now := time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)
	s := newStore(t, func(o *ui.Options) {
		o.Zone = taipei
		o.Now = func() time.Time { return now }
		// The session store keeps the real clock: a login made at the
		// fixed time above must still be live on whatever day this runs.
		o.SessionTTL = time.Since(now) + 12*time.Hour
	})
	super := s.login(t, "2", "office")

	var status struct {
		TimeZone string `json:"time_zone"`
	}
	s.ok(t, super, "GET", "/api/v1/status", nil, &status)
	if status.TimeZone != "Asia/Taipei" {
		t.Errorf("status time_zone = %q, want Asia/Taipei", status.TimeZone)
	}

	for _, c := range []struct {
		name, query string
		from, to    time.Time
	}{
		{"today", "", time.Date(2026, 12, 7, 0, 0, 0, 0, taipei), time.Date(2026, 12, 8, 0, 0, 0, 0, taipei)},
		{"dates", "&from=2026-12-01&to=2026-12-02", time.Date(2026, 12, 1, 0, 0, 0, 0, taipei), time.Date(2026, 12, 3, 0, 0, 0, 0, taipei)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rep struct{ From, To time.Time }
			s.ok(t, super, "GET", "/api/v1/reports/sales?by=day"+c.query, nil, &rep)
			if !rep.From.Equal(c.from) || !rep.To.Equal(c.to) {
				t.Errorf("period = %s to %s, want %s to %s", rep.From, rep.To, c.from, c.to)
			}
		})
	}
}
