package sqlite_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
)

// A loyalty customer at the till: central's profile stays on the cart for
// the screens (its latest purchases only); the customer is changed and
// taken off before payment, never once it has started, and never half-way;
// offline a card's number is kept unchecked and a phone or e-mail refused;
// the sale's event names the customer.
func TestTillCustomer(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	at := time.Date(2026, 11, 20, 18, 2, 0, 0, time.UTC)
	var recent []pos.CustomerRecent
	for i := range 5 {
		recent = append(recent, pos.CustomerRecent{Channel: "web", At: at.Add(-time.Duration(i) * time.Hour), Total: int64(1000 * (i + 1)), OrderID: "W-" + string(rune('1'+i))})
	}
	ana := pos.Customer{ID: "C-88412", Name: "Ana Popescu", Language: "ro", Points: 1250, Recent: recent}
	erik := pos.Customer{ID: "C-10001", Name: "Erik Lind", Language: "sv", Points: 80}
	e.lookup.customers = map[string]pos.Customer{"+40712345678": ana, "C-88412": ana, "erik.lind@example.se": erik}
	x := e.cart(e.cashier, []buy{{breadSKU, 1, nil}}, nil)
	cart := func() pos.Cart {
		t.Helper()
		c, err := e.db.Cart(e.ctx, x.ID)
		e.must(err)
		return c
	}

	v, cust, err := e.as.AttachCustomer(e.ctx, e.cashier, x.ID, " +40712345678 ")
	e.must(err)
	if cust.Name != "Ana Popescu" || cust.Offline || len(cust.Recent) != 5 {
		t.Fatalf("online customer %+v", cust)
	}
	if v.CustomerID != "C-88412" || v.CustomerUnchecked || v.Customer == nil || v.Customer.Name != "Ana Popescu" ||
		v.Customer.Points != 1250 || len(v.Customer.Recent) != pos.MaxCartRecent || v.Customer.Recent[0].OrderID != "W-1" {
		t.Fatalf("cart's customer %q unchecked %v profile %+v", v.CustomerID, v.CustomerUnchecked, v.Customer)
	}
	if c := cart(); c.Customer == nil || c.Customer.Name != "Ana Popescu" || len(c.Customer.Recent) != pos.MaxCartRecent {
		t.Fatalf("stored cart's customer %+v", c.Customer)
	}

	// Refused, the cart keeps its customer.
	kept := func(what string, err, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Fatalf("%s: %v, want %v", what, err, want)
		}
		if c := cart(); c.CustomerID != "C-88412" || c.Customer == nil || c.CustomerUnchecked {
			t.Fatalf("%s changed the customer: %q %+v", what, c.CustomerID, c.Customer)
		}
	}
	_, _, err = e.as.AttachCustomer(e.ctx, e.cashier, x.ID, "nobody")
	kept("an unknown customer", err, pos.ErrNotFound)
	for _, q := range []string{"", "   ", strings.Repeat("1", 65), "C-\n1", "C-\x001"} {
		_, _, err = e.as.AttachCustomer(e.ctx, e.cashier, x.ID, q)
		kept("query "+q, err, pos.ErrInvalidRequest)
	}
	for _, id := range []string{strings.Repeat("1", 65), "C-\x7f1", "C-\xff"} {
		_, err = e.till.SetCustomer(e.ctx, e.cashier, x.ID, id)
		kept("id "+id, err, pos.ErrInvalidRequest)
	}
	e.lookup.offline = true
	for _, q := range []string{"+40712345678", "0712 345 678", "ana.popescu@example.ro"} {
		_, _, err = e.as.AttachCustomer(e.ctx, e.cashier, x.ID, q)
		kept("offline "+q, err, pos.ErrCustomerOffline)
	}

	// Offline, a card's number is the customer, unchecked, with no profile.
	v, cust, err = e.as.AttachCustomer(e.ctx, e.cashier, x.ID, "C-10001")
	e.must(err)
	if !cust.Offline || cust.ID != "C-10001" || v.CustomerID != "C-10001" || !v.CustomerUnchecked || v.Customer != nil {
		t.Fatalf("offline customer %+v on cart %q unchecked %v profile %+v", cust, v.CustomerID, v.CustomerUnchecked, v.Customer)
	}
	// Online again, the other customer by e-mail; then taken off, and Ana
	// back by her card.
	e.lookup.offline = false
	v, _, err = e.as.AttachCustomer(e.ctx, e.cashier, x.ID, "erik.lind@example.se")
	e.must(err)
	if v.CustomerID != "C-10001" || v.CustomerUnchecked || v.Customer == nil || v.Customer.Name != "Erik Lind" || len(v.Customer.Recent) != 0 {
		t.Fatalf("changed to %q unchecked %v profile %+v", v.CustomerID, v.CustomerUnchecked, v.Customer)
	}
	v, err = e.till.SetCustomer(e.ctx, e.cashier, x.ID, "")
	e.must(err)
	if v.CustomerID != "" || v.Customer != nil || v.CustomerUnchecked {
		t.Fatalf("taken off: %q %+v", v.CustomerID, v.Customer)
	}
	_, _, err = e.as.AttachCustomer(e.ctx, e.cashier, x.ID, "C-88412")
	e.must(err)

	// Once payment has started the customer stays, and central is not
	// even asked; taking the payment back frees it again.
	paid := e.pay(e.cashier, x.ID, tender{method: pos.MethodCash, amount: 1000})
	asked := e.lookup.asked
	_, _, err = e.as.AttachCustomer(e.ctx, e.cashier, x.ID, "erik.lind@example.se")
	kept("another customer with cash taken", err, pos.ErrCartLocked)
	if e.lookup.asked != asked {
		t.Fatal("central was asked for a customer the cart could not take")
	}
	_, err = e.till.SetCustomer(e.ctx, e.cashier, x.ID, "")
	kept("no customer with cash taken", err, pos.ErrCartLocked)
	e.must1(e.till.RemovePayment(e.ctx, e.cashier, x.ID, paid.Payments[0].ID))
	e.must1(e.till.SetCustomer(e.ctx, e.cashier, x.ID, "C-88412"))

	// The sale and its event, recorded together, name the customer.
	e.pay(e.cashier, x.ID, tender{method: pos.MethodCash})
	sold, err := e.till.Complete(e.ctx, e.cashier, x.ID)
	e.must(err)
	stored, err := e.db.Sale(e.ctx, sold.ID)
	e.must(err)
	if stored.CustomerID != "C-88412" {
		t.Fatalf("stored sale's customer %q", stored.CustomerID)
	}
	var found bool
	for _, ev := range e.events(pos.EventSaleCompleted) {
		var d struct {
			SaleID     string `json:"sale_id"`
			CustomerID string `json:"customer_id"`
		}
		e.must(json.Unmarshal(ev.Data, &d))
		if d.SaleID == sold.ID {
			found = true
			if d.CustomerID != "C-88412" {
				t.Fatalf("pos.sale.completed customer_id %q: %s", d.CustomerID, ev.Data)
			}
		}
	}
	if !found {
		t.Fatal("no pos.sale.completed event for the sale")
	}
}

// askedWhile is central answering a customer lookup from lookup, with
// during run while the till waits for it (up to the rpc's 3 s).
type askedWhile struct {
	*fakeLookup
	during func()
}

func (a askedWhile) CustomerLookup(ctx context.Context, q string) (pos.Customer, error) {
	a.during()
	return a.fakeLookup.CustomerLookup(ctx, q)
}

// What happens to the cart while central is asked wins over the lookup's
// answer: a payment started then keeps the customer the payment was
// taken for, and another customer put on the cart then (a second lookup
// that came back first, from a dialog given up and opened again, or from
// another screen) is not replaced by the first lookup's, whether central
// answered it or it was kept offline.
func TestTillCustomerChangedDuringLookup(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	ana := pos.Customer{ID: "C-88412", Name: "Ana Popescu", Points: 1250}
	erik := pos.Customer{ID: "C-10001", Name: "Erik Lind", Points: 80}
	e.lookup.customers = map[string]pos.Customer{"+40712345678": ana, "erik.lind@example.se": erik}
	x := e.cart(e.cashier, []buy{{breadSKU, 1, nil}}, nil)
	var during func()
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: e.db, Lookup: askedWhile{e.lookup, func() { during() }}})
	customer := func() pos.Cart {
		t.Helper()
		c, err := e.db.Cart(e.ctx, x.ID)
		e.must(err)
		return c
	}

	for _, offline := range []bool{false, true} {
		e.lookup.offline = offline
		e.must1(e.till.SetCustomer(e.ctx, e.cashier, x.ID, ""))
		query := "+40712345678"
		if offline {
			query = "0212345678900" // a card's EAN-13, kept offline
		}
		during = func() {
			during = func() {}
			e.lookup.offline = false
			_, _, err := as.AttachCustomer(e.ctx, e.cashier, x.ID, "erik.lind@example.se")
			e.must(err)
			e.lookup.offline = offline
		}
		_, _, err := as.AttachCustomer(e.ctx, e.cashier, x.ID, query)
		if !errors.Is(err, pos.ErrConflict) {
			t.Errorf("offline %v: a lookup whose cart got another customer meanwhile: %v, want %v", offline, err, pos.ErrConflict)
		}
		if c := customer(); c.CustomerID != "C-10001" || c.Customer == nil || c.Customer.Name != "Erik Lind" || c.CustomerUnchecked {
			t.Errorf("offline %v: the customer put on meanwhile was replaced: %q unchecked %v %+v", offline, c.CustomerID, c.CustomerUnchecked, c.Customer)
		}
	}

	// Taken off meanwhile, the customer stays off.
	e.lookup.offline = false
	during = func() { e.must1(e.till.SetCustomer(e.ctx, e.cashier, x.ID, "")) }
	if _, _, err := as.AttachCustomer(e.ctx, e.cashier, x.ID, "+40712345678"); !errors.Is(err, pos.ErrConflict) {
		t.Errorf("a lookup whose customer was taken off meanwhile: %v, want %v", err, pos.ErrConflict)
	}
	if c := customer(); c.CustomerID != "" || c.Customer != nil {
		t.Errorf("the customer taken off meanwhile is back: %q %+v", c.CustomerID, c.Customer)
	}

	// The same customer found by both lookups is no conflict.
	during = func() {
		during = func() {}
		_, _, err := as.AttachCustomer(e.ctx, e.cashier, x.ID, "C-88412")
		e.must(err)
	}
	e.lookup.customers["C-88412"] = ana
	e.must1(e.till.SetCustomer(e.ctx, e.cashier, x.ID, ""))
	v, _, err := as.AttachCustomer(e.ctx, e.cashier, x.ID, "+40712345678")
	e.must(err)
	if v.CustomerID != "C-88412" || v.Customer == nil {
		t.Fatalf("customer %q %+v", v.CustomerID, v.Customer)
	}

	// Lines scanned meanwhile are no reason to refuse.
	during = func() { e.must1(e.till.AddItem(e.ctx, e.cashier, x.ID, cheeseSKU, 250)) }
	v, _, err = as.AttachCustomer(e.ctx, e.cashier, x.ID, "+40712345678")
	e.must(err)
	if v.CustomerID != "C-88412" || len(v.Lines) != 2 {
		t.Fatalf("customer %q with %d lines", v.CustomerID, len(v.Lines))
	}

	// A payment started meanwhile: the customer stays.
	during = func() { e.pay(e.cashier, x.ID, tender{method: pos.MethodCash, amount: 1000}) }
	if _, _, err := as.AttachCustomer(e.ctx, e.cashier, x.ID, "erik.lind@example.se"); !errors.Is(err, pos.ErrCartLocked) {
		t.Errorf("a lookup whose cart was paid meanwhile: %v, want %v", err, pos.ErrCartLocked)
	}
	if c := customer(); c.CustomerID != "C-88412" || c.Customer == nil || c.Customer.Name != "Ana Popescu" {
		t.Errorf("the customer the payment was taken for was replaced: %q %+v", c.CustomerID, c.Customer)
	}
}
