package sqlite_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
)

// errLinkDown is a terminal error that is not final: the node lost its
// link to the terminal, and what the terminal did is unknown.
var errLinkDown = errors.New("terminal link down")

// linkTerminal is a simulated terminal behind a link that can fail. The
// terminal itself (T) runs every purchase unless drop is set; heard is
// signalled once it has answered. The node hears the answer once held is
// closed (when held is set), and then only errLinkDown when lose is set.
// Status fails with errLinkDown while offline is set.
type linkTerminal struct {
	*simterminal.T
	held  chan struct{}
	heard chan struct{}

	mu       sync.Mutex // guards the fields below
	drop     bool
	lose     bool
	offline  bool
	statuses int
}

func newLinkTerminal(t *simterminal.T) *linkTerminal {
	return &linkTerminal{T: t, heard: make(chan struct{}, 1)}
}

func (l *linkTerminal) set(f func(l *linkTerminal)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l)
}

func (l *linkTerminal) Purchase(ctx context.Context, ref string, amount int64, currency string) (pos.TerminalResult, error) {
	l.mu.Lock()
	drop, lose := l.drop, l.lose
	l.mu.Unlock()
	var res pos.TerminalResult
	var err error
	if !drop {
		res, err = l.T.Purchase(ctx, ref, amount, currency)
	}
	l.heard <- struct{}{}
	if l.held != nil {
		<-l.held
	}
	if lose || drop {
		return pos.TerminalResult{}, errLinkDown
	}
	return res, err
}

func (l *linkTerminal) Status(ctx context.Context, ref string) (pos.TerminalResult, error) {
	l.mu.Lock()
	l.statuses++
	offline := l.offline
	l.mu.Unlock()
	if offline {
		return pos.TerminalResult{}, errLinkDown
	}
	return l.T.Status(ctx, ref)
}

// restart opens the database again under a new Service with term, as the
// node does after a crash or a power cut: nothing of the old process's
// memory is left.
func (e *asEnv) restart(term pos.PaymentTerminal) *pos.Service {
	e.t.Helper()
	db, err := sqlite.Open(e.ctx, e.path, sqlite.Options{})
	e.must(err)
	e.t.Cleanup(func() { db.Close() })
	return pos.NewService(pos.Options{Store: db, Terminal: term, Policy: pos.DefaultPolicy()})
}

// payCardAsync starts PayCard of the whole due on cart v with till and
// returns its answer's channel.
func (e *asEnv) payCardAsync(till *pos.Service, v *pos.CartView) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := till.PayCard(e.ctx, e.cashier, v.ID, v.Balance.Due)
		done <- err
	}()
	return done
}

// A card payment at the terminal when the node went down is resolved when
// the till opens its cart after the restart: recorded if the terminal took
// the card, cleared (and the cart usable again) if it did not.
func TestCardLeftPendingByACrashIsResolvedWhenTheTillOpens(t *testing.T) {
	for _, tc := range []struct {
		name     string
		outcome  simterminal.Outcome
		drop     bool // the terminal never saw the payment
		approved bool
	}{
		{name: "approved", outcome: simterminal.Approve, approved: true},
		{name: "declined", outcome: simterminal.Decline},
		{name: "never at the terminal", drop: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newASEnv(t, pos.ReturnPolicy{})
			term := newLinkTerminal(e.term)
			term.held = make(chan struct{})
			term.drop, term.lose = tc.drop, true // the old process never hears
			e.term.Script(tc.outcome)
			before := pos.NewService(pos.Options{Store: e.db, Terminal: term, Policy: pos.DefaultPolicy()})
			v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
			paid := e.payCardAsync(before, v)
			<-term.heard // the terminal is done; the node goes down before it hears

			after := e.restart(term)
			got, err := after.OpenCart(e.ctx, e.cashier)
			e.must(err)
			if got.ID != v.ID || got.Pending != nil || got.PendingUnknown {
				t.Fatalf("cart after the restart: id %s (want %s), pending %+v, unknown %v", got.ID, v.ID, got.Pending, got.PendingUnknown)
			}
			if tc.approved {
				if len(got.Payments) != 1 || got.Payments[0].Method != pos.MethodCard || got.Payments[0].Amount != 129900 ||
					!strings.HasPrefix(got.Payments[0].Ref, "SIM") || !got.Balance.Settled {
					t.Fatalf("payments after an approved card: %+v", got.Payments)
				}
				_, err := after.Complete(e.ctx, e.cashier, v.ID)
				e.must(err)
			} else {
				if len(got.Payments) != 0 {
					t.Fatalf("payments after a card not taken: %+v", got.Payments)
				}
				_, err := after.PayCash(e.ctx, e.cashier, v.ID, 130000)
				e.must(err)
				e.must(after.Cancel(e.ctx, e.cashier, v.ID))
			}

			close(term.held) // the old process's answer never counts
			if err := <-paid; !errors.Is(err, pos.ErrCardUnknown) {
				t.Fatalf("the old PayCard: %v", err)
			}
		})
	}
}

// A card payment whose outcome the terminal could not tell leaves the
// cart pending and locked while the terminal cannot say, and is resolved
// by the next opening of the cart once it can.
func TestCardWithUnknownOutcomeIsResolvedWhenTheTerminalAnswers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		outcome  simterminal.Outcome
		approved bool
	}{
		{name: "approved", outcome: simterminal.Approve, approved: true},
		{name: "declined", outcome: simterminal.Decline},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newASEnv(t, pos.ReturnPolicy{})
			term := newLinkTerminal(e.term)
			term.lose, term.offline = true, true
			till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Policy: pos.DefaultPolicy()})
			v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
			e.term.Script(tc.outcome)
			if _, err := till.PayCard(e.ctx, e.cashier, v.ID, 129900); !errors.Is(err, pos.ErrCardUnknown) {
				t.Fatalf("card with a lost answer: %v", err)
			}
			<-term.heard

			// The terminal cannot say: the payment may have been taken,
			// so the cart takes nothing else, and shows why.
			got, err := till.OpenCart(e.ctx, e.cashier)
			e.must(err)
			if got.ID != v.ID || got.Pending == nil || !got.PendingUnknown {
				t.Fatalf("cart while the terminal is offline: id %s, pending %+v, unknown %v", got.ID, got.Pending, got.PendingUnknown)
			}
			if _, err := till.ResolvePending(e.ctx, v.ID); !errors.Is(err, pos.ErrCardUnknown) {
				t.Fatalf("resolve while the terminal is offline: %v", err)
			}
			if _, err := till.PayCash(e.ctx, e.cashier, v.ID, 130000); !errors.Is(err, pos.ErrCartLocked) {
				t.Fatalf("cash while the card's outcome is unknown: %v", err)
			}
			if err := till.Cancel(e.ctx, e.cashier, v.ID); !errors.Is(err, pos.ErrCartLocked) {
				t.Fatalf("cancel while the card's outcome is unknown: %v", err)
			}

			term.set(func(l *linkTerminal) { l.offline = false })
			got, err = till.OpenCart(e.ctx, e.cashier)
			e.must(err)
			if got.ID != v.ID || got.Pending != nil || got.PendingUnknown {
				t.Fatalf("cart once the terminal answers: pending %+v, unknown %v", got.Pending, got.PendingUnknown)
			}
			if tc.approved {
				if len(got.Payments) != 1 || !got.Balance.Settled {
					t.Fatalf("payments after an approved card: %+v", got.Payments)
				}
				return
			}
			if len(got.Payments) != 0 {
				t.Fatalf("payments after a declined card: %+v", got.Payments)
			}
			e.must(till.Cancel(e.ctx, e.cashier, v.ID))
		})
	}
}

// A card payment the terminal is still working on is left to the PayCard
// waiting for it: opening the cart or asking to resolve it meanwhile does
// not ask the terminal, and the payment is recorded once.
func TestCardInFlightIsNotResolvedBehindPayCard(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	term := newLinkTerminal(e.term)
	term.held = make(chan struct{})
	till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Policy: pos.DefaultPolicy()})
	v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
	paid := e.payCardAsync(till, v)
	<-term.heard // approved at the terminal; PayCard has not heard yet

	got, err := till.OpenCart(e.ctx, e.cashier)
	e.must(err)
	if got.Pending == nil || got.PendingUnknown || len(got.Payments) != 0 {
		t.Fatalf("cart opened while the card is at the terminal: pending %+v, unknown %v, payments %+v", got.Pending, got.PendingUnknown, got.Payments)
	}
	if got, err = till.ResolvePending(e.ctx, v.ID); err != nil || got.Pending == nil || len(got.Payments) != 0 {
		t.Fatalf("resolve while the card is at the terminal: %v, %+v", err, got)
	}
	term.mu.Lock()
	asked := term.statuses
	term.mu.Unlock()
	if asked != 0 {
		t.Fatalf("the terminal was asked %d times for the status of a payment in flight", asked)
	}

	close(term.held)
	e.must(<-paid)
	got, err = till.OpenCart(e.ctx, e.cashier)
	e.must(err)
	if got.Pending != nil || len(got.Payments) != 1 || !got.Balance.Settled {
		t.Fatalf("cart after the card: pending %+v, payments %+v", got.Pending, got.Payments)
	}
}

// After a restart, a card payment the terminal still holds is not in
// flight: the till sees it unknown, and aborting it aborts it at the
// terminal and clears it.
func TestAbortCardAfterARestartClearsIt(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	e.term.Script(simterminal.Hang)
	v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
	paid := e.payCardAsync(e.till, v)
	for {
		c, err := e.db.Cart(e.ctx, v.ID)
		e.must(err)
		if c.Pending != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}

	after := e.restart(e.term)
	got, err := after.OpenCart(e.ctx, e.cashier)
	e.must(err)
	if got.Pending == nil || !got.PendingUnknown {
		t.Fatalf("cart of a payment still at the terminal after a restart: pending %+v, unknown %v", got.Pending, got.PendingUnknown)
	}
	e.must(after.AbortCard(e.ctx, v.ID))
	got, err = after.Cart(e.ctx, v.ID)
	e.must(err)
	if got.Pending != nil || len(got.Payments) != 0 {
		t.Fatalf("cart after the abort: pending %+v, payments %+v", got.Pending, got.Payments)
	}
	e.must(after.Cancel(e.ctx, e.cashier, v.ID))
	if err := <-paid; err == nil { // aborted, or gone when it came to record it
		t.Fatal("the old PayCard succeeded")
	}
}

// A supervisor declares the outcome of a card payment the terminal cannot
// tell, as read from the terminal's own slip: approved with its code, it
// is recorded; not taken, it is cleared. The approval is kept, and
// nothing is declared without it or behind a PayCard still waiting.
func TestSupervisorDeclaresACardTheTerminalCannotTell(t *testing.T) {
	for _, tc := range []struct {
		name    string
		outcome pos.CardOutcome
	}{
		{name: "approved", outcome: pos.CardOutcome{Approved: true, AuthCode: " 483920 "}},
		{name: "not taken", outcome: pos.CardOutcome{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newASEnv(t, pos.ReturnPolicy{})
			term := newLinkTerminal(e.term)
			term.lose, term.offline = true, true
			till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Policy: pos.DefaultPolicy()})
			v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
			if _, err := till.PayCard(e.ctx, e.cashier, v.ID, 129900); !errors.Is(err, pos.ErrCardUnknown) {
				t.Fatalf("card with a lost answer: %v", err)
			}
			<-term.heard

			if _, err := till.DeclareCard(e.ctx, e.cashier, v.ID, tc.outcome, nil); !errors.Is(err, pos.ErrApprovalRequired) {
				t.Fatalf("declared without a supervisor: %v", err)
			}
			if _, err := till.DeclareCard(e.ctx, e.cashier, v.ID, tc.outcome, &pos.Supervisor{Staff: "2", PIN: "2222"}); !errors.Is(err, pos.ErrApprovalRequired) {
				t.Fatalf("declared with a cashier's PIN: %v", err)
			}
			if _, err := till.DeclareCard(e.ctx, e.cashier, v.ID, pos.CardOutcome{Approved: true}, e.sup); !errors.Is(err, pos.ErrInvalidRequest) {
				t.Fatalf("declared approved without a code: %v", err)
			}
			if _, err := till.DeclareCard(e.ctx, e.cashier, v.ID, pos.CardOutcome{Approved: true, AuthCode: "12\n34"}, e.sup); !errors.Is(err, pos.ErrInvalidRequest) {
				t.Fatalf("an authorisation code with a line break: %v", err)
			}
			got, err := till.DeclareCard(e.ctx, e.cashier, v.ID, tc.outcome, e.sup)
			e.must(err)
			if got.Pending != nil || got.PendingUnknown {
				t.Fatalf("cart after the declaration: pending %+v", got.Pending)
			}
			var n int
			e.must(e.db.Read().QueryRowContext(e.ctx, "SELECT count(*) FROM approvals WHERE action = 'card_declared' AND ref = ? AND approved_by = '9'", v.ID).Scan(&n))
			if n != 1 {
				t.Fatalf("%d card_declared approvals recorded, want 1", n)
			}
			if tc.outcome.Approved {
				if len(got.Payments) != 1 || got.Payments[0].Ref != "483920" || !got.Balance.Settled {
					t.Fatalf("payments after a card declared approved: %+v", got.Payments)
				}
				_, err := till.Complete(e.ctx, e.cashier, v.ID)
				e.must(err)
				return
			}
			if len(got.Payments) != 0 {
				t.Fatalf("payments after a card declared not taken: %+v", got.Payments)
			}
			e.must(till.Cancel(e.ctx, e.cashier, v.ID))
		})
	}

	t.Run("in flight", func(t *testing.T) {
		e := newASEnv(t, pos.ReturnPolicy{})
		term := newLinkTerminal(e.term)
		term.held = make(chan struct{})
		till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Policy: pos.DefaultPolicy()})
		v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
		paid := e.payCardAsync(till, v)
		<-term.heard
		if _, err := till.DeclareCard(e.ctx, e.cashier, v.ID, pos.CardOutcome{}, e.sup); !errors.Is(err, pos.ErrCartLocked) {
			t.Fatalf("declared while the terminal answers: %v", err)
		}
		close(term.held)
		e.must(<-paid)
	})
}
