package pos

import (
	"runtime"
	"slices"
	"sync"
	"testing"
)

func TestKeyLockSerialisesAndForgets(t *testing.T) {
	var k keyLock
	var wg sync.WaitGroup
	var counts [3]int // one per key: only holders of the same key share a slot
	for i := 0; i < 200; i++ {
		wg.Add(1)
		n := i % 3
		key := []string{"a", "b", "c"}[n]
		go func() {
			defer wg.Done()
			unlock := k.lock(key)
			counts[n]++ // a data race (go test -race) if two holders of one key overlapped
			unlock()
		}()
	}
	wg.Wait()
	if counts[0]+counts[1]+counts[2] != 200 {
		t.Fatalf("counts = %v", counts)
	}
	if len(k.locks) != 0 {
		t.Fatalf("%d keys kept after every holder left", len(k.locks))
	}
}

func TestAfterSalesLocksForget(t *testing.T) {
	as := NewAfterSales(AfterSalesOptions{})
	for _, key := range []string{"return:sale:s1", "return:sale:s2", "order:o1"} {
		as.lock(key)()
	}
	if n := len(as.locks.locks); n != 0 {
		t.Fatalf("%d keys kept after every holder left", n)
	}
}

// do never waits: work on a key someone holds is done by the holder as it
// lets go, under the lock, before a waiter gets it; on a free key at once.
func TestKeyLockDoHandsWorkToTheHolder(t *testing.T) {
	var k keyLock
	var got []string
	if !k.do("cart", func() { got = append(got, "free") }) {
		t.Fatal("work on a free key did not run at once")
	}
	unlock := k.lock("cart")
	waiter := make(chan func())
	go func() { waiter <- k.lock("cart") }()
	for waiting := false; !waiting; runtime.Gosched() { // the waiter counts once it waits
		k.mu.Lock()
		waiting = k.locks["cart"].refs == 2
		k.mu.Unlock()
	}
	if k.do("cart", func() { got = append(got, "handed over") }) {
		t.Fatal("work on a held key ran at once")
	}
	got = append(got, "holder")
	unlock()
	(<-waiter)()
	if want := []string{"free", "holder", "handed over"}; !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
	if len(k.locks) != 0 {
		t.Fatalf("%d keys kept after every holder left", len(k.locks))
	}
}
