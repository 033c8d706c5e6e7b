package sqlite_test

import (
	"testing"

	"github.com/posnode/posnode/pos"
)

// In a store whose prices do not include tax, the till adds the tax to
// an order paid at pickup as to any sale: the counter's queue and the
// printed slip said the ordered prices alone were due, less than the
// till then charged.
func TestPickupDueIsWhatTheTillCharges(t *testing.T) {
	for _, include := range []bool{true, false} {
		t.Run(map[bool]string{false: "tax added", true: "tax included"}[include], func(t *testing.T) {
			e := newPickupEnv(t, nil)
			set := pos.DefaultSettings()
			set.Version, set.PricesIncludeTax = 2, include
			e.must1(e.db.PutSettings(e.ctx, set))
			o := e.order(1, pos.OrderPayAtPickup)
			e.apply(o)
			slip := e.ready(o.ID)
			e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
			c, err := e.svc.ToCart(e.ctx, e.a, o.ID, nil)
			e.must(err)
			v, err := e.till.Cart(e.ctx, c.ID)
			e.must(err)
			ov, err := e.svc.Order(e.ctx, o.ID)
			e.must(err)
			if ov.Due != v.Balance.Total || slip.Due != v.Balance.Total {
				t.Fatalf("the counter says %d due, the slip %d; the till charges %d", ov.Due, slip.Due, v.Balance.Total)
			}
		})
	}
}

// An item substituted by a cheaper one is paid at pickup at the
// substitute's shelf price, a dearer one at the price the customer was
// promised for what they ordered: the customer pays no more than was
// promised, nor more than the shelf asks for what they take home. Two
// backpacks ordered at 499.00, replaced by two water bottles at 300.00,
// were charged 998.00.
func TestSubstituteIsPaidAtTheLowerPrice(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPayAtPickup)
	o.Lines = append(o.Lines, pos.OrderLine{LineID: "3", SKU: waterSKU, Name: "Sticlă apă", Qty: 1, UnitPrice: 30000})
	o.Payment.Amount = 159800 // the lines' price: no promotion
	e.apply(o)
	e.must1(e.svc.Substitute(e.ctx, e.a, o.ID, "1", waterSKU)) // cheaper
	e.must1(e.svc.Substitute(e.ctx, e.a, o.ID, "3", juiceSKU)) // dearer: 320.00
	for _, code := range []string{ean("731000000001"), ean("731000000001"), ean("731000000001"), ean("731000000002")} {
		if _, _, err := e.svc.PickScan(e.ctx, e.a, o.ID, code); err != nil {
			t.Fatalf("pick %s: %v", code, err)
		}
	}
	_, slip, err := e.svc.MarkReady(e.ctx, e.a, o.ID, "Shelf P-4", 1)
	e.must(err)
	e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
	c, err := e.svc.ToCart(e.ctx, e.a, o.ID, nil)
	e.must(err)
	want := map[string]int64{"1": 30000, "2": 30000, "3": 30000}
	for _, l := range c.Lines {
		if l.UnitPrice != want[l.OrderLineID] {
			t.Errorf("order line %s (%s) at %d, want %d", l.OrderLineID, l.SKU, l.UnitPrice, want[l.OrderLineID])
		}
	}
	v, err := e.till.Cart(e.ctx, c.ID)
	e.must(err)
	ov, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if v.Balance.Total != 4*30000 || ov.Due != v.Balance.Total || slip.Due != v.Balance.Total {
		t.Fatalf("the till charges %d, the counter says %d due, the slip %d; want %d", v.Balance.Total, ov.Due, slip.Due, 4*30000)
	}
}
