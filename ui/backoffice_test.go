package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/ui"
)

var _ ui.Reports = (*sqlite.DB)(nil)

const (
	teaCode    = "7310865004703" // SKU 1, 25.00 at 12 %
	bottleCode = "4006381333931" // SKU 2, 10.00 at 25 %
)

// store is a node with the till, click-and-collect and after-sales behind
// the HTTP API, and the printer and drawer hooks recorded.
type store struct {
	srv    *httptest.Server
	server *ui.Server
	db     *sqlite.DB
	ctx    context.Context
	pu     *pos.PickupService

	mu      sync.Mutex // guards the hook records below
	slips   []*pos.PickupSlip
	drawers []string // station/reason
	reports []*pos.ShiftReport
}

// newStore starts the node's API; each of with may change its options
// first.
func newStore(t testing.TB, with ...func(*ui.Options)) *store {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	items := []pos.Item{
		{SKU: "1", Active: true, Names: map[string]string{"en": "Tea"}, Barcodes: []string{teaCode}, Unit: pos.UnitEach,
			Price: 2500, TaxRateBP: 1200, Location: "B-2"},
		{SKU: "2", Active: true, Names: map[string]string{"en": "Bottle"}, Barcodes: []string{bottleCode}, Unit: pos.UnitEach,
			Price: 1000, TaxRateBP: 2500, Location: "A-1"},
	}
	if err := db.PutItems(ctx, items, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		id, pin string
		role    pos.Role
	}{{"1", "1111", pos.RoleCashier}, {"2", "2222", pos.RoleSupervisor}, {"3", "3333", pos.RoleManager}} {
		h, _ := pos.HashPIN(st.pin)
		if err := db.PutStaff(ctx, pos.Staff{ID: st.id, Name: "Staff " + st.id, Role: st.role, PINHash: h, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	var hub *ui.Hub
	notify := func(c pos.Change) { hub.Notify(c) }
	svc := pos.NewService(pos.Options{Store: db, Notify: notify})
	s := &store{db: db, ctx: ctx}
	s.pu = pos.NewPickupService(pos.PickupOptions{Store: db, Notify: notify})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: svc, Store: db})
	opt := ui.Options{Service: svc, Store: db, Sessions: db,
		Pickup:    s.pu,
		PickupLog: func(ctx context.Context, id string) (any, error) { return db.PickupLog(ctx, id) },
		OnSlip: func(_ context.Context, slip *pos.PickupSlip) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.slips = append(s.slips, slip)
		},
		AfterSales: as,
		Reports:    db,
		VerifyJournal: func(ctx context.Context) (ui.JournalCheck, error) {
			c, err := db.VerifyJournal(ctx)
			return ui.JournalCheck(c), err
		},
		OnDrawer: func(_ context.Context, station, reason string) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.drawers = append(s.drawers, station+"/"+reason)
		},
		OnReport: func(_ context.Context, rep *pos.ShiftReport) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.reports = append(s.reports, rep)
		},
	}
	for _, w := range with {
		w(&opt)
	}
	srv := ui.NewServer(opt)
	hub = srv.Hub()
	s.server = srv
	s.srv = httptest.NewServer(srv)
	t.Cleanup(func() { srv.Shutdown(); s.srv.Close() })
	return s
}

// login opens a session of staff (1 cashier, 2 supervisor, 3 manager).
func (s *store) login(t testing.TB, staff, station string) string {
	t.Helper()
	pin := strings.Repeat(staff, 4)
	st, b := s.call(t, "", "POST", "/api/v1/login", map[string]string{"staff": staff, "pin": pin, "station": station})
	if st != 200 {
		t.Fatalf("login %s: %d %s", staff, st, b)
	}
	var r struct{ Token string }
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r.Token
}

// call sends body (a string is sent as it is, anything else as JSON) and
// returns the status and the body.
func (s *store) call(t testing.TB, tok, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// ok calls and decodes a 200 answer into out (when not nil).
func (s *store) ok(t *testing.T, tok, method, path string, body, out any) {
	t.Helper()
	st, b := s.call(t, tok, method, path, body)
	if st != 200 {
		t.Fatalf("%s %s: %d %s", method, path, st, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// fails calls and checks the error answer's status and code.
func (s *store) fails(t *testing.T, tok, method, path string, body any, status int, code string) {
	t.Helper()
	st, b := s.call(t, tok, method, path, body)
	var e struct{ Error ui.APIError }
	_ = json.Unmarshal(b, &e)
	if st != status || e.Error.Code != code {
		t.Fatalf("%s %s: got %d %s, want %d %s", method, path, st, b, status, code)
	}
}

// order applies an order as central publishes it on orders/{order_id}.
func (s *store) order(t *testing.T, id, payment string, amount int64, lines string) {
	t.Helper()
	s.orderDue(t, id, payment, amount, lines, "2099-11-29T20:00:00+01:00")
}

// orderDue is order with its collect_by.
func (s *store) orderDue(t *testing.T, id, payment string, amount int64, lines, collectBy string) {
	t.Helper()
	payload := fmt.Sprintf(`{"order_id": %q, "version": 1, "status": "placed",
		"placed_at": "2020-11-22T10:15:00+01:00", "collect_by": %q,
		"customer": {"id": "C-1", "name": "Ana Pop", "phone": "+40712345678", "language": "ro"},
		"pickup_code": "483920", "payment": {"status": %q, "amount": %d, "currency": "SEK"},
		"lines": %s, "arrival": null}`, id, collectBy, payment, amount, lines)
	o, err := pos.ParseOrder([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.pu.ApplyOrder(s.ctx, []byte(payload), o); err != nil {
		t.Fatal(err)
	}
}

type cartView struct {
	ID      string `json:"id"`
	OrderID string `json:"order_id"`
	Balance struct {
		Total  int64 `json:"total"`
		Change int64 `json:"change"`
	} `json:"balance"`
}

type saleView struct {
	ID        string `json:"sale_id"`
	ReceiptNo int64  `json:"receipt_no"`
	Balance   struct {
		Total int64 `json:"total"`
	} `json:"balance"`
}

// sell rings up codes at the cashier's till, pays cash and completes.
func (s *store) sell(t *testing.T, tok string, cash int64, codes ...string) saleView {
	t.Helper()
	var c cartView
	s.ok(t, tok, "GET", "/api/v1/cart", nil, &c)
	for _, code := range codes {
		s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": code}, nil)
	}
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/payments", map[string]any{"method": "cash", "amount": cash}, nil)
	var sale saleView
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/complete", nil, &sale)
	return sale
}

func websocketDial(s *store, tok string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{"Authorization": {"Bearer " + tok}}
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.srv.URL, "http")+"/ws", h)
}

func (s *store) drawerLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.drawers...)
}

type pickupView struct {
	State    string `json:"state"`
	Bucket   string `json:"bucket"`
	Verified *struct {
		By string `json:"by"`
	} `json:"verified"`
	Lines []struct {
		LineID    string `json:"line_id"`
		Picked    int64  `json:"picked"`
		Collected int64  `json:"collected"`
	} `json:"lines"`
	SaleID       string `json:"sale_id"`
	CodeFailures int    `json:"code_failures"`
	Due          int64  `json:"due"`
}

func TestPickupThroughHTTP(t *testing.T) {
	s := newStore(t)
	s.order(t, "W-1", pos.OrderPaid, 6000, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 2, "unit_price": 2500},
		{"line_id": "2", "sku": "2", "name": "Bottle", "qty": 1, "unit_price": 1000}]`)
	counter := s.login(t, "1", "pickup-1")

	var q struct {
		Counts map[string]int
		Orders []struct {
			Order struct {
				ID string `json:"order_id"`
			}
		}
	}
	s.ok(t, counter, "GET", "/api/v1/pickup/queue?q=ana", nil, &q)
	if q.Counts["new"] != 1 || len(q.Orders) != 1 || q.Orders[0].Order.ID != "W-1" {
		t.Fatalf("queue = %+v", q)
	}
	var list []struct {
		Location string
		SKU      string
		Qty      int64
	}
	s.ok(t, counter, "GET", "/api/v1/pickup/picklist", nil, &list)
	if len(list) != 2 || list[0].Location != "A-1" || list[1].SKU != "1" || list[1].Qty != 2 {
		t.Fatalf("batched pick list = %+v", list)
	}

	s.ok(t, counter, "POST", "/api/v1/pickup/orders/W-1/start", nil, nil)
	s.fails(t, counter, "POST", "/api/v1/pickup/orders/W-1/pick", map[string]string{"code": "4007817327098"}, 409, "wrong_item")
	for _, code := range []string{teaCode, teaCode, bottleCode} {
		s.ok(t, counter, "POST", "/api/v1/pickup/orders/W-1/pick", map[string]string{"code": code}, nil)
	}
	s.fails(t, counter, "POST", "/api/v1/pickup/orders/W-1/pick", map[string]string{"code": teaCode}, 409, "over_pick")
	s.fails(t, counter, "POST", "/api/v1/pickup/orders/W-1/ready", map[string]any{"location": "", "bags": 1}, 400, "bad_location")

	var ready struct {
		Order pickupView
		Slip  pos.PickupSlip
	}
	s.ok(t, counter, "POST", "/api/v1/pickup/orders/W-1/ready", map[string]any{"location": "P-4", "bags": 2}, &ready)
	if ready.Order.State != "ready" || ready.Slip.Location != "P-4" || len(ready.Slip.Labels) != 2 || ready.Slip.Customer != "Ana Pop" {
		t.Fatalf("ready = %+v", ready)
	}
	s.ok(t, counter, "POST", "/api/v1/pickup/orders/W-1/slip", nil, nil)
	s.mu.Lock()
	if len(s.slips) != 2 || s.slips[0].OrderID != "W-1" || s.slips[1].Bags != 2 {
		t.Errorf("slips printed: %+v", s.slips)
	}
	s.mu.Unlock()

	s.fails(t, counter, "POST", "/api/v1/pickup/orders/W-1/collect", nil, 403, "not_verified")
	// The customer's QR scanned at a till opens the order for handover.
	till := s.login(t, "1", "till-1")
	var c cartView
	s.ok(t, till, "GET", "/api/v1/cart", nil, &c)
	var routed struct {
		Route   string
		OrderID string `json:"order_id"`
		Order   pickupView
	}
	s.ok(t, till, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": pos.PickupQR("W-1", "483920")}, &routed)
	if routed.Route != "pickup" || routed.OrderID != "W-1" || routed.Order.Verified == nil || routed.Order.Verified.By != "qr" {
		t.Fatalf("QR scanned at the till: %+v", routed)
	}
	// The customer refuses the bottle.
	var done pickupView
	s.ok(t, counter, "POST", "/api/v1/pickup/orders/W-1/collect", map[string]any{"lines": map[string]int64{"1": 2, "2": 0}}, &done)
	if done.State != "collected" || done.Lines[0].Collected != 2 || done.Lines[1].Collected != 0 {
		t.Fatalf("collected = %+v", done)
	}

	var log []struct{ Action string }
	s.ok(t, counter, "GET", "/api/v1/pickup/orders/W-1/log", nil, &log)
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); !strings.HasPrefix(got, "version start_picking pick") || !strings.HasSuffix(got, "open_qr collect") {
		t.Errorf("log = %s", got)
	}
	evs, err := s.db.EventsAfter(s.ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	want := pos.EventPickupAccepted + " " + pos.EventPickupReady + " " + pos.EventPickupCollected
	if strings.Join(types, " ") != want {
		t.Errorf("events = %v, want %s", types, want)
	}
}

func TestPickupWrongCodesLockTheOrder(t *testing.T) {
	s := newStore(t)
	s.order(t, "W/2", pos.OrderPaid, 2500, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 1, "unit_price": 2500}]`)
	tok := s.login(t, "1", "pickup-2")
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W%2F2/pick", map[string]string{"code": teaCode}, nil)
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W%2F2/ready", map[string]any{"location": "P-1", "bags": 1}, nil)
	for range 5 {
		s.fails(t, tok, "POST", "/api/v1/pickup/open/code", map[string]string{"order_id": "W/2", "code": "000000"}, 403, "wrong_code")
	}
	// Locked now, even with the right code, and from another counter.
	s.fails(t, tok, "POST", "/api/v1/pickup/open/code", map[string]string{"order_id": "W/2", "code": "483920"}, 429, "locked_out")
	other := s.login(t, "1", "pickup-3")
	s.fails(t, other, "POST", "/api/v1/pickup/open/qr", map[string]string{"code": pos.PickupQR("W/2", "483920")}, 429, "locked_out")
	var v pickupView
	s.ok(t, tok, "GET", "/api/v1/pickup/orders/W%2F2", nil, &v)
	if v.CodeFailures != 5 || v.Verified != nil || v.State != "ready" {
		t.Fatalf("order after wrong codes: %+v", v)
	}
	// A supervisor's ID check still opens it; a cashier's PIN does not.
	s.fails(t, other, "POST", "/api/v1/pickup/open/id-check",
		map[string]any{"order_id": "W/2", "supervisor": map[string]string{"staff": "1", "pin": "1111"}}, 403, "approval_required")
	s.ok(t, other, "POST", "/api/v1/pickup/open/id-check",
		map[string]any{"order_id": "W/2", "supervisor": map[string]string{"staff": "2", "pin": "2222"}}, &v)
	if v.Verified == nil || v.Verified.By != "id_check" {
		t.Fatalf("after ID check: %+v", v)
	}
}

func TestPayAtPickupThroughHTTP(t *testing.T) {
	s := newStore(t)
	s.order(t, "W-3", pos.OrderPayAtPickup, 5000, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 2, "unit_price": 2500}]`)
	tok := s.login(t, "1", "till-1")
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-3/pick", map[string]string{"code": teaCode}, nil)
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-3/pick", map[string]string{"code": teaCode}, nil)
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-3/ready", map[string]any{"location": "P-2", "bags": 1}, nil)
	s.fails(t, tok, "POST", "/api/v1/pickup/orders/W-3/cart", nil, 403, "not_verified")
	s.ok(t, tok, "POST", "/api/v1/pickup/open/code", map[string]string{"order_id": "W-3", "code": "483920"}, nil)
	s.fails(t, tok, "POST", "/api/v1/pickup/orders/W-3/collect", nil, 409, "pay_at_pickup")

	var c cartView
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-3/cart", "", &c)
	if c.OrderID != "W-3" || c.Balance.Total != 5000 {
		t.Fatalf("cart of the order = %+v", c)
	}
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/payments", map[string]any{"method": "cash", "amount": 6000}, nil)
	s.fails(t, tok, "POST", "/api/v1/carts/"+c.ID+"/complete", nil, 409, "pickup_cart")
	var v pickupView
	s.ok(t, tok, "GET", "/api/v1/pickup/orders/W-3", nil, &v)
	if v.State != "ready" {
		t.Fatalf("order collected before it was paid: %+v", v)
	}
	var sale saleView
	s.ok(t, tok, "POST", "/api/v1/pickup/complete", map[string]string{"cart_id": c.ID}, &sale)
	if sale.Balance.Total != 5000 || sale.ReceiptNo == 0 {
		t.Fatalf("sale = %+v", sale)
	}
	s.ok(t, tok, "GET", "/api/v1/pickup/orders/W-3", nil, &v)
	if v.State != "collected" || v.SaleID != sale.ID {
		t.Fatalf("order after payment: %+v", v)
	}
}

type returnView struct {
	ID      string `json:"return_id"`
	Origin  string `json:"origin"`
	Total   int64  `json:"total"`
	Refunds []struct {
		Method string `json:"method"`
		Amount int64  `json:"amount"`
	} `json:"refunds"`
}

func TestReturnByReceiptThroughHTTP(t *testing.T) {
	s := newStore(t)
	tok := s.login(t, "1", "till-1")
	sale := s.sell(t, tok, 5000, teaCode, teaCode)

	// The receipt scanned at the till starts a return.
	var c cartView
	s.ok(t, tok, "GET", "/api/v1/cart", nil, &c)
	receipt := fmt.Sprintf("R%010d", sale.ReceiptNo)
	var routed struct {
		Route     string
		ReceiptNo int64 `json:"receipt_no"`
		Receipt   string
	}
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": receipt}, &routed)
	if routed.Route != "return" || routed.ReceiptNo != sale.ReceiptNo || routed.Receipt != receipt {
		t.Fatalf("receipt scanned at the till: %+v", routed)
	}

	req := map[string]any{"receipt": routed.Receipt, "reason": "changed mind",
		"items": []map[string]any{{"line": "1", "qty": 1, "restock": true}}}
	var preview, done returnView
	s.ok(t, tok, "POST", "/api/v1/returns/prepare", req, &preview)
	if preview.Total != 2500 || len(preview.Refunds) != 1 || preview.Refunds[0].Method != "cash" {
		t.Fatalf("preview = %+v", preview)
	}
	if got := s.drawerLog(); len(got) != 0 {
		t.Fatalf("a preview opened the drawer: %v", got)
	}
	s.ok(t, tok, "POST", "/api/v1/returns", req, &done)
	if done.Origin != pos.OriginSale || done.Total != 2500 || done.ID == "" {
		t.Fatalf("return = %+v", done)
	}
	if got := s.drawerLog(); len(got) != 1 || got[0] != "till-1/refund" {
		t.Errorf("drawer openings = %v", got)
	}
	var again returnView
	s.ok(t, tok, "GET", "/api/v1/returns/"+done.ID, nil, &again)
	if again.Total != 2500 {
		t.Errorf("stored return = %+v", again)
	}
	// One of the two is back already: two more are refused.
	req["items"] = []map[string]any{{"line": "1", "qty": 2, "restock": true}}
	s.fails(t, tok, "POST", "/api/v1/returns", req, 409, "over_return")
	// Without receipt a supervisor approves.
	noReceipt := map[string]any{"reason": "gift", "items": []map[string]any{{"sku": "2", "qty": 1, "restock": true}}}
	s.fails(t, tok, "POST", "/api/v1/returns", noReceipt, 403, "approval_required")
	noReceipt["supervisor"] = map[string]string{"staff": "2", "pin": "2222"}
	s.ok(t, tok, "POST", "/api/v1/returns", noReceipt, &done)
	if done.Origin != pos.OriginNone || done.Total != 1000 {
		t.Fatalf("return without receipt = %+v", done)
	}
}

func TestShiftCloseZEqualsItsReceipts(t *testing.T) {
	s := newStore(t)
	cashier := s.login(t, "1", "till-1")
	super := s.login(t, "2", "till-1")
	s.fails(t, cashier, "GET", "/api/v1/shift", nil, 409, "no_shift")
	s.ok(t, cashier, "POST", "/api/v1/shift/open", map[string]int64{"float": 10000}, nil)
	s.fails(t, cashier, "POST", "/api/v1/shift/open", map[string]int64{"float": 10000}, 409, "shift_open")

	sales := []saleView{
		s.sell(t, cashier, 3000, teaCode),
		s.sell(t, cashier, 4500, teaCode, bottleCode, bottleCode),
	}
	var ret returnView
	s.ok(t, cashier, "POST", "/api/v1/returns", map[string]any{"receipt": fmt.Sprintf("R%010d", sales[1].ReceiptNo),
		"reason": "broken", "items": []map[string]any{{"line": "2", "qty": 1, "restock": false}}}, &ret)
	s.ok(t, cashier, "POST", "/api/v1/shift/cash", map[string]any{"kind": "paid_in", "amount": 2000, "reason": "change from bank"}, nil)
	s.ok(t, cashier, "POST", "/api/v1/shift/cash", map[string]any{"kind": "no_sale", "reason": "customer needed change"}, nil)
	s.fails(t, cashier, "POST", "/api/v1/shift/cash", map[string]any{"kind": "paid_out", "amount": 100}, 400, "reason_required")
	if got := strings.Join(s.drawerLog(), " "); got != "till-1/refund till-1/paid_in till-1/no_sale" {
		t.Errorf("drawer openings = %s", got)
	}

	// The cashier counts blind: neither the X report nor the close.
	s.fails(t, cashier, "GET", "/api/v1/shift/x", nil, 403, "forbidden")
	s.fails(t, cashier, "POST", "/api/v1/shift/close", map[string]int64{"counted": 0}, 403, "forbidden")
	var x pos.ShiftReport
	s.ok(t, super, "GET", "/api/v1/shift/x", nil, &x)

	var z pos.ShiftReport
	s.ok(t, super, "POST", "/api/v1/shift/close", map[string]int64{"counted": x.ExpectedCash - 100}, &z)
	var total int64
	for _, sale := range sales {
		var stored saleView
		s.ok(t, cashier, "GET", "/api/v1/sales/"+sale.ID, nil, &stored)
		total += stored.Balance.Total
	}
	total -= ret.Total
	if z.Kind != "Z" || z.ZNo != 1 || z.Total != total || z.Receipts != 3 || z.Sales != 2 || z.Returns != 1 {
		t.Errorf("Z = %+v, want total %d over 3 receipts", z, total)
	}
	var byMethod int64
	for _, m := range z.ByMethod {
		byMethod += m.Amount
	}
	if byMethod != z.Total+z.Rounding {
		t.Errorf("tenders sum to %d, Z total %d + rounding %d", byMethod, z.Total, z.Rounding)
	}
	if z.ExpectedCash != 10000+total+2000 || z.Difference != -100 || z.JournalHead == "" {
		t.Errorf("Z cash: expected %d difference %d head %q", z.ExpectedCash, z.Difference, z.JournalHead)
	}
	s.mu.Lock()
	if len(s.reports) != 1 || s.reports[0].ZNo != 1 {
		t.Errorf("reports printed: %+v", s.reports)
	}
	s.mu.Unlock()
	var stored pos.ShiftReport
	s.ok(t, super, "GET", "/api/v1/shifts/"+z.ShiftID+"/z", nil, &stored)
	if stored.Total != z.Total || stored.JournalHead != z.JournalHead {
		t.Errorf("stored Z = %+v", stored)
	}
	s.fails(t, super, "POST", "/api/v1/shift/close", map[string]int64{"counted": 0}, 409, "no_shift")

	manager := s.login(t, "3", "office")
	var check struct {
		OK       bool
		Entries  int
		Head     string
		Problems []pos.JournalProblem
	}
	s.ok(t, manager, "GET", "/api/v1/journal/verify", nil, &check)
	if !check.OK || check.Entries < 6 || len(check.Problems) != 0 {
		t.Errorf("journal check = %+v", check)
	}
}

func TestSalesReportJSONAndCSV(t *testing.T) {
	s := newStore(t)
	cashier := s.login(t, "1", "till-1")
	s.sell(t, cashier, 4500, teaCode, bottleCode, bottleCode)
	super := s.login(t, "2", "office")

	var rep struct {
		By   string
		Rows []pos.ReportRow
	}
	s.ok(t, super, "GET", "/api/v1/reports/sales?by=tender", nil, &rep)
	if rep.By != "tender" || len(rep.Rows) != 1 || rep.Rows[0].Key != "cash" || rep.Rows[0].Amount != 4500 {
		t.Fatalf("by tender = %+v", rep)
	}

	req, _ := http.NewRequest("GET", s.srv.URL+"/api/v1/reports/sales?by=item&format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+super)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv answer: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	want := "item,count,qty,amount_minor,tax_minor\n1,1,1,2500,0\n2,1,2,2000,0\n"
	if string(b) != want {
		t.Errorf("csv =\n%s\nwant\n%s", b, want)
	}
	s.fails(t, super, "GET", "/api/v1/reports/sales?by=week", nil, 400, "bad_request")
	s.fails(t, super, "GET", "/api/v1/reports/sales?from=yesterday", nil, 400, "bad_request")
	s.fails(t, super, "GET", "/api/v1/reports/sales?from=2026-11-22&to=2026-11-21", nil, 400, "bad_request")
	s.fails(t, cashier, "GET", "/api/v1/reports/sales", nil, 403, "forbidden")
}

func TestBackOfficeRolesAndMalformedBodies(t *testing.T) {
	s := newStore(t)
	cashier := s.login(t, "1", "till-1")
	sale := s.sell(t, cashier, 2500, teaCode)
	s.order(t, "W-4", pos.OrderPaid, 2500, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 1, "unit_price": 2500}]`)

	// A cashier cannot void, close a shift, verify the journal or reject an order.
	s.fails(t, cashier, "POST", "/api/v1/sales/"+sale.ID+"/void", map[string]string{"reason": "mistake"}, 403, "approval_required")
	s.fails(t, cashier, "POST", "/api/v1/shift/close", map[string]int64{"counted": 0}, 403, "forbidden")
	s.fails(t, cashier, "GET", "/api/v1/journal/verify", nil, 403, "forbidden")
	s.fails(t, cashier, "POST", "/api/v1/pickup/orders/W-4/reject", map[string]string{"reason": "none left"}, 403, "approval_required")
	s.fails(t, cashier, "POST", "/api/v1/vouchers", map[string]any{"kind": "gift_card", "amount": 500}, 403, "forbidden")
	s.fails(t, "", "GET", "/api/v1/pickup/queue", nil, 401, "not_authorized")

	// With a supervisor's approval the void goes through and the cash goes back.
	var v struct {
		ApprovedBy string `json:"approved_by"`
	}
	s.ok(t, cashier, "POST", "/api/v1/sales/"+sale.ID+"/void",
		map[string]any{"reason": "mistake", "supervisor": map[string]string{"staff": "2", "pin": "2222"}}, &v)
	if v.ApprovedBy != "2" {
		t.Errorf("void approved by %q", v.ApprovedBy)
	}
	if got := s.drawerLog(); len(got) != 1 || got[0] != "till-1/void" {
		t.Errorf("drawer openings = %v", got)
	}
	s.fails(t, cashier, "POST", "/api/v1/sales/"+sale.ID+"/void",
		map[string]any{"reason": "again", "supervisor": map[string]string{"staff": "2", "pin": "2222"}}, 409, "voided")

	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/v1/returns", `{`},
		{"POST", "/api/v1/returns", `{"reason":"x","items":[{"qty":1}],"colour":"red"}`},
		{"POST", "/api/v1/returns", `{"receipt":"R0000000001","sale_id":"x","reason":"x","items":[{"qty":1}]}`},
		{"POST", "/api/v1/returns/prepare", `{"reason":"x","items":[{"qty":"one"}]}`},
		{"POST", "/api/v1/exchanges", `{"reason":"x","items":[{"line":"1","qty":1}]}`},
		{"POST", "/api/v1/pickup/orders/W-4/ready", `{"location":"P-1","bags":1} {}`},
		{"POST", "/api/v1/pickup/orders/W-4/pick", `["7310865004703"]`},
		{"POST", "/api/v1/pickup/orders/W-4/collect", `{"lines":{"1":"all"}}`},
		{"POST", "/api/v1/pickup/open/code", `{"order_id":"W-4"}`},
		{"POST", "/api/v1/shift/open", `{"float":1.5}`},
		{"POST", "/api/v1/shift/cash", `{"kind":"borrow","amount":100,"reason":"x"}`},
		{"POST", "/api/v1/receipts/copies", `{"kind":"invoice","ref":"x"}`},
		{"POST", "/api/v1/carts/x/vouchers", `{"method":"cash","code":"1234","amount":1}`},
	} {
		s.fails(t, cashier, c.method, c.path, c.body, 400, "bad_request")
	}
	s.fails(t, cashier, "POST", "/api/v1/returns", `{"reason":"x","items":[]}`, 400, "nothing_to_return")
	s.fails(t, cashier, "POST", "/api/v1/pickup/orders/W-4/pick", strings.Repeat(" ", 70<<10), 413, "too_large")
}

func TestPickupCounterStepsThroughHTTP(t *testing.T) {
	s := newStore(t)
	two := `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 2, "unit_price": 2500},
		{"line_id": "2", "sku": "2", "name": "Bottle", "qty": 1, "unit_price": 1000}]`
	s.order(t, "W-5", pos.OrderPaid, 6000, two)
	s.orderDue(t, "W-6", pos.OrderPaid, 6000, two, "2020-11-23T20:00:00+01:00")
	s.order(t, "W-7", pos.OrderPaid, 6000, two)
	tok := s.login(t, "1", "pickup-1")
	screen, _, err := websocketDial(s, s.login(t, "1", "pickup-2"))
	if err != nil {
		t.Fatal(err)
	}
	defer screen.Close()
	var hello ui.Message
	if err := screen.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		t.Fatalf("hello = %+v, %v", hello, err)
	}

	// A customer's arrival, told by phone, reaches every pickup screen; a
	// second call is the same arrival.
	var arr struct {
		Order pickupView
		First bool
	}
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-5/arrive", map[string]string{"bay": "3", "note": "red car"}, &arr)
	if !arr.First || arr.Order.Bucket != pos.BucketArrived {
		t.Fatalf("arrival = %+v", arr)
	}
	screen.SetReadDeadline(time.Now().Add(5 * time.Second))
	var pushed struct {
		Type string
		Data struct {
			Order struct {
				ID string `json:"order_id"`
			}
			Arrival struct{ Bay string }
		}
	}
	if err := screen.ReadJSON(&pushed); err != nil || pushed.Type != "pickup" || pushed.Data.Order.ID != "W-5" || pushed.Data.Arrival.Bay != "3" {
		t.Fatalf("pushed %+v, %v", pushed, err)
	}
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-5/arrive", nil, &arr)
	if arr.First {
		t.Error("a repeated arrival counted as a new one")
	}

	// A piece scanned by mistake comes off; a missing one is short; the
	// bottle is replaced by tea.
	var v pickupView
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-5/pick", map[string]string{"code": teaCode}, nil)
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-5/unpick", map[string]any{"line_id": "1", "qty": 1}, &v)
	if v.Lines[0].Picked != 0 {
		t.Fatalf("after unpick: %+v", v.Lines)
	}
	s.fails(t, tok, "POST", "/api/v1/pickup/orders/W-5/unpick", map[string]any{"line_id": "1", "qty": 1}, 400, "bad_quantity")
	s.fails(t, tok, "POST", "/api/v1/pickup/orders/W-5/short", map[string]any{"line_id": "9", "missing": 1}, 404, "not_found")
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-5/short", map[string]any{"line_id": "1", "missing": 1}, nil)
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-5/substitute", map[string]any{"line_id": "2", "sku": "1"}, nil)
	s.fails(t, tok, "POST", "/api/v1/pickup/orders/W-5/ready", map[string]any{"location": "P-1", "bags": 1}, 409, "pick_incomplete")

	// The store gives up on it: a supervisor rejects (a cashier with a
	// supervisor's PIN: TestRejectOrderNeedsASupervisor), and the staff
	// acknowledge the notices telling what to put back.
	s.fails(t, tok, "POST", "/api/v1/pickup/orders/W-5/reject", map[string]string{"reason": "no tea"}, 403, "approval_required")
	super := s.login(t, "2", "pickup-1")
	s.fails(t, super, "POST", "/api/v1/pickup/orders/W-5/reject", map[string]string{"reason": " "}, 400, "reason_required")
	var rejected struct {
		State   string
		Notices []struct{ Text string }
	}
	s.ok(t, super, "POST", "/api/v1/pickup/orders/W-5/reject", map[string]string{"reason": "no tea"}, &rejected)
	if rejected.State != "rejected" {
		t.Fatalf("rejected = %+v", rejected)
	}
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-5/acknowledge", nil, &rejected)
	if len(rejected.Notices) != 0 {
		t.Errorf("notices after acknowledge: %+v", rejected.Notices)
	}
	s.fails(t, tok, "POST", "/api/v1/pickup/orders/W-5/start", nil, 409, "pickup_state")

	// Past collect_by: listed, then confirmed back on the shelf.
	var overdue []struct {
		Order struct {
			ID string `json:"order_id"`
		}
		Bucket string
	}
	s.ok(t, tok, "GET", "/api/v1/pickup/overdue", nil, &overdue)
	if len(overdue) != 1 || overdue[0].Order.ID != "W-6" || overdue[0].Bucket != pos.BucketOverdue {
		t.Fatalf("overdue = %+v", overdue)
	}
	s.fails(t, tok, "POST", "/api/v1/pickup/orders/W-7/expire", nil, 409, "not_overdue")
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-6/expire", nil, &v)
	if v.State != "expired" {
		t.Fatalf("expired = %+v", v)
	}
	s.fails(t, tok, "GET", "/api/v1/pickup/orders/W-404", nil, 404, "not_found")

	evs, err := s.db.EventsAfter(s.ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	want := []string{pos.EventPickupAccepted, pos.EventPickupAccepted, pos.EventPickupAccepted, pos.EventPickupRejected, pos.EventPickupExpired}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Errorf("events = %v, want %v", types, want)
	}
}

func TestTillExtrasThroughHTTP(t *testing.T) {
	s := newStore(t)
	tok := s.login(t, "1", "till-1")
	super := s.login(t, "2", "till-1")

	// Park a sale, serve someone else, resume it at another till.
	var c struct {
		ID      string
		Station string
		Lines   []struct{ ID, SKU string }
	}
	s.ok(t, tok, "GET", "/api/v1/cart", nil, &c)
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": teaCode}, nil)
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": bottleCode}, &struct{ Cart any }{})
	s.ok(t, tok, "GET", "/api/v1/carts/"+c.ID, nil, &c)
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/lines/"+c.Lines[1].ID+"/void", nil, &c)
	if len(c.Lines) != 1 || c.Lines[0].SKU != "1" {
		t.Fatalf("after the line void: %+v", c)
	}
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/park", nil, nil)
	var parked []struct{ ID string }
	s.ok(t, tok, "GET", "/api/v1/parked", nil, &parked)
	if len(parked) != 1 || parked[0].ID != c.ID {
		t.Fatalf("parked = %+v", parked)
	}
	other := s.login(t, "1", "till-2")
	s.ok(t, other, "POST", "/api/v1/carts/"+c.ID+"/resume", nil, &c)
	if c.Station != "till-2" {
		t.Fatalf("resumed at %q", c.Station)
	}

	// A loyalty customer is attached offline by their card's number; a
	// gift card pays part of it, and the customer stays.
	var attached struct {
		Cart struct {
			CustomerID string `json:"customer_id"`
		}
		Customer pos.Customer
	}
	s.ok(t, other, "POST", "/api/v1/carts/"+c.ID+"/customer/lookup", map[string]string{"query": "4000123456789"}, &attached)
	if !attached.Customer.Offline || attached.Cart.CustomerID != "4000123456789" {
		t.Fatalf("customer offline: %+v", attached)
	}
	s.fails(t, tok, "POST", "/api/v1/vouchers", map[string]any{"kind": "gift_card", "amount": 1000}, 403, "forbidden")
	var card pos.Voucher
	s.ok(t, super, "POST", "/api/v1/shift/open", map[string]int64{"float": 0}, nil) // a gift card is sold into a drawer
	s.ok(t, super, "POST", "/api/v1/vouchers", map[string]any{"kind": "gift_card", "amount": 1000, "ref": "goodwill"}, &card)
	var bal struct {
		Available int64
	}
	s.ok(t, other, "GET", "/api/v1/vouchers/"+card.Code, nil, &bal)
	if bal.Available != 1000 {
		t.Fatalf("new card: %+v", bal)
	}
	s.fails(t, other, "GET", "/api/v1/vouchers/x!", nil, 400, "bad_voucher_code")
	s.fails(t, other, "POST", "/api/v1/carts/"+c.ID+"/vouchers", map[string]any{"method": "gift_card", "code": card.Code, "amount": 1500}, 409, "voucher_balance")
	s.ok(t, other, "POST", "/api/v1/carts/"+c.ID+"/vouchers", map[string]any{"method": "gift_card", "code": card.Code, "amount": 1000}, nil)
	s.fails(t, other, "PUT", "/api/v1/carts/"+c.ID+"/customer", map[string]string{"customer_id": ""}, 409, "cart_locked")
	s.ok(t, other, "POST", "/api/v1/carts/"+c.ID+"/payments", map[string]any{"method": "cash", "amount": 1500}, nil)
	var sale saleView
	s.ok(t, other, "POST", "/api/v1/carts/"+c.ID+"/complete", nil, &sale)
	s.ok(t, other, "GET", "/api/v1/vouchers/"+card.Code, nil, &bal)
	if bal.Available != 0 {
		t.Errorf("card after the sale: %+v", bal)
	}

	// Copies are numbered.
	var cp struct{ Mark string }
	s.ok(t, other, "POST", "/api/v1/receipts/copies", map[string]string{"kind": "sale", "ref": sale.ID}, &cp)
	s.ok(t, other, "POST", "/api/v1/receipts/copies", map[string]string{"kind": "sale", "ref": sale.ID}, &cp)
	if cp.Mark != "COPY 2" {
		t.Errorf("second copy marked %q", cp.Mark)
	}

	// Lookups of other stores' sales and online orders need central.
	item := []map[string]any{{"line": "1", "qty": 1, "restock": true}}
	s.fails(t, tok, "POST", "/api/v1/returns/prepare", map[string]any{"order_id": "W-1", "reason": "x", "items": item}, 503, "offline")
	s.fails(t, tok, "POST", "/api/v1/returns", map[string]any{"sale_id": "S-1", "store": "s2", "reason": "x", "items": item}, 503, "offline")

	// An exchange: the tea goes back for a bottle, the difference in cash.
	var ex struct {
		Return returnView
		Sale   saleView
	}
	s.ok(t, tok, "GET", "/api/v1/cart", nil, &c)
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": bottleCode}, nil)
	s.ok(t, tok, "POST", "/api/v1/exchanges", map[string]any{"receipt": fmt.Sprintf("R%010d", sale.ReceiptNo),
		"reason": "wrong flavour", "items": item, "cart_id": c.ID}, &ex)
	if ex.Sale.Balance.Total != 1000 || ex.Return.Total != 2500 {
		t.Fatalf("exchange = %+v", ex)
	}
	// The sale was paid 1000 by gift card and 1500 in cash: the bottle
	// takes 1000, the card's part comes back as store credit, the rest in
	// cash from the drawer.
	got := fmt.Sprint(ex.Return.Refunds)
	if got != "[{exchange 1000} {store_credit 1000} {cash 500}]" {
		t.Errorf("exchange refunds %s", got)
	}
	if d := s.drawerLog(); len(d) != 1 || d[0] != "till-1/refund" {
		t.Errorf("drawer openings = %v", d)
	}
}

func TestShiftReadsTrainingAndVoucherLimits(t *testing.T) {
	s := newStore(t)
	cashier := s.login(t, "1", "till-1")
	super := s.login(t, "2", "office")
	manager := s.login(t, "3", "office")

	s.ok(t, cashier, "POST", "/api/v1/shift/open", map[string]int64{"float": 5000}, nil)
	s.fails(t, cashier, "GET", "/api/v1/shift?station=till-2", nil, 403, "forbidden")
	var sh pos.Shift
	s.ok(t, super, "GET", "/api/v1/shift?station=till-1", nil, &sh)
	if sh.Float != 5000 || sh.OpenedBy != "1" {
		t.Fatalf("current shift = %+v", sh)
	}
	s.fails(t, super, "GET", "/api/v1/shift", nil, 409, "no_shift") // the office has none

	// A paid sale never closes as training: only a cart opened in
	// training mode does, and that one never completes as a sale.
	var real cartView
	s.ok(t, cashier, "GET", "/api/v1/cart", nil, &real)
	s.ok(t, cashier, "POST", "/api/v1/carts/"+real.ID+"/scan", map[string]string{"code": teaCode}, nil)
	s.ok(t, cashier, "POST", "/api/v1/carts/"+real.ID+"/payments", map[string]any{"method": "cash", "amount": 2500}, nil)
	s.fails(t, cashier, "POST", "/api/v1/carts/"+real.ID+"/training", nil, 409, "not_training")
	s.ok(t, cashier, "DELETE", "/api/v1/carts/"+real.ID, nil, nil)
	s.fails(t, cashier, "POST", "/api/v1/cart", map[string]any{"training": true}, 403, "approval_required")
	var c struct {
		cartView
		Training bool `json:"training"`
	}
	s.ok(t, cashier, "POST", "/api/v1/cart", map[string]any{"training": true,
		"supervisor": map[string]string{"staff": "2", "pin": "2222"}}, &c)
	if !c.Training {
		t.Fatalf("training cart = %+v", c)
	}
	s.ok(t, cashier, "GET", "/api/v1/cart", nil, &c) // the station's cart now
	if !c.Training {
		t.Fatalf("the station's cart after opening training = %+v", c)
	}

	// A training receipt is journalled apart: no receipt number, not on the X report.
	s.ok(t, cashier, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": teaCode}, nil)
	s.fails(t, cashier, "POST", "/api/v1/carts/"+c.ID+"/training", nil, 409, "tender_short")
	s.fails(t, cashier, "POST", "/api/v1/carts/"+c.ID+"/payments", map[string]any{"method": "card", "amount": 2500}, 409, "training_tender")
	s.fails(t, cashier, "POST", "/api/v1/carts/"+c.ID+"/vouchers", map[string]any{"method": "gift_card", "code": "EXT-1", "amount": 1000}, 409, "training_tender")
	s.fails(t, cashier, "POST", "/api/v1/exchanges", map[string]any{"sale_id": "S-1", "reason": "x",
		"items": []map[string]any{{"line": "1", "qty": 1}}, "cart_id": c.ID}, 409, "training_cart")
	s.fails(t, cashier, "POST", "/api/v1/returns", map[string]any{"reason": "practice",
		"items": []map[string]any{{"sku": "1", "qty": 1}}, "supervisor": map[string]string{"staff": "2", "pin": "2222"}}, 409, "training_return")
	s.ok(t, cashier, "POST", "/api/v1/carts/"+c.ID+"/payments", map[string]any{"method": "cash", "amount": 2500}, nil)
	s.fails(t, cashier, "POST", "/api/v1/carts/"+c.ID+"/complete", nil, 409, "training_cart")
	var tr pos.TrainingReceipt
	s.ok(t, cashier, "POST", "/api/v1/carts/"+c.ID+"/training", nil, &tr)
	if tr.No != 1 || tr.Sale.ReceiptNo != 0 {
		t.Fatalf("training receipt = %+v", tr)
	}
	var x pos.ShiftReport
	s.ok(t, super, "POST", "/api/v1/shift/x/print?station=till-1", nil, &x)
	if x.Kind != "X" || x.Receipts != 0 || x.ExpectedCash != 5000 {
		t.Fatalf("X = %+v", x)
	}
	s.mu.Lock()
	if len(s.reports) != 1 || s.reports[0].Kind != "X" {
		t.Errorf("reports printed: %+v", s.reports)
	}
	s.mu.Unlock()
	var shifts []pos.Shift
	s.ok(t, super, "GET", "/api/v1/shifts?station=till-1", nil, &shifts)
	if len(shifts) != 1 || shifts[0].ID != sh.ID {
		t.Fatalf("shifts = %+v", shifts)
	}
	s.ok(t, super, "GET", "/api/v1/shifts/"+sh.ID, nil, &sh)
	s.fails(t, super, "GET", "/api/v1/shifts/"+sh.ID+"/z", nil, 404, "not_found")

	// Cards issued elsewhere are accepted offline up to the store's limit.
	limit := map[string]any{"limit": 3000}
	s.fails(t, super, "PUT", "/api/v1/vouchers/offline-limit", limit, 403, "forbidden")
	s.ok(t, manager, "PUT", "/api/v1/vouchers/offline-limit", limit, nil)
	s.ok(t, manager, "PUT", "/api/v1/vouchers/offline-limit", map[string]any{"code": "EXT-2", "limit": 500}, nil)
	s.fails(t, manager, "PUT", "/api/v1/vouchers/offline-limit", map[string]any{"limit": -1}, 400, "bad_request")
	for code, want := range map[string]int64{"EXT-1": 3000, "EXT-2": 500} {
		var v struct{ Available int64 }
		s.ok(t, cashier, "GET", "/api/v1/vouchers/"+code, nil, &v)
		if v.Available != want {
			t.Errorf("%s: %d available, want %d", code, v.Available, want)
		}
	}
}

// A sales report asked for between two RFC 3339 times is grouped by the
// hours and days of the store's time zone, whatever offset the times were
// written with: a Taipei store's sale is in Taipei's hour when the period
// is given in UTC.
func TestSalesReportTimesGroupedInStoreZone(t *testing.T) {
	taipei, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	s := newStore(t, func(o *ui.Options) { o.Zone = taipei })
	cashier := s.login(t, "1", "till-1")
	sold := s.sell(t, cashier, 2500, teaCode)
	sale, err := s.db.Sale(s.ctx, sold.ID)
	if err != nil {
		t.Fatal(err)
	}
	super := s.login(t, "2", "office")
	from := sale.CompletedAt.UTC().Add(-3 * time.Hour).Format(time.RFC3339)
	to := sale.CompletedAt.UTC().Add(3 * time.Hour).Format(time.RFC3339)
	var rep struct{ Rows []pos.ReportRow }
	s.ok(t, super, "GET", "/api/v1/reports/sales?by=hour&from="+url.QueryEscape(from)+"&to="+url.QueryEscape(to), nil, &rep)
	want := sale.CompletedAt.In(taipei).Format("2006-01-02T15")
	if len(rep.Rows) != 1 || rep.Rows[0].Key != want || rep.Rows[0].Amount != 2500 {
		t.Fatalf("by hour from %s to %s = %+v, want one row %s of 2500", from, to, rep.Rows, want)
	}
}
