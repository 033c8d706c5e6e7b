package sqlite_test

import (
	"encoding/json"
	"testing"

	"github.com/posnode/posnode/pos"
)

// eventMoney decodes the list (payments or refunds) of an event's data.
func eventMoney(t *testing.T, ev pos.Event, list string) []map[string]any {
	t.Helper()
	var data map[string]json.RawMessage
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatalf("%s data: %v", ev.Type, err)
	}
	var out []map[string]any
	if err := json.Unmarshal(data[list], &out); err != nil {
		t.Fatalf("%s %s: %v: %s", ev.Type, list, err, ev.Data)
	}
	return out
}

// refsByMethod maps each method of a payments or refunds list to its ref;
// a method without a ref maps to "none".
func refsByMethod(items []map[string]any) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		ref, ok := it["ref"].(string)
		if !ok {
			ref = "none"
		}
		out[it["method"].(string)] = ref
	}
	return out
}

func TestVoucherCodesReachCentralInEvents(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	// Store credit issued by a return: the return's event names its code.
	s := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}},
		Reason: "too small", ToStoreCredit: true})
	e.must(err)
	credit := r.Refunds[0].Ref
	returns := e.events(pos.EventReturnCompleted)
	contractData(t, returns[len(returns)-1], pos.EventReturnCompleted)
	if got := refsByMethod(eventMoney(t, returns[len(returns)-1], "refunds")); got[pos.MethodStoreCredit] != credit {
		t.Fatalf("return refunds %v, want store credit %s", got, credit)
	}

	// A sale paid by that credit, a card issued elsewhere and a bank card:
	// central learns both codes, and no bank card reference.
	const card = "GC-7001"
	e.must(e.db.SetVoucherOfflineLimit(e.ctx, card, 50000))
	sold := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}, {bookSKU, 1, nil}}, nil,
		tender{method: pos.MethodStoreCredit, amount: 100000, ref: credit},
		tender{method: pos.MethodGiftCard, amount: 20000, ref: card},
		tender{method: pos.MethodCard})
	sales := e.events(pos.EventSaleCompleted)
	ev := sales[len(sales)-1]
	contractData(t, ev, pos.EventSaleCompleted)
	want := map[string]string{pos.MethodStoreCredit: credit, pos.MethodGiftCard: card, pos.MethodCard: "none"}
	if got := refsByMethod(eventMoney(t, ev, "payments")); len(got) != 3 || got[pos.MethodStoreCredit] != want[pos.MethodStoreCredit] ||
		got[pos.MethodGiftCard] != want[pos.MethodGiftCard] || got[pos.MethodCard] != want[pos.MethodCard] {
		t.Fatalf("sale payments %v, want %v", got, want)
	}

	// Its void gives both back, and says to which codes.
	_, err = e.as.VoidLastSale(e.ctx, e.boss, sold.ID, "customer changed mind", nil)
	e.must(err)
	voids := e.events(pos.EventSaleVoided)
	ev = voids[len(voids)-1]
	contractData(t, ev, pos.EventSaleVoided)
	if got := refsByMethod(eventMoney(t, ev, "refunds")); len(got) != 3 || got[pos.MethodStoreCredit] != credit ||
		got[pos.MethodGiftCard] != card || got[pos.MethodCard] != "none" {
		t.Fatalf("void refunds %v, want %v", got, want)
	}
}
