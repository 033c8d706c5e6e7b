// Package ui serves the node's screens: the HTTP JSON API under /api/v1,
// the websocket at /ws that pushes every change to the screens that show
// it, and the web app embedded in the binary.
//
// Every endpoint needs a staff session (a token from POST /api/v1/login,
// sent as a Bearer header or the session cookie) or a paired device's
// token, except GET /healthz, POST /api/v1/login, GET
// /api/v1/login/stations, POST /api/v1/pair, POST /api/v1/pair/{id}/poll
// and the web app's static files; roles are checked on the server for
// each route.
package ui

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/posnode/posnode/pos"
)

// Sessions keeps staff sessions. Session returns pos.ErrNotAuthorized for
// an unknown or expired token.
type Sessions interface {
	CreateSession(ctx context.Context, token string, s pos.Session) error
	Session(ctx context.Context, token string) (pos.Session, error)
	DeleteSession(ctx context.Context, token string) error
}

// Options configure a Server. Service, Store and Sessions are required.
type Options struct {
	Service  *pos.Service
	Store    pos.Store
	Sessions Sessions
	// Static is the web app; nil serves only the API.
	Static fs.FS
	// Stations are the configured stations, by id; a login names one.
	// Nil accepts any station name.
	Stations map[string]Station
	// Origins are extra origins (scheme://host:port) allowed to open the
	// websocket besides the node's own host.
	Origins []string
	// SessionTTL is how long a login lasts; zero means 12 hours.
	SessionTTL time.Duration
	// IdleLock ends a staff session not used for this long (see
	// idleLock); zero means 15 minutes, a negative value never.
	IdleLock time.Duration
	// Status returns the node's sync and device status for screens; nil
	// means none.
	Status func() map[string]any
	// Receipt renders a completed sale as receipt text for preview; nil
	// means sales are shown without it.
	Receipt func(ctx context.Context, s *pos.Sale, copy bool) (string, error)
	Logger  *slog.Logger
	Now     func() time.Time
	// Zone is the store's time zone: screens show dates and times in it
	// and a report's dates are its days. Nil means the zone of Now's
	// times (the machine's local zone by default); the screens are then
	// told no zone and use their own.
	Zone *time.Location
	// MaxBody limits request bodies; zero means 64 KiB.
	MaxBody int64
	// StockNoticeEvery is how often at most screens are told that central
	// changed stock (see Hub.StockChanged); zero means 1 s.
	StockNoticeEvery time.Duration

	// Pickup runs click-and-collect; nil offers no pickup routes.
	Pickup *pos.PickupService
	// PickupLog returns the steps taken on an order, as JSON-encodable
	// rows; nil answers not_found.
	PickupLog func(ctx context.Context, orderID string) (any, error)
	// OnSlip is called with the pickup slip (and bag labels) of an order
	// made ready or reprinted, to print it; nil prints nothing. It must
	// not block for long: the request waits for it.
	OnSlip func(ctx context.Context, slip *pos.PickupSlip)

	// AfterSales runs returns, voids, parked sales, shifts, vouchers and
	// customers; nil offers none of those routes.
	AfterSales *pos.AfterSales
	// Reports reads the books for the back office (stored returns,
	// shifts, Z reports, sales reports, voucher limits); nil answers
	// not_found on those routes.
	Reports Reports
	// VerifyJournal checks the tamper-evident journal; nil answers
	// not_found on the verify route.
	VerifyJournal func(ctx context.Context) (JournalCheck, error)
	// OnDrawer is called after something that needs the station's cash
	// drawer open: a cash operation (reason its kind), a cash refund
	// ("refund") or a voided sale paid in cash ("void"). Nil opens none.
	OnDrawer func(ctx context.Context, station, reason string)
	// OnReport is called with an X report asked to be printed and with
	// every Z report at close; nil prints none.
	OnReport func(ctx context.Context, rep *pos.ShiftReport)
	// OnSalesReport is called to print a sales report at station; nil
	// answers the print route with not_found.
	OnSalesReport func(ctx context.Context, station, by string, from, to time.Time, rows []pos.ReportRow)
	// OnCopy is called after a copy of a sale's, a return's or a training
	// receipt was recorded, with the sale, the return or the training
	// receipt (the others nil), so that it prints (marked as a copy, a
	// training receipt's still as training) at the station that asked for
	// it; nil prints nothing.
	OnCopy func(ctx context.Context, station string, sale *pos.Sale, ret *pos.Return, tr *pos.TrainingReceipt)
}

// Station is a till, pickup counter or tablet station as the screens see it.
type Station struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // till, pickup, tablet
	Name string `json:"name"`
}

// Server is the node's HTTP server handler.
type Server struct {
	opt         Options
	mux         *http.ServeMux
	hub         *Hub
	extraErrors []errorCode
	routeList   []Route // every route registered with Handle
	log         *slog.Logger
	idle        idleLock
}

// NewServer returns a Server with its routes.
func NewServer(opt Options) *Server {
	if opt.SessionTTL == 0 {
		opt.SessionTTL = 12 * time.Hour
	}
	if opt.IdleLock == 0 {
		opt.IdleLock = 15 * time.Minute
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxBody == 0 {
		opt.MaxBody = 64 << 10
	}
	if opt.StockNoticeEvery == 0 {
		opt.StockNoticeEvery = time.Second
	}
	if opt.Status == nil {
		opt.Status = func() map[string]any { return map[string]any{} }
	}
	s := &Server{opt: opt, mux: http.NewServeMux(), log: opt.Logger,
		idle: idleLock{after: opt.IdleLock, used: map[string]idleUse{}}}
	s.hub = newHub(s)
	s.routes()
	return s
}

// Hub is the websocket hub, to push changes to screens.
func (s *Server) Hub() *Hub { return s.hub }

// RegisterError maps err (matched with errors.Is) to a stable code and an
// HTTP status, ahead of the built-in mappings. Call it before serving.
func (s *Server) RegisterError(err error, code string, status int) {
	s.extraErrors = append(s.extraErrors, errorCode{err, code, status})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", s.contentPolicy(r.Host))
	w.Header().Set("X-Frame-Options", "DENY") // frame-ancestors for older browsers
	if strings.HasPrefix(r.URL.Path, "/api/") && changes(r.Method) {
		if err := s.checkChange(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// contentPolicy lets the web app load its scripts and styles, and connect
// (the API, the websocket), from the node only, and no other site's page
// frame it, laying its content over the node's screens for staff to click
// and type on unknowing. The app has no inline script or style, images,
// plugins or forms. Its websocket is named by host, the node's as the
// browser asked for it, and by the configured origins' hosts: 'self'
// covers ws: and wss: only in browsers of CSP level 3, and the schemes
// alone let a page connect to any host.
func (s *Server) contentPolicy(host string) string {
	var b strings.Builder
	b.WriteString("default-src 'self'; connect-src 'self'")
	hosts := []string{host}
	for _, o := range s.opt.Origins {
		if u, err := url.Parse(o); err == nil {
			hosts = append(hosts, u.Host)
		}
	}
	for _, h := range hosts {
		if h != "" && strings.Trim(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == "" {
			b.WriteString(" ws://" + h + " wss://" + h)
		}
	}
	b.WriteString("; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	return b.String()
}

// errMediaType reports a request body that is not JSON.
var errMediaType = errors.New("ui: request bodies are JSON (Content-Type: application/json)")

// changes reports whether method changes state.
func changes(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// checkChange refuses a state-changing API request that a page of another
// site could have sent: a body that is not JSON (a form or text/plain
// needs no preflight from a browser), and a request a browser says comes
// from another origin than the node's own or one configured in Origins.
// Requests with no body at all are fine, as are those of clients that are
// not browsers (which send no Origin or Sec-Fetch-Site).
func (s *Server) checkChange(r *http.Request) error {
	if r.ContentLength != 0 {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			return errMediaType
		}
	}
	if !s.fromOwnOrigin(r) {
		s.log.Warn("request refused: cross-origin", "method", r.Method, "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "site", r.Header.Get("Sec-Fetch-Site"))
		return fmt.Errorf("%w: a request from another site", pos.ErrForbidden)
	}
	return nil
}

// fromOwnOrigin reports whether a browser's request comes from the node's
// own pages or an origin configured in Origins.
func (s *Server) fromOwnOrigin(r *http.Request) bool {
	if !s.hub.checkOrigin(r) {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	// same-site or cross-site: only a configured origin may.
	o := r.Header.Get("Origin")
	return o != "" && slices.Contains(s.opt.Origins, o)
}

// HandlerFunc is an API handler run for an authenticated caller.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, who pos.Session) error

// Route is a registered API route and the least role it needs.
type Route struct {
	Pattern string
	Role    pos.Role
}

// Routes lists every API route that needs a session, in registration
// order, so that tests and docs can check each one.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routeList...) }

// Handle registers an API route that needs at least role. Features add
// their routes with it.
func (s *Server) Handle(pattern string, role pos.Role, h HandlerFunc) {
	s.routeList = append(s.routeList, Route{pattern, role})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBody)
		who, err := s.authenticate(r)
		who.Client = clientKey(r)
		if err == nil && who.Staff.Role < role {
			err = fmt.Errorf("%w (needs %s)", pos.ErrForbidden, role)
		}
		if err == nil {
			err = h(w, r, who)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, status := s.classify(err)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, map[string]APIError{"error": e})
}

const cookieName = "posnode_session"

func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimSpace(h[len("Bearer "):])
	}
	if c, err := r.Cookie(cookieName); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) authenticate(r *http.Request) (pos.Session, error) {
	tok := bearer(r)
	if tok == "" || len(tok) > 256 {
		return pos.Session{}, pos.ErrNotAuthorized
	}
	// A request that changes something is a use of the session; one that
	// reads is not, as a screen refetches on its own what a push says
	// changed (see idleLock).
	return s.session(r.Context(), tok, changes(r.Method))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// queryInt reads the query parameter name as a whole number from lo to
// hi, def when it is absent: a value out of range is refused, not
// replaced by the default.
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%w: %s must be a whole number from %d to %d", errBadRequest, name, lo, hi)
	}
	return n, nil
}

// decode reads a JSON body strictly: unknown fields, trailing data and
// oversized bodies are errors.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return bodyError(err)
	}
	// Only the end of the body may follow the value. (More would stop
	// at a stray '}' or ']'.)
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if tooLarge(err) {
			return errTooLarge
		}
		return fmt.Errorf("%w: trailing data after the JSON object", errBadRequest)
	}
	if string(raw) == "null" {
		return fmt.Errorf("%w: the body must be a JSON object, not null", errBadRequest)
	}
	strict := json.NewDecoder(bytes.NewReader(raw))
	strict.DisallowUnknownFields()
	if err := strict.Decode(v); err != nil {
		return bodyError(err)
	}
	return nil
}

// bodyError is the answer to a body the decoder refused.
func bodyError(err error) error {
	if tooLarge(err) {
		return errTooLarge
	}
	return fmt.Errorf("%w: %s", errBadRequest, badJSON(err))
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// badJSON says what is wrong with a body the decoder refused, in words
// for the people and tools that sent it, naming the field where it can.
func badJSON(err error) string {
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute) && ute.Field != "":
		return fmt.Sprintf("field %q must be %s, not %s", ute.Field, jsonKind(ute.Type), jsonValue(ute.Value))
	case errors.As(err, &ute):
		return fmt.Sprintf("the body must be %s, not %s", jsonKind(ute.Type), jsonValue(ute.Value))
	case errors.As(err, &se):
		return fmt.Sprintf("the body is not valid JSON (at byte %d)", se.Offset)
	case errors.Is(err, io.EOF):
		return "the body is empty; send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the body ends in the middle of the JSON"
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + f
	}
	if strings.HasPrefix(err.Error(), "json: ") {
		return "the body is not the JSON this request takes"
	}
	return err.Error() // a value's own check, such as an unknown role
}

// jsonValue names a JSON value as the decoder describes it ("number",
// "array", "bool" ...), with its article.
func jsonValue(v string) string {
	switch {
	case v == "bool":
		return "true or false"
	case strings.HasPrefix(v, "number"):
		return "a number"
	case v == "array" || v == "object":
		return "an " + v
	}
	return "a " + v
}

// jsonKind names the JSON value t is decoded from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another kind of value"
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Shutdown closes every websocket; http.Server.Shutdown does not.
func (s *Server) Shutdown() {
	s.hub.stock.stop()
	s.hub.closeAll()
}
