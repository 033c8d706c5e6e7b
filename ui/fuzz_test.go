package ui_test

import (
	"strings"
	"testing"
)

// FuzzAPIBodies sends arbitrary bodies to the routes that take input from
// screens. Whatever arrives, the answer is a clear 4xx or a success, never
// an internal error or a crash.
func FuzzAPIBodies(f *testing.F) {
	for _, seed := range []struct{ route, body string }{
		{"scan", `{"code": "7310865004703"}`},
		{"scan", `{"code": "PICKUP:W-1:123"}`},
		{"items", `{"sku": "1", "qty": 3}`},
		{"pay", `{"method": "cash", "amount": 10000}`},
		{"pay", `{"method": "card", "amount": -1}`},
		{"discount", `{"discount": {"percent_bp": 99999, "reason": "x"}}`},
		{"return", `{"receipt": "R0000000001", "items": [{"line": "1", "qty": 1}], "reason": "x"}`},
		{"pick", `{"code": "7310865004703"}`},
		{"shift", `{"kind": "paid_in", "amount": 100, "reason": "x"}`},
		{"scan", `{"code": "\u0000\u0001"}`},
		{"pay", `[1, 2, 3]`},
		{"return", `{"items":[{"line":"0"}],"reAson":"0"}`}, // once an internal error
		{"stock", `{"reason": "count", "counted": 5}`},
		{"stock", `{"reason": "damage", "delta": -1, "note": "dropped"}`},
	} {
		f.Add(seed.route, seed.body)
	}
	s := newStore(f)
	tok := s.login(f, "1", "till-1")
	sup := s.login(f, "2", "till-1") // stock adjustments need a supervisor
	f.Fuzz(func(t *testing.T, route, body string) {
		_, cart := s.call(t, tok, "GET", "/api/v1/cart", nil)
		id := "x"
		if i := strings.Index(string(cart), `"id":"`); i >= 0 {
			id = strings.SplitN(string(cart)[i+6:], `"`, 2)[0]
		}
		path := map[string]string{
			"scan": "/api/v1/carts/" + id + "/scan", "items": "/api/v1/carts/" + id + "/items",
			"pay": "/api/v1/carts/" + id + "/payments", "discount": "/api/v1/carts/" + id + "/discount",
			"return": "/api/v1/returns", "pick": "/api/v1/pickup/orders/W-1/pick",
			"shift": "/api/v1/shift/cash", "stock": "/api/v1/stock/1/adjustments",
		}[route]
		if path == "" {
			return
		}
		method := "POST"
		if route == "discount" {
			method = "PUT"
		}
		who := tok
		if route == "stock" {
			who = sup
		}
		st, b := s.call(t, who, method, path, body)
		if st == 500 { // 503 (offline, no terminal) is a clear answer; 500 is a fault
			t.Fatalf("%s %s with %q: %d %s", method, path, body, st, b)
		}
	})
}
