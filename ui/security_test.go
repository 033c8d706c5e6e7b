package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
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
