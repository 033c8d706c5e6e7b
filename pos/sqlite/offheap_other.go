//go:build !unix

package sqlite

// mapOffHeap falls back to the Go heap where anonymous mappings are not
// available.
func mapOffHeap(n int) ([]byte, error) { return make([]byte, n), nil }

func freeOffHeap([]byte) {}
