package ui

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/posnode/posnode/pos"
)

// DeviceStore keeps paired devices. When the Sessions given to NewServer
// also implement it, the server offers device pairing: a new device asks
// for a short code (POST /api/v1/pair), a manager approves it
// (POST /api/v1/devices/{id}/approve), the device collects its token by
// polling, and the token then authenticates it like a staff session until
// a manager revokes it (DELETE /api/v1/devices/{id}), which also closes
// its websockets at once.
//
// PollDevice and ApproveDevice answer pos.ErrPairingUnknown for an
// unknown, wrong or expired pairing; DeviceByToken answers
// pos.ErrNotAuthorized for a token no paired device holds.
type DeviceStore interface {
	CreateDevice(ctx context.Context, d pos.Device, secret string) error
	PendingDevices(ctx context.Context) (int, error)
	PollDevice(ctx context.Context, id, secret, token string) (d pos.Device, issued bool, err error)
	ApproveDevice(ctx context.Context, id, code string, role pos.Role, station, by string) (pos.Device, error)
	RevokeDevice(ctx context.Context, id string) error
	Devices(ctx context.Context) ([]pos.Device, error)
	DeviceByToken(ctx context.Context, token string) (pos.Device, error)
}

// Limits of pairing, which anyone on the store network can ask for. A
// pairing beyond a pending limit withdraws the oldest one waiting rather
// than being refused, so that nobody can keep the store from pairing by
// filling the queue: the device whose code was withdrawn asks again.
const (
	pairPerClient  = 5                // pairing requests per client ...
	pairWindow     = 10 * time.Minute // ... in this window
	pairClients    = 10_000           // clients the rate limit remembers
	pendingPerPeer = 3                // pairings waiting for approval per client
	maxPending     = 20               // pairings waiting for approval at once
	deviceTokenTTL = 5 * 365 * 24 * time.Hour
	pairCodeDigits = 6
	pairTTL        = 10 * time.Minute // how long a code waits for approval, as the store keeps it
)

var errRateLimited = errors.New("ui: too many requests; wait and try again")

// deviceSessions authenticates staff sessions first, then device tokens,
// each until it expires.
type deviceSessions struct {
	Sessions
	devices DeviceStore
	now     func() time.Time
}

func (d deviceSessions) Session(ctx context.Context, token string) (pos.Session, error) {
	s, err := d.Sessions.Session(ctx, token)
	if !errors.Is(err, pos.ErrNotAuthorized) {
		return s, err
	}
	dev, err := d.devices.DeviceByToken(ctx, token)
	if err != nil {
		return pos.Session{}, pos.ErrNotAuthorized
	}
	s = deviceSession(dev)
	if !d.now().Before(s.ExpiresAt) {
		return pos.Session{}, pos.ErrNotAuthorized // paired again for a new token
	}
	return s, nil
}

// deviceRoleMax is the most a device may be: it acts with no PIN, for
// whoever holds it, and a manager adds staff with PINs of their choosing
// (who stay signed in after the device is revoked), resets PINs and pairs
// devices. One approved as a manager by an earlier version acts as a
// supervisor.
const deviceRoleMax = pos.RoleSupervisor

func deviceSession(d pos.Device) pos.Session {
	return pos.Session{
		Staff:     pos.Staff{ID: "device:" + d.ID, Name: d.Name, Role: min(d.Role, deviceRoleMax), Active: true},
		Station:   d.Station,
		DeviceID:  d.ID,
		ExpiresAt: d.ApprovedAt.Add(deviceTokenTTL),
	}
}

type pairing struct {
	s     *Server
	store DeviceStore

	mu    sync.Mutex             // guards seen and asked
	seen  map[string][]time.Time // client: its requests in the window
	asked map[string][]string    // client: the pairings it asked for, oldest first
}

// deviceRoutes adds the public station list for login screens and, when
// the session store keeps devices, pairing.
func (s *Server) deviceRoutes() {
	s.mux.HandleFunc("GET /api/v1/login/stations", s.loginStations)
	ds, ok := s.opt.Sessions.(DeviceStore)
	if !ok {
		return
	}
	s.opt.Sessions = deviceSessions{Sessions: s.opt.Sessions, devices: ds, now: s.opt.Now}
	p := &pairing{s: s, store: ds, seen: map[string][]time.Time{}, asked: map[string][]string{}}
	s.RegisterError(pos.ErrPairingUnknown, "pairing_unknown", http.StatusNotFound)
	s.RegisterError(errRateLimited, "rate_limited", http.StatusTooManyRequests)
	s.mux.HandleFunc("POST /api/v1/pair", p.start)
	s.mux.HandleFunc("POST /api/v1/pair/{id}/poll", p.poll)
	s.Handle("GET /api/v1/devices", pos.RoleManager, p.list)
	s.Handle("POST /api/v1/devices/{id}/approve", pos.RoleManager, p.approve)
	s.Handle("DELETE /api/v1/devices/{id}", pos.RoleManager, p.revoke)
}

// loginStations lists the stations for the login screen, before anyone
// has signed in. It shows only what the screens show anyway.
func (s *Server) loginStations(w http.ResponseWriter, r *http.Request) {
	list := []Station{}
	for _, st := range s.opt.Stations {
		list = append(list, st)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	writeJSON(w, http.StatusOK, list)
}

// allow reports whether client may ask for another pairing now.
func (p *pairing) allow(client string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	recent := inWindow(p.seen[client], now)
	if len(recent) >= pairPerClient {
		p.seen[client] = recent
		return false
	}
	if _, known := p.seen[client]; !known && len(p.seen) >= pairClients && !p.evictLocked(now) {
		return false
	}
	p.seen[client] = append(recent, now)
	return true
}

// inWindow returns the times of ts within pairWindow of now.
func inWindow(ts []time.Time, now time.Time) []time.Time {
	recent := ts[:0]
	for _, t := range ts {
		if now.Sub(t) < pairWindow {
			recent = append(recent, t)
		}
	}
	return recent
}

// evictLocked makes room in seen for another client: it forgets clients
// whose requests all left the window, or failing that those still below
// the limit, who lose nothing that limits them. Clients at the limit stay
// limited; it reports false when every client is.
func (p *pairing) evictLocked(now time.Time) bool {
	for c, ts := range p.seen {
		if len(inWindow(ts, now)) == 0 {
			delete(p.seen, c)
		}
	}
	for c, ts := range p.seen {
		if len(p.seen) < pairClients {
			break
		}
		if len(ts) < pairPerClient {
			delete(p.seen, c)
		}
	}
	return len(p.seen) < pairClients
}

// makeRoom withdraws the oldest pairing waiting for approval that stands
// in the way of a new one from client: its own oldest when it has
// pendingPerPeer waiting, else the oldest of all when maxPending are.
func (p *pairing) makeRoom(ctx context.Context, client string) error {
	ds, err := p.store.Devices(ctx)
	if err != nil {
		return err
	}
	now := p.s.opt.Now()
	var waiting []pos.Device
	for _, d := range ds {
		if d.Code != "" && d.ApprovedAt.IsZero() && d.RevokedAt.IsZero() && now.Sub(d.CreatedAt) < pairTTL {
			waiting = append(waiting, d)
		}
	}
	sort.Slice(waiting, func(i, j int) bool { return waiting[i].CreatedAt.Before(waiting[j].CreatedAt) })
	still := map[string]bool{}
	for _, d := range waiting {
		still[d.ID] = true
	}
	p.mu.Lock()
	for c, ids := range p.asked { // keep only what still waits
		ids = slices.DeleteFunc(ids, func(id string) bool { return !still[id] })
		if len(ids) == 0 {
			delete(p.asked, c)
		} else {
			p.asked[c] = ids
		}
	}
	mine := slices.Clone(p.asked[client])
	p.mu.Unlock()
	switch {
	case len(mine) >= pendingPerPeer:
		return p.withdraw(ctx, mine[0], client)
	case len(waiting) >= maxPending:
		return p.withdraw(ctx, waiting[0].ID, client)
	}
	return nil
}

// withdraw ends pairing id, which waited too long in a full queue; its
// device hears pairing_unknown and may ask again.
func (p *pairing) withdraw(ctx context.Context, id, client string) error {
	if err := p.store.RevokeDevice(ctx, id); err != nil && !errors.Is(err, pos.ErrNotFound) {
		return err
	}
	p.s.log.Info("pairing withdrawn to make room", "device", id, "for", client)
	p.s.hub.Publish(Message{Type: "pairing", Data: map[string]string{"device": id, "state": "withdrawn"}})
	return nil
}

// remember notes that client asked for pairing id.
func (p *pairing) remember(client, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked[client] = append(p.asked[client], id)
}

func pairCode() (string, error) {
	max := big.NewInt(1)
	for range pairCodeDigits {
		max.Mul(max, big.NewInt(10))
	}
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", pairCodeDigits, n), nil
}

func (p *pairing) start(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
	var req struct {
		Name string `json:"name"`
	}
	err := decode(r, &req)
	if err == nil && (req.Name == "" || utf8.RuneCountInString(req.Name) > 40 || !utf8.ValidString(req.Name) ||
		strings.ContainsFunc(req.Name, func(r rune) bool { return r < 0x20 || r == 0x7f })) {
		err = fmt.Errorf("%w: name is required: at most 40 characters, no control characters", errBadRequest)
	}
	if err == nil && !p.allow(clientKey(r), p.s.opt.Now()) {
		err = errRateLimited
	}
	if err == nil {
		err = p.makeRoom(r.Context(), clientKey(r))
	}
	var d pos.Device
	secret := newToken()
	if err == nil {
		d = pos.Device{ID: newToken()[:16], Name: req.Name, CreatedAt: p.s.opt.Now()}
		for range 3 { // a clash with a pending code is rare; draw again
			if d.Code, err = pairCode(); err != nil {
				break
			}
			if err = p.store.CreateDevice(r.Context(), d, secret); !errors.Is(err, pos.ErrDuplicate) {
				break
			}
		}
	}
	if err != nil {
		p.s.writeError(w, r, err)
		return
	}
	p.remember(clientKey(r), d.ID)
	p.s.log.Info("pairing requested", "device", d.ID, "client", clientKey(r))
	p.s.hub.Publish(Message{Type: "pairing", Data: map[string]string{"device": d.ID, "state": "pending"}})
	writeJSON(w, http.StatusOK, map[string]any{"device_id": d.ID, "code": d.Code, "secret": secret,
		"expires_at": d.CreatedAt.Add(pairTTL)})
}

func (p *pairing) poll(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
	var req struct {
		Secret string `json:"secret"`
	}
	if err := decode(r, &req); err != nil {
		p.s.writeError(w, r, err)
		return
	}
	tok := newToken()
	d, issued, err := p.store.PollDevice(r.Context(), r.PathValue("id"), req.Secret, tok)
	if err != nil {
		p.s.writeError(w, r, err)
		return
	}
	if !issued {
		writeJSON(w, http.StatusOK, map[string]string{"state": "pending"})
		return
	}
	exp := d.ApprovedAt.Add(deviceTokenTTL)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, Expires: exp})
	p.s.log.Info("device paired", "device", d.ID, "role", d.Role, "station", d.Station)
	writeJSON(w, http.StatusOK, map[string]any{"state": "paired", "token": tok, "device": d})
}

func (p *pairing) list(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	ds, err := p.store.Devices(r.Context())
	return reply(w, ds, err)
}

func (p *pairing) approve(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Code    string   `json:"code"`
		Role    pos.Role `json:"role"`
		Station string   `json:"station"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Role == pos.RoleNone || req.Role > who.Staff.Role || req.Role > deviceRoleMax {
		return fmt.Errorf("%w: a device gets a role up to your own, cashier or supervisor", pos.ErrForbidden)
	}
	if _, ok := p.s.opt.Stations[req.Station]; p.s.opt.Stations != nil && !ok {
		return fmt.Errorf("%w: unknown station %q", errBadRequest, req.Station)
	}
	d, err := p.store.ApproveDevice(r.Context(), r.PathValue("id"), req.Code, req.Role, req.Station, who.Staff.ID)
	if err != nil {
		return err
	}
	p.s.log.Info("device approved", "device", d.ID, "by", who.Staff.ID, "role", d.Role, "station", d.Station)
	p.s.hub.Publish(Message{Type: "pairing", Data: map[string]string{"device": d.ID, "state": "approved"}})
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (p *pairing) revoke(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	id := r.PathValue("id")
	if err := p.store.RevokeDevice(r.Context(), id); err != nil {
		return err
	}
	p.s.hub.DropSessions(func(s pos.Session) bool { return s.DeviceID == id })
	p.s.log.Info("device revoked", "device", id, "by", who.Staff.ID)
	p.s.hub.Publish(Message{Type: "pairing", Data: map[string]string{"device": id, "state": "revoked"}})
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}
