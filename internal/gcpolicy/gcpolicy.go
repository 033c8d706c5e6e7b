// Package gcpolicy sets how often posnode's garbage collector runs.
//
// The node keeps little in memory (the catalog, sales and queues live in
// SQLite) but allocates a lot while it takes a catalog from central. With
// Go's default (GOGC=100) its small heap is collected every few
// milliseconds then, and each cycle takes CPU from the tills on a 2-core
// box and stretches their lookups. GOGC=400 lets the heap grow to five
// times what is live before a cycle, which for the node is tens of
// megabytes, and a soft limit keeps it from growing past a bound whatever
// the catalog.
package gcpolicy

import (
	"os"
	"runtime/debug"
)

// Defaults, used unless GOGC or GOMEMLIMIT is set in the environment.
const (
	Percent     = 400
	MemoryLimit = 256 << 20 // bytes
)

// Apply sets the defaults the environment does not override.
func Apply() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
