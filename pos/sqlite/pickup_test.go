package sqlite_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// contractFields are the required data fields of the pickup events in the
// central MQTT contract; "lines[].x" is a field of every line.
var contractFields = map[string][]string{
	pos.EventPickupAccepted:  {"order_id", "version"},
	pos.EventPickupReady:     {"order_id", "lines", "lines[].line_id", "lines[].qty_picked", "lines[].substitute_sku", "location"},
	pos.EventPickupCollected: {"order_id", "verified_by", "staff", "lines", "lines[].line_id", "lines[].qty"},
	pos.EventPickupRejected:  {"order_id", "reason"},
	pos.EventPickupExpired:   {"order_id"},
	pos.EventSaleCompleted:   {"sale_id", "receipt_no", "station", "cashier", "lines", "tax", "total", "payments", "change"},
}

// checkEvent decodes ev's data as plain JSON and fails unless it has every
// field the contract requires of its type.
func checkEvent(t *testing.T, ev pos.Event, typ string) map[string]any {
	t.Helper()
	if ev.Type != typ {
		t.Fatalf("event seq %d is %s, want %s", ev.Seq, ev.Type, typ)
	}
	var data map[string]any
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatalf("event %s data is not a JSON object: %v", typ, err)
	}
	for _, f := range contractFields[typ] {
		if sub, ok := strings.CutPrefix(f, "lines[]."); ok {
			lines, _ := data["lines"].([]any)
			for i, l := range lines {
				if _, ok := l.(map[string]any)[sub]; !ok {
					t.Fatalf("%s line %d lacks %q: %s", typ, i, sub, ev.Data)
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

const (
	bagSKU   = "100234"
	bagEAN   = "7310865004703"
	waterSKU = "200981"
	juiceSKU = "200982"
)

func ean(body string) string { return body + string(pos.GTINCheckDigit(body)) }

type pickupEnv struct {
	t       testing.TB
	ctx     context.Context
	db      *sqlite.DB
	svc     *pos.PickupService
	till    *pos.Service
	now     time.Time
	changes []pos.Change
	a       pos.Actor
}

func newPickupEnv(t testing.TB, lim *pos.Limiter) *pickupEnv {
	t.Helper()
	e := &pickupEnv{t: t, ctx: context.Background(), now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC),
		a: pos.Actor{Staff: "7", Role: pos.RoleCashier, Station: "pickup-1"}}
	clock := func() time.Time { return e.now }
	db, err := sqlite.Open(e.ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	items := []pos.Item{
		{SKU: bagSKU, Active: true, Names: map[string]string{"en": "Backpack 20 L"}, Barcodes: []string{bagEAN}, Unit: pos.UnitEach, Price: 49900, TaxRateBP: 2500, Location: "C-10"},
		{SKU: waterSKU, Active: true, Names: map[string]string{"en": "Water bottle"}, Barcodes: []string{ean("731000000001")}, Unit: pos.UnitEach, Price: 30000, TaxRateBP: 2500, Location: "C-2"},
		{SKU: juiceSKU, Active: true, Names: map[string]string{"en": "Juice bottle"}, Barcodes: []string{ean("731000000002")}, Unit: pos.UnitEach, Price: 32000, TaxRateBP: 1200, Location: "A-1"},
	}
	if err := db.PutItems(e.ctx, items, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(e.ctx, func(tx *sqlite.Tx) error {
		for _, it := range items {
			if err := tx.SetCentralStock(it.SKU, 10, "", 0, ""); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []pos.Staff{{ID: "7", Name: "Ion", Role: pos.RoleCashier}, {ID: "9", Name: "Eva", Role: pos.RoleSupervisor}} {
		st.Active = true
		st.PINHash, _ = pos.HashPIN("1234")
		if err := db.PutStaff(e.ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	e.till = pos.NewService(pos.Options{Store: db, Now: clock})
	e.svc = pos.NewPickupService(pos.PickupOptions{Store: db, Now: clock, Limiter: lim, Till: e.till,
		Notify: func(c pos.Change) { e.changes = append(e.changes, c) }})
	return e
}

func (e *pickupEnv) order(version int64, pay string) pos.Order {
	return pos.Order{ID: "W-2026-000123", Version: version, Status: pos.OrderPlaced,
		PlacedAt: e.now.Add(-time.Hour), CollectBy: e.now.Add(7 * 24 * time.Hour),
		Customer:   pos.OrderCustomer{ID: "C-88412", Name: "Ana Popescu", Phone: "+40 712 345 678", Language: "ro"},
		PickupCode: "483920",
		Payment:    pos.OrderPayment{Status: pay, Amount: 129800, Currency: "SEK"},
		Lines: []pos.OrderLine{{LineID: "1", SKU: bagSKU, Name: "Rucsac 20 l", Qty: 2, UnitPrice: 49900},
			{LineID: "2", SKU: waterSKU, Name: "Sticlă apă", Qty: 1, UnitPrice: 30000}}}
}

func (e *pickupEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *pickupEnv) must1(_ any, err error) { e.t.Helper(); e.must(err) }

func (e *pickupEnv) scan(id, code string) {
	e.t.Helper()
	if _, _, err := e.svc.PickScan(e.ctx, e.a, id, code); err != nil {
		e.t.Fatalf("pick %s: %v", code, err)
	}
}

func (e *pickupEnv) apply(o pos.Order) { e.t.Helper(); e.must(e.svc.ApplyOrder(e.ctx, nil, o)) }

func (e *pickupEnv) events() []pos.Event {
	e.t.Helper()
	evs, err := e.db.EventsAfter(e.ctx, 0, 1000)
	e.must(err)
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			e.t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}
	return evs
}

func (e *pickupEnv) stock(sku string) pos.StockLevel {
	e.t.Helper()
	st, err := e.db.Stock(e.ctx, sku)
	e.must(err)
	return st
}

// reserved checks the reservations of the test's SKUs.
func (e *pickupEnv) reserved(bag, water, juice int64) {
	e.t.Helper()
	for sku, want := range map[string]int64{bagSKU: bag, waterSKU: water, juiceSKU: juice} {
		if got := e.stock(sku).Reserved; got != want {
			e.t.Fatalf("%s reserved %d, want %d", sku, got, want)
		}
	}
}

func (e *pickupEnv) pickAll(id string) {
	e.t.Helper()
	for _, code := range []string{bagEAN, bagEAN, ean("731000000001")} {
		if _, _, err := e.svc.PickScan(e.ctx, e.a, id, code); err != nil {
			e.t.Fatalf("pick %s: %v", code, err)
		}
	}
}

func (e *pickupEnv) ready(id string) *pos.PickupSlip {
	e.t.Helper()
	e.pickAll(id)
	_, slip, err := e.svc.MarkReady(e.ctx, e.a, id, "Shelf P-4", 2)
	e.must(err)
	return slip
}

func TestPickupFromOrderToHandover(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(3, pos.OrderPaid)
	e.apply(o)
	e.reserved(2, 1, 0)
	e.apply(o) // the same retained record again
	if evs := e.events(); len(evs) != 1 {
		t.Fatalf("a repeated version recorded %d events", len(evs))
	}
	old := o
	old.Version = 2
	e.apply(old)

	list, err := e.svc.PickList(e.ctx, o.ID)
	e.must(err)
	if len(list) != 2 || list[0].SKU != waterSKU || list[1].SKU != bagSKU || list[1].Qty != 2 || list[1].Location != "C-10" {
		t.Fatalf("pick list by location (C-2 before C-10): %+v", list)
	}
	if _, _, err := e.svc.PickScan(e.ctx, e.a, o.ID, ean("731000000002")); !errors.Is(err, pos.ErrWrongItem) {
		t.Fatalf("wrong item: %v", err)
	}
	_, res, err := e.svc.PickScan(e.ctx, e.a, o.ID, bagEAN)
	e.must(err)
	if res.Line == nil || res.Line.LineID != "1" || res.Line.Picked != 1 {
		t.Fatalf("first scan %+v", res.Line)
	}
	e.scan(o.ID, bagEAN)
	if _, _, err := e.svc.PickScan(e.ctx, e.a, o.ID, bagEAN); !errors.Is(err, pos.ErrOverPick) {
		t.Fatalf("over-pick: %v", err)
	}
	if _, _, err := e.svc.MarkReady(e.ctx, e.a, o.ID, "P-4", 1); !errors.Is(err, pos.ErrPickIncomplete) {
		t.Fatalf("ready with a line open: %v", err)
	}
	e.scan(o.ID, ean("731000000001"))
	v, slip, err := e.svc.MarkReady(e.ctx, e.a, o.ID, "Shelf P-4", 2)
	e.must(err)
	if v.State != pos.PickupReady || slip.Customer != "Ana Popescu" || len(slip.Labels) != 2 || slip.Labels[1].Bag != 2 ||
		slip.Labels[1].Bags != 2 || slip.Labels[0].QR != o.ID || slip.Location != "Shelf P-4" || len(slip.Lines) != 2 {
		t.Fatalf("slip %+v", slip)
	}
	again, err := e.svc.Slip(e.ctx, o.ID)
	e.must(err)
	if len(again.Labels) != 2 || again.OrderID != o.ID {
		t.Fatalf("reprint %+v", again)
	}

	_, first, err := e.svc.Arrive(e.ctx, e.a, o.ID, pos.Arrival{Bay: "3", Note: "red Volvo"})
	e.must(err)
	if !first {
		t.Fatal("first arrival not reported")
	}
	if _, err := e.svc.Collect(e.ctx, e.a, o.ID, nil); !errors.Is(err, pos.ErrNotVerified) {
		t.Fatalf("collect before verification: %v", err)
	}
	if _, err := e.svc.OpenByQR(e.ctx, e.a, pos.PickupQR(o.ID, "483920")); err != nil {
		t.Fatal(err)
	}
	v, err = e.svc.Collect(e.ctx, e.a, o.ID, nil)
	e.must(err)
	if v.State != pos.PickupCollected {
		t.Fatalf("state %s", v.State)
	}
	e.reserved(0, 0, 0)
	if st := e.stock(bagSKU); st.OnHand != 8 {
		t.Fatalf("backpacks on hand %d, want 8", st.OnHand)
	}
	if st := e.stock(waterSKU); st.OnHand != 9 {
		t.Fatalf("water on hand %d, want 9", st.OnHand)
	}

	evs := e.events()
	if len(evs) != 3 {
		t.Fatalf("events %d, want accepted, ready, collected", len(evs))
	}
	acc := checkEvent(t, evs[0], pos.EventPickupAccepted)
	if acc["order_id"] != o.ID || acc["version"] != float64(3) {
		t.Fatalf("accepted %v", acc)
	}
	rd := checkEvent(t, evs[1], pos.EventPickupReady)
	if rd["location"] != "Shelf P-4" || rd["lines"].([]any)[0].(map[string]any)["substitute_sku"] != nil {
		t.Fatalf("ready %v", rd)
	}
	col := checkEvent(t, evs[2], pos.EventPickupCollected)
	if col["verified_by"] != "qr" || col["staff"] != "7" || len(col["lines"].([]any)) != 2 {
		t.Fatalf("collected %v", col)
	}
	if _, ok := col["sale_id"]; ok {
		t.Fatalf("sale_id on an order paid online: %v", col)
	}

	var pickups int
	for _, c := range e.changes {
		if c.Kind == "pickup" {
			pv, ok := c.Value.(*pos.PickupView)
			if !ok || pv.Order.ID != o.ID {
				t.Fatalf("change value %T %+v", c.Value, c.Value)
			}
			if pv.Order.PickupCode != "" {
				t.Fatal("a screen was sent the pickup code")
			}
			pickups++
		}
	}
	if pickups < 8 {
		t.Fatalf("%d pickup changes told", pickups)
	}
	log, err := e.db.PickupLog(e.ctx, o.ID)
	e.must(err)
	if len(log) < 8 || log[len(log)-1].Action != "collect" || log[len(log)-1].Seq != 3 {
		t.Fatalf("log %+v", log)
	}
}

func TestPickupCancelledAtEveryState(t *testing.T) {
	for _, tt := range []struct {
		name     string
		prepare  func(e *pickupEnv, id string)
		want     pos.PickupState
		putBack  int64 // pieces staff are told to put back
		fetch    bool  // told to fetch bags
		stockBag int64 // backpacks on hand after the cancellation
	}{
		{"new", func(*pickupEnv, string) {}, pos.PickupCancelled, 0, false, 10},
		{"picking", func(e *pickupEnv, id string) { e.scan(id, bagEAN) }, pos.PickupCancelled, 1, false, 10},
		{"ready", func(e *pickupEnv, id string) { e.ready(id) }, pos.PickupCancelled, 3, true, 10},
		{"collected", func(e *pickupEnv, id string) {
			e.ready(id)
			e.must1(e.svc.OpenByCode(e.ctx, e.a, id, "483920"))
			e.must1(e.svc.Collect(e.ctx, e.a, id, nil))
		}, pos.PickupCollected, 0, false, 8},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newPickupEnv(t, nil)
			o := e.order(1, pos.OrderPaid)
			e.apply(o)
			tt.prepare(e, o.ID)
			before := len(e.events())
			e.apply(pos.Order{ID: o.ID, Version: 2, Status: pos.OrderCancelled})
			v, err := e.svc.Order(e.ctx, o.ID)
			e.must(err)
			if v.State != tt.want || v.Order.Version != 2 {
				t.Fatalf("state %s version %d", v.State, v.Order.Version)
			}
			e.reserved(0, 0, 0)
			if st := e.stock(bagSKU); st.OnHand != tt.stockBag {
				t.Fatalf("on hand %d, want %d", st.OnHand, tt.stockBag)
			}
			if n := len(e.events()); n != before {
				t.Fatalf("cancellation recorded %d events", n-before)
			}
			var putBack int64
			var fetch, told bool
			for _, n := range v.Notices {
				switch n.Kind {
				case pos.NoticePutBack:
					putBack += n.Qty
				case pos.NoticeFetchBags:
					fetch = n.Location == "Shelf P-4"
				case pos.NoticeCancelled, pos.NoticeAfterEnd:
					told = true
				}
			}
			if putBack != tt.putBack || fetch != tt.fetch || !told {
				t.Fatalf("notices %+v", v.Notices)
			}
			v, err = e.svc.Acknowledge(e.ctx, e.a, o.ID, -1)
			e.must(err)
			if len(v.Notices) != 0 {
				t.Fatalf("notices after acknowledge: %+v", v.Notices)
			}
		})
	}
}

func TestPickupCancelledBeforeSeen(t *testing.T) {
	e := newPickupEnv(t, nil)
	e.apply(pos.Order{ID: "W-9", Version: 5, Status: pos.OrderCancelled})
	v, err := e.svc.Order(e.ctx, "W-9")
	e.must(err)
	if v.State != pos.PickupCancelled || len(e.events()) != 0 {
		t.Fatalf("state %s, %d events", v.State, len(e.events()))
	}
	placed := e.order(4, pos.OrderPaid)
	placed.ID = "W-9"
	e.apply(placed) // older than the cancellation
	if v, _ := e.svc.Order(e.ctx, "W-9"); v.State != pos.PickupCancelled {
		t.Fatalf("an older version reopened the order: %s", v.State)
	}
}

func TestPickupPartialCollection(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.ready(o.ID)
	e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
	if _, err := e.svc.Collect(e.ctx, e.a, o.ID, map[string]int64{"1": 3}); !errors.Is(err, pos.ErrBadCollect) {
		t.Fatalf("more than picked: %v", err)
	}
	v, err := e.svc.Collect(e.ctx, e.a, o.ID, map[string]int64{"1": 1})
	e.must(err)
	var putBack int64
	for _, n := range v.Notices {
		if n.Kind == pos.NoticePutBack {
			putBack += n.Qty
		}
	}
	if putBack != 2 {
		t.Fatalf("notices %+v", v.Notices)
	}
	e.reserved(0, 0, 0)
	if bag, water := e.stock(bagSKU).OnHand, e.stock(waterSKU).OnHand; bag != 9 || water != 10 {
		t.Fatalf("on hand backpacks %d water %d, want 9 and 10", bag, water)
	}
	evs := e.events()
	col := checkEvent(t, evs[len(evs)-1], pos.EventPickupCollected)
	lines := col["lines"].([]any)
	if col["verified_by"] != "code" || lines[0].(map[string]any)["qty"] != float64(1) || lines[1].(map[string]any)["qty"] != float64(0) {
		t.Fatalf("collected %v", col)
	}
}

func TestPickupPayAtPickup(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPayAtPickup)
	e.apply(o)
	e.ready(o.ID)
	if _, err := e.svc.ToCart(e.ctx, e.a, o.ID, nil); !errors.Is(err, pos.ErrNotVerified) {
		t.Fatalf("cart before verification: %v", err)
	}
	e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
	if _, err := e.svc.Collect(e.ctx, e.a, o.ID, nil); !errors.Is(err, pos.ErrPayAtPickup) {
		t.Fatalf("collect unpaid: %v", err)
	}
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if v.Due != 2*49900+30000 {
		t.Fatalf("due %d", v.Due)
	}
	c, err := e.svc.ToCart(e.ctx, e.a, o.ID, nil)
	e.must(err)
	if c.OrderID != o.ID || len(c.Lines) != 2 || c.Lines[0].OrderLineID != "1" || c.Lines[0].Qty != 2 || c.Lines[0].UnitPrice != 49900 {
		t.Fatalf("cart %+v", c)
	}
	if c2, err := e.svc.ToCart(e.ctx, e.a, o.ID, nil); err != nil || c2.ID != c.ID {
		t.Fatalf("second ToCart: %v %v", c2, err)
	}
	// The customer leaves the water bottle: the till removes the line.
	_, err = e.till.RemoveLine(e.ctx, e.a, c.ID, c.Lines[1].ID)
	e.must(err)
	if _, err := e.svc.CompletePaidPickup(e.ctx, e.a, c.ID); !errors.Is(err, pos.ErrTenderShort) {
		t.Fatalf("complete unpaid: %v", err)
	}
	if v, _ := e.svc.Order(e.ctx, o.ID); v.State != pos.PickupReady {
		t.Fatalf("an unpaid order is %s", v.State)
	}
	e.now = e.now.Add(2 * time.Hour) // paying took longer than a verification lasts
	_, err = e.till.PayCash(e.ctx, e.a, c.ID, 100000)
	e.must(err)
	if _, err := e.till.Complete(e.ctx, e.a, c.ID); !errors.Is(err, pos.ErrPickupCart) {
		t.Fatalf("the till completed the cart of an order as a plain sale: %v", err)
	}
	sale, err := e.svc.CompletePaidPickup(e.ctx, e.a, c.ID)
	e.must(err)
	if sale.OrderID != o.ID || sale.Balance.Total != 99800 || sale.ReceiptNo != 1 {
		t.Fatalf("sale %+v", sale)
	}
	v, err = e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if v.State != pos.PickupCollected || v.SaleID != sale.ID {
		t.Fatalf("order %s sale %q", v.State, v.SaleID)
	}
	e.reserved(0, 0, 0)
	if bag, water := e.stock(bagSKU).OnHand, e.stock(waterSKU).OnHand; bag != 8 || water != 10 {
		t.Fatalf("on hand backpacks %d water %d, want 8 (sold once) and 10", bag, water)
	}
	evs := e.events()
	n := len(evs)
	sd := checkEvent(t, evs[n-2], pos.EventSaleCompleted)
	col := checkEvent(t, evs[n-1], pos.EventPickupCollected)
	if sd["order_id"] != o.ID || col["sale_id"] != sale.ID || len(col["lines"].([]any)) != 2 {
		t.Fatalf("sale %v collected %v", sd, col)
	}
	if _, err := e.db.Cart(e.ctx, c.ID); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("cart still open: %v", err)
	}
}

func TestPickupWrongCodesLockOut(t *testing.T) {
	e := newPickupEnv(t, &pos.Limiter{Free: 3, Base: time.Minute, Max: time.Hour})
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	if _, err := e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"); !errors.Is(err, pos.ErrPickupState) {
		t.Fatalf("open before ready: %v", err)
	}
	e.ready(o.ID)
	for i := range 3 {
		if _, err := e.svc.OpenByCode(e.ctx, e.a, o.ID, fmt.Sprint(111111+i)); !errors.Is(err, pos.ErrWrongCode) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	if _, err := e.svc.OpenByQR(e.ctx, e.a, pos.PickupQR(o.ID, "483920")); !errors.Is(err, pos.ErrLockedOut) {
		t.Fatalf("right code while locked: %v", err)
	}
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if v.CodeFailures != 3 || v.Verified != nil {
		t.Fatalf("failures %d verified %+v", v.CodeFailures, v.Verified)
	}
	e.now = e.now.Add(2 * time.Minute)
	v, err = e.svc.OpenByQR(e.ctx, e.a, pos.PickupQR(o.ID, "483920"))
	e.must(err)
	if v.Verified == nil || v.Verified.By != pos.VerifiedByQR {
		t.Fatalf("verified %+v", v.Verified)
	}

	// Without the code: a supervisor checks an ID.
	if _, err := e.svc.OpenByIDCheck(e.ctx, e.a, o.ID, pos.Supervisor{Staff: "7", PIN: "1234"}); !errors.Is(err, pos.ErrApprovalRequired) {
		t.Fatalf("id check by a cashier: %v", err)
	}
	if _, err := e.svc.OpenByIDCheck(e.ctx, e.a, o.ID, pos.Supervisor{Staff: "9", PIN: "9999"}); !errors.Is(err, pos.ErrBadPIN) {
		t.Fatalf("id check with a wrong PIN: %v", err)
	}
	v, err = e.svc.OpenByIDCheck(e.ctx, e.a, o.ID, pos.Supervisor{Staff: "9", PIN: "1234"})
	e.must(err)
	if v.Verified.By != pos.VerifiedByIDCheck || v.Verified.Staff != "9" {
		t.Fatalf("verified %+v", v.Verified)
	}
	_, err = e.svc.Collect(e.ctx, e.a, o.ID, nil)
	e.must(err)
	evs := e.events()
	if col := checkEvent(t, evs[len(evs)-1], pos.EventPickupCollected); col["verified_by"] != "id_check" {
		t.Fatalf("collected %v", col)
	}
	log, err := e.db.PickupLog(e.ctx, o.ID)
	e.must(err)
	var wrong int
	for _, l := range log {
		if l.Detail == "wrong code" {
			wrong++
		}
	}
	if wrong != 3 {
		t.Fatalf("log has %d wrong codes: %+v", wrong, log)
	}
}

func TestPickupExpiry(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.ready(o.ID)
	if _, err := e.svc.Expire(e.ctx, e.a, o.ID); !errors.Is(err, pos.ErrNotOverdue) {
		t.Fatalf("expire early: %v", err)
	}
	over, err := e.svc.Overdue(e.ctx)
	e.must(err)
	if len(over) != 0 {
		t.Fatalf("overdue early: %d", len(over))
	}
	e.now = o.CollectBy.Add(time.Hour)
	over, err = e.svc.Overdue(e.ctx)
	e.must(err)
	if len(over) != 1 || over[0].Bucket != pos.BucketOverdue || over[0].Age != 3600 {
		t.Fatalf("overdue %+v", over)
	}
	v, err := e.svc.Expire(e.ctx, e.a, o.ID)
	e.must(err)
	if v.State != pos.PickupExpired {
		t.Fatalf("state %s", v.State)
	}
	e.reserved(0, 0, 0)
	if st := e.stock(bagSKU); st.OnHand != 10 {
		t.Fatalf("on hand %d", st.OnHand)
	}
	evs := e.events()
	if ex := checkEvent(t, evs[len(evs)-1], pos.EventPickupExpired); ex["order_id"] != o.ID {
		t.Fatalf("expired %v", ex)
	}
	if over, _ := e.svc.Overdue(e.ctx); len(over) != 0 {
		t.Fatalf("still overdue after expiry: %d", len(over))
	}
}

// A customer who says they are here after the collect-by time is served,
// not put back: their order is among the arrived, at the top of the
// queue, and expiring it is refused for an hour after their arrival. An
// arrival older than that (a customer who left) no longer holds it.
func TestPickupLateArrivalIsServed(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.ready(o.ID)
	e.now = o.CollectBy.Add(10 * time.Minute)
	_, first, err := e.svc.Arrive(e.ctx, e.a, o.ID, pos.Arrival{Bay: "2"})
	e.must(err)
	if !first {
		t.Fatal("the arrival did not count as new")
	}
	e.now = e.now.Add(5 * time.Minute)
	q, err := e.svc.Queue(e.ctx, "")
	e.must(err)
	if len(q.Orders) != 1 || q.Orders[0].Bucket != pos.BucketArrived || q.Counts[pos.BucketOverdue] != 0 {
		t.Fatalf("a customer here after collect-by: bucket %s, counts %v", q.Orders[0].Bucket, q.Counts)
	}
	if over, _ := e.svc.Overdue(e.ctx); len(over) != 0 {
		t.Fatalf("offered for putting back while the customer waits: %d", len(over))
	}
	if _, err := e.svc.Expire(e.ctx, e.a, o.ID); !errors.Is(err, pos.ErrCustomerHere) {
		t.Fatalf("expire while the customer waits: %v", err)
	}

	e.now = e.now.Add(pos.ArrivalWaits)
	q, err = e.svc.Queue(e.ctx, "")
	e.must(err)
	if q.Orders[0].Bucket != pos.BucketOverdue {
		t.Fatalf("an hour after the arrival: bucket %s", q.Orders[0].Bucket)
	}
	v, err := e.svc.Expire(e.ctx, e.a, o.ID)
	e.must(err)
	if v.State != pos.PickupExpired {
		t.Fatalf("state %s", v.State)
	}
}

func TestPickupReject(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.scan(o.ID, bagEAN)
	// A cashier's reject ends the order for the customer only with a
	// supervisor's approval; refused, it changes nothing.
	if _, err := e.svc.Reject(e.ctx, e.a, o.ID, "water bottles damaged", ""); !errors.Is(err, pos.ErrApprovalRequired) {
		t.Fatalf("a cashier rejects with no approval: %v", err)
	}
	if v, err := e.svc.Order(e.ctx, o.ID); err != nil || !v.State.Open() {
		t.Fatalf("after the refused reject: %+v %v", v, err)
	}
	sup := e.a
	sup.Role = pos.RoleSupervisor
	if _, err := e.svc.Reject(e.ctx, sup, o.ID, " ", ""); !errors.Is(err, pos.ErrReasonRequired) {
		t.Fatalf("a supervisor rejects without a reason: %v", err)
	}
	if _, err := e.svc.Reject(e.ctx, e.a, o.ID, " ", "2"); !errors.Is(err, pos.ErrReasonRequired) {
		t.Fatalf("reject without reason: %v", err)
	}
	_, err := e.svc.Reject(e.ctx, e.a, o.ID, "water bottles damaged", "2")
	e.must(err)
	e.reserved(0, 0, 0)
	evs := e.events()
	if rj := checkEvent(t, evs[len(evs)-1], pos.EventPickupRejected); rj["reason"] != "water bottles damaged" {
		t.Fatalf("rejected %v", rj)
	}
}

func TestPickupDuplicateArrival(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	at := e.now.Add(-5 * time.Minute)
	o.Version, o.Arrival = 2, &pos.Arrival{At: at, Bay: "3", Note: "red Volvo"}
	e.apply(o)
	o.Version = 3 // central publishes the same arrival again
	e.apply(o)
	_, first, err := e.svc.Arrive(e.ctx, e.a, o.ID, pos.Arrival{Bay: "3"})
	e.must(err)
	if first {
		t.Fatal("a repeated arrival counted as new")
	}
	q, err := e.svc.Queue(e.ctx, "")
	e.must(err)
	if q.Counts[pos.BucketArrived] != 1 || q.Counts[pos.BucketNew] != 0 || len(q.Orders) != 1 {
		t.Fatalf("queue counts %v", q.Counts)
	}
	v := q.Orders[0]
	if v.Bucket != pos.BucketArrived || !v.Arrival.At.Equal(at) || v.Age != 300 || v.Arrival.Note != "red Volvo" {
		t.Fatalf("view %+v arrival %+v", v, v.Arrival)
	}
}

func TestPickupUpdatedWhilePicking(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.pickAll(o.ID)
	e.reserved(2, 1, 0)
	// Version 2: one backpack instead of two, no water, a juice added.
	o.Version = 2
	o.Lines = []pos.OrderLine{{LineID: "1", SKU: bagSKU, Qty: 1, UnitPrice: 49900}, {LineID: "3", SKU: juiceSKU, Qty: 2, UnitPrice: 32000}}
	e.apply(o)
	e.reserved(1, 0, 2)
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	putBack := map[string]int64{}
	var changed bool
	for _, n := range v.Notices {
		putBack[n.SKU] += n.Qty
		changed = changed || n.Kind == pos.NoticeLinesChanged
	}
	if putBack[bagSKU] != 1 || putBack[waterSKU] != 1 || !changed {
		t.Fatalf("notices %+v", v.Notices)
	}
	if v.State != pos.PickupPicking || v.Lines[0].Picked != 1 || v.Lines[1].Location != "A-1" {
		t.Fatalf("order %s lines %+v", v.State, v.Lines)
	}
	list, err := e.svc.PickList(e.ctx)
	e.must(err)
	if len(list) != 1 || list[0].SKU != juiceSKU || list[0].Qty != 2 {
		t.Fatalf("pick list %+v", list)
	}
	if _, _, err := e.svc.MarkReady(e.ctx, e.a, o.ID, "P-1", 1); !errors.Is(err, pos.ErrPickIncomplete) {
		t.Fatalf("ready with the new line open: %v", err)
	}
	evs := e.events()
	if acc := checkEvent(t, evs[len(evs)-1], pos.EventPickupAccepted); acc["version"] != float64(2) {
		t.Fatalf("accepted %v", acc)
	}
	// A short pick and a substitution finish it.
	_, err = e.svc.ShortPick(e.ctx, e.a, o.ID, "3", 1)
	e.must(err)
	_, err = e.svc.Substitute(e.ctx, e.a, o.ID, "3", waterSKU)
	e.must(err)
	e.reserved(1, 2, 0)
	e.scan(o.ID, ean("731000000001"))
	e.scan(o.ID, ean("731000000001"))
	_, _, err = e.svc.MarkReady(e.ctx, e.a, o.ID, "P-1", 1)
	e.must(err)
	evs = e.events()
	rd := checkEvent(t, evs[len(evs)-1], pos.EventPickupReady)
	l3 := rd["lines"].([]any)[1].(map[string]any)
	if l3["line_id"] != "3" || l3["qty_picked"] != float64(2) || l3["substitute_sku"] != waterSKU {
		t.Fatalf("ready %v", rd)
	}
	e.reserved(1, 2, 0)
}

func TestPickupQueueAndBatchPickList(t *testing.T) {
	e := newPickupEnv(t, nil)
	a := e.order(1, pos.OrderPaid)
	e.apply(a)
	b := e.order(1, pos.OrderPaid)
	b.ID, b.Customer.Name, b.Customer.Phone = "W-2026-000200", "Lars Berg", "+46 70 111 22 33"
	b.Lines = []pos.OrderLine{{LineID: "1", SKU: juiceSKU, Qty: 1}, {LineID: "2", SKU: bagSKU, Qty: 1}}
	e.apply(b)
	c := e.order(1, pos.OrderPaid)
	c.ID = "W-2026-000300"
	e.apply(c)
	e.ready(c.ID)

	list, err := e.svc.PickList(e.ctx)
	e.must(err)
	var got []string
	for _, it := range list {
		got = append(got, fmt.Sprintf("%s %s %d/%d", it.Location, it.SKU, it.Qty, len(it.Orders)))
	}
	if want := "A-1 200982 1/1, C-2 200981 1/1, C-10 100234 3/2"; strings.Join(got, ", ") != want {
		t.Fatalf("batched pick list %q, want %q", strings.Join(got, ", "), want)
	}

	e.now = e.now.Add(10 * time.Minute)
	q, err := e.svc.Queue(e.ctx, "")
	e.must(err)
	if q.Counts[pos.BucketNew] != 2 || q.Counts[pos.BucketReady] != 1 || q.Oldest[pos.BucketNew] != 600 || len(q.Orders) != 3 {
		t.Fatalf("queue %v %v", q.Counts, q.Oldest)
	}
	for query, want := range map[string]string{"lars": b.ID, "070 111": "", "70 111 22": b.ID, "000300": c.ID, "ana pop": a.ID + "," + c.ID} {
		q, err := e.svc.Queue(e.ctx, query)
		e.must(err)
		var ids []string
		for _, v := range q.Orders {
			ids = append(ids, v.Order.ID)
		}
		if got := strings.Join(ids, ","); len(ids) > 1 && want != got && want != ids[1]+","+ids[0] || len(ids) <= 1 && got != want {
			t.Fatalf("search %q found %q, want %q", query, got, want)
		}
	}
}

func TestPickupClosedByCentral(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.must(e.svc.CloseOrder(e.ctx, o.ID))
	e.must(e.svc.CloseOrder(e.ctx, "W-unknown"))
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if v.State != pos.PickupCancelled || !v.Closed {
		t.Fatalf("state %s closed %v", v.State, v.Closed)
	}
	e.reserved(0, 0, 0)
}

func TestPickupStaleRevision(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	p, err := e.db.PickupOrder(e.ctx, o.ID)
	e.must(err)
	stale := p
	e.must(e.db.SavePickup(e.ctx, &pos.PickupUpdate{Order: &p, Action: "test"}))
	if err := e.db.SavePickup(e.ctx, &pos.PickupUpdate{Order: &stale, Action: "test"}); !errors.Is(err, pos.ErrStale) {
		t.Fatalf("stale save: %v", err)
	}
	fresh := pos.NewPickupOrder(o, e.now)
	if err := e.db.SavePickup(e.ctx, &pos.PickupUpdate{Order: &fresh, Action: "test"}); !errors.Is(err, pos.ErrDuplicate) {
		t.Fatalf("duplicate insert: %v", err)
	}
}

func TestPickupConcurrentScans(t *testing.T) {
	e := newPickupEnv(t, nil)
	// A service of its own: the env's Notify collects changes without a lock.
	e.svc = pos.NewPickupService(pos.PickupOptions{Store: e.db, Now: func() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) }})
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	const scanners = 8
	errs := make(chan error, scanners)
	for range scanners {
		go func() {
			_, _, err := e.svc.PickScan(e.ctx, e.a, o.ID, bagEAN)
			errs <- err
		}()
	}
	var ok, over int
	for range scanners {
		switch err := <-errs; {
		case err == nil:
			ok++
		case errors.Is(err, pos.ErrOverPick):
			over++
		default:
			t.Fatalf("scan: %v", err)
		}
	}
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if ok != 2 || over != scanners-2 || v.Lines[0].Picked != 2 {
		t.Fatalf("%d scans counted, %d refused, line picked %d", ok, over, v.Lines[0].Picked)
	}
}

func TestTillWarnsOfReservedStock(t *testing.T) {
	e := newPickupEnv(t, nil)
	c, err := e.till.OpenCart(e.ctx, e.a)
	e.must(err)
	_, res, err := e.till.Scan(e.ctx, e.a, c.ID, bagEAN)
	e.must(err)
	if res.Stock != nil {
		t.Fatalf("warned before any reservation: %+v", res.Stock)
	}
	o := e.order(1, pos.OrderPaid)
	o.Lines = []pos.OrderLine{{LineID: "1", SKU: bagSKU, Qty: 10, UnitPrice: 49900}}
	e.apply(o)
	_, res, err = e.till.Scan(e.ctx, e.a, c.ID, bagEAN)
	e.must(err)
	if res.Stock == nil || res.Stock.Reserved != 10 || res.Stock.OnHand != 10 {
		t.Fatalf("no warning when selling stock held for an order: %+v", res.Stock)
	}
}

// BenchmarkPickupQueue measures the counter's queue with 200 open orders.
func BenchmarkPickupQueue(b *testing.B) {
	e := newPickupEnv(b, nil)
	for i := range 200 {
		o := e.order(1, pos.OrderPaid)
		o.ID = fmt.Sprintf("W-%06d", i)
		if err := e.svc.ApplyOrder(e.ctx, nil, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		q, err := e.svc.Queue(e.ctx, "")
		if err != nil || len(q.Orders) != 200 {
			b.Fatalf("%v %d", err, len(q.Orders))
		}
	}
}

// An order that ends with something left for staff to do (central
// cancels it while its bags wait on the shelf) stays on the counter's
// queue, under its end, with what to do, until staff have seen it: it is
// no longer open, but its bags are still on the shelf. Seen, it leaves
// the queue; the counts are of open orders only.
func TestPickupEndedOrderWithNoticesStaysInTheQueue(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.ready(o.ID)
	other := e.order(1, pos.OrderPaid)
	other.ID = "W-2026-000300"
	e.apply(other)
	e.apply(pos.Order{ID: o.ID, Version: 2, Status: pos.OrderCancelled})

	q, err := e.svc.Queue(e.ctx, "")
	e.must(err)
	var ended *pos.PickupView
	for _, v := range q.Orders {
		if v.Order.ID == o.ID {
			ended = v
		}
	}
	if ended == nil || ended.Bucket != string(pos.PickupCancelled) || len(q.Orders) != 2 {
		t.Fatalf("queue after central cancelled a ready order: %d orders, the cancelled one %+v; want it there, cancelled", len(q.Orders), ended)
	}
	kinds := map[string]bool{}
	for _, n := range ended.Notices {
		kinds[n.Kind] = true
	}
	if !kinds[pos.NoticeFetchBags] || !kinds[pos.NoticePutBack] {
		t.Fatalf("cancelled order's notices %+v, want fetch_bags and put_back", ended.Notices)
	}
	if q.Counts[pos.BucketNew] != 1 || q.Counts[pos.BucketReady] != 0 || len(q.Counts) != len(pos.Buckets) {
		t.Fatalf("counts %v, want the open order only", q.Counts)
	}
	e.must1(e.svc.Acknowledge(e.ctx, e.a, o.ID, -1))
	q, err = e.svc.Queue(e.ctx, "")
	e.must(err)
	if len(q.Orders) != 1 || q.Orders[0].Order.ID != other.ID {
		t.Fatalf("queue once the notices were seen: %d orders, want only %s", len(q.Orders), other.ID)
	}
	over, err := e.svc.Overdue(e.ctx)
	e.must(err)
	if len(over) != 0 {
		t.Fatalf("overdue lists %d orders, want none", len(over))
	}
}

// A substitute is named as staff scan it or type it: by its SKU, or by a
// barcode in any of its forms, a UPC-A scanned for an item listed by its
// EAN-13 included, as a pick scan finds it.
func TestPickupSubstituteByScannedCode(t *testing.T) {
	e := newPickupEnv(t, nil)
	e.must(e.db.PutItems(e.ctx, []pos.Item{{SKU: "300001", Active: true, Names: map[string]string{"en": "Flask"},
		Barcodes: []string{"0012345678905"}, Unit: pos.UnitEach, Price: 19900, TaxRateBP: 2500, Location: "D-1"}}, pos.Sweden))
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	for _, code := range []string{"012345678905", waterSKU, ean("731000000002")} {
		v, err := e.svc.Substitute(e.ctx, e.a, o.ID, "2", code)
		if err != nil {
			t.Fatalf("substitute %s: %v", code, err)
		}
		if v.Lines[1].SubstituteSKU == "" && code != waterSKU {
			t.Fatalf("substitute %s: line %+v", code, v.Lines[1])
		}
	}
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if v.Lines[1].SubstituteSKU != juiceSKU {
		t.Fatalf("line 2 after its substitutes: %+v", v.Lines[1])
	}
}

// A customer verified longer ago than a verification lasts is shown
// unverified, so that the screens offer the code and ID check again
// rather than only a handover that is refused; verified again, the order
// is handed over.
func TestPickupVerificationRunOutIsShown(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.ready(o.ID)
	e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
	e.now = e.now.Add(31 * time.Minute)
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	q, err := e.svc.Queue(e.ctx, "")
	e.must(err)
	if v.Verified != nil || len(q.Orders) != 1 || q.Orders[0].Verified != nil {
		t.Fatalf("verification 31 minutes old shown as %+v, in the queue as %+v; want none", v.Verified, q.Orders[0].Verified)
	}
	if _, err := e.svc.Collect(e.ctx, e.a, o.ID, nil); !errors.Is(err, pos.ErrNotVerified) {
		t.Fatalf("handover after the verification ran out: %v", err)
	}
	e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
	v, err = e.svc.Collect(e.ctx, e.a, o.ID, nil)
	e.must(err)
	if v.State != pos.PickupCollected || v.Verified == nil || v.Verified.By != pos.VerifiedByCode {
		t.Fatalf("handed over: %s, verified %+v", v.State, v.Verified)
	}
	e.now = e.now.Add(time.Hour)
	if v, err = e.svc.Order(e.ctx, o.ID); err != nil || v.Verified == nil {
		t.Fatalf("collected order's verification an hour later: %+v, %v; want it kept", v.Verified, err)
	}
}

// A substitute is sold by the unit of the item ordered: a weighed item
// for pieces would read the 1 piece ordered as 1 gram, and pieces for a
// weighed line its grams as pieces.
func TestPickupSubstituteOfAnotherUnitIsRefused(t *testing.T) {
	e := newPickupEnv(t, nil)
	e.must(e.db.PutItems(e.ctx, []pos.Item{{SKU: "300100", Active: true, Names: map[string]string{"en": "Apples"},
		Unit: pos.UnitKg, Price: 2990, TaxRateBP: 1200, Location: "F-1"}}, pos.Sweden))
	o := e.order(1, pos.OrderPaid)
	o.Lines = append(o.Lines, pos.OrderLine{LineID: "3", SKU: "300100", Name: "Apples", Qty: 1200, UnitPrice: 2990})
	e.apply(o)
	if _, err := e.svc.Substitute(e.ctx, e.a, o.ID, "2", "300100"); !errors.Is(err, pos.ErrSubstituteUnit) {
		t.Fatalf("apples for a water bottle: %v, want ErrSubstituteUnit", err)
	}
	if _, err := e.svc.Substitute(e.ctx, e.a, o.ID, "3", waterSKU); !errors.Is(err, pos.ErrSubstituteUnit) {
		t.Fatalf("water bottles for 1,200 g of apples: %v, want ErrSubstituteUnit", err)
	}
	e.must1(e.svc.Substitute(e.ctx, e.a, o.ID, "2", juiceSKU))
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if v.Lines[1].SubstituteSKU != juiceSKU || v.Lines[2].SubstituteSKU != "" || v.Lines[2].Unit != pos.UnitKg {
		t.Fatalf("lines after the substitutes: %+v", v.Lines)
	}
}

// Staff acknowledge the notices they were shown: one given meanwhile (seen
// at another tablet, or not yet on this one) stays until it is seen.
func TestPickupAcknowledgeKeepsANoticeGivenSince(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.ready(o.ID)
	_, err := e.svc.Reject(e.ctx, e.a, o.ID, "water bottle broken", "2")
	e.must(err)
	shown, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	// Central's cancellation crosses the rejection: a supervisor is told.
	e.apply(pos.Order{ID: o.ID, Version: 2, Status: pos.OrderCancelled})
	v, err := e.svc.Acknowledge(e.ctx, e.a, o.ID, shown.Notices[len(shown.Notices)-1].ID)
	e.must(err)
	if len(v.Notices) != 1 || v.Notices[0].Kind != pos.NoticeAfterEnd {
		t.Fatalf("notices after those shown were acknowledged: %+v, want the one given since", v.Notices)
	}
	q, err := e.svc.Queue(e.ctx, "")
	e.must(err)
	if len(q.Orders) != 1 {
		t.Fatalf("queue with the notice unseen: %d orders, want the order", len(q.Orders))
	}
	if v, err = e.svc.Acknowledge(e.ctx, e.a, o.ID, v.Notices[0].ID); err != nil || len(v.Notices) != 0 {
		t.Fatalf("notices once all were seen: %+v, %v", v.Notices, err)
	}
}

// Notices kept from before they were numbered (id 0, on a store that
// upgraded with notices waiting) are cleared when staff say they saw them
// (through 0, the last shown): a notice given since, numbered, stays.
func TestPickupAcknowledgeNoticesFromBeforeTheyWereNumbered(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.ready(o.ID)
	_, err := e.svc.Reject(e.ctx, e.a, o.ID, "water bottle broken", "2")
	e.must(err)
	p, err := e.db.PickupOrder(e.ctx, o.ID)
	e.must(err)
	for i := range p.Notices {
		p.Notices[i].ID = 0
	}
	p.NoticeSeq = 0
	e.must(e.db.SavePickup(e.ctx, &pos.PickupUpdate{Order: &p, Action: "upgrade"}))
	shown, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if len(shown.Notices) == 0 || shown.Notices[len(shown.Notices)-1].ID != 0 {
		t.Fatalf("notices from before they were numbered: %+v", shown.Notices)
	}
	// Central's cancellation crosses the rejection: a supervisor is told.
	e.apply(pos.Order{ID: o.ID, Version: 2, Status: pos.OrderCancelled})
	v, err := e.svc.Acknowledge(e.ctx, e.a, o.ID, 0)
	e.must(err)
	if len(v.Notices) != 1 || v.Notices[0].Kind != pos.NoticeAfterEnd {
		t.Fatalf("notices after those shown were acknowledged: %+v, want the one given since", v.Notices)
	}
	if v, err = e.svc.Acknowledge(e.ctx, e.a, o.ID, -1); err != nil || len(v.Notices) != 0 {
		t.Fatalf("notices once all were cleared: %+v, %v", v.Notices, err)
	}
}

// A count is of the goods on the shelf: what is picked into an open
// order's bags is not there to count, and stays on hand until the
// customer takes it. The count took it off, and the handover off again.
func TestCountLeavesPickedGoodsOnHand(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.scan(o.ID, bagEAN) // one backpack picked, one still on the shelf
	sup := pos.Actor{Staff: "9", Role: pos.RoleSupervisor, Station: "pickup-1"}
	counted := int64(9)
	st, err := e.till.AdjustStock(e.ctx, sup, pos.StockAdjustment{SKU: bagSKU, Reason: pos.AdjustCount, Counted: &counted})
	e.must(err)
	if st.OnHand != 10 {
		t.Fatalf("9 counted on the shelf, 1 in the order's bag: on hand %d, want 10", st.OnHand)
	}
	e.scan(o.ID, bagEAN)
	e.scan(o.ID, ean("731000000001"))
	_, _, err = e.svc.MarkReady(e.ctx, e.a, o.ID, "Shelf P-4", 1)
	e.must(err)
	counted = 8
	st, err = e.till.AdjustStock(e.ctx, sup, pos.StockAdjustment{SKU: bagSKU, Reason: pos.AdjustCount, Counted: &counted})
	e.must(err)
	if st.OnHand != 10 || st.Reserved != 2 {
		t.Fatalf("8 counted on the shelf, 2 in the ready order's bags: on hand %d, reserved %d, want 10 and 2", st.OnHand, st.Reserved)
	}
	if evs := e.events(); evs[len(evs)-1].Type == pos.EventStockAdjusted {
		t.Fatalf("a count that finds what is on hand recorded %s", evs[len(evs)-1].Data)
	}
}

// An item an order stops holding is told to screens as a stock change:
// a substitute replaced by another, a line central removed. Tablets
// refetch the stock of the items a pickup change names, and these it no
// longer names, so they went on showing the item held.
func TestPickupReleaseTellsTheStock(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPaid)
	e.apply(o)
	e.must1(e.svc.Substitute(e.ctx, e.a, o.ID, "2", juiceSKU))
	e.changes = nil
	e.must1(e.svc.Substitute(e.ctx, e.a, o.ID, "2", waterSKU)) // back to the ordered item
	told := func(sku string) bool {
		for _, c := range e.changes {
			if st, ok := c.Value.(pos.StockLevel); c.Kind == "stock" && c.ID == sku && ok && st.SKU == sku {
				return true
			}
		}
		return false
	}
	if !told(juiceSKU) {
		t.Fatalf("the juice no longer held is not told: %+v", e.changes)
	}
	e.changes = nil
	o.Version, o.Lines = 2, o.Lines[:1] // central removes the water
	e.apply(o)
	if !told(waterSKU) || told(bagSKU) {
		t.Fatalf("changes after central removed the water's line: %+v; want the water's stock told, not the backpack's", e.changes)
	}
	e.reserved(2, 0, 0)
}
