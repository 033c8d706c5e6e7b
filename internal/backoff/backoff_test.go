package backoff

import (
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name       string
		first, max time.Duration
		n          int
		want       time.Duration // before the random cut of up to half
	}{
		{"first failure", 100 * ms, 5 * time.Second, 1, 100 * ms},
		{"no failure yet counts as the first", 100 * ms, 5 * time.Second, 0, 100 * ms},
		{"doubles", 100 * ms, 5 * time.Second, 4, 800 * ms},
		{"capped", 100 * ms, 5 * time.Second, 7, 5 * time.Second},
		{"capped for ever", 100 * ms, 5 * time.Second, 1 << 30, 5 * time.Second},
		{"max below first", time.Second, 200 * ms, 1, 200 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 50 {
				if got := Wait(tt.first, tt.max, tt.n); got < tt.want/2 || got > tt.want {
					t.Fatalf("Wait = %v, want %v less up to half", got, tt.want)
				}
			}
		})
	}
}
