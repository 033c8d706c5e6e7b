package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/ui"
)

// call sends a JSON request with an optional bearer token and returns the
// status and decoded body.
func call(t *testing.T, url, token, method, path string, body any) (int, map[string]any, *http.Response) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, resp
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func TestDevicePairingAPI(t *testing.T) {
	f := newFixture(t)
	h, _ := pos.HashPIN("3333")
	if err := f.db.PutStaff(context.Background(), pos.Staff{ID: "3", Name: "M", Role: pos.RoleManager, PINHash: h, Active: true}); err != nil {
		t.Fatal(err)
	}
	url := f.srv.URL
	cashier := f.login(t, "till-1")
	_, lm, _ := call(t, url, "", "POST", "/api/v1/login", map[string]string{"staff": "3", "pin": "3333", "station": "till-1"})
	manager, _ := lm["token"].(string)

	for _, name := range []string{"", "Tablet\x1b[2J", "Tablet\n1", strings.Repeat("平", 41)} {
		if st, m, _ := call(t, url, "", "POST", "/api/v1/pair", map[string]string{"name": name}); st != http.StatusBadRequest {
			t.Fatalf("pair as %q: %d %v", name, st, m)
		}
	}
	// 40 characters, whatever their bytes: a Chinese name of 40 is 120.
	if st, m, _ := call(t, url, "", "POST", "/api/v1/pair", map[string]string{"name": strings.Repeat("平", 40)}); st != http.StatusOK {
		t.Fatalf("pair with a name of 40 Chinese characters: %d %v", st, m)
	}
	st, p, _ := call(t, url, "", "POST", "/api/v1/pair", map[string]string{"name": "Tablet 1"})
	if st != http.StatusOK || len(p["code"].(string)) != 6 {
		t.Fatalf("pair: %d %v", st, p)
	}
	id, code, secret := p["device_id"].(string), p["code"].(string), p["secret"].(string)
	poll := func() (int, map[string]any, *http.Response) {
		return call(t, url, "", "POST", "/api/v1/pair/"+id+"/poll", map[string]string{"secret": secret})
	}
	if st, m, _ := poll(); st != http.StatusOK || m["state"] != "pending" {
		t.Fatalf("poll while pending: %d %v", st, m)
	}
	if st, m, _ := call(t, url, "", "POST", "/api/v1/pair/"+id+"/poll", map[string]string{"secret": "guess"}); st != http.StatusNotFound || errCode(m) != "pairing_unknown" {
		t.Fatalf("poll with a wrong secret: %d %v", st, m)
	}

	approve := map[string]string{"code": code, "role": "cashier", "station": "tablet"}
	if st, m, _ := call(t, url, cashier, "POST", "/api/v1/devices/"+id+"/approve", approve); st != http.StatusForbidden {
		t.Fatalf("a cashier approves: %d %v", st, m)
	}
	if st, m, _ := call(t, url, manager, "POST", "/api/v1/devices/"+id+"/approve", map[string]string{"code": "000000", "role": "cashier", "station": "tablet"}); st != http.StatusNotFound || errCode(m) != "pairing_unknown" {
		t.Fatalf("approve with a wrong code: %d %v", st, m)
	}
	if st, m, _ := call(t, url, manager, "POST", "/api/v1/devices/"+id+"/approve", approve); st != http.StatusOK {
		t.Fatalf("approve: %d %v", st, m)
	}

	st, m, resp := poll()
	token, _ := m["token"].(string)
	if st != http.StatusOK || m["state"] != "paired" || token == "" {
		t.Fatalf("poll after approval: %d %v", st, m)
	}
	var cookie bool
	for _, c := range resp.Cookies() {
		cookie = cookie || (c.Name == "posnode_session" && c.Value == token && c.HttpOnly)
	}
	if !cookie {
		t.Fatal("the paired device got no HttpOnly session cookie")
	}
	if st, m, _ := poll(); st != http.StatusNotFound {
		t.Fatalf("the token is handed out twice: %d %v", st, m)
	}

	// The token authenticates the device like a session, with its role
	// and station.
	if st, me, _ := call(t, url, token, "GET", "/api/v1/me", nil); st != http.StatusOK || me["station"] != "tablet" {
		t.Fatalf("me as the device: %d %v", st, me)
	}
	ws, _, err := f.dial(t, token, "")
	if err != nil {
		t.Fatalf("websocket as the device: %v", err)
	}
	defer ws.Close()
	if _, _, err := ws.ReadMessage(); err != nil {
		t.Fatalf("hello: %v", err)
	}

	// Revoked: the websocket is closed at once and the token is refused.
	if st, m, _ := call(t, url, manager, "DELETE", "/api/v1/devices/"+id, nil); st != http.StatusOK {
		t.Fatalf("revoke: %d %v", st, m)
	}
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			break // closed by the node
		}
	}
	if st, _, _ := call(t, url, token, "GET", "/api/v1/me", nil); st != http.StatusUnauthorized {
		t.Fatalf("me after revocation: %d", st)
	}
}

func TestPairingRateLimited(t *testing.T) {
	f := newFixture(t)
	var last int
	var m map[string]any
	for range 6 {
		last, m, _ = call(t, f.srv.URL, "", "POST", "/api/v1/pair", map[string]string{"name": "Tablet"})
	}
	if last != http.StatusTooManyRequests || errCode(m) != "rate_limited" {
		t.Fatalf("sixth pairing from one client: %d %v", last, m)
	}
}

// A device token ends when its five years do, over HTTP as on the
// websocket; the device is paired again for a new one.
func TestDeviceTokenExpires(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, _ := pos.HashPIN("3333")
	if err := db.PutStaff(ctx, pos.Staff{ID: "3", Name: "M", Role: pos.RoleManager, PINHash: h, Active: true}); err != nil {
		t.Fatal(err)
	}
	s := ui.NewServer(ui.Options{Service: pos.NewService(pos.Options{Store: db, Now: clock}), Store: db, Sessions: db, Now: clock})
	srv := httptest.NewServer(s)
	defer func() { s.Shutdown(); srv.Close() }()
	_, lm, _ := call(t, srv.URL, "", "POST", "/api/v1/login", map[string]string{"staff": "3", "pin": "3333", "station": "till-1"})
	manager, _ := lm["token"].(string)
	_, p, _ := call(t, srv.URL, "", "POST", "/api/v1/pair", map[string]string{"name": "Tablet 1"})
	id, _ := p["device_id"].(string)
	if st, m, _ := call(t, srv.URL, manager, "POST", "/api/v1/devices/"+id+"/approve", map[string]string{"code": p["code"].(string), "role": "cashier", "station": "tablet"}); st != http.StatusOK {
		t.Fatalf("approve: %d %v", st, m)
	}
	_, m, _ := call(t, srv.URL, "", "POST", "/api/v1/pair/"+id+"/poll", map[string]string{"secret": p["secret"].(string)})
	token, _ := m["token"].(string)
	if st, _, _ := call(t, srv.URL, token, "GET", "/api/v1/me", nil); st != http.StatusOK {
		t.Fatalf("me as the device: %d", st)
	}
	mu.Lock()
	now = now.AddDate(5, 0, 2)
	mu.Unlock()
	if st, _, _ := call(t, srv.URL, token, "GET", "/api/v1/me", nil); st != http.StatusUnauthorized {
		t.Fatalf("me with a device token five years old: %d", st)
	}
}
