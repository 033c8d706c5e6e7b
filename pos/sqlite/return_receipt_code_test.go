package sqlite_test

import (
	"errors"
	"testing"

	"github.com/posnode/posnode/pos"
)

// A receipt's code names the node and database that numbered it. A
// receipt of another store's node, of another till's, or of this node's
// database before a new one was put in names, by its number, another sale
// here: it is refused, and nothing is returned against it. The node's own
// codes, and R and ten digits (printed before codes had a tag, or typed as
// the receipt's number), find the sale.
func TestReturnByReceiptCodeOfAnotherNode(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	series, err := e.db.ReceiptSeries(e.ctx)
	e.must(err)
	tag := pos.ReceiptTag("S-001", "node-1", series)
	till := pos.NewService(pos.Options{Store: e.db, Terminal: e.term, Policy: pos.DefaultPolicy(), ReceiptTag: tag})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: till, Store: e.db, Lookup: e.lookup})
	first := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCash})
	second := e.sell(e.cashier, []buy{{sockSKU, 2, nil}}, nil, tender{method: pos.MethodCash})
	item := []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}

	for name, other := range map[string]string{
		"another store's node":     pos.ReceiptTag("S-002", "node-1", series),
		"another till's node":      pos.ReceiptTag("S-001", "node-2", series),
		"this node's old database": pos.ReceiptTag("S-001", "node-1", "2026-01-02T08:00:00Z"),
	} {
		if other == tag {
			t.Fatalf("%s has this node's tag %s", name, tag)
		}
		code := pos.ReceiptBarcode(other, first.ReceiptNo)
		if _, err := as.Return(e.ctx, e.cashier, pos.ReturnRequest{Receipt: code, Items: item, Reason: "size"}); !errors.Is(err, pos.ErrOtherReceipt) {
			t.Errorf("return by %s's receipt %s: err = %v, want ErrOtherReceipt", name, code, err)
		}
		if _, _, err := till.Scan(e.ctx, e.cashier, e.cart(e.cashier, nil, nil).ID, code); !errors.Is(err, pos.ErrOtherReceipt) {
			t.Errorf("scan of %s's receipt %s: err = %v, want ErrOtherReceipt", name, code, err)
		}
	}

	// This node's code: a receipt to route, and the return of its sale,
	// with nothing taken back by the codes refused above.
	own := pos.ReceiptBarcode(tag, first.ReceiptNo)
	if _, res, err := till.Scan(e.ctx, e.cashier, e.cart(e.cashier, nil, nil).ID, own); !errors.Is(err, pos.ErrUnknownCode) ||
		res.Code.Kind != pos.CodeReceipt || res.Code.ReceiptNo != first.ReceiptNo {
		t.Fatalf("scan of this node's receipt %s: %+v, err = %v, want a receipt to route", own, res.Code, err)
	}
	id := "ret-own"
	r, err := as.Return(e.ctx, e.cashier, pos.ReturnRequest{ID: id, Receipt: own, Items: item, Reason: "size"})
	e.must(err)
	if r.SaleID != first.ID || r.ReceiptNo != first.ReceiptNo {
		t.Fatalf("return by %s: sale %s receipt %d, want %s %d", own, r.SaleID, r.ReceiptNo, first.ID, first.ReceiptNo)
	}
	// Repeated naming the receipt by its number typed: the same return.
	again, err := as.Return(e.ctx, e.cashier, pos.ReturnRequest{ID: id, Receipt: pos.ReceiptBarcode("", first.ReceiptNo), Items: item, Reason: "size"})
	if err != nil || again.ID != r.ID {
		t.Fatalf("return %s repeated with the receipt's number: %+v, err = %v", id, again, err)
	}
	// R and ten digits: this node's, as on receipts printed before tags.
	r, err = as.Return(e.ctx, e.cashier, pos.ReturnRequest{Receipt: pos.ReceiptBarcode("", second.ReceiptNo), Items: item, Reason: "size"})
	e.must(err)
	if r.SaleID != second.ID {
		t.Fatalf("return by R and ten digits: sale %s, want %s", r.SaleID, second.ID)
	}
}
