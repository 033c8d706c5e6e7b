package sqlite_test

import (
	"errors"
	"testing"

	"github.com/posnode/posnode/pos"
)

// paidPickupCart makes the till cart of a ready order paid at pickup.
func (e *pickupEnv) paidPickupCart() *pos.Cart {
	e.t.Helper()
	o := e.order(1, pos.OrderPayAtPickup)
	e.apply(o)
	e.ready(o.ID)
	e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
	c, err := e.svc.ToCart(e.ctx, e.a, o.ID, nil)
	e.must(err)
	return c
}

func TestExchangeRefusesTheCartOfAnOrder(t *testing.T) {
	e := newPickupEnv(t, nil)
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: e.db})
	v, err := e.till.OpenCart(e.ctx, pos.Actor{Staff: "7", Role: pos.RoleCashier, Station: "till-1"})
	e.must(err)
	_, err = e.till.AddItem(e.ctx, e.a, v.ID, juiceSKU, 1)
	e.must(err)
	_, err = e.till.PayCash(e.ctx, e.a, v.ID, 32000)
	e.must(err)
	s, err := e.till.Complete(e.ctx, e.a, v.ID)
	e.must(err)

	c := e.paidPickupCart()
	_, err = e.till.PayCash(e.ctx, e.a, c.ID, 100000) // with the juice's 320.00, enough
	e.must(err)
	req := pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "swap"}
	if _, _, err := as.Exchange(e.ctx, e.a, req, c.ID); !errors.Is(err, pos.ErrPickupCart) {
		t.Fatalf("exchange into the cart of an order: %v", err)
	}
	if v, _ := e.svc.Order(e.ctx, c.OrderID); v.State != pos.PickupReady {
		t.Fatalf("order %s after a refused exchange", v.State)
	}
	if done, err := e.db.Returned(e.ctx, "sale:"+s.ID); err != nil || len(done.Lines) != 0 {
		t.Fatalf("returned %+v, %v", done, err)
	}
}

func TestSaleOfACartChangedSinceItWasSettledIsRefused(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	v, err := e.till.PayCash(e.ctx, e.a, c.ID, 200000)
	e.must(err)
	// The pickup counter settles the cart as it stands now ...
	stale := v.Cart
	// ... while the till takes the cash back.
	_, err = e.till.RemovePayment(e.ctx, e.a, c.ID, v.Payments[0].ID)
	e.must(err)
	set, err := e.db.Settings(e.ctx)
	e.must(err)
	b := stale.Balance(set)
	sale := &pos.Sale{ID: stale.ID, Station: stale.Station, Cashier: "7", CompletedAt: e.now, Lines: stale.Lines,
		Balance: b, Payments: stale.Payments, OrderID: stale.OrderID, Currency: set.Currency, EventID: "ev-stale",
		CartRev: stale.Rev}
	if err := e.db.CompleteSale(e.ctx, sale); !errors.Is(err, pos.ErrConflict) {
		t.Fatalf("sale of a cart whose cash was taken back: %v", err)
	}
	if _, err := e.db.Sale(e.ctx, stale.ID); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("the stale sale was recorded: %v", err)
	}
	// Paid again, the handover goes through.
	_, err = e.till.PayCash(e.ctx, e.a, c.ID, 200000)
	e.must(err)
	got, err := e.svc.CompletePaidPickup(e.ctx, e.a, c.ID)
	e.must(err)
	if got.Balance.Cash != 200000 {
		t.Fatalf("sale %+v", got.Balance)
	}
}
