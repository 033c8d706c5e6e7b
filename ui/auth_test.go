package ui_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/posnode/posnode/pos"
)

// TestEveryRouteNeedsASessionAndItsRole calls every API route of a node
// with every feature on: without a session each answers 401; with a
// cashier's session each route that needs more answers 403; and a
// supervisor's session is refused only on manager routes.
func TestEveryRouteNeedsASessionAndItsRole(t *testing.T) {
	s := newStore(t)
	cashier := s.login(t, "1", "till-1")
	supervisor := s.login(t, "2", "till-1")
	param := regexp.MustCompile(`\{[^}]+\}`)
	routes := s.server.Routes()
	if len(routes) < 60 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, r := range routes {
		method, path, _ := strings.Cut(r.Pattern, " ")
		path = param.ReplaceAllString(path, "x")
		body := any(nil)
		if method != "GET" && method != "DELETE" {
			body = map[string]any{}
		}
		if st, b := s.call(t, "", method, path, body); st != 401 || !strings.Contains(string(b), "not_authorized") {
			t.Errorf("%s without a session: %d %s", r.Pattern, st, b)
		}
		if st, b := s.call(t, "forged-token", method, path, body); st != 401 {
			t.Errorf("%s with a forged token: %d %s", r.Pattern, st, b)
		}
		if r.Pattern == "POST /api/v1/logout" {
			continue // it would end the sessions the loop goes on with
		}
		for _, who := range []struct {
			tok  string
			role pos.Role
		}{{cashier, pos.RoleCashier}, {supervisor, pos.RoleSupervisor}} {
			st, b := s.call(t, who.tok, method, path, body)
			forbidden := st == 403 && strings.Contains(string(b), `"forbidden"`)
			if r.Role > who.role && !forbidden {
				t.Errorf("%s (needs %s) as %s: %d %s", r.Pattern, r.Role, who.role, st, b)
			}
			if r.Role <= who.role && (st == 401 || forbidden) {
				t.Errorf("%s (needs %s) refused to %s: %d %s", r.Pattern, r.Role, who.role, st, b)
			}
		}
	}
}

// TestOversizedBodiesRefused sends a body past the limit to a route.
func TestOversizedBodiesRefused(t *testing.T) {
	s := newStore(t)
	tok := s.login(t, "1", "till-1")
	big := `{"code": "` + strings.Repeat("7", 70<<10) + `"}`
	if st, b := s.call(t, tok, "POST", "/api/v1/carts/x/scan", big); st != 413 || !strings.Contains(string(b), "too_large") {
		t.Fatalf("oversized body: %d %s", st, b)
	}
	if st, b := s.call(t, "", "POST", "/api/v1/login", `{"staff": "`+strings.Repeat("1", 8<<10)+`"}`); st != 413 && st != 400 {
		t.Fatalf("oversized login: %d %s", st, b)
	}
}
