package gcpolicy

import (
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, tc := range []struct {
		gogc, memlimit string
		percent        int
		limit          int64
	}{
		{"", "", Percent, MemoryLimit},
		{"50", "", 50, MemoryLimit},
		{"", "1GiB", Percent, 1 << 30},
	} {
		t.Setenv("GOGC", tc.gogc)
		t.Setenv("GOMEMLIMIT", tc.memlimit)
		// What the runtime read from the environment at start stands
		// unless Apply sets it; set it here as the runtime would have.
		if tc.gogc != "" {
			debug.SetGCPercent(50)
		}
		if tc.memlimit != "" {
			debug.SetMemoryLimit(1 << 30)
		}
		Apply()
		if got := debug.SetGCPercent(-1); got != tc.percent {
			t.Errorf("GOGC=%q: percent %d, want %d", tc.gogc, got, tc.percent)
		}
		debug.SetGCPercent(tc.percent)
		if got := debug.SetMemoryLimit(-1); got != tc.limit {
			t.Errorf("GOMEMLIMIT=%q: limit %d, want %d", tc.memlimit, got, tc.limit)
		}
	}
}
