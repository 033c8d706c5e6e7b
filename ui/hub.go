package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/pos"
)

// Message is what the websocket pushes: a change of one kind, for one
// station or (Station "") for every screen.
type Message struct {
	Type    string `json:"type"` // cart, sale, stock, pickup, device, sync, hello, ...
	Station string `json:"station,omitempty"`
	Data    any    `json:"data"`
}

// Hub fans changes out to websocket clients. Each client has a bounded
// queue and its own writer goroutine; a client whose queue is full is
// dropped, so a slow tablet never slows a till.
type Hub struct {
	s     *Server
	stock *stockNotices

	mu      sync.Mutex // guards clients
	clients map[*client]struct{}
}

const (
	clientQueue  = 256
	pingInterval = 20 * time.Second
	pongWait     = 2 * pingInterval
	writeWait    = 5 * time.Second
	maxInbound   = 4 << 10
)

type client struct {
	conn    *websocket.Conn
	who     pos.Session
	token   string // the session's, checked again while the socket lives
	watch   string // a station whose changes a customer display follows
	screen  string // the screen it says it shows (till, tablet, ...); guarded by Hub.mu
	send    chan []byte
	stop    chan struct{}
	stopped sync.Once
}

func newHub(s *Server) *Hub {
	h := &Hub{s: s, clients: map[*client]struct{}{}}
	h.stock = &stockNotices{every: s.opt.StockNoticeEvery, publish: h.Publish}
	return h
}

func (h *Hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true // not a browser: no ambient credentials to abuse
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if u.Host == r.Host {
		return true
	}
	for _, o := range h.s.opt.Origins {
		if o == origin {
			return true
		}
	}
	return false
}

func (h *Hub) serveWS(w http.ResponseWriter, r *http.Request) {
	who, err := h.s.authenticate(r)
	if err != nil {
		h.s.writeError(w, r, err)
		return
	}
	if !h.checkOrigin(r) {
		h.s.log.Warn("websocket refused: cross-origin", "origin", r.Header.Get("Origin"))
		h.s.writeError(w, r, pos.ErrForbidden)
		return
	}
	watch := r.URL.Query().Get("watch")
	if !mayWatch(who, watch) {
		h.s.writeError(w, r, fmt.Errorf("%w: watching station %q", pos.ErrForbidden, watch))
		return
	}
	up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096, CheckOrigin: h.checkOrigin}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := &client{conn: conn, who: who, token: bearer(r), watch: watch,
		send: make(chan []byte, clientQueue), stop: make(chan struct{})}
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	// A session ended between the check above and the registration was
	// missed by DropSessions: check it again now that it cannot be.
	if _, err := h.s.authenticate(r); err != nil {
		h.end(c, "session ended")
		return
	}
	go h.writeLoop(c)
	go h.readLoop(c)
	st, err := h.s.statusView(r.Context())
	if err != nil {
		// The screen fetches /status on its own after the hello.
		h.s.log.Warn("websocket hello without status", "err", err)
		st = h.s.opt.Status()
	}
	h.sendTo(c, Message{Type: "hello", Station: who.Station, Data: map[string]any{
		"staff": who.Staff, "station": who.Station, "status": st}})
}

// mayWatch reports whether who may follow station's changes with
// ?watch=: a screen (a customer display, or a device paired for it) at
// that station, or a supervisor and up signed in with a PIN (not a device
// of that role); none ("") is always allowed.
func mayWatch(who pos.Session, station string) bool {
	return station == "" || station == who.Station || who.Staff.Role >= pos.RoleSupervisor && who.DeviceID == ""
}

// Clients is how many screens are connected.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

func (h *Hub) drop(c *client) {
	c.stopped.Do(func() {
		close(c.stop)
		h.mu.Lock()
		delete(h.clients, c)
		h.mu.Unlock()
		c.conn.Close()
	})
}

func (h *Hub) closeAll() {
	h.mu.Lock()
	cs := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		cs = append(cs, c)
	}
	h.mu.Unlock()
	for _, c := range cs {
		_ = c.conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseGoingAway, "node stopping"), time.Now().Add(time.Second))
		h.drop(c)
	}
}

// end closes c, telling the screen why.
func (h *Hub) end(c *client, why string) {
	_ = c.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.ClosePolicyViolation, why), time.Now().Add(writeWait))
	h.drop(c)
}

// dropToken disconnects the clients of the session token, which has
// ended (a logout).
func (h *Hub) dropToken(token string) {
	h.mu.Lock()
	var cs []*client
	for c := range h.clients {
		if c.token == token {
			cs = append(cs, c)
		}
	}
	h.mu.Unlock()
	for _, c := range cs {
		h.end(c, "session ended")
	}
}

// live reports whether c's session still holds: it has not expired, been
// ended, been revoked or been left idle. A store that cannot answer now keeps the client.
func (h *Hub) live(c *client) bool {
	ctx, cancel := context.WithTimeout(context.Background(), writeWait)
	defer cancel()
	_, err := h.s.session(ctx, c.token, false)
	return !errors.Is(err, pos.ErrNotAuthorized)
}

// watching reports whether the session token is a customer display's:
// it has websockets, and each follows a station (?watch=). A till's
// screen and its display in one browser share a session, which is not.
func (h *Hub) watching(token string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for c := range h.clients {
		if c.token == token {
			if c.watch == "" {
				return false
			}
			n++
		}
	}
	return n > 0
}

// DropSessions disconnects every client whose session matches f, for
// example a revoked device.
func (h *Hub) DropSessions(f func(pos.Session) bool) {
	h.mu.Lock()
	var cs []*client
	for c := range h.clients {
		if f(c.who) {
			cs = append(cs, c)
		}
	}
	h.mu.Unlock()
	for _, c := range cs {
		h.drop(c)
	}
}

func (h *Hub) readLoop(c *client) {
	defer h.drop(c)
	c.conn.SetReadLimit(maxInbound)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		kind, b, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		// The app says that its screen was touched or typed on (see
		// idleLock), or which of its screens it shows (see ScanAway).
		switch {
		case kind != websocket.TextMessage:
			h.refuse(c, "a screen sends text messages only")
		case string(b) == "use":
			ctx, cancel := context.WithTimeout(context.Background(), writeWait)
			_, _ = h.s.session(ctx, c.token, true)
			cancel()
		case slices.Contains(screens, string(b)):
			h.mu.Lock()
			c.screen = string(b)
			h.mu.Unlock()
		default:
			h.refuse(c, fmt.Sprintf("unknown message %.20q: send use or one of the screens %v", b, screens))
		}
	}
}

// screens are the names of the app's screens, which it tells the node.
var screens = []string{"login", "till", "tablet", "pickup", "manager", "display", "pair"}

// refuse answers a message the hub does not take with an error message,
// as the API answers a bad request.
func (h *Hub) refuse(c *client, why string) {
	h.sendTo(c, Message{Type: "error", Data: APIError{Code: "bad_request", Message: why}})
}

// ScanAway reports whether a till's serial scans are for the screen it
// shows rather than its sale: every screen signed in at station (not a
// customer display) says it shows the pickup or tablet screen, and there
// is one. A screen that said nothing is taken for the till.
func (h *Hub) ScanAway(station string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	away := false
	for c := range h.clients {
		if c.who.Station != station || c.watch != "" {
			continue
		}
		if c.screen != "pickup" && c.screen != "tablet" {
			return false
		}
		away = true
	}
	return away
}

// writeLoop writes c's queue and pings it. It closes the socket when the
// session expires, and when a ping finds the session ended otherwise.
func (h *Hub) writeLoop(c *client) {
	defer h.drop(c)
	// A short idle lock is kept to closely: the screen is back at the
	// login within half of it, not at the next ping.
	every := pingInterval
	if a := h.s.idle.after; a > 0 && a/2 < every {
		every = max(a/2, time.Second)
	}
	ping := time.NewTicker(every)
	defer ping.Stop()
	var expired <-chan time.Time // never, for a session without an end
	if !c.who.ExpiresAt.IsZero() {
		expire := time.NewTimer(c.who.ExpiresAt.Sub(h.s.opt.Now()))
		defer expire.Stop()
		expired = expire.C
	}
	for {
		select {
		case <-c.stop:
			return
		case <-expired:
			h.end(c, "session expired")
			return
		case b := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
				return
			}
		case <-ping.C:
			if !h.live(c) {
				h.end(c, "session ended")
				return
			}
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		}
	}
}

func (h *Hub) sendTo(c *client, m Message) {
	b, err := json.Marshal(m)
	if err != nil {
		h.s.log.Error("websocket message", "type", m.Type, "err", err)
		return
	}
	h.enqueue(c, b)
}

func (h *Hub) enqueue(c *client, b []byte) {
	select {
	case c.send <- b:
	case <-c.stop:
	default:
		h.s.log.Warn("websocket client too slow; dropped", "staff", c.who.Staff.ID, "station", c.who.Station)
		h.drop(c)
	}
}

// wants reports whether c shows changes for station.
func (c *client) wants(station string) bool {
	return station == "" || c.who.Station == station || c.watch == station || c.who.Staff.Role >= pos.RoleManager
}

// Publish sends m to every client that shows it.
func (h *Hub) Publish(m Message) {
	b, err := json.Marshal(m)
	if err != nil {
		h.s.log.Error("websocket message", "type", m.Type, "err", err)
		return
	}
	h.mu.Lock()
	cs := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		if c.wants(m.Station) {
			cs = append(cs, c)
		}
	}
	h.mu.Unlock()
	for _, c := range cs {
		h.enqueue(c, b)
	}
}

// Notify publishes a domain change; it is the pos.Service's Notify hook.
func (h *Hub) Notify(ch pos.Change) {
	station := ch.Station
	if ch.Kind == "stock" {
		station = ""
	}
	h.Publish(Message{Type: ch.Kind, Station: station, Data: ch.Value})
}

// StockChanged tells every screen that central changed the stock of
// skus, as a stock page does, in a "stock_changed" message of
// {"skus": [...]}, or {"all": true} for more than a thousand. Changes
// are gathered: at most one message goes out per
// Options.StockNoticeEvery, so a catalog's ingest does not flood the
// tills. Changes made at the node are pushed one by one as "stock".
func (h *Hub) StockChanged(skus []string) { h.stock.add(skus) }
