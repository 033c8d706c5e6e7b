package ui_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/ui"
)

// A manager adds a cashier, who logs in; deactivated, the cashier's session
// stops working and their login is refused; reactivated with a new PIN,
// only the new PIN works. A manager never demotes or deactivates
// themselves.
func TestStaffPages(t *testing.T) {
	s := newStore(t)
	mgr := s.login(t, "3", "till-1")
	cashier := s.login(t, "1", "till-1")

	s.fails(t, cashier, "GET", "/api/v1/staff", nil, 403, "forbidden")
	s.fails(t, cashier, "POST", "/api/v1/staff", map[string]any{"id": "7", "name": "New", "role": "cashier", "pin": "7351"}, 403, "forbidden")

	var list []pos.Staff
	s.ok(t, mgr, "GET", "/api/v1/staff", nil, &list)
	if len(list) != 3 || list[0].ID != "1" || list[2].Role != pos.RoleManager {
		t.Fatalf("staff list %+v", list)
	}
	if b, _ := json.Marshal(list); strings.Contains(string(b), "pbkdf2") {
		t.Fatalf("the list shows PIN hashes: %s", b)
	}

	for _, bad := range []struct {
		body   map[string]any
		status int
		code   string
	}{
		{map[string]any{"id": "12a", "name": "X", "role": "cashier", "pin": "7351"}, 400, "invalid_staff"},
		{map[string]any{"id": "7", "name": " ", "role": "cashier", "pin": "7351"}, 400, "invalid_staff"},
		{map[string]any{"id": "7", "name": "X", "role": "cashier", "language": "de", "pin": "7351"}, 400, "invalid_staff"},
		{map[string]any{"id": "7", "name": "X", "role": "owner", "pin": "7351"}, 400, "bad_request"},
		{map[string]any{"id": "7", "name": "X", "role": "cashier", "pin": "77"}, 400, "weak_pin"},
		{map[string]any{"id": "7", "name": "X", "role": "cashier", "pin": "7777"}, 400, "guessable_pin"},
		{map[string]any{"id": "7", "name": "X", "role": "cashier", "pin": "2345"}, 400, "guessable_pin"},
		{map[string]any{"id": "7351", "name": "X", "role": "cashier", "pin": "7351"}, 400, "guessable_pin"},
		{map[string]any{"id": "1", "name": "X", "role": "cashier", "pin": "7351"}, 409, "duplicate"},
		{map[string]any{"id": "7", "name": "X", "role": "cashier", "pin": "7351", "admin": true}, 400, "bad_request"},
	} {
		s.fails(t, mgr, "POST", "/api/v1/staff", bad.body, bad.status, bad.code)
	}

	var added pos.Staff
	s.ok(t, mgr, "POST", "/api/v1/staff", map[string]any{"id": "7", "name": "Ana Pop", "role": "cashier", "language": "ro", "pin": "7351"}, &added)
	if added.ID != "7" || !added.Active || added.Language != "ro" || added.Role != pos.RoleCashier {
		t.Fatalf("added %+v", added)
	}
	var in struct{ Token string }
	s.ok(t, "", "POST", "/api/v1/login", map[string]string{"staff": "7", "pin": "7351", "station": "till-1"}, &in)
	ana := in.Token
	s.ok(t, ana, "GET", "/api/v1/me", nil, nil)

	var changed pos.Staff
	s.ok(t, mgr, "PATCH", "/api/v1/staff/7", map[string]any{"role": "supervisor", "name": "Ana Popescu"}, &changed)
	if changed.Role != pos.RoleSupervisor || changed.Name != "Ana Popescu" || changed.Language != "ro" {
		t.Fatalf("changed %+v", changed)
	}
	var me struct{ Staff pos.Staff }
	s.ok(t, ana, "GET", "/api/v1/me", nil, &me)
	if me.Staff.Role != pos.RoleSupervisor {
		t.Fatalf("the live session has role %s after the change", me.Staff.Role)
	}

	s.ok(t, mgr, "PATCH", "/api/v1/staff/7", map[string]any{"active": false}, nil)
	s.fails(t, ana, "GET", "/api/v1/me", nil, 401, "not_authorized")
	s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": "7", "pin": "7351", "station": "till-1"}, 401, "bad_pin")

	s.ok(t, mgr, "PATCH", "/api/v1/staff/7", map[string]any{"active": true}, nil)
	s.fails(t, ana, "GET", "/api/v1/me", nil, 401, "not_authorized") // reactivating revives no session
	s.fails(t, mgr, "PUT", "/api/v1/staff/7/pin", map[string]any{"pin": "12"}, 400, "weak_pin")
	s.fails(t, mgr, "PUT", "/api/v1/staff/7/pin", map[string]any{"pin": "7654"}, 400, "guessable_pin")
	s.fails(t, mgr, "PATCH", "/api/v1/staff/7", map[string]any{"pin": "7564"}, 400, "bad_request")
	s.ok(t, mgr, "PUT", "/api/v1/staff/7/pin", map[string]any{"pin": "7564"}, nil)
	s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": "7", "pin": "7351", "station": "till-1"}, 401, "bad_pin")
	s.ok(t, "", "POST", "/api/v1/login", map[string]string{"staff": "7", "pin": "7564", "station": "till-1"}, nil)
	s.fails(t, mgr, "PATCH", "/api/v1/staff/99", map[string]any{"active": false}, 404, "not_found")

	// The manager cannot demote or deactivate themselves, but may change
	// their own name and language.
	s.fails(t, mgr, "PATCH", "/api/v1/staff/3", map[string]any{"role": "supervisor"}, 409, "self_change")
	s.fails(t, mgr, "PATCH", "/api/v1/staff/3", map[string]any{"active": false}, 409, "self_change")
	s.ok(t, mgr, "PATCH", "/api/v1/staff/3", map[string]any{"language": "sv"}, nil)

	// A second manager may demote the first; the one left may not go.
	s.ok(t, mgr, "PATCH", "/api/v1/staff/2", map[string]any{"role": "manager"}, nil)
	sup := s.login(t, "2", "till-1")
	s.ok(t, sup, "PATCH", "/api/v1/staff/3", map[string]any{"role": "cashier"}, nil)
	s.fails(t, mgr, "GET", "/api/v1/staff", nil, 403, "forbidden")
	s.fails(t, sup, "PATCH", "/api/v1/staff/2", map[string]any{"active": false}, 409, "self_change")
}

// The settings page shows central's settings and the sync summary to any
// signed-in screen.
func TestSettingsPage(t *testing.T) {
	s := newStore(t)
	cashier := s.login(t, "1", "till-1")
	var got struct {
		Settings pos.Settings    `json:"settings"`
		Sync     pos.SyncSummary `json:"sync"`
	}
	s.ok(t, cashier, "GET", "/api/v1/settings", nil, &got)
	if got.Settings.Currency != "SEK" || got.Settings.CashRounding != 100 {
		t.Fatalf("settings %+v", got.Settings)
	}
	if got.Sync.Items != 2 || got.Sync.ActiveItems != 2 || got.Sync.Catalog.Manifest != 0 {
		t.Fatalf("sync summary %+v", got.Sync)
	}
}

// Browsing pages through the active catalog by SKU without a search term.
func TestBrowseCatalog(t *testing.T) {
	s := newStore(t)
	tok := s.login(t, "1", "tablet-1")
	var items []pos.Item
	s.ok(t, tok, "GET", "/api/v1/items?q=", nil, &items)
	if len(items) != 0 {
		t.Fatalf("an empty search found %d items", len(items))
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"browse=1", []string{"1", "2"}},
		{"browse=1&limit=1", []string{"1"}},
		{"browse=1&limit=1&offset=1", []string{"2"}},
		{"browse=1&offset=2", []string{}},
	} {
		s.ok(t, tok, "GET", "/api/v1/items?"+c.query, nil, &items)
		got := []string{}
		for _, it := range items {
			got = append(got, it.SKU)
		}
		if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
			t.Errorf("%s: got %v, want %v", c.query, got, c.want)
		}
	}
	for _, bad := range []string{"100000", "-5", "abc"} {
		s.fails(t, tok, "GET", "/api/v1/items?q=Tea&limit="+bad, nil, 400, "bad_request")
	}
	s.fails(t, tok, "GET", "/api/v1/items?browse=1&limit=0", nil, 400, "bad_request")
	s.fails(t, tok, "GET", "/api/v1/items?browse=1&offset=-1", nil, 400, "bad_request")
}

// A tablet's cart saved to its customer becomes one pos.cart.saved event
// with the contract's fields, in the transaction that removes the cart.
func TestSaveCartToCustomer(t *testing.T) {
	offline := true
	s := newStore(t, func(o *ui.Options) {
		o.AfterSales = pos.NewAfterSales(pos.AfterSalesOptions{Till: o.Service, Store: o.Reports.(*sqlite.DB),
			Lookup: customers{known: map[string]pos.Customer{"C-88412": {ID: "C-88412", Name: "Ana Popescu"}}, offline: &offline}})
	})
	tok := s.login(t, "1", "tablet-1")
	var c pos.CartView
	s.ok(t, tok, "GET", "/api/v1/cart", nil, &c)
	s.fails(t, tok, "POST", "/api/v1/carts/"+c.ID+"/save", nil, 409, "empty_cart")
	for _, code := range []string{teaCode, bottleCode, teaCode} {
		s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": code}, nil)
	}
	s.ok(t, tok, "PATCH", "/api/v1/carts/"+c.ID+"/lines/"+lineOf(t, s, tok, c.ID, 1), map[string]int64{"qty": 3}, nil)
	s.fails(t, tok, "POST", "/api/v1/carts/"+c.ID+"/save", nil, 409, "no_customer")
	// A customer added while central cannot be asked is the card number
	// typed: not a cart central can hand to anyone. A phone is not taken.
	var found struct {
		Customer pos.Customer `json:"customer"`
	}
	s.fails(t, tok, "POST", "/api/v1/carts/"+c.ID+"/customer/lookup", map[string]string{"query": "+46701234567"}, 503, "customer_offline")
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/customer/lookup", map[string]string{"query": "C-88412"}, &found)
	if !found.Customer.Offline {
		t.Fatalf("customer %+v, want added offline", found.Customer)
	}
	s.fails(t, tok, "POST", "/api/v1/carts/"+c.ID+"/save", nil, 409, "customer_unchecked")
	// Nor is an id put on the cart as it is, which may be a phone: no
	// event names one.
	s.ok(t, tok, "PUT", "/api/v1/carts/"+c.ID+"/customer", map[string]string{"customer_id": "+46701234567"}, nil)
	s.fails(t, tok, "POST", "/api/v1/carts/"+c.ID+"/save", nil, 409, "customer_unchecked")
	offline = false
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/customer/lookup", map[string]string{"query": "C-88412"}, nil)

	// Not with payments on it.
	var paid pos.CartView
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/payments", map[string]any{"method": "cash", "amount": 100}, &paid)
	s.fails(t, tok, "POST", "/api/v1/carts/"+c.ID+"/save", nil, 409, "cart_locked")
	s.ok(t, tok, "DELETE", "/api/v1/carts/"+c.ID+"/payments/"+paid.Payments[0].ID, nil, nil)

	before, err := s.db.EventsAfter(s.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var saved pos.SavedCart
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/save", nil, &saved)
	s.fails(t, tok, "GET", "/api/v1/carts/"+c.ID, nil, 404, "not_found")
	s.fails(t, tok, "POST", "/api/v1/carts/"+c.ID+"/save", nil, 404, "not_found")

	evs, err := s.db.EventsAfter(s.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(before)+1 {
		t.Fatalf("%d events after saving, %d before; want one more", len(evs), len(before))
	}
	ev := evs[len(evs)-1]
	if ev.Type != pos.EventCartSaved || ev.ID == "" || ev.Seq != int64(len(evs)) {
		t.Fatalf("event %+v", ev)
	}
	// The data is exactly the contract's: customer_id and lines of sku
	// and qty; the two scans of tea are one line.
	var data map[string]json.RawMessage
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatal(err)
	}
	if len(data) != 2 || string(data["customer_id"]) != `"C-88412"` {
		t.Fatalf("event data %s", ev.Data)
	}
	var lines []map[string]any
	if err := json.Unmarshal(data["lines"], &lines); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"sku": "1", "qty": float64(2)}, {"sku": "2", "qty": float64(3)}}
	if len(lines) != len(want) {
		t.Fatalf("lines %s, want %v", data["lines"], want)
	}
	for i, l := range lines {
		if len(l) != 2 || l["sku"] != want[i]["sku"] || l["qty"] != want[i]["qty"] {
			t.Errorf("line %d = %v, want %v", i, l, want[i])
		}
	}
	if saved.CustomerID != "C-88412" || len(saved.Lines) != 2 {
		t.Fatalf("answer %+v", saved)
	}

	// The tablet's next cart is a new, empty one.
	var next pos.CartView
	s.ok(t, tok, "GET", "/api/v1/cart", nil, &next)
	if next.ID == c.ID || len(next.Lines) != 0 {
		t.Fatalf("next cart %+v", next)
	}
}

// lineOf returns the id of line i (from 0) of cart id.
func lineOf(t *testing.T, s *store, tok, id string, i int) string {
	t.Helper()
	var c pos.CartView
	s.ok(t, tok, "GET", "/api/v1/carts/"+id, nil, &c)
	if i >= len(c.Lines) {
		t.Fatalf("cart has %d lines", len(c.Lines))
	}
	return c.Lines[i].ID
}

// The events central rejected are listed for a manager, newest first, with
// central's reason and the event itself; a supervisor or a cashier sees
// none of them.
func TestRejectedEventsForManager(t *testing.T) {
	s := newStore(t)
	for n := range 3 {
		if err := s.db.Update(s.ctx, func(tx *sqlite.Tx) error {
			return tx.AppendEvent(&pos.Event{Type: "pos.stock.adjusted", Time: time.Now(), Data: []byte(`{"n":` + strconv.Itoa(n) + `}`)})
		}); err != nil {
			t.Fatal(err)
		}
	}
	reasons := []pos.Rejection{{Seq: 1, Reason: "unknown sku 99"}, {Seq: 3, Reason: "store closed"}}
	if _, _, err := s.db.Ack(s.ctx, s.db.Epoch(), 3, reasons); err != nil {
		t.Fatal(err)
	}

	for _, staff := range []string{"1", "2"} {
		s.fails(t, s.login(t, staff, "till-1"), "GET", "/api/v1/sync/rejected", nil, 403, "forbidden")
	}
	mgr := s.login(t, "3", "till-1")
	for _, bad := range []string{"0", "501", "x"} {
		s.fails(t, mgr, "GET", "/api/v1/sync/rejected?limit="+bad, nil, 400, "bad_request")
	}
	var list []struct {
		Seq      int64
		ID, Type string
		Time     time.Time
		Reason   string
		Data     struct{ N int }
	}
	s.ok(t, mgr, "GET", "/api/v1/sync/rejected", nil, &list)
	if len(list) != 2 || list[0].Seq != 3 || list[0].Reason != "store closed" || list[0].Data.N != 2 ||
		list[1].Seq != 1 || list[1].Reason != "unknown sku 99" || list[1].Data.N != 0 ||
		list[1].ID == "" || list[1].Type != "pos.stock.adjusted" || list[1].Time.IsZero() {
		t.Fatalf("rejected events %+v", list)
	}
	s.ok(t, mgr, "GET", "/api/v1/sync/rejected?limit=1", nil, &list)
	if len(list) != 1 || list[0].Seq != 3 {
		t.Fatalf("limit 1: %+v", list)
	}
}

// Each change a manager makes to the staff is in the tamper-evident
// journal, with the manager who made it and the member as it left them,
// never the PIN or its hash; a change that changes nothing is not.
func TestStaffChangesJournalled(t *testing.T) {
	s := newStore(t)
	mgr := s.login(t, "3", "office")
	s.ok(t, mgr, "POST", "/api/v1/staff", map[string]any{"id": "7", "name": "Ana Pop", "role": "cashier", "pin": "7351"}, nil)
	s.ok(t, mgr, "PATCH", "/api/v1/staff/7", map[string]any{"role": "manager"}, nil)
	s.ok(t, mgr, "PATCH", "/api/v1/staff/7", map[string]any{"role": "manager"}, nil) // nothing changes
	s.ok(t, mgr, "PUT", "/api/v1/staff/7/pin", map[string]any{"pin": "7564"}, nil)
	s.ok(t, mgr, "PATCH", "/api/v1/staff/7", map[string]any{"active": false}, nil)

	entries, err := s.db.Journal(s.ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Kind != pos.JournalStaff {
			continue
		}
		if strings.Contains(string(e.Data), "pbkdf2") || strings.Contains(string(e.Data), "7654") {
			t.Errorf("entry %d holds the PIN: %s", e.N, e.Data)
		}
		var d pos.StaffJournalData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Ref+" "+d.Change+" by "+d.By+" "+d.Role.String()+" "+strconv.FormatBool(d.Active))
	}
	want := []string{"7 added by 3 cashier true", "7 changed by 3 manager true", "7 pin_reset by 3 manager true", "7 changed by 3 manager false"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("staff entries:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c, err := s.db.VerifyJournal(s.ctx)
	if err != nil || len(c.Problems) != 0 {
		t.Fatalf("verify: %+v %v", c, err)
	}
}

// A member locked out by wrong PINs shows so on the staff page, and signs
// in with the PIN a manager resets at once, at the till where they were
// typed, rather than after the lock-out of up to 15 minutes: the reset
// clears it.
func TestPINResetEndsLockOut(t *testing.T) {
	s := newStore(t)
	mgr := s.login(t, "3", "office")
	for i := 0; i < 6; i++ {
		s.call(t, "", "POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "9999", "station": "till-1"})
	}
	s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "1111", "station": "till-1"}, 429, "locked_out")
	locked := func() []string {
		var list []struct {
			ID        string
			LockedOut bool `json:"locked_out"`
		}
		s.ok(t, mgr, "GET", "/api/v1/staff", nil, &list)
		var ids []string
		for _, st := range list {
			if st.LockedOut {
				ids = append(ids, st.ID)
			}
		}
		return ids
	}
	if got := locked(); len(got) != 1 || got[0] != "1" {
		t.Fatalf("the staff page shows %v locked out, want [1]", got)
	}
	s.ok(t, mgr, "PUT", "/api/v1/staff/1/pin", map[string]any{"pin": "4719"}, nil)
	if got := locked(); len(got) != 0 {
		t.Fatalf("after the PIN reset the staff page shows %v locked out", got)
	}
	s.ok(t, "", "POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "4719", "station": "till-1"}, nil)
}

// Every manager's route is refused on the server to a cashier and to a
// supervisor, whatever the screen offers them, and changes nothing.
func TestManagerRoutesRefusedBelowManager(t *testing.T) {
	s := newStore(t)
	routes := []struct{ method, path, body string }{
		{"GET", "/api/v1/staff", ""},
		{"POST", "/api/v1/staff", `{"id":"7","name":"New","role":"manager","pin":"7351"}`},
		{"PATCH", "/api/v1/staff/1", `{"role":"manager"}`},
		{"PUT", "/api/v1/staff/1/pin", `{"pin":"7351"}`},
		{"GET", "/api/v1/sync/rejected", ""},
		{"GET", "/api/v1/journal/verify", ""},
	}
	for _, who := range []string{"1", "2"} {
		tok := s.login(t, who, "till-1")
		for _, r := range routes {
			var body any
			if r.body != "" {
				body = r.body
			}
			s.fails(t, tok, r.method, r.path, body, 403, "forbidden")
		}
	}
	st, err := s.db.Staff(s.ctx, "1")
	if err != nil || st.Role != pos.RoleCashier || !pos.CheckPIN(st.PINHash, "1111") {
		t.Fatalf("staff 1 after refused changes: %+v %v", st, err)
	}
	if _, err := s.db.Staff(s.ctx, "7"); err == nil {
		t.Fatal("a refused request added staff 7")
	}
}
