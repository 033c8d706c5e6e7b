package serialdev

import (
	"testing"
	"time"
)

func TestReopenBackoff(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	type step struct {
		open, fail time.Duration // a connection opened and failed at these offsets from t0
		want       time.Duration // the wait before the next open, less up to half of it
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"fails at once: doubles from 100ms", []step{{0, 0, 100 * ms}, {100 * ms, 100 * ms, 200 * ms}, {300 * ms, 300 * ms, 400 * ms}, {700 * ms, 800 * ms, 800 * ms}}},
		{"capped at 5s", []step{{0, 0, 100 * ms}, {0, 0, 200 * ms}, {0, 0, 400 * ms}, {0, 0, 800 * ms}, {0, 0, 1600 * ms}, {0, 0, 3200 * ms}, {0, 0, 5 * time.Second}, {0, 0, 5 * time.Second}}},
		{"healthy connection lost: reopened at once", []step{{0, 10 * time.Second, 0}}},
		{"after a healthy connection the back-off starts again", []step{{0, 0, 100 * ms}, {0, 0, 200 * ms}, {0, 0, 400 * ms}, {time.Second, 11 * time.Second, 0}, {11 * time.Second, 11 * time.Second, 100 * ms}}},
		{"short of healthy still counts as failing", []step{{0, 0, 100 * ms}, {time.Second, 10*time.Second + 999*ms, 200 * ms}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 { // the jitter is random: try it a few times
				var b reopenBackoff
				for i, s := range tt.steps {
					now := t0.Add(s.fail)
					got := b.ended(t0.Add(s.open), now)
					if got < s.want/2 || got > s.want || b.wait(now) != got {
						t.Fatalf("step %d: wait %v (wait() %v), want %v less up to half", i, got, b.wait(now), s.want)
					}
				}
			}
		})
	}
}

func TestReopenBackoffStable(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var b reopenBackoff
	if b.stable(t0, t0.Add(time.Hour)) {
		t.Error("stable without failures ends a back-off")
	}
	b.failed(t0)
	b.failed(t0)
	if b.stable(t0, t0.Add(healthyAfter-time.Millisecond)) {
		t.Error("stable before healthyAfter")
	}
	if !b.stable(t0, t0.Add(healthyAfter)) {
		t.Error("not stable after healthyAfter")
	}
	if b.failures != 0 || b.wait(t0) != 0 {
		t.Errorf("after stable: %+v", b)
	}
	if d := b.failed(t0); d > reopenMin {
		t.Errorf("first failure after stable waits %v, want at most %v", d, reopenMin)
	}
}
