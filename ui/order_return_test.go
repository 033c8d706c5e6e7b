package ui_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/ui"
)

// orders answers order.lookup from a map, as central would; an order it
// does not hold is ErrOffline, central out of reach.
type orders map[string]pos.OrderRecord

func (o orders) OrderLookup(_ context.Context, id string) (pos.OrderRecord, error) {
	if r, ok := o[id]; ok {
		return r, nil
	}
	return pos.OrderRecord{}, fmt.Errorf("order.lookup %s: %w", id, pos.ErrOffline)
}
func (orders) SaleLookup(context.Context, string, string) (pos.SaleRecord, error) {
	return pos.SaleRecord{}, pos.ErrOffline
}
func (orders) CustomerLookup(context.Context, string) (pos.Customer, error) {
	return pos.Customer{}, pos.ErrOffline
}

// A till shows an order bought online before returning it: GET
// /api/v1/orders/{id}/lookup answers its lines as central has them, the
// id's '/' escaped, with what was returned here of each, to cashiers
// only. Central out of reach says offline; an order for pickup here not
// handed over yet has nothing to return. The till could only return
// receipts of this node: prepare needs the lines it did not know.
func TestOrderLookupForReturn(t *testing.T) {
	const id = "W/2026/7"
	central := orders{id: {OrderID: id, Payment: pos.OrderPayment{Status: pos.OrderPaid, Amount: 124800},
		Lines: []pos.OrderRecordLine{
			{LineID: "a", SKU: "1", Qty: 2, UnitPrice: 2500, TaxRateBP: 1200},
			{LineID: "b", SKU: "2", Qty: 1250, Unit: pos.UnitKg, UnitPrice: 95000, TaxRateBP: 2500},
		}}}
	s := newStore(t, func(o *ui.Options) {
		o.AfterSales = pos.NewAfterSales(pos.AfterSalesOptions{Till: o.Service, Store: o.Reports.(*sqlite.DB), Lookup: central})
	})
	tok := s.login(t, "1", "till-1")
	path := "/api/v1/orders/W%2F2026%2F7/lookup"
	s.fails(t, "", "GET", path, nil, 401, "not_authorized")

	var v pos.OrderToReturn
	s.ok(t, tok, "GET", path, nil, &v)
	if v.OrderID != id || v.Currency != "SEK" || len(v.Lines) != 2 || v.Lines[0].Line != "a" || v.Lines[0].Qty != 2 ||
		v.Lines[0].Names["en"] != "Tea" || v.Lines[1].Unit != pos.UnitKg || v.Lines[1].Qty != 1250 || v.Lines[1].Returned != 0 {
		t.Fatalf("order before a return: %+v", v)
	}
	s.ok(t, tok, "POST", "/api/v1/returns", map[string]any{"order_id": id, "reason": "defective",
		"items": []map[string]any{{"line": "a", "qty": 1, "restock": true}, {"line": "b", "qty": 500}}}, nil)
	s.ok(t, tok, "GET", path, nil, &v)
	if v.Lines[0].Returned != 1 || v.Lines[1].Returned != 500 {
		t.Fatalf("order after returning one tea and 500 g: %+v", v)
	}

	s.fails(t, tok, "GET", "/api/v1/orders/W-UNKNOWN/lookup", nil, 503, "offline")
	s.order(t, "W-HERE", "paid", 5000, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 2, "unit_price": 2500}]`)
	s.fails(t, tok, "GET", "/api/v1/orders/W-HERE/lookup", nil, 409, "pickup_state")
}
