package ui_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/ui"
)

// TestLoginLockoutSurvivesOwnLogins alternates wrong PINs against other
// staff numbers with good logins of the caller's own: the client's
// failures still add up to a lock-out.
func TestLoginLockoutSurvivesOwnLogins(t *testing.T) {
	s := newStore(t)
	guess := func(staff string) map[string]string {
		return map[string]string{"staff": staff, "pin": "0000", "station": "till-1"}
	}
	for i := range 4 {
		s.fails(t, "", "POST", "/api/v1/login", guess([]string{"2", "3"}[i%2]), 401, "bad_pin")
		s.login(t, "1", "till-1")
	}
	s.fails(t, "", "POST", "/api/v1/login", guess("2"), 401, "bad_pin")
	s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "1111", "station": "till-1"}, 429, "locked_out")
}

// TestCartsAreUsedFromTheirOwnStation has a cashier at another till try
// every kind of step on a till's open cart: each is refused, while the
// cart's own till, a supervisor, and a resume of a parked cart still work.
func TestCartsAreUsedFromTheirOwnStation(t *testing.T) {
	s := newStore(t)
	till1 := s.login(t, "1", "till-1")
	till2 := s.login(t, "1", "till-2")
	super := s.login(t, "2", "office")
	var c cartView
	s.ok(t, till1, "GET", "/api/v1/cart", nil, &c)
	s.ok(t, till1, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": teaCode}, nil)
	cart := "/api/v1/carts/" + c.ID
	for _, step := range []struct {
		method, path string
		body         any
	}{
		{"GET", cart, nil},
		{"POST", cart + "/scan", map[string]string{"code": teaCode}},
		{"POST", cart + "/items", map[string]any{"sku": "1", "qty": 1}},
		{"PUT", cart + "/customer", map[string]string{"customer_id": "C-1"}},
		{"POST", cart + "/payments", map[string]any{"method": "cash", "amount": 2500}},
		{"POST", cart + "/complete", nil},
		{"POST", cart + "/park", nil},
		{"POST", cart + "/training", nil},
		{"POST", cart + "/save", nil},
		{"DELETE", cart, nil},
		{"POST", "/api/v1/exchanges", map[string]any{"receipt": "R0000000001", "items": []map[string]any{{"sku": "1", "qty": 1}}, "cart_id": c.ID}},
		{"POST", "/api/v1/pickup/complete", map[string]string{"cart_id": c.ID}},
	} {
		s.fails(t, till2, step.method, step.path, step.body, 403, "forbidden")
	}
	s.ok(t, super, "GET", cart, nil, nil)
	s.ok(t, till1, "POST", cart+"/park", nil, nil)
	var resumed cartView
	s.ok(t, till2, "POST", cart+"/resume", nil, &resumed)
	s.ok(t, till2, "POST", cart+"/payments", map[string]any{"method": "cash", "amount": 2500}, nil)
	s.fails(t, till1, "POST", cart+"/complete", nil, 403, "forbidden")
	s.ok(t, till2, "POST", cart+"/complete", nil, nil)
}

// TestWatchNeedsTheStation lets a screen follow another station's changes
// only at that station or as a supervisor.
func TestWatchNeedsTheStation(t *testing.T) {
	s := newStore(t)
	for _, c := range []struct {
		staff, station, watch string
		ok                    bool
	}{
		{"1", "till-2", "till-1", false},
		{"1", "till-1", "till-1", true},
		{"1", "till-1", "", true},
		{"2", "office", "till-1", true},
	} {
		tok := s.login(t, c.staff, c.station)
		h := http.Header{"Authorization": {"Bearer " + tok}}
		ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.srv.URL, "http")+"/ws?watch="+c.watch, h)
		if c.ok != (err == nil) {
			t.Errorf("%s at %s watching %q: %v", c.staff, c.station, c.watch, err)
		}
		if err == nil {
			ws.Close()
		} else if resp != nil && resp.StatusCode != 403 {
			t.Errorf("%s at %s watching %q: status %d", c.staff, c.station, c.watch, resp.StatusCode)
		}
	}
}

// waitClosed reads ws until it fails, which it must within a few seconds:
// the node closed it.
func waitClosed(t *testing.T, ws *websocket.Conn, what string) {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("%s: the socket did not close: %v", what, err)
			}
			return
		}
	}
}

// TestWebsocketEndsWithItsSession closes a screen's socket when its
// session logs out, leaving the other sessions' sockets open.
func TestWebsocketEndsWithItsSession(t *testing.T) {
	s := newStore(t)
	tok := s.login(t, "1", "till-1")
	other := s.login(t, "1", "till-2")
	ws, _, err := websocketDial(s, tok)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	stays, _, err := websocketDial(s, other)
	if err != nil {
		t.Fatal(err)
	}
	defer stays.Close()
	s.ok(t, tok, "POST", "/api/v1/logout", nil, nil)
	waitClosed(t, ws, "after logout")
	if n := s.server.Hub().Clients(); n != 1 {
		t.Fatalf("%d clients after one logout, want 1", n)
	}
}

// TestWebsocketEndsWhenTheSessionExpires gives sessions a second: the
// socket opened with one closes when it ends.
func TestWebsocketEndsWhenTheSessionExpires(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h, _ := pos.HashPIN("1111")
	if err := db.PutStaff(ctx, pos.Staff{ID: "1", Name: "A", Role: pos.RoleCashier, PINHash: h, Active: true}); err != nil {
		t.Fatal(err)
	}
	srv := ui.NewServer(ui.Options{Service: pos.NewService(pos.Options{Store: db}), Store: db, Sessions: db, SessionTTL: time.Second})
	s := &store{srv: httptest.NewServer(srv), server: srv}
	t.Cleanup(func() { srv.Shutdown(); s.srv.Close() })
	ws, _, err := websocketDial(s, s.login(t, "1", "till-1"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	waitClosed(t, ws, "after the session's end")
}

// TestPINResetEndsSessions resets a cashier's PIN: the sessions and
// sockets opened with the old one end, and the new PIN logs in.
func TestPINResetEndsSessions(t *testing.T) {
	s := newStore(t)
	mgr := s.login(t, "3", "office")
	old := s.login(t, "1", "till-1")
	ws, _, err := websocketDial(s, old)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	s.ok(t, mgr, "PUT", "/api/v1/staff/1/pin", map[string]any{"pin": "4719"}, nil)
	s.fails(t, old, "GET", "/api/v1/me", nil, 401, "not_authorized")
	waitClosed(t, ws, "after the PIN reset")
	s.ok(t, "", "POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "4719", "station": "till-1"}, nil)
	s.ok(t, mgr, "GET", "/api/v1/me", nil, nil)
}

// TestIDCheckPINsShareTheLoginLockout guesses a supervisor's PIN in
// pickup ID checks: the guesses lock the supervisor's login like wrong
// logins do, and the counter's own station too.
func TestIDCheckPINsShareTheLoginLockout(t *testing.T) {
	s := newStore(t)
	s.order(t, "W/9", pos.OrderPaid, 2500, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 1, "unit_price": 2500}]`)
	tok := s.login(t, "1", "pickup-1")
	check := func(pin string) map[string]any {
		return map[string]any{"order_id": "W/9", "supervisor": map[string]string{"staff": "2", "pin": pin}}
	}
	for range 5 {
		s.fails(t, tok, "POST", "/api/v1/pickup/open/id-check", check("0000"), 401, "bad_pin")
	}
	s.fails(t, tok, "POST", "/api/v1/pickup/open/id-check", check("2222"), 429, "locked_out")
	s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": "2", "pin": "2222", "station": "office"}, 429, "locked_out")
}

// TestApprovalsShareTheAddressLockout guesses staff numbers and PINs
// at the login from one address until it is locked out: a supervisor's
// approval asked from that address, at any station, is refused as a login
// is, and wrong approvals count against the address as wrong logins do.
func TestApprovalsShareTheAddressLockout(t *testing.T) {
	s := newStore(t)
	s.order(t, "W/9", pos.OrderPaid, 2500, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 1, "unit_price": 2500}]`)
	counter := s.login(t, "1", "pickup-1")
	check := func(pin string) map[string]any {
		return map[string]any{"order_id": "W/9", "supervisor": map[string]string{"staff": "2", "pin": pin}}
	}
	for _, staff := range []string{"7", "8", "9", "7", "8"} {
		s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": staff, "pin": "0000", "station": "till-1"}, 401, "bad_pin")
	}
	s.fails(t, counter, "POST", "/api/v1/pickup/open/id-check", check("2222"), 429, "locked_out")

	s = newStore(t)
	s.order(t, "W/9", pos.OrderPaid, 2500, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 1, "unit_price": 2500}]`)
	for i, station := range []string{"pickup-1", "pickup-2", "till-1", "till-2", "till-3"} {
		tok := s.login(t, "1", station)
		check := map[string]any{"order_id": "W/9", "supervisor": map[string]string{"staff": strconv.Itoa(7 + i%3), "pin": "0000"}}
		s.fails(t, tok, "POST", "/api/v1/pickup/open/id-check", check, 401, "bad_pin")
	}
	s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": "9", "pin": "0000", "station": "till-1"}, 429, "locked_out")
}

// send makes a request with the given headers and returns its status and
// error code.
func send(t *testing.T, s *store, method, path, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Error ui.APIError }
	_ = json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Error.Code
}

// TestChangesNeedJSONFromTheNodesOwnPages sends what a page of another
// site can send without asking first: bodies that are not JSON, and
// requests a browser marks as coming from elsewhere. Each is refused; the
// node's own pages and clients that are not browsers go on working.
func TestChangesNeedJSONFromTheNodesOwnPages(t *testing.T) {
	s := newStore(t)
	login := `{"staff": "1", "pin": "1111", "station": "till-1"}`
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		if st, code := send(t, s, "POST", "/api/v1/login", login, map[string]string{"Content-Type": ct}); st != 415 || code != "unsupported_media_type" {
			t.Errorf("login as %q: %d %s", ct, st, code)
		}
		if st, code := send(t, s, "POST", "/api/v1/pair", `{"name": "x"}`, map[string]string{"Content-Type": ct}); st != 415 || code != "unsupported_media_type" {
			t.Errorf("pairing as %q: %d %s", ct, st, code)
		}
	}
	tok := s.login(t, "1", "till-1")
	cookie := map[string]string{"Cookie": "posnode_session=" + tok, "Content-Type": "application/json"}
	with := func(k, v string) map[string]string {
		h := map[string]string{k: v}
		for k, v := range cookie {
			h[k] = v
		}
		return h
	}
	for _, h := range []map[string]string{
		with("Origin", "http://shop.example"),
		with("Sec-Fetch-Site", "same-site"),
		with("Sec-Fetch-Site", "cross-site"),
	} {
		if st, code := send(t, s, "POST", "/api/v1/shift/open", `{"float": 100}`, h); st != 403 || code != "forbidden" {
			t.Errorf("with %v: %d %s", h, st, code)
		}
	}
	own := with("Origin", s.srv.URL)
	own["Sec-Fetch-Site"] = "same-origin"
	if st, code := send(t, s, "POST", "/api/v1/shift/open", `{"float": 100}`, own); st != 200 {
		t.Errorf("from the node's own page: %d %s", st, code)
	}
	var c cartView
	s.ok(t, tok, "GET", "/api/v1/cart", nil, &c)
	if st, code := send(t, s, "DELETE", "/api/v1/carts/"+c.ID, "", map[string]string{"Authorization": "Bearer " + tok}); st != 200 {
		t.Errorf("a request without a body: %d %s", st, code)
	}
}

// TestErrorMessagesKeepInternalsIn checks that a malformed body is
// answered in words naming the field, and an error the API has no code
// for with a generic message only.
func TestErrorMessagesKeepInternalsIn(t *testing.T) {
	s := newStore(t)
	for _, c := range []struct{ body, want string }{
		{`{"staff": 1, "pin": "1111"}`, `field "staff" must be a string, not a number`},
		{`{"staff": "1", "pin": "1111", "station": "till-1", "admin": true}`, `unknown field "admin"`},
		{`{"staff": "1",`, "the body ends in the middle of the JSON"},
		{`["1"]`, "the body must be an object, not an array"},
		{``, "the body is empty"},
		{`null`, "the body must be a JSON object"},
		{`{"staff": "1", "pin": "1111", "station": "till-1"}}`, "trailing data"},
		{`{"staff": "1", "pin": "1111", "station": "till-1"}]`, "trailing data"},
		{`{"staff": "1", "pin": "1111", "station": "till-1"} {}`, "trailing data"},
	} {
		st, b := s.call(t, "", "POST", "/api/v1/login", c.body)
		var e struct{ Error ui.APIError }
		_ = json.Unmarshal(b, &e)
		if st != 400 || e.Error.Code != "bad_request" || !strings.Contains(e.Error.Message, c.want) ||
			strings.Contains(e.Error.Message, "Go ") || strings.Contains(e.Error.Message, "json:") {
			t.Errorf("login with %s: %d %+v, want a message with %q", c.body, st, e.Error, c.want)
		}
	}
	e, st := s.server.Classify(fmt.Errorf("read staff: %w", errors.New("sqlite: database disk image is malformed (/var/lib/posnode/pos.db)")))
	if st != 500 || e.Code != "internal" || strings.Contains(e.Message, "sqlite") || strings.Contains(e.Message, "/var/lib") {
		t.Errorf("internal error answered as %d %+v", st, e)
	}
}

// TestPairingCannotBeBlocked has ten addresses ask for pairing as often
// as the rate limit lets them: nobody is refused for a full queue, each
// address keeps at most three codes waiting and the store at most twenty,
// the oldest withdrawn first, and a device that asks last is still paired.
func TestPairingCannotBeBlocked(t *testing.T) {
	s := newStore(t)
	type asked struct{ id, secret, client string }
	pair := func(client string) asked {
		req := httptest.NewRequest("POST", "/api/v1/pair", strings.NewReader(`{"name": "Tablet"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = client + ":40000"
		rec := httptest.NewRecorder()
		s.server.ServeHTTP(rec, req)
		var m struct {
			DeviceID string `json:"device_id"`
			Secret   string `json:"secret"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &m)
		if rec.Code != 200 {
			t.Fatalf("pairing from %s: %d %s", client, rec.Code, rec.Body)
		}
		return asked{m.DeviceID, m.Secret, client}
	}
	var all []asked
	for i := range 10 {
		for range 5 {
			all = append(all, pair(fmt.Sprintf("10.0.0.%d", i+1)))
		}
	}
	last := pair("10.0.1.1")
	all = append(all, last)

	state := func(a asked) string {
		st, b := s.call(t, "", "POST", "/api/v1/pair/"+a.id+"/poll", map[string]string{"secret": a.secret})
		var m struct{ State string }
		_ = json.Unmarshal(b, &m)
		if st == 404 {
			return "withdrawn"
		}
		return m.State
	}
	perClient := map[string]int{}
	waiting := 0
	for _, a := range all {
		if state(a) == "pending" {
			perClient[a.client]++
			waiting++
		}
	}
	if waiting != 20 {
		t.Errorf("%d pairings waiting, want 20", waiting)
	}
	for c, n := range perClient {
		if n > 3 {
			t.Errorf("%s has %d pairings waiting", c, n)
		}
	}
	if state(last) != "pending" || state(all[0]) != "withdrawn" {
		t.Errorf("the newest pairing %s, the oldest %s", state(last), state(all[0]))
	}
}

// TestUnknownRoutesAnswerJSON checks that a path without a route, and a
// route asked with the wrong method, answer in the API's error shape.
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	s := newStore(t)
	tok := s.login(t, "1", "till-1")
	s.fails(t, tok, "GET", "/api/v1/nothing-here", nil, 404, "not_found")
	s.fails(t, "", "POST", "/api/v1/nothing/here", map[string]any{}, 404, "not_found")
	s.fails(t, tok, "POST", "/api/v1/me", map[string]any{}, 405, "method_not_allowed")
	s.fails(t, "", "DELETE", "/api/v1/login", nil, 405, "method_not_allowed")
	s.ok(t, tok, "GET", "/api/v1/me", nil, nil)
}
