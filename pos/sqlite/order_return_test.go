package sqlite_test

import (
	"errors"
	"testing"

	"github.com/posnode/posnode/pos"
)

// An order paid at this node's pickup counter shows, for its return, the
// lines of the sale that paid it named by the order's line ids, with what
// was returned of each however the return named the sale (by the order or
// by the receipt). Not handed over yet, it has nothing to return.
func TestOrderToReturnOfAnOrderPaidHere(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: e.db})
	o := e.order(1, pos.OrderPayAtPickup)
	if _, err := as.OrderToReturn(e.ctx, o.ID); !errors.Is(err, pos.ErrPickupState) {
		t.Fatalf("order not handed over: err = %v, want ErrPickupState", err)
	}
	_, err := e.till.PayCash(e.ctx, e.a, c.ID, 130000)
	e.must(err)
	sale, err := e.svc.CompletePaidPickup(e.ctx, e.a, c.ID)
	e.must(err)
	_, err = as.Return(e.ctx, e.a, pos.ReturnRequest{OrderID: o.ID, Items: []pos.ReturnItem{{Line: "2", Qty: 1, Restock: true}}, Reason: "leaks"})
	e.must(err)
	_, err = as.Return(e.ctx, e.a, pos.ReturnRequest{Receipt: pos.ReceiptBarcode("", sale.ReceiptNo), Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "colour"})
	e.must(err)
	v, err := as.OrderToReturn(e.ctx, o.ID)
	e.must(err)
	if v.OrderID != o.ID || len(v.Lines) != 2 ||
		v.Lines[0].Line != "1" || v.Lines[0].SKU != bagSKU || v.Lines[0].Qty != 2 || v.Lines[0].Returned != 1 ||
		v.Lines[1].Line != "2" || v.Lines[1].SKU != waterSKU || v.Lines[1].Qty != 1 || v.Lines[1].Returned != 1 {
		t.Fatalf("order paid here, a backpack and the bottle returned: %+v", v)
	}
}
