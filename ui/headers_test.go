package ui_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/posnode/posnode/ui"
)

// The node's pages may not be framed by another site's page (a PIN typed
// into a till's login under a page on top of it), load scripts, styles or
// objects only from the node, and say so on every answer: the web app's
// files, the API and its errors.
func TestSecurityHeaders(t *testing.T) {
	s := newStore(t, func(o *ui.Options) {
		o.Static = fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>posnode</title>")}}
	})
	tok := s.login(t, "1", "till-1")
	for _, c := range []struct{ tok, path string }{{"", "/"}, {tok, "/api/v1/me"}, {"", "/api/v1/me"}, {"", "/healthz"}} {
		req, _ := http.NewRequest("GET", s.srv.URL+c.path, nil)
		if c.tok != "" {
			req.Header.Set("Authorization", "Bearer "+c.tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("GET %s: Content-Security-Policy %q lacks %s", c.path, csp, d)
			}
		}
		// The websocket is the node's: a scheme alone (ws:, wss:) lets a
		// page connect to any host.
		host := strings.TrimPrefix(s.srv.URL, "http://")
		for _, d := range strings.Split(csp, ";") {
			if f := strings.Fields(d); len(f) > 0 && f[0] == "connect-src" && (slices.Contains(f, "ws:") || slices.Contains(f, "wss:") || !slices.Contains(f, "ws://"+host)) {
				t.Errorf("GET %s: connect-src %q, want the node's websocket, ws://%s, not any host's", c.path, f[1:], host)
			}
		}
		if v := resp.Header.Get("X-Frame-Options"); v != "DENY" {
			t.Errorf("GET %s: X-Frame-Options %q, want DENY", c.path, v)
		}
		if v := resp.Header.Get("X-Content-Type-Options"); v != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", c.path, v)
		}
		if v := resp.Header.Get("Cache-Control"); strings.HasPrefix(c.path, "/api/") && v != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", c.path, v)
		}
	}
}
