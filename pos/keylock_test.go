package pos

import (
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
