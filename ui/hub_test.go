package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/ui"
)

type fixture struct {
	srv *httptest.Server
	db  *sqlite.DB
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	item := pos.Item{SKU: "1", Active: true, Names: map[string]string{"en": "Tea"}, Barcodes: []string{"7310865004703"}, Unit: pos.UnitEach, Price: 2500, TaxRateBP: 1200}
	if err := db.PutItems(ctx, []pos.Item{item}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	h, _ := pos.HashPIN("1111")
	if err := db.PutStaff(ctx, pos.Staff{ID: "1", Name: "A", Role: pos.RoleCashier, PINHash: h, Active: true}); err != nil {
		t.Fatal(err)
	}
	var hub *ui.Hub
	svc := pos.NewService(pos.Options{Store: db, Notify: func(c pos.Change) { hub.Notify(c) }})
	s := ui.NewServer(ui.Options{Service: svc, Store: db, Sessions: db})
	hub = s.Hub()
	f := &fixture{srv: httptest.NewServer(s), db: db}
	t.Cleanup(func() { s.Shutdown(); f.srv.Close() })
	return f
}

func (f *fixture) login(t *testing.T, station string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"staff": "1", "pin": "1111", "station": station})
	resp, err := http.Post(f.srv.URL+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login: %v %v", err, resp)
	}
	defer resp.Body.Close()
	var r struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&r)
	return r.Token
}

func (f *fixture) dial(t *testing.T, token, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(f.srv.URL, "http")+"/ws", h)
}

func (f *fixture) do(t *testing.T, token, method, path string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, m)
	}
	return m
}

func TestWebsocketPushesCartChangesToItsStation(t *testing.T) {
	f := newFixture(t)
	till := f.login(t, "till-1")
	display := f.login(t, "till-1")
	other := f.login(t, "till-2")
	wsTill, _, err := f.dial(t, display, "")
	if err != nil {
		t.Fatal(err)
	}
	defer wsTill.Close()
	wsOther, _, err := f.dial(t, other, "")
	if err != nil {
		t.Fatal(err)
	}
	defer wsOther.Close()
	for _, c := range []*websocket.Conn{wsTill, wsOther} {
		var hello ui.Message
		if err := c.ReadJSON(&hello); err != nil || hello.Type != "hello" {
			t.Fatalf("hello = %+v, %v", hello, err)
		}
	}
	cart := f.do(t, till, "GET", "/api/v1/cart", nil)
	f.do(t, till, "POST", "/api/v1/carts/"+cart["id"].(string)+"/scan", map[string]string{"code": "7310865004703"})

	wsTill.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m struct {
		Type string
		Data struct {
			Lines   []struct{ SKU string }
			Balance struct{ Total int64 }
		}
	}
	if err := wsTill.ReadJSON(&m); err != nil {
		t.Fatal(err)
	}
	if m.Type != "cart" || len(m.Data.Lines) != 1 || m.Data.Balance.Total != 2500 {
		t.Fatalf("pushed %+v", m)
	}
	// The other station's screen is not told about this till's cart.
	wsOther.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	var stray ui.Message
	if err := wsOther.ReadJSON(&stray); err == nil {
		t.Fatalf("till-2 got %+v", stray)
	}
}

func TestWebsocketRefusesStrangersAndOtherOrigins(t *testing.T) {
	f := newFixture(t)
	if _, resp, err := f.dial(t, "", ""); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated dial: %v %v", err, resp)
	}
	tok := f.login(t, "till-1")
	if _, resp, err := f.dial(t, tok, "http://evil.example"); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin dial: %v %v", err, resp)
	}
	c, _, err := f.dial(t, tok, f.srv.URL)
	if err != nil {
		t.Fatalf("same-origin dial: %v", err)
	}
	c.Close()
}

// greeted opens a websocket of a cashier signed in at station, closed at
// the end of the test, and reads its hello.
func (f *fixture) greeted(t *testing.T, station string) *websocket.Conn {
	t.Helper()
	c, _, err := f.dial(t, f.login(t, station), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var hello ui.Message
	if err := c.ReadJSON(&hello); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWebsocketOversizedMessageClosesIt: screens send nothing large; a
// message past the limit ends the connection.
func TestWebsocketOversizedMessageClosesIt(t *testing.T) {
	c := newFixture(t).greeted(t, "till-1")
	if err := c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), 64<<10)); err != nil {
		return // the server closed the connection while the message was still arriving
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			if websocket.IsCloseError(err, websocket.CloseMessageTooBig) || strings.Contains(err.Error(), "close") || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset") {
				return
			}
			t.Fatalf("read after oversized message: %v", err)
		}
	}
}

// TestWebsocketAnswersUnknownMessages: a screen says "use" or which of
// the app's screens it shows; anything else is answered with an error
// and changes nothing, so a stray word never passes for a screen.
func TestWebsocketAnswersUnknownMessages(t *testing.T) {
	c := newFixture(t).greeted(t, "till-1")
	for _, m := range []struct {
		kind int
		data string
	}{
		{websocket.TextMessage, "picku"},
		{websocket.TextMessage, "pickup\n"},
		{websocket.BinaryMessage, "pickup"},
		{websocket.TextMessage, `{"type":"use"}`},
	} {
		if err := c.WriteMessage(m.kind, []byte(m.data)); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Type string
			Data struct{ Code, Message string }
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := c.ReadJSON(&got); err != nil {
			t.Fatalf("after %q: %v", m.data, err)
		}
		if got.Type != "error" || got.Data.Code != "bad_request" || got.Data.Message == "" {
			t.Errorf("after %q: %+v, want an error", m.data, got)
		}
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte("pickup")); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte("use")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	var m ui.Message
	if err := c.ReadJSON(&m); err == nil {
		t.Errorf("a screen's name or use answered with %+v", m)
	}
}
