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

// TestLimiterForgivesOnlyItsRun: a good login takes a staff number's slips
// back from the client's count, but slips from before the client's count
// aged out are not taken from the failures that came after.
func TestLimiterForgivesOnlyItsRun(t *testing.T) {
	l := &Limiter{Free: 3, Base: time.Minute, Max: 10 * time.Minute}
	t0 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	fail := func(part string, at time.Time) { l.Fail("client", at); l.Fail(part, at) }
	fail("client staff:1", t0)
	fail("client staff:1", t0.Add(time.Second))
	l.Forgive("client", "client staff:1") // the cashier's own slips
	fail("client staff:2", t0.Add(time.Minute))
	fail("client staff:3", t0.Add(2*time.Minute))
	if err := l.Allow("client", t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("two guesses after two forgiven slips: %v", err)
	}

	// Old slips of staff 1, then, after the client's count aged out,
	// three guesses at others: the later good login of staff 1 takes none
	// of them back.
	l = &Limiter{Free: 3, Base: time.Minute, Max: 10 * time.Minute}
	fail("client staff:1", t0)
	fail("client staff:1", t0.Add(time.Second))
	late := t0.Add(time.Hour)
	for i, part := range []string{"client staff:2", "client staff:3", "client staff:4"} {
		fail(part, late.Add(time.Duration(i)*time.Second))
	}
	l.Forgive("client", "client staff:1")
	if err := l.Allow("client", late.Add(3*time.Second)); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("three guesses at others after old slips forgiven: %v", err)
	}

	// A run that goes on longer than Max, each failure within Max of the
	// one before: staff 1's slip at its start is still taken back.
	l = &Limiter{Free: 3, Base: time.Minute, Max: 10 * time.Minute}
	fail("client staff:1", t0)
	fail("client staff:2", t0.Add(6*time.Minute))
	fail("client staff:3", t0.Add(11*time.Minute))
	l.Forgive("client", "client staff:1")
	if err := l.Allow("client", t0.Add(11*time.Minute+time.Second)); err != nil {
		t.Fatalf("a slip early in a long run not taken back: %v", err)
	}
}
