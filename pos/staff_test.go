package pos

import (
	"errors"
	"testing"
	"time"
)

// TestLimiterForgetsOldFailures checks that a key's failures lock it after
// Free of them and age out once Max has passed since the last one.
func TestLimiterForgetsOldFailures(t *testing.T) {
	l := &Limiter{Free: 2, Base: time.Minute, Max: 10 * time.Minute}
	t0 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	l.Fail("k", t0)
	l.Fail("k", t0.Add(time.Second))
	if err := l.Allow("k", t0.Add(2*time.Second)); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("after two failures: %v", err)
	}
	if err := l.Allow("k", t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	l.Fail("k", t0.Add(3*time.Minute)) // the third in a row doubles the lock
	if err := l.Allow("k", t0.Add(4*time.Minute)); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("third failure: %v", err)
	}
	later := t0.Add(3*time.Minute + 10*time.Minute)
	l.Fail("k", later) // long after the last: counted as the first again
	if err := l.Allow("k", later.Add(time.Second)); err != nil {
		t.Fatalf("a failure after Max is the first of a new run: %v", err)
	}
}
