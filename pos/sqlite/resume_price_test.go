package sqlite_test

import (
	"testing"

	"github.com/posnode/posnode/pos"
)

// A sale parked before central changed prices is taken up at today's
// prices, and the view says which lines changed; it kept the prices it
// was rung up at, and the customer who came back the next day paid
// yesterday's. A line whose price the till overrode keeps it, and a sale
// still open keeps the prices it was scanned at.
func TestResumedSaleGetsTodaysPrices(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	v := e.cart(e.cashier, []buy{{sockSKU, 2, nil}, {bookSKU, 1, nil}, {breadSKU, 1, nil}}, nil)
	var bread string
	for _, l := range v.Lines {
		if l.SKU == breadSKU {
			bread = l.ID
		}
	}
	e.must1(e.till.OverridePrice(e.ctx, e.boss, v.ID, bread, 3000, "dented", nil))
	e.must1(e.as.Park(e.ctx, e.cashier, v.ID))
	open := e.cart(e.cashier, []buy{{sockSKU, 1, nil}}, nil)

	name := func(n string) map[string]string { return map[string]string{"en": n} }
	e.must(e.db.PutItems(e.ctx, []pos.Item{
		{SKU: sockSKU, Active: true, Names: name("Socks"), Unit: pos.UnitEach, Price: 6990, TaxRateBP: 2500},
		{SKU: bookSKU, Active: true, Names: name("Book"), Unit: pos.UnitEach, Price: 18950, TaxRateBP: 1200},
		{SKU: breadSKU, Active: true, Names: name("Bread"), Unit: pos.UnitEach, Price: 3990, TaxRateBP: 1200},
	}, pos.Sweden))

	still, err := e.till.Cart(e.ctx, open.ID)
	e.must(err)
	if still.Lines[0].UnitPrice != 7990 {
		t.Fatalf("the open sale's socks are at %d, want 7990 as scanned", still.Lines[0].UnitPrice)
	}
	other := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"}
	r, err := e.as.Resume(e.ctx, other, v.ID)
	e.must(err)
	want := map[string][2]int64{sockSKU: {6990, 2500}, bookSKU: {18950, 1200}, breadSKU: {3000, 1200}}
	for _, l := range r.Lines {
		if w := want[l.SKU]; l.UnitPrice != w[0] || l.TaxRateBP != w[1] {
			t.Errorf("resumed %s at %d, %d bp; want %d, %d bp", l.SKU, l.UnitPrice, l.TaxRateBP, w[0], w[1])
		}
	}
	if len(r.Repriced) != 1 || r.Repriced[0].SKU != sockSKU || r.Repriced[0].From != 7990 || r.Repriced[0].To != 6990 {
		t.Errorf("repriced %+v, want the socks from 7990 to 6990", r.Repriced)
	}
	if r.Balance.Total != 2*6990+18950+3000 {
		t.Errorf("resumed sale's total %d", r.Balance.Total)
	}
}
