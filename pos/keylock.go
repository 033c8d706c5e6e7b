package pos

import "sync"

// keyLock serialises work per key (a cart, an order) while letting
// different keys proceed in parallel. An entry lives only while someone
// holds or waits for its key, so the map does not grow with every cart
// the store ever had. The zero value is ready to use.
type keyLock struct {
	mu    sync.Mutex // guards locks
	locks map[string]*keyEntry
}

type keyEntry struct {
	sync.Mutex
	refs int // holders and waiters; guarded by keyLock.mu
}

// lock locks key and returns its unlock.
func (k *keyLock) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyEntry{}
	}
	e := k.locks[key]
	if e == nil {
		e = &keyEntry{}
		k.locks[key] = e
	}
	e.refs++
	k.mu.Unlock()
	e.Lock()
	return func() {
		e.Unlock()
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
