package pos

import "sync"

// keyLock serialises work per key (a cart, an order) while letting
// different keys proceed in parallel. An entry lives only while someone
// holds or waits for its key, so the map does not grow with every cart
// the store ever had. The zero value is ready to use.
type keyLock struct {
	mu    sync.Mutex // guards locks and every entry's refs and after
	locks map[string]*keyEntry
}

type keyEntry struct {
	sync.Mutex
	refs  int      // holders and waiters
	after []func() // handed over by do: run under the lock before it is let go
}

// lock locks key and returns its unlock.
func (k *keyLock) lock(key string) func() {
	k.mu.Lock()
	e := k.enterLocked(key)
	k.mu.Unlock()
	e.Lock()
	return func() { k.leave(key, e) }
}

// do runs f under key's lock without waiting for it: at once when no one
// holds or waits for it, and otherwise as the lock is let go, by the one
// holding it then (who may be one that was waiting when f was handed
// over). It reports whether f has run by the time
// it returns. f must not lock key, nor anything a holder of key may wait
// for while holding it.
func (k *keyLock) do(key string, f func()) (ran bool) {
	k.mu.Lock()
	if e := k.locks[key]; e != nil {
		e.after = append(e.after, f)
		k.mu.Unlock()
		return false
	}
	e := k.enterLocked(key)
	k.mu.Unlock()
	e.Lock()
	f()
	k.leave(key, e)
	return true
}

// enterLocked counts one more holder or waiter of key. k.mu is held.
func (k *keyLock) enterLocked(key string) *keyEntry {
	if k.locks == nil {
		k.locks = map[string]*keyEntry{}
	}
	e := k.locks[key]
	if e == nil {
		e = &keyEntry{}
		k.locks[key] = e
	}
	e.refs++
	return e
}

// leave runs what was handed over to the holder of e, then unlocks it.
// The last check for work handed over and the count going down are one
// step under k.mu, so that do never hands work to a holder that has gone.
func (k *keyLock) leave(key string, e *keyEntry) {
	for {
		k.mu.Lock()
		fs := e.after
		e.after = nil
		if len(fs) == 0 {
			if e.refs--; e.refs == 0 {
				delete(k.locks, key)
			}
			e.Unlock()
			k.mu.Unlock()
			return
		}
		k.mu.Unlock()
		for _, f := range fs {
			f()
		}
	}
}
