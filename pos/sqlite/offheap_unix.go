//go:build unix

package sqlite

import "syscall"

// mapOffHeap returns n zeroed bytes of memory the Go heap does not hold: the
// garbage collector neither scans it nor counts it towards its goal, so a
// large in-memory index neither slows collections nor lets the heap grow.
// The memory must be given back with freeOffHeap and not used after.
// offHeap calls it; tests replace offHeap to run out of memory.
func mapOffHeap(n int) ([]byte, error) {
	return syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
}

// freeOffHeap gives memory from offHeap back to the system.
func freeOffHeap(b []byte) {
	if len(b) > 0 {
		_ = syscall.Munmap(b)
	}
}
