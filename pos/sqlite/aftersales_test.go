package sqlite_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
)

// afterSalesFields are the required data fields of the after-sales events
// in the central MQTT contract.
var afterSalesFields = map[string][]string{
	pos.EventReturnCompleted: {"return_id", "original", "lines", "lines[].sku", "lines[].qty", "lines[].amount",
		"lines[].restock", "refunds", "refunds[].method", "refunds[].amount", "reason", "approved_by"},
	pos.EventSaleVoided:    {"sale_id", "receipt_no", "reason", "approved_by"},
	pos.EventShiftClosed:   {"shift_id", "station", "opened_at", "closed_at", "float", "expected_cash", "counted_cash", "totals_by_method"},
	pos.EventSaleCompleted: {"sale_id", "receipt_no", "station", "cashier", "lines", "tax", "total", "payments", "change"},
}

// contractData decodes ev's data and fails unless it has every field the
// contract requires of its type.
func contractData(t *testing.T, ev pos.Event, typ string) map[string]any {
	t.Helper()
	if ev.Type != typ {
		t.Fatalf("event seq %d is %s, want %s", ev.Seq, ev.Type, typ)
	}
	var data map[string]any
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatalf("event %s data is not a JSON object: %v", typ, err)
	}
	for _, f := range afterSalesFields[typ] {
		list, sub, nested := strings.Cut(f, "[].")
		if nested {
			items, _ := data[list].([]any)
			for i, it := range items {
				if _, ok := it.(map[string]any)[sub]; !ok {
					t.Fatalf("%s %s %d lacks %q: %s", typ, list, i, sub, ev.Data)
				}
			}
			continue
		}
		if _, ok := data[f]; !ok {
			t.Fatalf("%s lacks %q: %s", typ, f, ev.Data)
		}
	}
	return data
}

// Items of the after-sales tests: three VAT rates and one weighed item.
const (
	jacketSKU = "J1"  // 1 299.00, 25 %
	sockSKU   = "S1"  // 79.90, 25 %
	bookSKU   = "B1"  // 189.50, 6 %
	breadSKU  = "F1"  // 34.90, 12 %
	cheeseSKU = "CH1" // 149.00 per kg, 12 %
)

// fakeLookup answers the contract's rpc lookups from maps, or fails with
// pos.ErrOffline while offline is set. It stands in for the MQTT rpc
// client, which is tested against a real broker with that client.
type fakeLookup struct {
	mu        sync.Mutex
	offline   bool
	orders    map[string]pos.OrderRecord
	sales     map[string]pos.SaleRecord
	customers map[string]pos.Customer
	asked     int // customer lookups so far
}

func (f *fakeLookup) OrderLookup(_ context.Context, id string) (pos.OrderRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offline {
		return pos.OrderRecord{}, pos.ErrOffline
	}
	o, ok := f.orders[id]
	if !ok {
		return o, pos.ErrNotFound
	}
	return o, nil
}

func (f *fakeLookup) SaleLookup(_ context.Context, store, id string) (pos.SaleRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offline {
		return pos.SaleRecord{}, pos.ErrOffline
	}
	s, ok := f.sales[store+"/"+id]
	if !ok {
		return s, pos.ErrNotFound
	}
	return s, nil
}

func (f *fakeLookup) CustomerLookup(_ context.Context, q string) (pos.Customer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
	if f.offline {
		return pos.Customer{}, pos.ErrOffline
	}
	c, ok := f.customers[q]
	if !ok {
		return c, pos.ErrNotFound
	}
	return c, nil
}

type asEnv struct {
	t       *testing.T
	ctx     context.Context
	path    string
	db      *sqlite.DB
	till    *pos.Service
	as      *pos.AfterSales
	term    *simterminal.T
	lookup  *fakeLookup
	cashier pos.Actor
	boss    pos.Actor
	sup     *pos.Supervisor

	mu  sync.Mutex // guards now
	now time.Time
}

func newASEnv(t *testing.T, policy pos.ReturnPolicy) *asEnv {
	t.Helper()
	e := &asEnv{t: t, ctx: context.Background(), term: &simterminal.T{}, lookup: &fakeLookup{},
		now:     time.Date(2026, 11, 22, 9, 0, 0, 0, time.FixedZone("CET", 3600)),
		cashier: pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"},
		boss:    pos.Actor{Staff: "9", Role: pos.RoleSupervisor, Station: "till-1"},
		sup:     &pos.Supervisor{Staff: "9", PIN: "9999"}}
	clock := func() time.Time { // every reading one second later: a stable order
		e.mu.Lock()
		defer e.mu.Unlock()
		e.now = e.now.Add(time.Second)
		return e.now
	}
	e.path = filepath.Join(t.TempDir(), "pos.db")
	db, err := sqlite.Open(e.ctx, e.path, sqlite.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	name := func(n string) map[string]string { return map[string]string{"en": n} }
	e.must(db.PutItems(e.ctx, []pos.Item{
		{SKU: jacketSKU, Active: true, Names: name("Jacket"), Unit: pos.UnitEach, Price: 129900, TaxRateBP: 2500},
		{SKU: sockSKU, Active: true, Names: name("Socks"), Unit: pos.UnitEach, Price: 7990, TaxRateBP: 2500},
		{SKU: bookSKU, Active: true, Names: name("Book"), Unit: pos.UnitEach, Price: 18950, TaxRateBP: 600},
		{SKU: breadSKU, Active: true, Names: name("Bread"), Unit: pos.UnitEach, Price: 3490, TaxRateBP: 1200},
		{SKU: cheeseSKU, Active: true, Names: name("Cheese"), Unit: pos.UnitKg, Price: 14900, TaxRateBP: 1200},
	}, pos.Sweden))
	for _, st := range []struct {
		id, pin string
		role    pos.Role
	}{{"1", "1234", pos.RoleCashier}, {"2", "2222", pos.RoleCashier}, {"9", "9999", pos.RoleSupervisor}} {
		h, err := pos.HashPIN(st.pin)
		e.must(err)
		e.must(db.PutStaff(e.ctx, pos.Staff{ID: st.id, Name: "Staff " + st.id, Role: st.role, PINHash: h, Active: true}))
	}
	e.till = pos.NewService(pos.Options{Store: db, Terminal: e.term, Policy: pos.DefaultPolicy(), Now: clock})
	e.as = pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: db, Lookup: e.lookup, Policy: policy})
	return e
}

func (e *asEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *asEnv) must1(_ any, err error) { e.t.Helper(); e.must(err) }

type buy struct {
	sku  string
	qty  int64
	disc *pos.Discount
}

type tender struct {
	method string
	amount int64 // 0: the rest
	ref    string
}

// cart fills a new cart at a's station.
func (e *asEnv) cart(a pos.Actor, items []buy, basket *pos.Discount) *pos.CartView {
	e.t.Helper()
	v, err := e.till.OpenCart(e.ctx, a)
	e.must(err)
	if len(v.Lines) > 0 {
		e.t.Fatalf("station %s has an open cart with lines", a.Station)
	}
	for _, b := range items {
		v, err = e.till.AddItem(e.ctx, a, v.ID, b.sku, b.qty)
		e.must(err)
		if b.disc != nil {
			v, err = e.till.DiscountLine(e.ctx, a, v.ID, v.Lines[len(v.Lines)-1].ID, b.disc, e.sup)
			e.must(err)
		}
	}
	if basket != nil {
		v, err = e.till.DiscountCart(e.ctx, a, v.ID, basket, e.sup)
		e.must(err)
	}
	return v
}

// pay tenders into cart id.
func (e *asEnv) pay(a pos.Actor, id string, tenders ...tender) *pos.CartView {
	e.t.Helper()
	v, err := e.till.Cart(e.ctx, id)
	e.must(err)
	for _, tn := range tenders {
		amount := tn.amount
		switch tn.method {
		case pos.MethodCard:
			if amount == 0 {
				amount = v.Balance.Due
			}
			v, err = e.till.PayCard(e.ctx, a, id, amount)
		case pos.MethodCash:
			if amount == 0 {
				amount = v.CashDue
			}
			v, err = e.till.PayCash(e.ctx, a, id, amount)
		default:
			if amount == 0 {
				amount = v.Balance.Due
			}
			v, err = e.as.PayVoucher(e.ctx, a, id, tn.method, tn.ref, amount)
		}
		e.must(err)
	}
	return v
}

// sell makes and completes a sale.
func (e *asEnv) sell(a pos.Actor, items []buy, basket *pos.Discount, tenders ...tender) *pos.Sale {
	e.t.Helper()
	v := e.cart(a, items, basket)
	e.pay(a, v.ID, tenders...)
	s, err := e.till.Complete(e.ctx, a, v.ID)
	e.must(err)
	return s
}

func (e *asEnv) events(typ string) []pos.Event {
	e.t.Helper()
	all, err := e.db.EventsAfter(e.ctx, 0, 10000)
	e.must(err)
	var out []pos.Event
	for _, ev := range all {
		if typ == "" || ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func (e *asEnv) onHand(sku string) int64 {
	e.t.Helper()
	st, err := e.db.Stock(e.ctx, sku)
	e.must(err)
	return st.OnHand
}

func refundOf(r *pos.Return, method string) int64 {
	var n int64
	for _, f := range r.Refunds {
		if f.Method == method {
			n += f.Amount
		}
	}
	return n
}

func sumRefunds(r *pos.Return) int64 {
	var n int64
	for _, f := range r.Refunds {
		n += f.Amount
	}
	return n
}

func TestReturnWithReceiptPartialThenOverReturn(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	// 3 jackets at 10 % off the line, socks, and 5 % off the basket; paid
	// 2 500.00 by card and the rest in cash (rounded to whole kronor).
	s := e.sell(e.cashier, []buy{
		{jacketSKU, 3, &pos.Discount{PercentBP: 1000, Reason: "loyal"}},
		{sockSKU, 2, nil},
	}, &pos.Discount{PercentBP: 500, Reason: "campaign"},
		tender{method: pos.MethodCard, amount: 250000}, tender{method: pos.MethodCash})
	jacketLine := s.Balance.Lines[0].Amount
	stock := e.onHand(jacketSKU)

	// First a jacket, by scanning the receipt: a third of the line's
	// amount after both discounts, back to the card first.
	r1, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Receipt: pos.ReceiptBarcode("", s.ReceiptNo),
		Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "wrong size"})
	e.must(err)
	if want := pos.RoundDiv(jacketLine, 3); r1.Lines[0].Amount != want || r1.Total != want {
		t.Fatalf("first jacket refunds %d (total %d), want %d of line %d", r1.Lines[0].Amount, r1.Total, want, jacketLine)
	}
	if refundOf(r1, pos.MethodCard) != r1.Total || len(r1.Refunds) != 1 {
		t.Fatalf("refunds = %+v, want all %d to the card", r1.Refunds, r1.Total)
	}
	if got := e.onHand(jacketSKU); got != stock+1 {
		t.Fatalf("jacket stock %d, want %d after a restocked return", got, stock+1)
	}
	// Then the other two jackets, one damaged: together with the first
	// they add up to the line's amount to the minor unit.
	r2, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID,
		Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}, {Line: "1", Qty: 1, Restock: false}}, Reason: "changed mind"})
	e.must(err)
	if got := r1.Total + r2.Lines[0].Amount + r2.Lines[1].Amount; got != jacketLine {
		t.Fatalf("three returned jackets refund %d, the line was %d", got, jacketLine)
	}
	if got := e.onHand(jacketSKU); got != stock+2 {
		t.Fatalf("jacket stock %d, want %d (one damaged, not restocked)", got, stock+2)
	}
	// The card had 2 500.00: the rest of the second refund is cash, rounded.
	if card := refundOf(r1, pos.MethodCard) + refundOf(r2, pos.MethodCard); card != 250000 {
		t.Fatalf("card refunds %d, want the 250000 paid by card", card)
	}
	if sumRefunds(r2) != r2.Total+r2.Rounding || refundOf(r2, pos.MethodCash)%100 != 0 {
		t.Fatalf("second return refunds %+v, total %d, rounding %d", r2.Refunds, r2.Total, r2.Rounding)
	}

	// A fourth jacket, and more socks than were sold, are refused.
	for _, items := range [][]pos.ReturnItem{{{Line: "1", Qty: 1}}, {{Line: "2", Qty: 1}, {Line: "2", Qty: 2}}} {
		_, err = e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: items, Reason: "again"})
		if !errors.Is(err, pos.ErrOverReturn) {
			t.Fatalf("over-return %+v: err = %v, want ErrOverReturn", items, err)
		}
	}
	if _, err = e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "2", Qty: 1}}}); !errors.Is(err, pos.ErrReasonRequired) {
		t.Fatalf("return without reason: %v", err)
	}

	evs := e.events(pos.EventReturnCompleted)
	if len(evs) != 2 {
		t.Fatalf("%d return events, want 2", len(evs))
	}
	d := contractData(t, evs[0], pos.EventReturnCompleted)
	orig, _ := d["original"].(map[string]any)
	if orig["sale_id"] != s.ID || d["return_id"] != r1.ID || d["approved_by"] != e.cashier.Staff {
		t.Fatalf("return event = %s", evs[0].Data)
	}
	// The restocked jackets are movements carried by the return events.
	var moved int64
	rows, err := e.db.Read().QueryContext(e.ctx, "SELECT delta, seq FROM movements WHERE sku = ? AND reason = 'return'", jacketSKU)
	e.must(err)
	defer rows.Close()
	for rows.Next() {
		var delta, seq int64
		e.must(rows.Scan(&delta, &seq))
		if seq != evs[0].Seq && seq != evs[1].Seq {
			t.Fatalf("return movement carried by seq %d, not a return event", seq)
		}
		moved += delta
	}
	if moved != 2 {
		t.Fatalf("return movements add %d jackets, want 2", moved)
	}
}

func TestReturnKeepsTheOriginalTender(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{NoReceiptCashLimit: 50000})
	cash := e.sell(e.cashier, []buy{{bookSKU, 1, nil}}, nil, tender{method: pos.MethodCash, amount: 20000})
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: cash.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "gift"})
	e.must(err)
	// 189.50 paid in cash as 190.00: the refund is the cash paid, and the
	// rounding given back is the sale's.
	if len(r.Refunds) != 1 || r.Refunds[0].Method != pos.MethodCash || r.Refunds[0].Amount != 19000 || r.Rounding != 50 {
		t.Fatalf("cash sale refunds %+v rounding %d", r.Refunds, r.Rounding)
	}
	// The customer may take store credit instead; its code is a voucher.
	card := e.sell(e.cashier, []buy{{bookSKU, 2, nil}}, nil, tender{method: pos.MethodCard})
	r, err = e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: card.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}},
		Reason: "duplicate", ToStoreCredit: true})
	e.must(err)
	if len(r.Refunds) != 1 || r.Refunds[0].Method != pos.MethodStoreCredit || r.Refunds[0].Amount != 18950 {
		t.Fatalf("store credit refunds %+v", r.Refunds)
	}
	v, err := e.as.Voucher(e.ctx, r.Refunds[0].Ref)
	e.must(err)
	if v.External || v.Balance != 18950 || v.Kind != pos.MethodStoreCredit {
		t.Fatalf("store credit voucher = %+v", v)
	}
	// A card refund declined by the terminal records nothing.
	e.term.Script(simterminal.Decline)
	_, err = e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: card.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1}}, Reason: "x"})
	if !errors.Is(err, pos.ErrDeclined) {
		t.Fatalf("declined card refund: %v", err)
	}
	done, err := e.db.Returned(e.ctx, "sale:"+card.ID)
	e.must(err)
	if done.Lines["1"].Qty != 1 {
		t.Fatalf("after a declined refund %d returned, want 1", done.Lines["1"].Qty)
	}
}

func TestExchangePriceDifferenceEachWay(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}, {sockSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	seq0 := len(e.events(""))

	// The jacket (1 299.00) for a book (189.50): the difference goes back
	// to the card.
	v := e.cart(e.cashier, []buy{{bookSKU, 1, nil}}, nil)
	r, sale, err := e.as.Exchange(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID,
		Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "exchange"}, v.ID)
	e.must(err)
	if r.Total != 129900 || sale.Balance.Total != 18950 {
		t.Fatalf("exchange return %d, sale %d", r.Total, sale.Balance.Total)
	}
	if refundOf(r, pos.MethodExchange) != 18950 || refundOf(r, pos.MethodCard) != 129900-18950 {
		t.Fatalf("exchange refunds %+v", r.Refunds)
	}
	if len(sale.Payments) != 1 || sale.Payments[0].Method != pos.MethodExchange || sale.Payments[0].Amount != 18950 {
		t.Fatalf("exchange sale payments %+v", sale.Payments)
	}
	// Return and sale were committed together: consecutive events.
	evs := e.events("")
	if len(evs) != seq0+2 || evs[seq0].Type != pos.EventReturnCompleted || evs[seq0+1].Type != pos.EventSaleCompleted {
		t.Fatalf("exchange events %v", evs[seq0:])
	}
	d := contractData(t, evs[seq0], pos.EventReturnCompleted)
	if d["exchange_sale_id"] != sale.ID {
		t.Fatalf("return event does not name its sale: %s", evs[seq0].Data)
	}
	contractData(t, evs[seq0+1], pos.EventSaleCompleted)

	// Socks (79.90) for a jacket: the customer pays the difference in
	// cash first, rounded to whole kronor.
	v = e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
	if _, _, err = e.as.Exchange(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID,
		Items: []pos.ReturnItem{{Line: "2", Qty: 1, Restock: true}}, Reason: "exchange"}, v.ID); !errors.Is(err, pos.ErrTenderShort) {
		t.Fatalf("exchange without the difference paid: %v", err)
	}
	e.pay(e.cashier, v.ID, tender{method: pos.MethodCash, amount: 130000 - 7900})
	r, sale, err = e.as.Exchange(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID,
		Items: []pos.ReturnItem{{Line: "2", Qty: 1, Restock: true}}, Reason: "exchange"}, v.ID)
	e.must(err)
	if r.Total != 7990 || len(r.Refunds) != 1 || refundOf(r, pos.MethodExchange) != 7990 {
		t.Fatalf("second exchange refunds %+v", r.Refunds)
	}
	b := sale.Balance
	// 1 299.00 − 79.90 = 1 219.10 due in cash, rounded to 1 219.00.
	if b.Rounding != -10 || b.Change != 130000-7900-121900 || !b.Settled {
		t.Fatalf("second exchange sale balance %+v", b)
	}
	if _, err := e.db.Cart(e.ctx, v.ID); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("exchange cart still open: %v", err)
	}
	// The sale of an exchange is not voided: its return stands.
	if _, err := e.as.VoidLastSale(e.ctx, e.boss, sale.ID, "mistake", nil); !errors.Is(err, pos.ErrHasReturns) {
		t.Fatalf("void of an exchange sale: %v", err)
	}
}

func TestReturnOfOnlineOrderOnlineAndOffline(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{NoReceiptCashLimit: 20000})
	o := pos.OrderRecord{OrderID: "W-2026-000123", Lines: []pos.OrderRecordLine{
		{LineID: "1", SKU: jacketSKU, Qty: 1, UnitPrice: 119900, TaxRateBP: 2500},
		{LineID: "2", SKU: breadSKU, Qty: 4, UnitPrice: 3490, TaxRateBP: 1200}}}
	o.Payment = pos.OrderPayment{Status: pos.OrderPaid, Amount: 119900 + 4*3490, Currency: "SEK"}
	e.lookup.orders = map[string]pos.OrderRecord{o.OrderID: o}

	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{OrderID: o.OrderID,
		Items: []pos.ReturnItem{{Line: "2", Qty: 3, Restock: true}}, Reason: "too many"})
	e.must(err)
	if r.Total != 3*3490 || len(r.Refunds) != 1 || r.Refunds[0].Method != pos.MethodOnline {
		t.Fatalf("online order return %d refunds %+v", r.Total, r.Refunds)
	}
	if _, err = e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{OrderID: o.OrderID,
		Items: []pos.ReturnItem{{Line: "2", Qty: 2}}, Reason: "again"}); !errors.Is(err, pos.ErrOverReturn) {
		t.Fatalf("over-return of an order: %v", err)
	}

	// Offline the order cannot be checked: the till says so, and the
	// return goes the supervisor's way, without receipt.
	e.lookup.offline = true
	_, err = e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{OrderID: o.OrderID, Items: []pos.ReturnItem{{Line: "1", Qty: 1}}, Reason: "broken"})
	if !errors.Is(err, pos.ErrOffline) {
		t.Fatalf("offline order lookup: %v", err)
	}
	req := pos.ReturnRequest{Items: []pos.ReturnItem{{SKU: breadSKU, Qty: 1, Restock: true}}, Reason: "stale",
		ClaimedRef: o.OrderID}
	if _, err = e.as.Return(e.ctx, e.cashier, req); !errors.Is(err, pos.ErrApprovalRequired) {
		t.Fatalf("offline return without a supervisor: %v", err)
	}
	req.Supervisor = &pos.Supervisor{Staff: "2", PIN: "2222"} // a cashier cannot approve
	if _, err = e.as.Return(e.ctx, e.cashier, req); !errors.Is(err, pos.ErrApprovalRequired) {
		t.Fatalf("offline return approved by a cashier: %v", err)
	}
	req.Supervisor = e.sup
	small, err := e.as.Return(e.ctx, e.cashier, req)
	e.must(err)
	// 34.90 is under the cash limit: cash, rounded to 35.00.
	if small.ApprovedBy != "9" || len(small.Refunds) != 1 || small.Refunds[0] != (pos.Refund{Method: pos.MethodCash, Amount: 3500}) {
		t.Fatalf("small offline return %+v approved by %q", small.Refunds, small.ApprovedBy)
	}
	// The jacket at the price the customer paid online is above the limit:
	// store credit.
	big, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Items: []pos.ReturnItem{{SKU: jacketSKU, Qty: 1, UnitPrice: 119900}},
		Reason: "broken zip", ClaimedRef: o.OrderID, Supervisor: e.sup})
	e.must(err)
	if len(big.Refunds) != 1 || big.Refunds[0].Method != pos.MethodStoreCredit || big.Refunds[0].Amount != 119900 {
		t.Fatalf("large offline return refunds %+v", big.Refunds)
	}
	evs := e.events(pos.EventReturnCompleted)
	d := contractData(t, evs[0], pos.EventReturnCompleted)
	if orig, _ := d["original"].(map[string]any); orig["order_id"] != o.OrderID {
		t.Fatalf("online return event original = %v", d["original"])
	}
	d = contractData(t, evs[2], pos.EventReturnCompleted)
	if d["original"] != nil || d["approved_by"] != "9" || d["claimed_ref"] != o.OrderID {
		t.Fatalf("offline return event = %s", evs[2].Data)
	}
	var approvals int
	e.must(e.db.Read().QueryRowContext(e.ctx, "SELECT count(*) FROM approvals WHERE action = 'return_without_receipt'").Scan(&approvals))
	if approvals != 2 {
		t.Fatalf("%d approvals recorded, want 2", approvals)
	}
}

func TestReturnOfAnotherStoresSale(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	e.lookup.sales = map[string]pos.SaleRecord{"S-042/abc": {SaleID: "abc", Store: "S-042",
		Lines:    []pos.SaleLineData{{SKU: sockSKU, Qty: 3, UnitPrice: 7990, Discount: 2397, TaxRateBP: 2500, Amount: 21573}},
		Payments: []pos.PaymentData{{Method: pos.MethodCard, Amount: 10000}, {Method: pos.MethodGiftCard, Amount: 11573}}}}
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Store: "S-042", SaleID: "abc",
		Items: []pos.ReturnItem{{Line: "1", Qty: 3, Restock: true}}, Reason: "colour"})
	e.must(err)
	if r.Total != 21573 || refundOf(r, pos.MethodCard) != 10000 || refundOf(r, pos.MethodStoreCredit) != 11573 {
		t.Fatalf("remote sale refunds %+v of %d", r.Refunds, r.Total)
	}
	if r.Lines[0].Names["en"] != "Socks" {
		t.Fatalf("returned line lacks the catalog name: %+v", r.Lines[0])
	}
	// An answer that cannot be right is refused, not applied.
	e.lookup.sales["S-042/bad"] = pos.SaleRecord{SaleID: "bad", Lines: []pos.SaleLineData{{SKU: sockSKU, Qty: 0, Amount: 100}}}
	e.lookup.sales["S-042/neg"] = pos.SaleRecord{SaleID: "neg", Lines: []pos.SaleLineData{{SKU: sockSKU, Qty: 1, Amount: 100}},
		Payments: []pos.PaymentData{{Method: pos.MethodCard, Amount: -5}}}
	for _, id := range []string{"bad", "neg"} {
		if _, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Store: "S-042", SaleID: id,
			Items: []pos.ReturnItem{{Line: "1", Qty: 1}}, Reason: "x"}); !errors.Is(err, pos.ErrBadAnswer) {
			t.Fatalf("unusable remote sale %s: %v", id, err)
		}
	}
	if _, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{Store: "S-042", SaleID: "nope",
		Items: []pos.ReturnItem{{Line: "1", Qty: 1}}, Reason: "x"}); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("unknown remote sale: %v", err)
	}
}

func TestVoidLastSaleAndLines(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	_, err := e.as.OpenShift(e.ctx, e.cashier, 100000)
	e.must(err)
	// A line voided before payment is simply gone.
	v := e.cart(e.cashier, []buy{{sockSKU, 1, nil}, {bookSKU, 1, nil}}, nil)
	v, err = e.as.VoidLine(e.ctx, e.cashier, v.ID, v.Lines[0].ID)
	e.must(err)
	if len(v.Lines) != 1 || v.Lines[0].SKU != bookSKU {
		t.Fatalf("after voiding a line: %+v", v.Lines)
	}
	e.pay(e.cashier, v.ID, tender{method: pos.MethodCard, amount: 5000})
	if _, err = e.as.VoidLine(e.ctx, e.cashier, v.ID, v.Lines[0].ID); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("voiding a line after payment: %v", err)
	}
	e.pay(e.cashier, v.ID, tender{method: pos.MethodCash})
	first, err := e.till.Complete(e.ctx, e.cashier, v.ID)
	e.must(err)
	stock := e.onHand(jacketSKU)
	last := e.sell(e.cashier, []buy{{jacketSKU, 2, nil}}, nil, tender{method: pos.MethodCard, amount: 200000}, tender{method: pos.MethodCash})

	if _, err = e.as.VoidLastSale(e.ctx, e.boss, first.ID, "mistake", nil); !errors.Is(err, pos.ErrNotLastSale) {
		t.Fatalf("void of an earlier sale: %v", err)
	}
	if _, err = e.as.VoidLastSale(e.ctx, e.cashier, last.ID, "mistake", nil); !errors.Is(err, pos.ErrApprovalRequired) {
		t.Fatalf("void without a supervisor: %v", err)
	}
	vd, err := e.as.VoidLastSale(e.ctx, e.cashier, last.ID, "customer changed mind", e.sup)
	e.must(err)
	if vd.ApprovedBy != "9" {
		t.Fatalf("void approved by %q", vd.ApprovedBy)
	}
	var card, cash int64
	for _, f := range vd.Refunds {
		switch f.Method {
		case pos.MethodCard:
			card += f.Amount
		case pos.MethodCash:
			cash += f.Amount
		}
	}
	if card != 200000 || cash != last.Balance.Total+last.Balance.Rounding-200000 {
		t.Fatalf("void refunds %+v of sale %+v", vd.Refunds, last.Balance)
	}
	if res, err := e.term.Status(e.ctx, "void-"+last.Payments[0].ID); err != nil || !res.Approved {
		t.Fatalf("card payment not refunded at the terminal: %v", err)
	}
	if got := e.onHand(jacketSKU); got != stock {
		t.Fatalf("stock after void %d, want %d", got, stock)
	}
	got, err := e.db.Sale(e.ctx, last.ID)
	e.must(err)
	if !got.Voided {
		t.Fatal("sale not marked voided")
	}
	evs := e.events(pos.EventSaleVoided)
	if len(evs) != 1 {
		t.Fatalf("%d void events", len(evs))
	}
	d := contractData(t, evs[0], pos.EventSaleVoided)
	if d["sale_id"] != last.ID || d["approved_by"] != "9" || d["receipt_no"].(float64) != float64(last.ReceiptNo) {
		t.Fatalf("void event %s", evs[0].Data)
	}
	if _, err = e.as.VoidLastSale(e.ctx, e.boss, last.ID, "again", nil); !errors.Is(err, pos.ErrVoided) {
		t.Fatalf("second void: %v", err)
	}
	if _, err = e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: last.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1}}, Reason: "x"}); !errors.Is(err, pos.ErrVoided) {
		t.Fatalf("return of a voided sale: %v", err)
	}
	// A sale with returns is not voided: its goods came back already.
	s := e.sell(e.cashier, []buy{{bookSKU, 2, nil}}, nil, tender{method: pos.MethodCard})
	_, err = e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1}}, Reason: "x"})
	e.must(err)
	if _, err = e.as.VoidLastSale(e.ctx, e.boss, s.ID, "mistake", nil); !errors.Is(err, pos.ErrHasReturns) {
		t.Fatalf("void of a sale with returns: %v", err)
	}
}

func TestParkAndResumeOnAnotherStation(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	v := e.cart(e.cashier, []buy{{breadSKU, 2, nil}}, nil)
	if _, err := e.as.Park(e.ctx, e.cashier, v.ID); err != nil {
		t.Fatal(err)
	}
	next, err := e.till.OpenCart(e.ctx, e.cashier)
	e.must(err)
	if next.ID == v.ID || len(next.Lines) != 0 {
		t.Fatalf("the station's open cart is the parked one")
	}
	parked, err := e.as.ParkedCarts(e.ctx)
	e.must(err)
	if len(parked) != 1 || parked[0].ID != v.ID || parked[0].Balance.Total != 2*3490 {
		t.Fatalf("parked carts %+v", parked)
	}
	other := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"}
	r, err := e.as.Resume(e.ctx, other, v.ID)
	e.must(err)
	if r.Station != "till-2" || r.Cashier != "2" || r.Parked {
		t.Fatalf("resumed cart %+v", r.Cart)
	}
	if _, err := e.as.Resume(e.ctx, other, v.ID); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("resuming twice: %v", err)
	}
	e.pay(other, v.ID, tender{method: pos.MethodCash})
	s, err := e.till.Complete(e.ctx, other, v.ID)
	e.must(err)
	if s.Station != "till-2" || s.Cashier != "2" {
		t.Fatalf("resumed sale recorded at %s by %s", s.Station, s.Cashier)
	}
	// A cart with payments cannot be parked.
	p := e.cart(e.cashier, []buy{{bookSKU, 1, nil}}, nil)
	e.pay(e.cashier, p.ID, tender{method: pos.MethodCash, amount: 1000})
	if _, err := e.as.Park(e.ctx, e.cashier, p.ID); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("parking a cart with payments: %v", err)
	}
}

// A parked sale taken up at a till that has a sale of its own open: the
// till's own sale is parked, where the parked list shows it, rather than
// left open behind the resumed one to come back, with another customer's
// items, as the next sale. A till whose own sale is being paid resumes
// nothing until that sale is finished.
func TestResumeAtATillWithItsOwnCartOpen(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	tablet := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "tablet-1"}
	handed := e.cart(tablet, []buy{{jacketSKU, 1, nil}}, nil)
	_, err := e.as.Park(e.ctx, tablet, handed.ID)
	e.must(err)
	own := e.cart(e.cashier, []buy{{breadSKU, 2, nil}}, nil)

	r, err := e.as.Resume(e.ctx, e.cashier, handed.ID)
	e.must(err)
	if r.Station != e.cashier.Station || r.Parked {
		t.Fatalf("resumed cart %+v", r.Cart)
	}
	e.pay(e.cashier, handed.ID, tender{method: pos.MethodCash})
	_, err = e.till.Complete(e.ctx, e.cashier, handed.ID)
	e.must(err)
	next, err := e.till.OpenCart(e.ctx, e.cashier)
	e.must(err)
	if len(next.Lines) != 0 {
		t.Fatalf("after the resumed sale the till's next sale holds %d lines of an earlier customer (cart %s, own cart %s)",
			len(next.Lines), next.ID, own.ID)
	}
	parked, err := e.as.ParkedCarts(e.ctx)
	e.must(err)
	if len(parked) != 1 || parked[0].ID != own.ID || len(parked[0].Lines) != 1 || parked[0].Lines[0].Qty != 2 {
		t.Fatalf("parked carts %+v, want the till's own sale of 2 breads", parked)
	}

	// Money on the till's own sale: nothing is resumed or parked.
	_, err = e.as.Park(e.ctx, tablet, e.cart(tablet, []buy{{sockSKU, 1, nil}}, nil).ID)
	e.must(err)
	paying := e.cart(pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"}, []buy{{bookSKU, 1, nil}}, nil)
	till2 := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"}
	e.pay(till2, paying.ID, tender{method: pos.MethodCash, amount: 1000})
	parked, err = e.as.ParkedCarts(e.ctx)
	e.must(err)
	var socks string
	for _, c := range parked {
		if c.Lines[0].SKU == sockSKU {
			socks = c.ID
		}
	}
	if _, err := e.as.Resume(e.ctx, till2, socks); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("resume at a till whose sale is being paid: %v, want ErrCartLocked", err)
	}
	if c, err := e.till.Cart(e.ctx, socks); err != nil || !c.Parked {
		t.Fatalf("the refused resume took the cart: %+v, %v", c, err)
	}
	if c, err := e.till.Cart(e.ctx, paying.ID); err != nil || c.Parked {
		t.Fatalf("the sale being paid was parked: %+v, %v", c, err)
	}
}

func TestConcurrentReturnsNeverExceedTheSale(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.cashier, []buy{{sockSKU, 3, nil}}, nil, tender{method: pos.MethodCash})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "x"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	var ok, over int
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, pos.ErrOverReturn):
			over++
		default:
			t.Fatal(err)
		}
	}
	if ok != 3 || over != 5 {
		t.Fatalf("%d returns recorded, %d refused; want 3 and 5", ok, over)
	}
	// The store checks again in its transaction: a return prepared before
	// the others were recorded is refused there too.
	stale := &pos.Return{ID: "stale", Station: "till-1", Staff: "1", At: time.Now(), Origin: pos.OriginSale,
		OriginKey: "sale:" + s.ID, SaleID: s.ID, Reason: "x", EventID: "stale-ev",
		Lines: []pos.ReturnLine{{OrigLine: "1", SoldQty: 3, SKU: sockSKU, Unit: pos.UnitEach, Qty: 1, Amount: 7990}}}
	if err := e.db.CompleteReturn(e.ctx, stale, nil); !errors.Is(err, pos.ErrOverReturn) {
		t.Fatalf("stale return: %v", err)
	}
	done, err := e.db.Returned(e.ctx, "sale:"+s.ID)
	e.must(err)
	if done.Lines["1"].Qty != 3 || done.Lines["1"].Amount != s.Balance.Lines[0].Amount {
		t.Fatalf("returned %+v of line amount %d", done.Lines["1"], s.Balance.Lines[0].Amount)
	}
}

func TestVoidRefusedBeforeRefundWhenItsShiftIsClosed(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	_, err := e.as.OpenShift(e.ctx, e.cashier, 0)
	e.must(err)
	s := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	_, err = e.as.CloseShift(e.ctx, e.boss, 0)
	e.must(err)
	if _, err = e.as.VoidLastSale(e.ctx, e.boss, s.ID, "mistake", nil); !errors.Is(err, pos.ErrShiftClosed) {
		t.Fatalf("void of a sale of a closed shift: %v", err)
	}
	if res, err := e.term.Status(e.ctx, "void-"+s.Payments[0].ID); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("the card was refunded for a void that was refused: %+v, %v", res, err)
	}
	got, err := e.db.Sale(e.ctx, s.ID)
	e.must(err)
	if got.Voided || len(e.events(pos.EventSaleVoided)) != 0 {
		t.Fatal("a refused void was recorded")
	}
}

// saleDuringRefund is a terminal that, at its first refund, records a
// sale at the refund's station from another goroutine (sell), as a till
// completing its next sale while a void is under way would, and answers
// the refund once that sale is recorded or waits for a lock of the
// till.
type saleDuringRefund struct {
	*simterminal.T
	t    *testing.T
	sell func() (*pos.Sale, error)
	once sync.Once
	done chan struct{} // closed when sell has returned
	sale *pos.Sale     // what sell returned, set before done is closed
	err  error
}

func (s *saleDuringRefund) Refund(ctx context.Context, ref string, amount int64, currency string) (pos.TerminalResult, error) {
	s.once.Do(func() {
		s.done = make(chan struct{})
		go func() {
			defer close(s.done)
			s.sale, s.err = s.sell()
		}()
		s.waitSoldOrLocked()
	})
	return s.T.Refund(ctx, ref, amount, currency)
}

// waitSoldOrLocked returns once sell has returned or its goroutine waits
// for one of the till's key locks, which only the goroutine of the
// refund can be holding. The goroutine dump tells a goroutine that waits
// for a lock from one that has not got there yet, without a clock.
func (s *saleDuringRefund) waitSoldOrLocked() {
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		select {
		case <-s.done:
			return
		default:
		}
		dump := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(dump, "\n\n") {
			if strings.Contains(g, "[sync.Mutex.Lock") && strings.Contains(g, "pos.(*keyLock).lock(") &&
				strings.Contains(g, "created by github.com/posnode/posnode/pos/sqlite_test.(*saleDuringRefund).Refund") {
				return
			}
		}
	}
	s.t.Fatal("the sale during the refund neither finished nor waited for a lock")
}

func TestSaleAtTheStationWaitsForAVoidUnderWay(t *testing.T) {
	for _, tc := range []struct {
		name string
		// next makes a settled cart at the cashier's station (sold is a
		// cash sale before the one voided) and returns how it is sold.
		next func(e *asEnv, till *pos.Service, as *pos.AfterSales, sold *pos.Sale) func() (*pos.Sale, error)
	}{
		{"completed at the till", func(e *asEnv, till *pos.Service, _ *pos.AfterSales, _ *pos.Sale) func() (*pos.Sale, error) {
			v := e.cart(e.cashier, []buy{{bookSKU, 1, nil}}, nil)
			e.pay(e.cashier, v.ID, tender{method: pos.MethodCash})
			return func() (*pos.Sale, error) { return till.Complete(e.ctx, e.cashier, v.ID) }
		}},
		{"an exchange", func(e *asEnv, _ *pos.Service, as *pos.AfterSales, sold *pos.Sale) func() (*pos.Sale, error) {
			v := e.cart(e.cashier, []buy{{breadSKU, 1, nil}}, nil)
			req := pos.ReturnRequest{SaleID: sold.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "swap"}
			return func() (*pos.Sale, error) {
				_, sale, err := as.Exchange(e.ctx, e.cashier, req, v.ID)
				return sale, err
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newASEnv(t, pos.ReturnPolicy{})
			term := &saleDuringRefund{T: e.term, t: t}
			till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Policy: pos.DefaultPolicy()})
			as := pos.NewAfterSales(pos.AfterSalesOptions{Till: till, Store: e.db})
			sold := e.sell(e.cashier, []buy{{sockSKU, 1, nil}}, nil, tender{method: pos.MethodCash})
			s := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
			term.sell = tc.next(e, till, as, sold)

			if _, err := as.VoidLastSale(e.ctx, e.boss, s.ID, "mistake", nil); err != nil {
				t.Fatalf("void while the next sale was being completed: %v", err)
			}
			<-term.done
			if term.err != nil {
				t.Fatalf("the next sale: %v", term.err)
			}
			got, err := e.db.Sale(e.ctx, s.ID)
			e.must(err)
			next, err := e.db.Sale(e.ctx, term.sale.ID)
			e.must(err)
			if !got.Voided || next.Voided || next.ReceiptNo <= got.ReceiptNo {
				t.Fatalf("voided receipt %d (voided %v), next receipt %d (voided %v)",
					got.ReceiptNo, got.Voided, next.ReceiptNo, next.Voided)
			}
			if res, err := e.term.Status(e.ctx, "void-"+s.Payments[0].ID); err != nil || !res.Approved {
				t.Fatalf("the voided sale's card was not refunded: %+v, %v", res, err)
			}
		})
	}
}

func TestReturnOfASaleVoidedMeanwhileIsRefused(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.cashier, []buy{{sockSKU, 2, nil}}, nil, tender{method: pos.MethodCash})
	r, err := e.as.PrepareReturn(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID,
		Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "x"})
	e.must(err)
	_, err = e.as.VoidLastSale(e.ctx, e.boss, s.ID, "mistake", nil)
	e.must(err)
	if err := e.db.CompleteReturn(e.ctx, r, nil); !errors.Is(err, pos.ErrVoided) {
		t.Fatalf("return of a sale voided while it was prepared: %v", err)
	}
	if done, err := e.db.Returned(e.ctx, "sale:"+s.ID); err != nil || len(done.Lines) != 0 {
		t.Fatalf("returned of a voided sale: %+v, %v", done, err)
	}
}

// cardAtTerminal starts a card payment of the whole due on cart id that
// the terminal holds until it is aborted, and returns once the cart shows
// it pending. The returned function aborts it and waits for PayCard.
func (e *asEnv) cardAtTerminal(a pos.Actor, id string) (abort func()) {
	e.t.Helper()
	v, err := e.till.Cart(e.ctx, id)
	e.must(err)
	e.term.Script(simterminal.Hang)
	done := make(chan error, 1)
	go func() {
		_, err := e.till.PayCard(e.ctx, a, id, v.Balance.Due)
		done <- err
	}()
	for {
		v, err := e.till.Cart(e.ctx, id)
		e.must(err)
		if v.Pending != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	return func() {
		e.t.Helper()
		e.must(e.till.AbortCard(e.ctx, id))
		if err := <-done; !errors.Is(err, pos.ErrAborted) {
			e.t.Fatalf("aborted card payment: %v", err)
		}
	}
}

func TestCancelRefusedWhileACardPaymentIsAtTheTerminal(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
	abort := e.cardAtTerminal(e.cashier, v.ID)
	if err := e.till.Cancel(e.ctx, e.cashier, v.ID); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("cancel while the card is at the terminal: %v", err)
	}
	abort()
	e.must(e.till.Cancel(e.ctx, e.cashier, v.ID))
}

func TestNoOtherTenderWhileACardPaymentIsAtTheTerminal(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	_, err := e.as.OpenShift(e.ctx, e.boss, 0) // a gift card is sold into a drawer
	e.must(err)
	gift, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodGiftCard, 500000, "sold")
	e.must(err)
	v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
	abort := e.cardAtTerminal(e.cashier, v.ID)
	if _, err := e.as.PayVoucher(e.ctx, e.cashier, v.ID, pos.MethodGiftCard, gift.Code, 129900); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("gift card while the card is at the terminal: %v", err)
	}
	if _, err := e.till.PayCash(e.ctx, e.cashier, v.ID, 130000); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("cash while the card is at the terminal: %v", err)
	}
	abort()
	got, err := e.till.Cart(e.ctx, v.ID)
	e.must(err)
	if len(got.Payments) != 0 {
		t.Fatalf("payments after the card was aborted: %+v", got.Payments)
	}
}

// countingTerminal counts the refunds that reach the terminal.
type countingTerminal struct {
	*simterminal.T
	mu      sync.Mutex // guards refunds
	refunds int
}

func (c *countingTerminal) Refund(ctx context.Context, ref string, amount int64, currency string) (pos.TerminalResult, error) {
	c.mu.Lock()
	c.refunds++
	c.mu.Unlock()
	return c.T.Refund(ctx, ref, amount, currency)
}

func TestRefundCardTwiceRefundsOnce(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	term := &countingTerminal{T: e.term}
	till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Policy: pos.DefaultPolicy()})
	v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
	v = e.pay(e.cashier, v.ID, tender{method: pos.MethodCard, amount: 50000})
	pay := v.Payments[0].ID
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = till.RefundCard(e.ctx, e.cashier, v.ID, pay)
		}()
	}
	wg.Wait()
	var ok int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, pos.ErrNotFound):
			t.Fatal(err)
		}
	}
	if ok != 1 || term.refunds != 1 {
		t.Fatalf("%d taps succeeded and %d refunds reached the terminal; want 1 and 1", ok, term.refunds)
	}
	got, err := e.till.Cart(e.ctx, v.ID)
	e.must(err)
	if len(got.Payments) != 0 {
		t.Fatalf("payments after the refund: %+v", got.Payments)
	}
}

func TestCashRefundsOfReturnsInPartsAddUpToWhatWasPaid(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	e.must(e.db.PutItems(e.ctx, []pos.Item{{SKU: "P1", Active: true, Names: map[string]string{"en": "Pencil"},
		Unit: pos.UnitEach, Price: 50, TaxRateBP: 2500}}, pos.Sweden))
	s := e.sell(e.cashier, []buy{{"P1", 10, nil}}, nil, tender{method: pos.MethodCash, amount: 500})
	if s.Balance.Total != 500 || s.Balance.Change != 0 {
		t.Fatalf("sale %+v", s.Balance)
	}
	var cash, rounding, total int64
	for i := 0; i < 10; i++ {
		r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID,
			Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "x"})
		e.must(err)
		if sumRefunds(r) != r.Total+r.Rounding {
			t.Fatalf("return %d: refunds %+v, total %d, rounding %d", i+1, r.Refunds, r.Total, r.Rounding)
		}
		if c := refundOf(r, pos.MethodCash); c%100 != 0 || c != sumRefunds(r) {
			t.Fatalf("return %d refunds %+v: whole kronor in cash only", i+1, r.Refunds)
		}
		cash += refundOf(r, pos.MethodCash)
		rounding += r.Rounding
		total += r.Total
	}
	if cash != 500 || total != 500 || rounding != 0 {
		t.Fatalf("ten returns paid %d in cash for goods of %d (rounding %d); the sale took 500", cash, total, rounding)
	}
}

func TestReturnWithoutReceiptIsBounded(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	var items []pos.ReturnItem
	for i := 0; i < 20; i++ {
		items = append(items, pos.ReturnItem{SKU: jacketSKU, Qty: pos.MaxQuantity, UnitPrice: pos.MaxPrice})
	}
	req := pos.ReturnRequest{Items: items, Reason: "x", Supervisor: e.sup}
	if _, err := e.as.PrepareReturn(e.ctx, e.cashier, req); !errors.Is(err, pos.ErrBadQuantity) {
		t.Fatalf("prepared a return of %d: %v", 20*int64(pos.MaxPrice)*pos.MaxQuantity, err)
	}
	if _, err := e.as.Return(e.ctx, e.cashier, req); !errors.Is(err, pos.ErrBadQuantity) {
		t.Fatalf("returned %d: %v", 20*int64(pos.MaxPrice)*pos.MaxQuantity, err)
	}
	if n := len(e.events(pos.EventReturnCompleted)); n != 0 {
		t.Fatalf("%d returns recorded", n)
	}
}

func TestLineChangesKeepDiscountsWithinPolicy(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	c := e.cashier // 10 % and 100.00 alone, under the default policy
	disc := func(amount, bp int64) *pos.Discount { return &pos.Discount{Amount: amount, PercentBP: bp, Reason: "x"} }
	refused := func(what string) func(*pos.CartView, error) {
		return func(_ *pos.CartView, err error) {
			t.Helper()
			if !errors.Is(err, pos.ErrBadDiscount) {
				t.Fatalf("%s: %v", what, err)
			}
		}
	}
	allowed := func(what string) func(*pos.CartView, error) {
		return func(_ *pos.CartView, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
	}
	cancel := func(v *pos.CartView) { t.Helper(); e.must(e.till.Cancel(e.ctx, c, v.ID)) }

	// 79.90 off ten socks is 10 %; off one sock it would be all of it.
	v := e.cart(c, []buy{{sockSKU, 10, disc(7990, 0)}}, nil)
	if v.Lines[0].Discount.ApprovedBy != "" {
		t.Fatal("a discount within the policy was approved")
	}
	refused("79.90 off one sock")(e.till.SetQuantity(e.ctx, c, v.ID, v.Lines[0].ID, 1))
	allowed("79.90 off twenty socks")(e.till.SetQuantity(e.ctx, c, v.ID, v.Lines[0].ID, 20))
	allowed("a supervisor sets one sock")(e.till.SetQuantity(e.ctx, e.boss, v.ID, v.Lines[0].ID, 1))
	cancel(v)

	// 10 % of one sock is 7.99; of a thousand, 7 990.00 against a limit
	// of 100.00.
	v = e.cart(c, []buy{{sockSKU, 1, disc(0, 1000)}}, nil)
	refused("10 % off a thousand socks")(e.till.SetQuantity(e.ctx, c, v.ID, v.Lines[0].ID, 1000))
	allowed("10 % off ten socks")(e.till.SetQuantity(e.ctx, c, v.ID, v.Lines[0].ID, 10))
	cancel(v)

	// A supervisor approved half off two jackets: one jacket at half is
	// within that approval, three are not.
	v = e.cart(c, []buy{{jacketSKU, 2, disc(0, 5000)}}, nil)
	if v.Lines[0].Discount.ApprovedBy != "9" {
		t.Fatalf("discount %+v", v.Lines[0].Discount)
	}
	allowed("half off one jacket")(e.till.SetQuantity(e.ctx, c, v.ID, v.Lines[0].ID, 1))
	refused("half off three jackets")(e.till.SetQuantity(e.ctx, c, v.ID, v.Lines[0].ID, 3))
	cancel(v)

	// 100.00 off a jacket and socks is 7.3 %; off the socks alone, all of
	// them.
	v = e.cart(c, []buy{{jacketSKU, 1, nil}, {sockSKU, 1, nil}}, disc(10000, 0))
	refused("removing the jacket under a basket discount")(e.till.RemoveLine(e.ctx, c, v.ID, v.Lines[0].ID))
	cancel(v)

	// 10 % off the basket of one sock, then a thousand socks scanned on.
	v = e.cart(c, []buy{{sockSKU, 1, nil}}, disc(0, 1000))
	refused("adding to a basket under 10 %")(e.till.AddItem(e.ctx, c, v.ID, sockSKU, 999))
	allowed("a few socks more")(e.till.AddItem(e.ctx, c, v.ID, sockSKU, 5))
	got, err := e.till.Cart(e.ctx, v.ID)
	e.must(err)
	if got.Lines[0].Qty != 6 || got.Balance.Discount != 4794 {
		t.Fatalf("cart after the refused changes: %d socks, %d off", got.Lines[0].Qty, got.Balance.Discount)
	}
}

func TestPriceChangesKeepDiscountsWithinPolicy(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	c := e.cashier // 10 % and 100.00 alone, under the default policy
	disc := func(amount, bp int64) *pos.Discount { return &pos.Discount{Amount: amount, PercentBP: bp, Reason: "x"} }
	check := func(what string, wantRefused bool, _ *pos.CartView, err error) {
		t.Helper()
		switch {
		case wantRefused && !errors.Is(err, pos.ErrBadDiscount):
			t.Fatalf("%s: %v, want refused", what, err)
		case !wantRefused && err != nil:
			t.Fatalf("%s: %v", what, err)
		}
	}
	override := func(a pos.Actor, v *pos.CartView, price int64) (*pos.CartView, error) {
		return e.till.OverridePrice(e.ctx, a, v.ID, v.Lines[0].ID, price, "damaged", e.sup)
	}
	overrides := func() int {
		var n int
		e.must(e.db.Read().QueryRowContext(e.ctx, "SELECT count(*) FROM approvals WHERE action = 'price_override'").Scan(&n))
		return n
	}
	cancel := func(v *pos.CartView) { t.Helper(); e.must(e.till.Cancel(e.ctx, c, v.ID)) }

	// 100.00 off a 1 299.00 jacket is 7.7 %; off a jacket whose price a
	// supervisor lets down to 100.00, all of it.
	v := e.cart(c, []buy{{jacketSKU, 1, disc(10000, 0)}}, nil)
	v1, err := override(c, v, 10000)
	check("a jacket at 100.00 with 100.00 off", true, v1, err)
	if n := overrides(); n != 0 {
		t.Fatalf("%d overrides approved for a refused override", n)
	}
	got, err := e.till.Cart(e.ctx, v.ID)
	e.must(err)
	if got.Lines[0].UnitPrice != 129900 || got.Balance.Total != 119900 {
		t.Fatalf("cart after a refused override: price %d, total %d", got.Lines[0].UnitPrice, got.Balance.Total)
	}
	v1, err = override(c, v, 119900)
	check("a jacket at 1 199.00 with 100.00 off", false, v1, err)
	v1, err = override(e.boss, v, 10000)
	check("a supervisor lets the jacket down to 100.00", false, v1, err)
	cancel(v)

	// 10 % off a 79.90 sock is 7.99; off a sock raised to 2 000.00, 200.00
	// against a limit of 100.00.
	v = e.cart(c, []buy{{sockSKU, 1, disc(0, 1000)}}, nil)
	v1, err = override(c, v, 200000)
	check("10 % off a sock at 2 000.00", true, v1, err)
	cancel(v)

	// 100.00 off the basket of a jacket is 7.7 %; of the jacket let down
	// to 900.00, 11 %, and of the jacket at 30 % off, 11 % too.
	v = e.cart(c, []buy{{jacketSKU, 1, nil}}, disc(10000, 0))
	v1, err = override(c, v, 90000)
	check("100.00 off the basket of a jacket at 900.00", true, v1, err)
	v1, err = e.till.DiscountLine(e.ctx, c, v.ID, v.Lines[0].ID, disc(0, 3000), e.sup)
	check("100.00 off the basket of a jacket at 30 % off", true, v1, err)
	v1, err = e.till.DiscountLine(e.ctx, c, v.ID, v.Lines[0].ID, disc(0, 2000), e.sup)
	check("100.00 off the basket of a jacket at 20 % off", false, v1, err)
	cancel(v)
}

// voidingStore voids a sale as soon as it has been read once, as a void
// recorded while a return of the sale is being resolved would.
type voidingStore struct {
	*sqlite.DB
	once sync.Once
}

func (s *voidingStore) Sale(ctx context.Context, id string) (pos.Sale, error) {
	sale, err := s.DB.Sale(ctx, id)
	if err == nil && !sale.Voided {
		s.once.Do(func() {
			err = s.DB.VoidSale(ctx, &pos.Void{SaleID: sale.ID, ReceiptNo: sale.ReceiptNo, Station: sale.Station,
				Staff: "9", At: sale.CompletedAt, Reason: "mistake", ApprovedBy: "9", Sale: sale, EventID: "void-ev"})
		})
	}
	return sale, err
}

func TestReturnOfASaleVoidedWhileResolvedRefundsNothing(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.cashier, []buy{{sockSKU, 2, nil}}, nil, tender{method: pos.MethodCard})
	till := pos.NewService(pos.Options{Store: &voidingStore{DB: e.db}, Terminal: e.term, Policy: pos.DefaultPolicy()})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: till, Store: e.db})
	_, err := as.Return(e.ctx, e.cashier, pos.ReturnRequest{ID: "ret-1", SaleID: s.ID,
		Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "x"})
	if !errors.Is(err, pos.ErrVoided) {
		t.Fatalf("return of a sale voided meanwhile: %v", err)
	}
	if res, err := e.term.Status(e.ctx, "return-ret-1"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("the card was refunded for a return that was refused: %+v, %v", res, err)
	}
}

// voidNotRecorded is a store whose every void fails to be recorded, as on
// a failing disk.
type voidNotRecorded struct{ *sqlite.DB }

func (voidNotRecorded) VoidSale(context.Context, *pos.Void) error {
	return errors.New("disk I/O error")
}

// A void whose card was refunded but which could not be recorded says so
// as a RefundedError naming the refund, so that the till can tell the
// person there that the customer has the money back, and says so again
// when asked again (the terminal is asked first, so nothing is refunded
// twice).
func TestVoidRefundedButNotRecordedSaysSo(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: voidNotRecorded{e.db}, Lookup: e.lookup})
	for range 2 {
		_, err := as.VoidLastSale(e.ctx, e.boss, s.ID, "mistake", nil)
		var re *pos.RefundedError
		if !errors.As(err, &re) || !errors.Is(err, pos.ErrRefundedNotRecorded) || len(re.Cards) != 1 ||
			!strings.Contains(re.Cards[0], strconv.FormatInt(s.Balance.Total, 10)) {
			t.Fatalf("void not recorded after its refund: %v", err)
		}
	}
}

// A piece scanned again after central changed its price is rung up at the
// new price on a line of its own, not added to the earlier line at the
// old price.
func TestScanAfterAPriceChangeStartsANewLine(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	v, err := e.till.OpenCart(e.ctx, e.cashier)
	e.must(err)
	_, err = e.till.AddItem(e.ctx, e.cashier, v.ID, sockSKU, 1)
	e.must(err)
	e.must(e.db.PutItems(e.ctx, []pos.Item{{SKU: sockSKU, Active: true, Names: map[string]string{"en": "Socks"},
		Unit: pos.UnitEach, Price: 5990, TaxRateBP: 2500}}, pos.Sweden))
	_, err = e.till.AddItem(e.ctx, e.cashier, v.ID, sockSKU, 1)
	e.must(err)
	got, err := e.till.AddItem(e.ctx, e.cashier, v.ID, sockSKU, 1) // the same price again: same line
	e.must(err)
	if len(got.Lines) != 2 || got.Lines[0].Qty != 1 || got.Lines[0].UnitPrice != 7990 ||
		got.Lines[1].Qty != 2 || got.Lines[1].UnitPrice != 5990 || got.Balance.Total != 7990+2*5990 {
		t.Fatalf("lines %+v, total %d", got.Lines, got.Balance.Total)
	}
}

// A return asked again with the same id (a double tap, a retry after a
// lost answer), one after the other or both at once, answers with the
// return recorded for the first: the goods come back and the money goes
// out once.
func TestReturnAskedAgainAnswersTheSame(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	for _, method := range []string{pos.MethodCash, pos.MethodCard} {
		s := e.sell(e.cashier, []buy{{sockSKU, 2, nil}}, nil, tender{method: method})
		req := pos.ReturnRequest{ID: "again-" + method, SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "x"}
		first, err := e.as.Return(e.ctx, e.cashier, req)
		e.must(err)
		again, err := e.as.Return(e.ctx, e.cashier, req)
		if err != nil || again.ID != first.ID || again.ReturnNo != first.ReturnNo || again.Total != first.Total {
			t.Fatalf("%s: the same return asked again: %+v, %v; first %+v", method, again, err, first)
		}
		// Both at once: one records, the other answers with it.
		req.ID = "both-" + method
		var wg sync.WaitGroup
		got := make([]*pos.Return, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = e.as.Return(e.ctx, e.cashier, req)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || got[0].ReturnNo != got[1].ReturnNo {
			t.Fatalf("%s: the same return twice at once: %v, %v", method, errs, got)
		}
		done, err := e.db.Returned(e.ctx, "sale:"+s.ID)
		e.must(err)
		var qty int64
		for _, l := range done.Lines {
			qty += l.Qty
		}
		if qty != 2 {
			t.Fatalf("%s: %d socks returned by two requests of one each, each asked twice", method, qty)
		}
		// The id of a return of another sale is not taken for this one.
		other := e.sell(e.cashier, []buy{{sockSKU, 1, nil}}, nil, tender{method: method})
		if _, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{ID: req.ID, SaleID: other.ID,
			Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "x"}); !errors.Is(err, pos.ErrDuplicate) {
			t.Fatalf("%s: a return of another sale under a used id: %v", method, err)
		}
	}
}

// cartsListed is a store that runs hook, once, right after it has listed a
// station's carts: a request arriving at that instant.
type cartsListed struct {
	*sqlite.DB
	hook func()
}

func (s *cartsListed) Carts(ctx context.Context, station string) ([]pos.Cart, error) {
	carts, err := s.DB.Carts(ctx, station)
	if h := s.hook; h != nil {
		s.hook = nil
		h()
	}
	return carts, err
}

// A payment taken on a till's own sale at the instant a parked sale is
// taken up there is never left open behind the resumed one: either the
// payment comes first and nothing is resumed, or the sale is parked first
// and no payment lands on it while it waits.
func TestResumeAndAPaymentAtTheSameInstant(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	tablet := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "tablet-1"}
	handed := e.cart(tablet, []buy{{jacketSKU, 1, nil}}, nil)
	e.must1(e.as.Park(e.ctx, tablet, handed.ID))
	own := e.cart(e.cashier, []buy{{breadSKU, 2, nil}}, nil)

	store := &cartsListed{DB: e.db}
	till := pos.NewService(pos.Options{Store: store, Terminal: e.term, Policy: pos.DefaultPolicy()})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: till, Store: e.db})
	var payErr error
	store.hook = func() { _, payErr = till.PayCash(e.ctx, e.cashier, own.ID, 1000) }
	_, err := as.Resume(e.ctx, e.cashier, handed.ID)
	if payErr != nil || !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("resume: %v; the payment on the till's own sale meanwhile: %v; want the payment taken and the resume refused", err, payErr)
	}
	if c, err := e.db.Cart(e.ctx, handed.ID); err != nil || !c.Parked {
		t.Fatalf("the refused resume took the cart up: %+v, %v", c, err)
	}
	if c, err := e.db.Cart(e.ctx, own.ID); err != nil || c.Parked || len(c.Payments) != 1 {
		t.Fatalf("the till's own sale: %+v, %v; want it open with its payment", c, err)
	}

	// With its payment taken back, the sale is parked by the resume, and
	// a payment on it afterwards is refused until it is taken up again.
	v, err := e.till.Cart(e.ctx, own.ID)
	e.must(err)
	e.must1(e.till.RemovePayment(e.ctx, e.cashier, own.ID, v.Payments[0].ID))
	e.must1(as.Resume(e.ctx, e.cashier, handed.ID))
	if _, err := till.PayCash(e.ctx, e.cashier, own.ID, 1000); !errors.Is(err, pos.ErrParked) {
		t.Fatalf("a payment on the sale parked by the resume: %v, want ErrParked", err)
	}
	if c, err := e.db.Cart(e.ctx, own.ID); err != nil || !c.Parked || len(c.Payments) != 0 {
		t.Fatalf("the till's own sale after the resume: %+v, %v; want it parked without payments", c, err)
	}
}

// Two parked sales taken up at one till at the same instant leave one
// open there: the one taken up second sets the other aside, as it does
// the till's own sale, instead of leaving a customer's items behind the
// other's to come back with the next sale. The second is taken up as the
// first lists the till's sales, and as it looks at them again under its
// cart's lock: each locks only its own cart, and neither may take the
// other's sale for parked.
func TestTwoResumesAtOneTillAtTheSameInstant(t *testing.T) {
	for _, listing := range []int{1, 2} {
		t.Run(fmt.Sprintf("at listing %d", listing), func(t *testing.T) { twoResumesAtOneTill(t, listing) })
	}
}

func twoResumesAtOneTill(t *testing.T, listing int) {
	e := newASEnv(t, pos.ReturnPolicy{})
	tablet := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "tablet-1"}
	first := e.cart(tablet, []buy{{jacketSKU, 1, nil}}, nil)
	e.must1(e.as.Park(e.ctx, tablet, first.ID))
	second := e.cart(tablet, []buy{{bookSKU, 1, nil}}, nil)
	e.must1(e.as.Park(e.ctx, tablet, second.ID))

	store := &cartsListedAt{DB: e.db, n: listing}
	till := pos.NewService(pos.Options{Store: store, Terminal: e.term, Policy: pos.DefaultPolicy()})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: till, Store: e.db})
	done := make(chan error, 1)
	store.hook = func() {
		go func() { _, err := as.Resume(e.ctx, e.cashier, second.ID); done <- err }()
		// The second resume goes as far as it can: to its end, or to
		// where it waits for the first.
		for i := 0; i < 100; i++ {
			if c, err := e.db.Cart(e.ctx, second.ID); err == nil && !c.Parked {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	_, err1 := as.Resume(e.ctx, e.cashier, first.ID)
	if err2 := <-done; err1 != nil || err2 != nil {
		t.Fatalf("resumes: %v, %v", err1, err2)
	}
	carts, err := e.db.Carts(e.ctx, e.cashier.Station)
	e.must(err)
	var open []string
	for _, c := range carts {
		if !c.Parked && c.Station == e.cashier.Station && len(c.Lines) > 0 {
			open = append(open, c.ID)
		}
	}
	if len(open) != 1 {
		t.Fatalf("open sales at the till %v, want one", open)
	}
}

// cartsListedAt runs hook at the n-th listing of carts (from 1).
type cartsListedAt struct {
	*sqlite.DB
	mu   sync.Mutex // guards n
	n    int
	hook func()
}

func (s *cartsListedAt) Carts(ctx context.Context, station string) ([]pos.Cart, error) {
	carts, err := s.DB.Carts(ctx, station)
	s.mu.Lock()
	s.n--
	now := s.n == 0
	s.mu.Unlock()
	if now {
		s.hook()
	}
	return carts, err
}

// A parked sale is not completed where it waits, even when it owes
// nothing (every line given away): it is taken up first.
func TestParkedSaleNotCompleted(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	free := &pos.Discount{PercentBP: 10000, Reason: "damaged box"}
	v := e.cart(e.cashier, []buy{{breadSKU, 1, free}}, nil)
	if v.Balance.Total != 0 {
		t.Fatalf("total %d, want a sale that owes nothing", v.Balance.Total)
	}
	e.must1(e.as.Park(e.ctx, e.cashier, v.ID))
	if _, err := e.till.Complete(e.ctx, e.cashier, v.ID); !errors.Is(err, pos.ErrParked) {
		t.Fatalf("completing a parked sale: %v, want ErrParked", err)
	}
	if c, err := e.db.Cart(e.ctx, v.ID); err != nil || !c.Parked {
		t.Fatalf("the parked sale after the refused completion: %+v, %v", c, err)
	}
}

// At a tablet station each salesperson has a cart of their own: one who
// takes up a parked sale there sets aside their own cart, never a
// colleague's, whose customer is still at the shelf with them.
func TestResumeAtATabletLeavesColleaguesCarts(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	v := e.cart(e.cashier, []buy{{breadSKU, 1, nil}}, nil)
	e.must1(e.as.Park(e.ctx, e.cashier, v.ID))
	ann := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "tablet-1", OwnCart: true}
	bo := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "tablet-1", OwnCart: true}
	annCart := e.cart(ann, []buy{{sockSKU, 2, nil}}, nil)
	boCart := e.cart(bo, []buy{{bookSKU, 1, nil}}, nil)
	e.must1(e.as.Resume(e.ctx, bo, v.ID))
	for _, c := range []struct {
		id     string
		parked bool
	}{{annCart.ID, false}, {boCart.ID, true}} {
		got, err := e.db.Cart(e.ctx, c.id)
		e.must(err)
		if got.Parked != c.parked {
			t.Errorf("cart %s (cashier %s) parked %v, want %v", c.id, got.Cashier, got.Parked, c.parked)
		}
	}
	if mine, err := e.till.OpenCart(e.ctx, ann); err != nil || mine.ID != annCart.ID {
		t.Fatalf("Ann's open cart after Bo's resume: %v %v", mine, err)
	}
}
