package sqlite_test

import (
	"testing"

	"github.com/posnode/posnode/pos"
)

// A sale returned a piece at a time gives back exactly its total and its
// tax, as returning it at once would, with prices that include tax and
// with prices that do not: each return's tax was rounded on its own, so
// that three loaves returned one by one gave back 117.27 of 117.26 paid
// (tax added) and more tax than the sale had (tax included).
func TestReturnsInPartsGiveBackTheSalesTaxExactly(t *testing.T) {
	for _, include := range []bool{false, true} {
		t.Run(map[bool]string{false: "tax added", true: "tax included"}[include], func(t *testing.T) {
			e := newASEnv(t, pos.ReturnPolicy{})
			set := pos.DefaultSettings()
			set.Version, set.PricesIncludeTax = 2, include
			if _, err := e.db.PutSettings(e.ctx, set); err != nil {
				t.Fatal(err)
			}
			// Bread at 34.90 and cheese by weight, both at 12 %, and socks
			// at 25 %, by card.
			s := e.sell(e.cashier, []buy{{breadSKU, 3, nil}, {cheeseSKU, 333, nil}, {sockSKU, 3, nil}}, nil, tender{method: pos.MethodCard})
			var total int64
			tax := map[int64]int64{}
			for _, it := range []pos.ReturnItem{{Line: "1", Qty: 1}, {Line: "3", Qty: 1}, {Line: "1", Qty: 1}, {Line: "2", Qty: 333},
				{Line: "3", Qty: 1}, {Line: "1", Qty: 1}, {Line: "3", Qty: 1}} {
				r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{it}, Reason: "x"})
				e.must(err)
				total += r.Total
				for _, tl := range r.Tax {
					tax[tl.RateBP] += tl.Tax
					if include && tl.Base+tl.Tax != r.Lines[0].Amount || !include && tl.Base != r.Lines[0].Amount {
						t.Fatalf("return of line %s: tax %+v of amount %d", it.Line, tl, r.Lines[0].Amount)
					}
				}
				if sumRefunds(r) != r.Total+r.Rounding || r.Rounding != 0 {
					t.Fatalf("return of line %s: refunds %+v of total %d, rounding %d", it.Line, r.Refunds, r.Total, r.Rounding)
				}
			}
			if total != s.Balance.Total {
				t.Errorf("returns in parts total %d, the sale %d", total, s.Balance.Total)
			}
			for _, tl := range s.Balance.Tax {
				if tax[tl.RateBP] != tl.Tax {
					t.Errorf("returns in parts give back %d tax at %d bp, the sale had %d", tax[tl.RateBP], tl.RateBP, tl.Tax)
				}
			}
		})
	}
}
