package sqlite_test

import (
	"errors"
	"testing"

	"github.com/posnode/posnode/pos"
)

// A sale of this node is one original however the return names it: by
// its receipt, by its id, or by its id with a store (central knows the
// node's sales too, from their events). Named with a store it was looked
// up at central and counted apart, so that it could be returned twice.
func TestReturnOfThisNodesSaleNamedWithAStore(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	record := func(s *pos.Sale) pos.SaleRecord { // what central answers from the sale's event
		return pos.SaleRecord{SaleID: s.ID, Store: "S-001",
			Lines:    []pos.SaleLineData{{SKU: jacketSKU, Qty: 1, UnitPrice: 129900, TaxRateBP: 2500, Amount: 129900}},
			Payments: []pos.PaymentData{{Method: pos.MethodCard, Amount: 129900}}}
	}
	first := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	second := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	e.lookup.sales = map[string]pos.SaleRecord{"S-001/" + first.ID: record(first), "S-001/" + second.ID: record(second)}
	item := []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}

	// By receipt, then by id and store.
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Receipt: pos.ReceiptBarcode("", first.ReceiptNo), Items: item, Reason: "size"})
	e.must(err)
	if _, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Store: "S-001", SaleID: first.ID, Items: item, Reason: "size"}); !errors.Is(err, pos.ErrOverReturn) {
		t.Fatalf("sale %s returned by receipt, then again named with its store: err = %v, want ErrOverReturn", first.ID, err)
	}
	// By id and store, then by receipt: the same original as a receipt's.
	r, err = e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Store: "S-001", SaleID: second.ID, Items: item, Reason: "size"})
	e.must(err)
	if r.Origin != pos.OriginSale || r.OriginKey != "sale:"+second.ID || r.ReceiptNo != second.ReceiptNo || refundOf(r, pos.MethodCard) != 129900 {
		t.Fatalf("return of this node's sale named with a store: origin %q key %q receipt %d refunds %+v",
			r.Origin, r.OriginKey, r.ReceiptNo, r.Refunds)
	}
	if _, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Receipt: pos.ReceiptBarcode("", second.ReceiptNo), Items: item, Reason: "size"}); !errors.Is(err, pos.ErrOverReturn) {
		t.Fatalf("sale %s returned named with its store, then again by receipt: err = %v, want ErrOverReturn", second.ID, err)
	}
	d := contractData(t, e.events(pos.EventReturnCompleted)[1], pos.EventReturnCompleted)
	if orig, _ := d["original"].(map[string]any); orig["sale_id"] != second.ID || orig["receipt_no"] != float64(second.ReceiptNo) {
		t.Fatalf("return event original = %v", d["original"])
	}
}

// An order paid at this node's pickup counter is the sale made there: a
// return by the order's id is counted against that sale and refunded to
// what paid it. It was looked up at central, counted apart from the sale
// and, as central knew no online payment, refunded in cash: the goods
// came back twice, the card paid at pickup was never refunded.
func TestReturnOfAnOrderPaidAtThisNodesPickup(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	_, err := e.till.PayCash(e.ctx, e.a, c.ID, 130000) // 1 298.00 in cash: 2.00 change
	e.must(err)
	sale, err := e.svc.CompletePaidPickup(e.ctx, e.a, c.ID)
	e.must(err)
	o := e.order(1, pos.OrderPayAtPickup)
	lookup := &fakeLookup{orders: map[string]pos.OrderRecord{o.ID: {OrderID: o.ID, Lines: []pos.OrderRecordLine{
		{LineID: "1", SKU: bagSKU, Qty: 2, UnitPrice: 49900, TaxRateBP: 2500},
		{LineID: "2", SKU: waterSKU, Qty: 1, UnitPrice: 30000, TaxRateBP: 2500}},
		Payment: pos.OrderPayment{Status: pos.OrderPayAtPickup, Amount: 129800, Currency: "SEK"}}}}
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: e.db, Lookup: lookup})

	// The water bottle by the order's line id: line 2 of the receipt.
	r, err := as.Return(e.ctx, e.a, pos.ReturnRequest{OrderID: o.ID, Items: []pos.ReturnItem{{Line: "2", Qty: 1, Restock: true}}, Reason: "leaks"})
	e.must(err)
	if r.Origin != pos.OriginSale || r.SaleID != sale.ID || r.ReceiptNo != sale.ReceiptNo || len(r.Lines) != 1 ||
		r.Lines[0].OrigLine != "2" || r.Lines[0].SKU != waterSKU || r.Total != 30000 {
		t.Fatalf("return of an order paid here: origin %q sale %q receipt %d lines %+v total %d",
			r.Origin, r.SaleID, r.ReceiptNo, r.Lines, r.Total)
	}
	// The backpacks by receipt, then by the order again: refused.
	_, err = as.Return(e.ctx, e.a, pos.ReturnRequest{Receipt: pos.ReceiptBarcode("", sale.ReceiptNo), Items: []pos.ReturnItem{{Line: "1", Qty: 2, Restock: true}}, Reason: "colour"})
	e.must(err)
	for _, line := range []string{"1", "2"} {
		if _, err := as.Return(e.ctx, e.a, pos.ReturnRequest{OrderID: o.ID, Items: []pos.ReturnItem{{Line: line, Qty: 1}}, Reason: "again"}); !errors.Is(err, pos.ErrOverReturn) {
			t.Fatalf("order line %s returned again by the order's id: err = %v, want ErrOverReturn", line, err)
		}
	}
	done, err := e.db.Returned(e.ctx, "sale:"+sale.ID)
	e.must(err)
	if done.Refunded != 129800 || done.Cash > 129800 {
		t.Fatalf("refunded %d (cash %d) of a sale of 129800", done.Refunded, done.Cash)
	}
}

// A weighed line of an online order is refunded by its grams, as central
// says, also for an item this node's catalog does not have: it was taken
// for pieces, 1 250 g of cheese refunded as 1 250 cheeses.
func TestReturnOfAWeighedOrderLineUnknownHere(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	o := pos.OrderRecord{OrderID: "W-2026-000777", Lines: []pos.OrderRecordLine{
		{LineID: "1", SKU: "CH9", Qty: 1250, Unit: pos.UnitKg, UnitPrice: 19900, TaxRateBP: 1200}},
		Payment: pos.OrderPayment{Status: pos.OrderPayAtPickup, Amount: 24875, Currency: "SEK"}}
	e.lookup.orders = map[string]pos.OrderRecord{o.OrderID: o}
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{OrderID: o.OrderID,
		Items: []pos.ReturnItem{{Line: "1", Qty: 1250}}, Reason: "mould"})
	e.must(err)
	if r.Total != 24875 || r.Lines[0].Unit != pos.UnitKg || sumRefunds(r) != r.Total+r.Rounding {
		t.Fatalf("weighed order line refunds %d (unit %q, refunds %+v), want 24875", r.Total, r.Lines[0].Unit, r.Refunds)
	}
}

// An order for pickup here that was never handed over is not taken back
// by its id, whatever central answers about it: its goods are still on
// the pickup shelf, and the refund (to the online payment) would have
// left the customer to collect them for nothing.
func TestReturnOfAnOrderNotCollectedHereIsRefused(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.ready(o.ID)
	lookup := &fakeLookup{orders: map[string]pos.OrderRecord{o.ID: {OrderID: o.ID, Lines: []pos.OrderRecordLine{
		{LineID: "1", SKU: bagSKU, Qty: 2, UnitPrice: 49900, TaxRateBP: 2500},
		{LineID: "2", SKU: waterSKU, Qty: 1, UnitPrice: 30000, TaxRateBP: 2500}},
		Payment: o.Payment}}}
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: e.db, Lookup: lookup})
	req := pos.ReturnRequest{OrderID: o.ID, Items: []pos.ReturnItem{{Line: "2", Qty: 1, Restock: true}}, Reason: "leaks"}
	if r, err := as.Return(e.ctx, e.a, req); !errors.Is(err, pos.ErrPickupState) {
		t.Fatalf("return of an order waiting on the pickup shelf: %+v, %v; want ErrPickupState", r, err)
	}
	e.must1(e.svc.OpenByQR(e.ctx, e.a, pos.PickupQR(o.ID, "483920")))
	e.must1(e.svc.Collect(e.ctx, e.a, o.ID, nil))
	r, err := as.Return(e.ctx, e.a, req)
	e.must(err)
	if r.Origin != pos.OriginOrder || len(r.Refunds) != 1 || r.Refunds[0].Method != pos.MethodOnline || r.Refunds[0].Amount != 30000 {
		t.Fatalf("return of the order collected: origin %q refunds %+v", r.Origin, r.Refunds)
	}
}

// An online order paid less than its lines' prices (a promotion code on
// the order) is refunded line by line at what was paid for each line:
// two jackets of 1000.00 paid 1500.00 are 750.00 each, whichever is
// returned first, with the tax of 750.00, and no rounding makes up for
// a first return that took more than its share.
func TestReturnOfADiscountedOnlineOrder(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	o := pos.OrderRecord{OrderID: "W-2026-000778", Lines: []pos.OrderRecordLine{
		{LineID: "1", SKU: "J1", Qty: 1, UnitPrice: 100000, TaxRateBP: 2500},
		{LineID: "2", SKU: "J1", Qty: 1, UnitPrice: 100000, TaxRateBP: 2500}},
		Payment: pos.OrderPayment{Status: pos.OrderPaid, Amount: 150000, Currency: "SEK"}}
	e.lookup.orders = map[string]pos.OrderRecord{o.OrderID: o}
	var refunded int64
	for _, line := range []string{"1", "2"} {
		r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{OrderID: o.OrderID,
			Items: []pos.ReturnItem{{Line: line, Qty: 1}}, Reason: "too small"})
		e.must(err)
		var tax int64
		for _, tl := range r.Tax {
			tax += tl.Tax
		}
		if r.Total != 75000 || r.Rounding != 0 || sumRefunds(r) != 75000 || tax != 15000 {
			t.Errorf("line %s: total %d rounding %d refunds %+v tax %d; want 75000, 0, 75000 online, tax 15000",
				line, r.Total, r.Rounding, r.Refunds, tax)
		}
		refunded += sumRefunds(r)
	}
	if refunded != 150000 {
		t.Errorf("refunded %d of 150000 paid", refunded)
	}
}
