//go:build !unix

package sqlite

// offHeap falls back to the Go heap where anonymous mappings are not
// available.
func offHeap(n int) ([]byte, error) { return make([]byte, n), nil }

func freeOffHeap([]byte) {}
