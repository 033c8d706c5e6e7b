package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/pos"
)

// A paired device acts with no PIN, for whoever holds it: it is never a
// manager, who would add staff with PINs of their choosing (signed in
// still after the device is revoked), reset PINs and pair more devices.
// A manager's approval as a manager is refused, and a device approved as
// one by an earlier version acts as a supervisor.
func TestDeviceIsNeverAManager(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h, _ := pos.HashPIN("3333")
	if err := f.db.PutStaff(ctx, pos.Staff{ID: "3", Name: "M", Role: pos.RoleManager, PINHash: h, Active: true}); err != nil {
		t.Fatal(err)
	}
	url := f.srv.URL
	_, lm, _ := call(t, url, "", "POST", "/api/v1/login", map[string]string{"staff": "3", "pin": "3333", "station": "till-1"})
	manager, _ := lm["token"].(string)
	pair := func() (id, code, secret string) {
		_, p, _ := call(t, url, "", "POST", "/api/v1/pair", map[string]string{"name": "Tablet"})
		return p["device_id"].(string), p["code"].(string), p["secret"].(string)
	}

	id, code, _ := pair()
	if st, m, _ := call(t, url, manager, "POST", "/api/v1/devices/"+id+"/approve", map[string]string{"code": code, "role": "manager", "station": "tablet"}); st != http.StatusForbidden {
		t.Fatalf("a device approved as a manager: %d %v", st, m)
	}

	id, code, secret := pair()
	if _, err := f.db.ApproveDevice(ctx, id, code, pos.RoleManager, "tablet", "3"); err != nil {
		t.Fatal(err)
	}
	_, m, _ := call(t, url, "", "POST", "/api/v1/pair/"+id+"/poll", map[string]string{"secret": secret})
	token, _ := m["token"].(string)
	if st, m, _ := call(t, url, token, "GET", "/api/v1/me", nil); st != http.StatusOK || m["staff"].(map[string]any)["role"] != "supervisor" {
		t.Fatalf("me as a device approved as a manager: %d %v", st, m)
	}
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/staff"},
		{"POST", "/api/v1/staff"},
		{"PUT", "/api/v1/staff/3/pin"},
		{"GET", "/api/v1/devices"},
		{"DELETE", "/api/v1/devices/" + id},
	} {
		if st, m, _ := call(t, url, token, r.method, r.path, map[string]any{}); st != http.StatusForbidden {
			t.Errorf("%s %s as a device approved as a manager: %d %v", r.method, r.path, st, m)
		}
	}
}

// A device stays at its own station's carts, whatever its role: a tablet
// paired as a supervisor (for stock counts) does not read or change a
// till's sale, which supervisors signed in with their PIN may.
func TestDeviceKeepsToItsStationsCarts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h, _ := pos.HashPIN("3333")
	if err := f.db.PutStaff(ctx, pos.Staff{ID: "3", Name: "M", Role: pos.RoleManager, PINHash: h, Active: true}); err != nil {
		t.Fatal(err)
	}
	url := f.srv.URL
	till := f.login(t, "till-1")
	cart := f.do(t, till, "GET", "/api/v1/cart", nil)
	id, _ := cart["id"].(string)
	_, lm, _ := call(t, url, "", "POST", "/api/v1/login", map[string]string{"staff": "3", "pin": "3333", "station": "till-1"})
	manager, _ := lm["token"].(string)
	_, p, _ := call(t, url, "", "POST", "/api/v1/pair", map[string]string{"name": "Tablet"})
	dev := p["device_id"].(string)
	if st, m, _ := call(t, url, manager, "POST", "/api/v1/devices/"+dev+"/approve", map[string]string{"code": p["code"].(string), "role": "supervisor", "station": "tablet"}); st != http.StatusOK {
		t.Fatalf("approve: %d %v", st, m)
	}
	_, m, _ := call(t, url, "", "POST", "/api/v1/pair/"+dev+"/poll", map[string]string{"secret": p["secret"].(string)})
	tablet, _ := m["token"].(string)
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/carts/" + id, nil},
		{"POST", "/api/v1/carts/" + id + "/items", map[string]any{"sku": "1", "qty": 1}},
		{"PUT", "/api/v1/carts/" + id + "/discount", map[string]any{"discount": map[string]any{"percent_bp": 5000}}},
		{"DELETE", "/api/v1/carts/" + id, nil},
	} {
		if st, m, _ := call(t, url, tablet, r.method, r.path, r.body); st != http.StatusForbidden {
			t.Errorf("%s %s of the till's cart from a supervisor's tablet: %d %v", r.method, r.path, st, m)
		}
	}
	if st, m, _ := call(t, url, manager, "GET", "/api/v1/carts/"+id, nil); st != http.StatusOK || len(m["lines"].([]any)) != 0 {
		t.Errorf("the till's cart to a manager signed in elsewhere: %d %v", st, m)
	}
}

// A device, whatever its role, keeps to its own station's shift: a tablet
// paired as a supervisor neither reads another till's X report nor closes
// its shift (printing its Z report), as a supervisor signed in may, nor
// follows the till's sales on its websocket.
func TestDeviceKeepsToItsStationsShift(t *testing.T) {
	s := newStore(t)
	till := s.login(t, "1", "till-1")
	manager := s.login(t, "3", "till-1")
	s.ok(t, till, "POST", "/api/v1/shift/open", map[string]any{"float": 10000}, nil)
	paired := struct{ Token string }{s.pairSupervisorTablet(t, manager)}
	s.fails(t, paired.Token, "GET", "/api/v1/shift/x?station=till-1", nil, 403, "forbidden")
	s.fails(t, paired.Token, "POST", "/api/v1/shift/close?station=till-1", map[string]any{"counted": 0}, 403, "forbidden")
	s.ok(t, manager, "GET", "/api/v1/shift/x?station=till-1", nil, nil) // open still
	ws := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws?watch=till-1"
	if c, resp, err := websocket.DefaultDialer.Dial(ws, http.Header{"Authorization": {"Bearer " + paired.Token}}); err == nil {
		c.Close()
		t.Errorf("the tablet follows the till's sales: %s", resp.Status)
	}
}

// At its own station a tablet paired as a supervisor does what the
// shift routes allow a supervisor: it reads and prints the X report and
// closes the shift, though the domain refuses both to a cashier.
func TestSupervisorTabletClosesItsOwnShift(t *testing.T) {
	s := newStore(t)
	tablet := s.pairSupervisorTablet(t, s.login(t, "3", "till-1"))
	s.ok(t, tablet, "POST", "/api/v1/shift/open", map[string]any{"float": 10000}, nil)
	s.ok(t, tablet, "GET", "/api/v1/shift/x", nil, nil)
	s.ok(t, tablet, "POST", "/api/v1/shift/x/print", nil, nil)
	var z struct {
		Kind    string `json:"kind"`
		Station string `json:"station"`
	}
	s.ok(t, tablet, "POST", "/api/v1/shift/close", map[string]any{"counted": 10000}, &z)
	if z.Kind != "Z" || z.Station != "tablet" {
		t.Fatalf("Z report %+v, want the tablet's", z)
	}
}

// A device's reports are those of its own station: it lists no other
// station's shifts and reads no other station's Z report, nor the store's
// sales, which a supervisor signed in with a PIN reads from anywhere; and
// it voids no other station's sale, which a cashier there does with a
// supervisor's approval.
func TestDeviceKeepsToItsStationsReports(t *testing.T) {
	s := newStore(t)
	till := s.login(t, "1", "till-1")
	manager := s.login(t, "3", "office")
	tablet := s.pairSupervisorTablet(t, manager)
	s.ok(t, till, "POST", "/api/v1/shift/open", map[string]any{"float": 10000}, nil)
	sale := s.sell(t, till, 2500, teaCode)
	approved := map[string]any{"reason": "mistake", "supervisor": map[string]string{"staff": "2", "pin": "2222"}}
	s.fails(t, tablet, "POST", "/api/v1/sales/"+sale.ID+"/void", approved, 403, "forbidden")
	s.fails(t, s.login(t, "1", "till-2"), "POST", "/api/v1/sales/"+sale.ID+"/void", approved, 403, "forbidden")
	if got := s.drawerLog(); len(got) != 0 {
		t.Errorf("drawer openings = %v", got)
	}
	s.ok(t, till, "POST", "/api/v1/sales/"+sale.ID+"/void", approved, nil)
	var z struct {
		ShiftID string `json:"shift_id"`
	}
	s.ok(t, manager, "POST", "/api/v1/shift/close?station=till-1", map[string]any{"counted": 10000}, &z)
	if z.ShiftID == "" {
		t.Fatal("no shift closed")
	}
	for _, path := range []string{
		"/api/v1/shifts?station=till-1",
		"/api/v1/shifts/" + z.ShiftID,
		"/api/v1/shifts/" + z.ShiftID + "/z",
		"/api/v1/reports/sales",
	} {
		s.fails(t, tablet, "GET", path, nil, 403, "forbidden")
		s.ok(t, manager, "GET", path, nil, nil)
	}
	var own []struct{ Station string }
	s.ok(t, tablet, "GET", "/api/v1/shifts", nil, &own)
	for _, sh := range own {
		if sh.Station != "tablet" {
			t.Errorf("the tablet lists a shift of %s", sh.Station)
		}
	}
	s.fails(t, manager, "POST", "/api/v1/reports/sales/print", nil, 404, "not_found")
	s.fails(t, tablet, "POST", "/api/v1/reports/sales/print", nil, 403, "forbidden")

}

// pairSupervisorTablet pairs a device as a supervisor at the tablet
// station, approved by manager, and returns its token.
func (s *store) pairSupervisorTablet(t *testing.T, manager string) string {
	t.Helper()
	var p struct {
		DeviceID string `json:"device_id"`
		Code     string
		Secret   string
	}
	s.ok(t, "", "POST", "/api/v1/pair", map[string]string{"name": "Tablet"}, &p)
	s.ok(t, manager, "POST", "/api/v1/devices/"+p.DeviceID+"/approve", map[string]string{"code": p.Code, "role": "supervisor", "station": "tablet"}, nil)
	var paired struct{ Token string }
	s.ok(t, "", "POST", "/api/v1/pair/"+p.DeviceID+"/poll", map[string]string{"secret": p.Secret}, &paired)
	return paired.Token
}

// What a supervisor's PIN approves, and what only a supervisor may do
// with money, is not done by a device paired as a supervisor, which has
// no PIN and whoever holds it: a discount past a cashier's limit asks for
// a supervisor's approval, and store credit is not issued. Counting stock,
// which it was paired for, it still does.
func TestDeviceApprovesNothing(t *testing.T) {
	s := newStore(t)
	tablet := s.pairSupervisorTablet(t, s.login(t, "3", "till-1"))
	var cart struct{ ID string }
	s.ok(t, tablet, "GET", "/api/v1/cart", nil, &cart)
	s.ok(t, tablet, "POST", "/api/v1/carts/"+cart.ID+"/scan", map[string]string{"code": teaCode}, nil)
	s.fails(t, tablet, "PUT", "/api/v1/carts/"+cart.ID+"/discount", map[string]any{"discount": map[string]any{"percent_bp": 9000, "reason": "friend"}}, 403, "approval_required")
	s.fails(t, tablet, "POST", "/api/v1/vouchers", map[string]any{"kind": "store_credit", "amount": 100000, "ref": "x"}, 403, "forbidden")
	s.ok(t, tablet, "POST", "/api/v1/stock/1/adjustments", map[string]any{"reason": "count", "counted": 7}, nil)
}

// Rejecting a click-and-collect order ends it for the customer: a device
// paired as a supervisor does it with a supervisor's PIN, as a cashier
// does, and a member signed in as a supervisor without one.
func TestRejectOrderNeedsASupervisor(t *testing.T) {
	s := newStore(t)
	tablet := s.pairSupervisorTablet(t, s.login(t, "3", "till-1"))
	cashier := s.login(t, "1", "pickup-1")
	for _, id := range []string{"W-6", "W-7", "W-8"} {
		s.order(t, id, pos.OrderPaid, 2500, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 1, "unit_price": 2500}]`)
	}
	reject := func(sup map[string]string) map[string]any {
		body := map[string]any{"reason": "no tea"}
		if sup != nil {
			body["supervisor"] = sup
		}
		return body
	}
	var v struct{ State string }
	for _, who := range []string{tablet, cashier} {
		s.fails(t, who, "POST", "/api/v1/pickup/orders/W-6/reject", reject(nil), 403, "approval_required")
		s.fails(t, who, "POST", "/api/v1/pickup/orders/W-6/reject", reject(map[string]string{"staff": "1", "pin": "1111"}), 403, "approval_required")
		s.fails(t, who, "POST", "/api/v1/pickup/orders/W-6/reject", reject(map[string]string{"staff": "2", "pin": "9999"}), 401, "bad_pin")
	}
	s.ok(t, cashier, "GET", "/api/v1/pickup/orders/W-6", nil, &v)
	if v.State == "rejected" {
		t.Fatal("an order rejected with no supervisor's approval")
	}
	s.ok(t, tablet, "POST", "/api/v1/pickup/orders/W-6/reject", reject(map[string]string{"staff": "2", "pin": "2222"}), &v)
	s.ok(t, cashier, "POST", "/api/v1/pickup/orders/W-7/reject", reject(map[string]string{"staff": "2", "pin": "2222"}), &v)
	s.ok(t, s.login(t, "2", "pickup-1"), "POST", "/api/v1/pickup/orders/W-8/reject", reject(nil), &v)
	for _, id := range []string{"W-6", "W-7", "W-8"} {
		if s.ok(t, cashier, "GET", "/api/v1/pickup/orders/"+id, nil, &v); v.State != "rejected" {
			t.Errorf("%s is %s, want rejected", id, v.State)
		}
	}
}

// No manager route opens to a device, whatever it was approved as.
func TestNoManagerRouteOpensToADevice(t *testing.T) {
	s := newStore(t)
	tablet := s.pairSupervisorTablet(t, s.login(t, "3", "till-1"))
	n := 0
	for _, r := range s.server.Routes() {
		if r.Role < pos.RoleManager {
			continue
		}
		n++
		method, path, _ := strings.Cut(r.Pattern, " ")
		path = strings.NewReplacer("{id}", "x", "{code}", "x").Replace(path)
		if st, b := s.call(t, tablet, method, path, map[string]any{}); st != http.StatusForbidden {
			t.Errorf("%s as a supervisor's tablet: %d %s", r.Pattern, st, b)
		}
	}
	if n < 8 {
		t.Fatalf("only %d manager routes", n)
	}
}

// A supervisor's approval is recorded for what was done: rejecting an
// order that does not exist, or opening one with an ID check that is not
// ready, leaves no approval on record, and the reject that goes through
// leaves one.
func TestApprovalRecordedOnlyForWhatWasDone(t *testing.T) {
	s := newStore(t)
	s.order(t, "W-5", pos.OrderPaid, 2500, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 1, "unit_price": 2500}]`)
	cashier := s.login(t, "1", "pickup-1")
	sup := map[string]string{"staff": "2", "pin": "2222"}
	approvals := func() (n int) {
		if err := s.db.Read().QueryRow("SELECT count(*) FROM approvals").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	s.fails(t, cashier, "POST", "/api/v1/pickup/orders/NOPE-1/reject", map[string]any{"reason": "none left", "supervisor": sup}, 404, "not_found")
	s.fails(t, cashier, "POST", "/api/v1/pickup/open/id-check", map[string]any{"order_id": "NOPE-1", "supervisor": sup}, 404, "not_found")
	s.fails(t, cashier, "POST", "/api/v1/pickup/open/id-check", map[string]any{"order_id": "W-5", "supervisor": sup}, 409, "pickup_state")
	if n := approvals(); n != 0 {
		t.Errorf("%d approvals recorded for nothing done", n)
	}
	s.ok(t, cashier, "POST", "/api/v1/pickup/orders/W-5/reject", map[string]any{"reason": "none left", "supervisor": sup}, nil)
	if n := approvals(); n != 1 {
		t.Errorf("%d approvals recorded for one reject", n)
	}
}
