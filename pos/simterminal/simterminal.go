// Package simterminal is a simulated card payment terminal for demos and
// tests. It approves every transaction unless told otherwise: amounts
// ending in given minor units can be made to decline or time out, and the
// next transaction can be scripted.
package simterminal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/posnode/posnode/pos"
)

var _ pos.PaymentTerminal = (*T)(nil)

// Outcome is what the terminal does with a transaction.
type Outcome int

// Outcomes.
const (
	Approve Outcome = iota
	Decline
	Timeout // waits for Delay, then fails with pos.ErrTerminalTimeout
	Hang    // waits until aborted or the context ends
)

// T is a simulated terminal. The zero value approves everything at once.
type T struct {
	// Delay is how long a transaction takes; for Timeout, how long before
	// giving up.
	Delay time.Duration
	// DeclineCents declines amounts whose last two digits equal it
	// (0 disables), so a demo can show a decline: 51 declines 12.51.
	DeclineCents int64

	mu     sync.Mutex // guards the fields below
	next   []Outcome
	done   map[string]pos.TerminalResult
	abort  map[string]chan struct{}
	serial int
}

// Script makes the next transactions end as given, in order.
func (t *T) Script(o ...Outcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next = append(t.next, o...)
}

func (t *T) outcome(amount int64) Outcome {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.next) > 0 {
		o := t.next[0]
		t.next = t.next[1:]
		return o
	}
	if t.DeclineCents != 0 && amount%100 == t.DeclineCents {
		return Decline
	}
	return Approve
}

func (t *T) run(ctx context.Context, ref string, amount int64) (pos.TerminalResult, error) {
	o := t.outcome(amount)
	t.mu.Lock()
	if t.abort == nil {
		t.abort = map[string]chan struct{}{}
		t.done = map[string]pos.TerminalResult{}
	}
	ab := make(chan struct{})
	t.abort[ref] = ab
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.abort, ref)
		t.mu.Unlock()
	}()
	var wait <-chan time.Time
	if o != Hang {
		wait = time.After(t.Delay)
	}
	select {
	case <-ab:
		return pos.TerminalResult{}, pos.ErrAborted
	case <-ctx.Done():
		return pos.TerminalResult{}, fmt.Errorf("%w: %v", pos.ErrAborted, ctx.Err())
	case <-wait:
	}
	switch o {
	case Decline:
		return pos.TerminalResult{}, pos.ErrDeclined
	case Timeout:
		return pos.TerminalResult{}, pos.ErrTerminalTimeout
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.serial++
	r := pos.TerminalResult{Approved: true, AuthCode: fmt.Sprintf("SIM%06d", t.serial), Masked: "**** 4242"}
	t.done[ref] = r
	return r, nil
}

// Purchase charges amount.
func (t *T) Purchase(ctx context.Context, ref string, amount int64, currency string) (pos.TerminalResult, error) {
	return t.run(ctx, ref, amount)
}

// Refund refunds amount.
func (t *T) Refund(ctx context.Context, ref string, amount int64, currency string) (pos.TerminalResult, error) {
	return t.run(ctx, ref, amount)
}

// Abort stops the transaction ref if it is waiting.
func (t *T) Abort(ref string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	ab, ok := t.abort[ref]
	if !ok {
		return fmt.Errorf("simterminal: transaction %s: %w", ref, pos.ErrNotFound)
	}
	close(ab)
	delete(t.abort, ref)
	return nil
}

// ErrInProgress is Status's answer for a transaction still waiting at the
// terminal: its outcome is not known yet.
var ErrInProgress = errors.New("simterminal: transaction in progress")

// Status reports an approved transaction, ErrInProgress for one still
// waiting, or pos.ErrNotFound.
func (t *T) Status(ctx context.Context, ref string) (pos.TerminalResult, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r, ok := t.done[ref]; ok {
		return r, nil
	}
	if _, ok := t.abort[ref]; ok {
		return pos.TerminalResult{}, fmt.Errorf("transaction %s: %w", ref, ErrInProgress)
	}
	return pos.TerminalResult{}, fmt.Errorf("simterminal: transaction %s: %w", ref, pos.ErrNotFound)
}
