package ui_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/ui"
)

// A till left signed in locks itself: a staff session unused for the idle
// time ends (401, its websocket closed), while one in use stays; the sale
// the station had open is there again for the next member to sign in. A
// customer display's session, whose websocket follows the till, stays
// signed in, as does a paired device.
func TestIdleSessionEnds(t *testing.T) {
	s, pass := storeWithClock(t)
	till := s.login(t, "1", "till-1")
	display := s.login(t, "1", "till-1")
	h := http.Header{"Authorization": {"Bearer " + display}}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.srv.URL, "http")+"/ws?watch=till-1", h)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	tws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.srv.URL, "http")+"/ws", http.Header{"Authorization": {"Bearer " + till}})
	if err != nil {
		t.Fatal(err)
	}
	defer tws.Close()
	// A display in the till's own browser shares its session: it keeps
	// the till signed in no longer than the till's own use does.
	both := s.login(t, "1", "till-1")
	for _, q := range []string{"?watch=till-1", ""} {
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.srv.URL, "http")+"/ws"+q, http.Header{"Authorization": {"Bearer " + both}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	var cart struct{ ID string }
	s.ok(t, till, "GET", "/api/v1/cart", nil, &cart)
	s.ok(t, till, "POST", "/api/v1/carts/"+cart.ID+"/scan", map[string]string{"code": teaCode}, nil)
	for range 3 { // used every 10 minutes: still signed in
		pass(10 * time.Minute)
		s.ok(t, till, "POST", "/api/v1/carts/"+cart.ID+"/scan", map[string]string{"code": teaCode}, nil)
	}
	pass(15 * time.Minute)
	s.fails(t, till, "GET", "/api/v1/me", nil, 401, "not_authorized")
	s.fails(t, till, "GET", "/api/v1/me", nil, 401, "not_authorized") // ended, not idle again
	_ = tws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := tws.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
				t.Fatalf("the till's websocket: %v, want closed as the session ended", err)
			}
			break
		}
	}

	s.fails(t, both, "GET", "/api/v1/me", nil, 401, "not_authorized")
	s.ok(t, display, "GET", "/api/v1/me", nil, nil)
	// The display's connection drops (the store's Wi-Fi): it is signed in
	// still when it comes back, its time spent following the till counted
	// as use.
	before := s.server.Hub().Clients()
	ws.Close()
	for s.server.Hub().Clients() == before {
		time.Sleep(10 * time.Millisecond)
	}
	s.ok(t, display, "GET", "/api/v1/me", nil, nil)
	again := s.login(t, "1", "till-1")
	var back struct {
		ID    string
		Lines []json.RawMessage
	}
	s.ok(t, again, "GET", "/api/v1/cart", nil, &back)
	if back.ID != cart.ID || len(back.Lines) != 1 {
		t.Fatalf("after signing in again: cart %s with %d lines, want %s with its line", back.ID, len(back.Lines), cart.ID)
	}
}

// What counts as use: a request that changes something, and the screen
// touched or typed on, which the app says on its websocket ("use"). A
// request that only reads does not: a pickup counter's screen refetches
// its queue on every push of an order's change, and a tablet the stock of
// the items it shows on every sale, which kept them signed in unwatched
// for as long as the store was busy.
func TestIdleLockCountsUseNotReads(t *testing.T) {
	s, pass := storeWithClock(t)
	reader := s.login(t, "1", "till-1")
	toucher := s.login(t, "2", "till-1")
	var cart struct{ ID string }
	s.ok(t, reader, "GET", "/api/v1/cart", nil, &cart)
	s.ok(t, toucher, "GET", "/api/v1/me", nil, nil)
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.srv.URL, "http")+"/ws", http.Header{"Authorization": {"Bearer " + toucher}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	// use says "use" on the websocket and returns once the node has read
	// it: it answers a ping sent after it.
	pong := make(chan struct{}, 1)
	ws.SetPongHandler(func(string) error { pong <- struct{}{}; return nil })
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	use := func() {
		t.Helper()
		if err := ws.WriteMessage(websocket.TextMessage, []byte("use")); err != nil {
			t.Fatal(err)
		}
		if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)); err != nil {
			t.Fatal(err)
		}
		select {
		case <-pong:
		case <-time.After(10 * time.Second):
			t.Fatal("no pong")
		}
	}
	for i := range 3 { // 21 minutes
		pass(7 * time.Minute)
		use()
		for _, p := range []string{"/api/v1/me", "/api/v1/cart", "/api/v1/status"} {
			if i < 2 {
				s.ok(t, reader, "GET", p, nil, nil)
			} else {
				s.fails(t, reader, "GET", p, nil, 401, "not_authorized")
			}
		}
	}
	s.ok(t, toucher, "GET", "/api/v1/me", nil, nil)
}

// A till's session, used at the till, whose browser still shows the
// customer display after the till's own tab closed, locks as the till
// would: following the till is a display's use, not a cashier's. A
// serial scan at the station keeps a display's own session no more
// signed in than it was.
func TestIdleTillSessionKeptOnlyByItsDisplay(t *testing.T) {
	s, pass := storeWithClock(t)
	till := s.login(t, "1", "till-1")
	var cart struct{ ID string }
	s.ok(t, till, "GET", "/api/v1/cart", nil, &cart)
	s.ok(t, till, "POST", "/api/v1/carts/"+cart.ID+"/scan", map[string]string{"code": teaCode}, nil)
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.srv.URL, "http")+"/ws?watch=till-1", http.Header{"Authorization": {"Bearer " + till}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	display := s.login(t, "1", "till-1")
	d, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.srv.URL, "http")+"/ws?watch=till-1", http.Header{"Authorization": {"Bearer " + display}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for range 3 {
		pass(10 * time.Minute)
		s.server.UsedAt(s.ctx, "till-1") // the serial scanner: the cashier is at the till
	}
	s.ok(t, till, "GET", "/api/v1/me", nil, nil)
	pass(16 * time.Minute)
	s.fails(t, till, "GET", "/api/v1/me", nil, 401, "not_authorized")
	pass(2 * time.Hour)
	s.ok(t, display, "GET", "/api/v1/me", nil, nil)
}

// storeWithClock is a store whose clock stands still but for pass, which
// moves it on.
func storeWithClock(t *testing.T) (s *store, pass func(time.Duration)) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	pass = func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	return newStore(t, func(o *ui.Options) { o.Now = clock }), pass
}
