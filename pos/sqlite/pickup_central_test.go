package sqlite_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
)

// Central lowers a line's price while the order waits at the till: the
// till's cart is made again at the new price, and the sale is what the
// pickup screen says is due.
func TestPickupPriceChangedByCentralRemakesTheCart(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	o := e.order(2, pos.OrderPayAtPickup)
	o.Lines[0].UnitPrice, o.Payment.Amount = 39900, 109800
	e.apply(o)
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	c2, err := e.svc.ToCart(e.ctx, e.a, o.ID, nil)
	e.must(err)
	cv, err := e.till.View(e.ctx, *c2)
	e.must(err)
	if cv.Balance.Total != 109800 || v.Due != 109800 {
		t.Fatalf("cart %s (was %s) totals %d and the order's due is %d after the price fell; want 109800", c2.ID, c.ID, cv.Balance.Total, v.Due)
	}
	_, err = e.till.PayCash(e.ctx, e.a, c2.ID, 109800)
	e.must(err)
	s, err := e.svc.CompletePaidPickup(e.ctx, e.a, c2.ID)
	e.must(err)
	if s.Balance.Total != 109800 {
		t.Fatalf("sale of %d, want 109800", s.Balance.Total)
	}
}

// A busy store has more open orders than one page of a list: every one
// is on the counter's queue and pick list, and a customer who arrives
// for the last of them is at the top.
func TestPickupQueueHoldsEveryOpenOrder(t *testing.T) {
	e := newPickupEnv(t, nil)
	const n = 205
	var last string
	for i := range n {
		o := e.order(1, pos.OrderPaid)
		o.ID = fmt.Sprintf("W-2026-%06d", 1000+i)
		o.CollectBy = e.now.Add(time.Duration(24+i) * time.Hour)
		o.Lines = o.Lines[:1]
		e.apply(o)
		last = o.ID
	}
	_, _, err := e.svc.Arrive(e.ctx, e.a, last, pos.Arrival{At: e.now, Bay: "B2"})
	e.must(err)
	q, err := e.svc.Queue(e.ctx, "")
	e.must(err)
	total := 0
	for _, k := range q.Counts {
		total += k
	}
	if total != n || len(q.Orders) != n || q.Counts[pos.BucketArrived] != 1 || q.Orders[0].Order.ID != last {
		t.Fatalf("queue of %d orders (counts %v, first %s), want %d with %s arrived first", len(q.Orders), q.Counts, q.Orders[0].Order.ID, n, last)
	}
	list, err := e.svc.PickList(e.ctx)
	e.must(err)
	var bags int64
	for _, it := range list {
		bags += it.Qty
	}
	if bags != 2*n {
		t.Fatalf("pick list of %d backpacks, want %d", bags, 2*n)
	}
}

// An order central marks paid online while cash for it sits on its cart
// at the till is not handed over until that cash is given back: the
// customer would have paid twice.
func TestPickupCollectRefusedWhileItsCartHoldsCash(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	_, err := e.till.PayCash(e.ctx, e.a, c.ID, 129800)
	e.must(err)
	o := e.order(2, pos.OrderPaid)
	e.apply(o)
	e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
	if _, err := e.svc.Collect(e.ctx, e.a, o.ID, nil); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("collect with cash on its cart: %v, want cart_locked", err)
	}
	if v, _ := e.svc.Order(e.ctx, o.ID); v.State != pos.PickupReady {
		t.Fatalf("order %s", v.State)
	}
}
