package sqlite_test

import (
	"testing"

	"github.com/posnode/posnode/pos"
)

// TestReturnOfAPromotedOrderWherePricesExcludeTax: in a store whose prices
// exclude tax, an online order paid 225.00 for two lines of 100.00 plus
// 25 % tax (10 % off the order) refunds each line its share, 112.50 with
// its tax, whichever comes back first, and no more than was paid.
func TestReturnOfAPromotedOrderWherePricesExcludeTax(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	set := pos.DefaultSettings()
	set.Version, set.PricesIncludeTax, set.CashRounding = 2, false, 1
	e.must1(e.db.PutSettings(e.ctx, set))
	o := pos.OrderRecord{OrderID: "W-1", Lines: []pos.OrderRecordLine{
		{LineID: "1", SKU: jacketSKU, Qty: 1, UnitPrice: 10000, TaxRateBP: 2500},
		{LineID: "2", SKU: jacketSKU, Qty: 1, UnitPrice: 10000, TaxRateBP: 2500}},
		Payment: pos.OrderPayment{Status: pos.OrderPaid, Amount: 22500, Currency: "SEK"}}
	e.lookup.orders = map[string]pos.OrderRecord{o.OrderID: o}
	var refunded int64
	for _, line := range []string{"1", "2"} {
		r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{OrderID: o.OrderID,
			Items: []pos.ReturnItem{{Line: line, Qty: 1}}, Reason: "too big"})
		e.must(err)
		var got int64
		for _, f := range r.Refunds {
			got += f.Amount
		}
		if got != 11250 || r.Rounding != 0 || len(r.Tax) != 1 || r.Tax[0].Tax != 2250 {
			t.Errorf("line %s: refunds %d (rounding %d, tax %+v), want 112.50 with 22.50 tax", line, got, r.Rounding, r.Tax)
		}
		refunded += got
	}
	if refunded != 22500 {
		t.Errorf("refunded %d of the 225.00 paid", refunded)
	}
}

// TestReturnOfAWeighedLineOfAnotherStoresSale: a line of another store's
// sale that central's answer gives without its unit is read by the
// catalog's: 500 g of cheese at 149.00 a kg refunds 74.50, not the price of
// 500 pieces (which only the sale's payments capped).
func TestReturnOfAWeighedLineOfAnotherStoresSale(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	e.lookup.sales = map[string]pos.SaleRecord{"S-042/w": {SaleID: "w", Store: "S-042",
		Lines: []pos.SaleLineData{
			{SKU: jacketSKU, Qty: 1, UnitPrice: 129900, TaxRateBP: 2500, Amount: 129900},
			{SKU: cheeseSKU, Qty: 500, UnitPrice: 14900, TaxRateBP: 1200}},
		Payments: []pos.PaymentData{{Method: pos.MethodCard, Amount: 129900 + 7450}}}}
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Store: "S-042", SaleID: "w",
		Items: []pos.ReturnItem{{Line: "2", Qty: 500, Restock: true}}, Reason: "mould"})
	e.must(err)
	if r.Lines[0].Unit != pos.UnitKg || r.Total != 7450 || len(r.Refunds) != 1 || r.Refunds[0].Amount != 7450 {
		t.Fatalf("500 g of cheese: unit %q, total %d, refunds %+v; want kg, 74.50", r.Lines[0].Unit, r.Total, r.Refunds)
	}
}
