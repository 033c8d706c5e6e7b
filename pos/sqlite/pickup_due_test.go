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
