package ui_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/ui"
)

// lostTerminal is a simulated terminal whose purchases go through while
// the node never hears their answer, and whose Status fails while
// offline is set: the outcome of every card payment is unknown until it
// comes back.
type lostTerminal struct {
	*simterminal.T

	mu      sync.Mutex // guards offline
	offline bool
}

var errTerminalOffline = errors.New("terminal offline")

func (l *lostTerminal) Purchase(ctx context.Context, ref string, amount int64, currency string) (pos.TerminalResult, error) {
	_, _ = l.T.Purchase(ctx, ref, amount, currency)
	return pos.TerminalResult{}, errTerminalOffline
}

func (l *lostTerminal) Status(ctx context.Context, ref string) (pos.TerminalResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.offline {
		return pos.TerminalResult{}, errTerminalOffline
	}
	return l.T.Status(ctx, ref)
}

// newCardStore is a node with the till behind the HTTP API and term as
// its card terminal.
func newCardStore(t *testing.T, term pos.PaymentTerminal) *store {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	item := pos.Item{SKU: "1", Active: true, Names: map[string]string{"en": "Tea"}, Barcodes: []string{teaCode}, Unit: pos.UnitEach, Price: 2500, TaxRateBP: 1200}
	if err := db.PutItems(ctx, []pos.Item{item}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		id   string
		role pos.Role
	}{{"1", pos.RoleCashier}, {"2", pos.RoleSupervisor}} {
		h, _ := pos.HashPIN(st.id + st.id + st.id + st.id)
		if err := db.PutStaff(ctx, pos.Staff{ID: st.id, Name: "Staff " + st.id, Role: st.role, PINHash: h, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	svc := pos.NewService(pos.Options{Store: db, Terminal: term, Policy: pos.DefaultPolicy()})
	srv := ui.NewServer(ui.Options{Service: svc, Store: db, Sessions: db})
	s := &store{srv: httptest.NewServer(srv), server: srv, db: db, ctx: ctx}
	t.Cleanup(func() { srv.Shutdown(); s.srv.Close() })
	return s
}

type pendingCart struct {
	ID      string `json:"id"`
	Pending *struct {
		ID string `json:"id"`
	} `json:"pending"`
	PendingUnknown bool `json:"pending_unknown"`
	Payments       []struct {
		ID     string `json:"id"`
		Method string `json:"method"`
	} `json:"payments"`
}

// A card payment whose answer was lost keeps the cart pending, shown as
// unknown, while the terminal cannot say; the till checks the terminal
// again from its own station and, once it answers, the payment is
// recorded or cleared.
func TestCardWithUnknownOutcomeResolvedFromTheTill(t *testing.T) {
	for _, tc := range []struct {
		name     string
		outcome  simterminal.Outcome
		approved bool
	}{
		{name: "approved", outcome: simterminal.Approve, approved: true},
		{name: "declined", outcome: simterminal.Decline},
	} {
		t.Run(tc.name, func(t *testing.T) {
			term := &lostTerminal{T: &simterminal.T{}, offline: true}
			s := newCardStore(t, term)
			till := s.login(t, "1", "till-1")
			other := s.login(t, "1", "till-2")
			var c pendingCart
			s.ok(t, till, "GET", "/api/v1/cart", nil, &c)
			cart := "/api/v1/carts/" + c.ID
			s.ok(t, till, "POST", cart+"/scan", map[string]string{"code": teaCode}, nil)
			term.Script(tc.outcome)
			s.fails(t, till, "POST", cart+"/payments", map[string]any{"method": "card", "amount": 2500}, 502, "card_unknown")

			s.ok(t, till, "GET", "/api/v1/cart", nil, &c)
			if c.Pending == nil || !c.PendingUnknown {
				t.Fatalf("cart while the terminal is offline: %+v", c)
			}
			ref := c.Pending.ID
			s.fails(t, till, "POST", cart+"/payments", map[string]any{"method": "cash", "amount": 2500}, 409, "cart_locked")
			s.fails(t, till, "DELETE", cart, nil, 409, "cart_locked")
			s.fails(t, till, "POST", cart+"/card/resolve", nil, 502, "card_unknown")
			s.fails(t, other, "POST", cart+"/card/resolve", nil, 403, "forbidden")

			term.mu.Lock()
			term.offline = false
			term.mu.Unlock()
			var got pendingCart
			s.ok(t, till, "POST", cart+"/card/resolve", nil, &got)
			if got.Pending != nil || got.PendingUnknown {
				t.Fatalf("cart once the terminal answers: %+v", got)
			}
			if tc.approved {
				if len(got.Payments) != 1 || got.Payments[0].ID != ref || got.Payments[0].Method != "card" {
					t.Fatalf("payments after an approved card: %+v", got.Payments)
				}
				s.ok(t, till, "POST", cart+"/complete", nil, nil)
				return
			}
			if len(got.Payments) != 0 {
				t.Fatalf("payments after a declined card: %+v", got.Payments)
			}
			s.ok(t, till, "POST", cart+"/payments", map[string]any{"method": "cash", "amount": 2500}, nil)
			s.ok(t, till, "POST", cart+"/complete", nil, nil)
		})
	}
}

// When the terminal cannot tell, a supervisor declares at the till what
// its slip says: the payment is recorded with the slip's code.
func TestCardDeclaredFromTheTill(t *testing.T) {
	term := &lostTerminal{T: &simterminal.T{}, offline: true}
	s := newCardStore(t, term)
	till := s.login(t, "1", "till-1")
	var c pendingCart
	s.ok(t, till, "GET", "/api/v1/cart", nil, &c)
	cart := "/api/v1/carts/" + c.ID
	s.ok(t, till, "POST", cart+"/scan", map[string]string{"code": teaCode}, nil)
	s.fails(t, till, "POST", cart+"/payments", map[string]any{"method": "card", "amount": 2500}, 502, "card_unknown")

	declared := map[string]any{"approved": true, "auth_code": "A1B2C3"}
	s.fails(t, till, "POST", cart+"/card/declare", declared, 403, "approval_required")
	s.fails(t, till, "POST", cart+"/card/declare", map[string]any{"approved": true, "supervisor": map[string]string{"staff": "2", "pin": "2222"}},
		400, "bad_request")
	declared["supervisor"] = map[string]string{"staff": "2", "pin": "2222"}
	var got struct {
		Pending  any `json:"pending"`
		Payments []struct {
			Method string `json:"method"`
			Ref    string `json:"ref"`
		} `json:"payments"`
	}
	s.ok(t, till, "POST", cart+"/card/declare", declared, &got)
	if got.Pending != nil || len(got.Payments) != 1 || got.Payments[0].Method != "card" || got.Payments[0].Ref != "A1B2C3" {
		t.Fatalf("cart after the declaration: %+v", got)
	}
	s.ok(t, till, "POST", cart+"/complete", nil, nil)
}
