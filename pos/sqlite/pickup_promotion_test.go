package sqlite_test

import (
	"testing"

	"github.com/posnode/posnode/pos"
)

// TestPickupPaysTheOrdersPromotion: an order central priced at 1168.20,
// 10 % below its lines' 1298.00, is paid at pickup what central said: its
// cart takes the promotion off as a discount, the counter shows the same
// amount due, and a customer who takes only part of the order pays that
// part's share of the promotion.
func TestPickupPaysTheOrdersPromotion(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPayAtPickup)
	o.Payment.Amount = 116820
	e.apply(o)
	e.ready(o.ID)
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if v.Due != 116820 {
		t.Errorf("due shown %d, want 1168.20", v.Due)
	}
	set, err := e.db.Settings(e.ctx)
	e.must(err)
	cartOf := func(id string, pay int64, take map[string]int64) *pos.Cart {
		t.Helper()
		o := e.order(1, pos.OrderPayAtPickup)
		o.ID, o.Payment.Amount = id, pay
		e.apply(o)
		e.ready(o.ID)
		e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
		c, err := e.svc.ToCart(e.ctx, e.a, o.ID, take)
		e.must(err)
		return c
	}
	if c := cartOf("W-2", 116820, nil); c.Balance(set).Total != 116820 || c.Discount == nil || c.Discount.Reason != pos.OrderPromotion {
		t.Errorf("the whole order: total %d, discount %+v; want 1168.20", c.Balance(set).Total, c.Discount)
	}
	// The water only: 300.00 of the order's 1298.00, less its 10 %.
	if c := cartOf("W-3", 116820, map[string]int64{"2": 1}); c.Balance(set).Total != 27000 {
		t.Errorf("the water alone: total %d, discount %+v; want 270.00", c.Balance(set).Total, c.Discount)
	}
	// An order priced at its lines has no discount.
	if c := cartOf("W-4", 129800, nil); c.Balance(set).Total != 129800 || c.Discount != nil {
		t.Errorf("an order at its lines' price: total %d, discount %+v", c.Balance(set).Total, c.Discount)
	}
}
