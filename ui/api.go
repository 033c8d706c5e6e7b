package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/posnode/posnode/pos"
)

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("POST /api/v1/login", s.login)
	s.mux.HandleFunc("GET /ws", s.hub.serveWS)
	for _, m := range apiMethods {
		s.mux.HandleFunc(m+" /api/", s.noRoute)
	}
	if s.opt.Static != nil {
		s.mux.Handle("GET /", http.FileServerFS(s.opt.Static))
	}

	c := pos.RoleCashier
	s.Handle("POST /api/v1/logout", c, s.logout)
	s.Handle("GET /api/v1/me", c, s.me)
	s.Handle("GET /api/v1/status", c, s.status)
	s.Handle("GET /api/v1/stations", c, s.stations)
	s.Handle("GET /api/v1/items", c, s.searchItems)
	s.Handle("GET /api/v1/items/{code}", c, s.item)
	s.Handle("GET /api/v1/stock/{sku}", c, s.stock)
	s.Handle("POST /api/v1/stock/{sku}/adjustments", pos.RoleSupervisor, s.adjustStock)
	s.Handle("GET /api/v1/cart", c, s.openCart)
	s.Handle("GET /api/v1/carts/{id}", c, s.atCart(s.getCart))
	s.Handle("POST /api/v1/carts/{id}/scan", c, s.atCart(s.scan))
	s.Handle("POST /api/v1/carts/{id}/items", c, s.atCart(s.addItem))
	s.Handle("PATCH /api/v1/carts/{id}/lines/{line}", c, s.atCart(s.setQty))
	s.Handle("DELETE /api/v1/carts/{id}/lines/{line}", c, s.atCart(s.removeLine))
	s.Handle("PUT /api/v1/carts/{id}/lines/{line}/discount", c, s.atCart(s.discountLine))
	s.Handle("PUT /api/v1/carts/{id}/lines/{line}/price", c, s.atCart(s.overridePrice))
	s.Handle("PUT /api/v1/carts/{id}/discount", c, s.atCart(s.discountCart))
	s.Handle("PUT /api/v1/carts/{id}/customer", c, s.atCart(s.setCustomer))
	s.Handle("POST /api/v1/carts/{id}/payments", c, s.atCart(s.pay))
	s.Handle("DELETE /api/v1/carts/{id}/payments/{payment}", c, s.atCart(s.removePayment))
	s.Handle("POST /api/v1/carts/{id}/card/abort", c, s.atCart(s.abortCard))
	s.Handle("POST /api/v1/carts/{id}/card/resolve", c, s.atCart(s.resolveCard))
	s.Handle("POST /api/v1/carts/{id}/card/declare", c, s.atCart(s.declareCard))
	s.Handle("POST /api/v1/carts/{id}/complete", c, s.atCart(s.complete))
	s.Handle("DELETE /api/v1/carts/{id}", c, s.atCart(s.cancel))
	s.Handle("GET /api/v1/sales/{id}", c, s.sale)
	s.Handle("GET /api/v1/receipts/{no}", c, s.receipt)
	s.deviceRoutes()
	s.managerRoutes()
	s.tabletRoutes()
	if s.opt.Pickup != nil {
		s.pickupRoutes()
	}
	if s.opt.AfterSales != nil {
		s.afterSalesRoutes()
	}
}

// apiMethods are the methods API routes use.
var apiMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// errMethod reports a method the path has no route for.
var errMethod = errors.New("ui: method not allowed")

// noRoute answers an /api/ request no route takes, in the shape of every
// API error: 405 method_not_allowed (with Allow) when the path has routes
// for other methods, else 404 not_found.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range apiMethods {
		other := r.Clone(r.Context())
		other.Method = m
		if _, p := s.mux.Handler(other); m != r.Method && !strings.HasSuffix(p, " /api/") {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(w, r, fmt.Errorf("%w: %s %s (use %s)", errMethod, r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	s.writeError(w, r, fmt.Errorf("%w: no API route %s", pos.ErrNotFound, r.URL.Path))
}

// StaticFS narrows an embedded tree to its web root.
func StaticFS(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil
	}
	return sub
}

type loginRequest struct {
	Staff   string `json:"staff"`
	PIN     string `json:"pin"`
	Station string `json:"station"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	Staff     pos.Staff `json:"staff"`
	Station   string    `json:"station"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	var req loginRequest
	err := decode(r, &req)
	if err == nil && (req.Staff == "" || len(req.Staff) > 32 || len(req.PIN) > 32) {
		err = fmt.Errorf("%w: staff and pin are required", errBadRequest)
	}
	if err == nil && s.opt.Stations != nil {
		if _, ok := s.opt.Stations[req.Station]; !ok {
			err = fmt.Errorf("%w: unknown station %q", errBadRequest, req.Station)
		}
	}
	var st pos.Staff
	if err == nil {
		st, err = s.opt.Service.Login(r.Context(), req.Staff, req.PIN, clientKey(r))
	}
	if err != nil {
		s.log.Info("login refused", "staff", s.staffNamed(r.Context(), req.Staff), "client", clientKey(r), "err", err)
		s.writeError(w, r, err)
		return
	}
	tok := newToken()
	exp := s.opt.Now().Add(s.opt.SessionTTL)
	if err := s.opt.Sessions.CreateSession(r.Context(), tok, pos.Session{Staff: st, Station: req.Station, ExpiresAt: exp}); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, Expires: exp})
	s.log.Info("login", "staff", st.ID, "station", req.Station)
	writeJSON(w, http.StatusOK, loginResponse{Token: tok, Staff: st, Station: req.Station, ExpiresAt: exp})
}

// staffNamed is id as a refused login's log names it: a member's staff
// number, or "unknown" for one of nobody, which may well be a PIN typed
// into the staff number's field.
func (s *Server) staffNamed(ctx context.Context, id string) string {
	if _, err := s.opt.Store.Staff(ctx, id); err != nil {
		return "unknown"
	}
	return id
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	if err := s.opt.Sessions.DeleteSession(r.Context(), bearer(r)); err != nil {
		return err
	}
	s.hub.dropToken(bearer(r))
	s.idle.forget(bearer(r))
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	writeJSON(w, http.StatusOK, map[string]any{"staff": who.Staff, "station": who.Station, "expires_at": who.ExpiresAt})
	return nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	st, err := s.statusView(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// statusView is the node's status for screens with the store's currency,
// language and time zone added: screens write amounts that name no currency of
// their own (prices, amounts due) in the currency from the start, before
// any cart is loaded, and every date and time in the store's zone, as the
// receipt prints it, whatever zone the device is set to.
func (s *Server) statusView(ctx context.Context) (map[string]any, error) {
	set, err := s.opt.Store.Settings(ctx)
	if err != nil {
		return nil, fmt.Errorf("status: store settings: %w", err)
	}
	st := maps.Clone(s.opt.Status())
	if st == nil {
		st = map[string]any{}
	}
	st["currency"] = set.Currency
	if len(set.Languages) > 0 {
		st["language"] = set.Languages[0] // the receipt's and the customer display's
	}
	if z := s.zoneName(); z != "" {
		st["time_zone"] = z
	}
	return st, nil
}

// zoneName is the IANA name of the store's time zone, or "" when the
// node was given none a browser could use.
func (s *Server) zoneName() string {
	if s.opt.Zone == nil || s.opt.Zone == time.Local || s.opt.Zone.String() == "Local" {
		return ""
	}
	return s.opt.Zone.String()
}

func (s *Server) stations(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	list := []Station{}
	for _, st := range s.opt.Stations {
		list = append(list, st)
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// actor is who as the domain sees them. A device acts as a cashier there,
// whatever its role: it has no PIN and whoever holds it is no one in
// particular, so what a supervisor's role lets through without an
// approval (discounts past a cashier's limit, price overrides, voids,
// returns without a receipt, vouchers issued) needs a supervisor's PIN
// from it. Its role still opens the routes that need it (see
// adjustStock).
func actor(who pos.Session) pos.Actor {
	a := pos.Actor{Staff: who.Staff.ID, Role: who.Staff.Role, Station: who.Station, Client: who.Client}
	if who.DeviceID != "" {
		a.Role = min(a.Role, pos.RoleCashier)
	}
	return a
}

func (s *Server) searchItems(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	if r.URL.Query().Get("browse") == "1" {
		return s.browseItems(w, r, who)
	}
	q := r.URL.Query().Get("q")
	if len(q) > 100 {
		return fmt.Errorf("%w: query longer than 100 characters", errBadRequest)
	}
	limit, err := queryInt(r, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	items, err := s.opt.Store.SearchItems(r.Context(), q, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items)
	return nil
}

// item answers a price check: the item of a code with its stock here and,
// as "amount", what the till charges for one scan of that code
// (pos.ScanLine); no amount where the till refuses the scan: an item
// withdrawn from sale, a code it cannot be sold by, an item sold by weight
// with nothing on the code to weigh it by.
func (s *Server) item(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	code, err := pos.ParseCode(r.PathValue("code"), s.opt.Service.Market())
	if err != nil {
		return err
	}
	it, err := s.opt.Store.ItemByCode(r.Context(), code.Key)
	if err != nil {
		return err
	}
	st, err := s.opt.Store.Stock(r.Context(), it.SKU)
	if err != nil {
		return err
	}
	out := map[string]any{"item": it, "stock": st, "code": code}
	if l, err := pos.ScanLine(it, code); err == nil && it.Active {
		out["amount"] = l.Gross()
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// stock answers the stock level of an item, by SKU or barcode as stock
// adjustments take it; not_found for a code of no item.
func (s *Server) stock(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	it, err := s.opt.Store.ItemByCode(r.Context(), r.PathValue("sku"))
	if err != nil {
		return err
	}
	st, err := s.opt.Store.Stock(r.Context(), it.SKU)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// adjustStock records a stock adjustment of the item (by SKU or barcode):
// {"reason": "count", "counted": 12} or {"reason": "damage", "delta": -1},
// with an optional note. It answers the stock level after it.
func (s *Server) adjustStock(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Reason  string `json:"reason"`
		Delta   int64  `json:"delta"`
		Counted *int64 `json:"counted"`
		Note    string `json:"note"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	// A device paired as a supervisor counts stock: what it was paired for.
	a := actor(who)
	a.Role = who.Staff.Role
	st, err := s.opt.Service.AdjustStock(r.Context(), a, pos.StockAdjustment{SKU: r.PathValue("sku"),
		Reason: req.Reason, Delta: req.Delta, Counted: req.Counted, Note: req.Note})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) openCart(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	a := actor(who)
	a.OwnCart = s.opt.Stations[who.Station].Kind == "tablet"
	v, err := s.opt.Service.OpenCart(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// atCart wraps the handler of a route on the cart named by {id} so that
// it runs only for a caller who may use that cart (see checkCart).
func (s *Server) atCart(h HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who pos.Session) error {
		if err := s.checkCart(r, who, r.PathValue("id")); err != nil {
			return err
		}
		return h(w, r, who)
	}
}

// checkCart returns pos.ErrForbidden when who may not read or change cart
// id: a cart is used from its own station only, except by supervisors and
// up signed in with their PIN (a device, whatever its role, keeps to its
// station: whoever holds it is no one in particular). A parked cart is taken up elsewhere with its resume route, which
// moves it to the caller's station first. A cart that does not exist
// passes, so that the route answers for it (not_found, or a completed
// sale's repeated answer).
func (s *Server) checkCart(r *http.Request, who pos.Session, id string) error {
	if who.Staff.Role >= pos.RoleSupervisor && who.DeviceID == "" {
		return nil
	}
	c, err := s.opt.Store.Cart(r.Context(), id)
	if errors.Is(err, pos.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Station != who.Station {
		return fmt.Errorf("%w: cart %s is at station %s", pos.ErrForbidden, c.ID, c.Station)
	}
	return nil
}

func (s *Server) getCart(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Service.Cart(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) scan(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Code string `json:"code"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, res, err := s.opt.Service.Scan(r.Context(), actor(who), r.PathValue("id"), req.Code)
	if err != nil {
		if to, ok, rerr := s.scanRoute(r, who, res.Code); ok {
			return reply(w, to, rerr)
		}
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"cart": v, "scan": res})
	return nil
}

func (s *Server) addItem(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		SKU string `json:"sku"`
		Qty int64  `json:"qty"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.opt.Service.AddItem(r.Context(), actor(who), r.PathValue("id"), req.SKU, req.Qty)
	return reply(w, v, err)
}

func reply(w http.ResponseWriter, v any, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) setQty(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Qty int64 `json:"qty"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.opt.Service.SetQuantity(r.Context(), actor(who), r.PathValue("id"), r.PathValue("line"), req.Qty)
	return reply(w, v, err)
}

func (s *Server) removeLine(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Service.RemoveLine(r.Context(), actor(who), r.PathValue("id"), r.PathValue("line"))
	return reply(w, v, err)
}

type discountRequest struct {
	Discount   *pos.Discount   `json:"discount"` // null clears
	Supervisor *pos.Supervisor `json:"supervisor,omitempty"`
}

func (s *Server) discountLine(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req discountRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.opt.Service.DiscountLine(r.Context(), actor(who), r.PathValue("id"), r.PathValue("line"), req.Discount, req.Supervisor)
	return reply(w, v, err)
}

func (s *Server) discountCart(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req discountRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.opt.Service.DiscountCart(r.Context(), actor(who), r.PathValue("id"), req.Discount, req.Supervisor)
	return reply(w, v, err)
}

func (s *Server) overridePrice(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Price      int64           `json:"price"`
		Reason     string          `json:"reason"`
		Supervisor *pos.Supervisor `json:"supervisor,omitempty"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.opt.Service.OverridePrice(r.Context(), actor(who), r.PathValue("id"), r.PathValue("line"), req.Price, req.Reason, req.Supervisor)
	return reply(w, v, err)
}

func (s *Server) setCustomer(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		CustomerID string `json:"customer_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.opt.Service.SetCustomer(r.Context(), actor(who), r.PathValue("id"), req.CustomerID)
	return reply(w, v, err)
}

func (s *Server) pay(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Method string `json:"method"`
		Amount int64  `json:"amount"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	var v *pos.CartView
	var err error
	switch req.Method {
	case pos.MethodCash:
		v, err = s.opt.Service.PayCash(r.Context(), actor(who), r.PathValue("id"), req.Amount)
	case pos.MethodCard:
		v, err = s.opt.Service.PayCard(r.Context(), actor(who), r.PathValue("id"), req.Amount)
	default:
		err = fmt.Errorf("%w: method must be cash or card", errBadRequest)
	}
	return reply(w, v, err)
}

func (s *Server) removePayment(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Service.RemovePayment(r.Context(), actor(who), r.PathValue("id"), r.PathValue("payment"))
	return reply(w, v, err)
}

func (s *Server) abortCard(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	if err := s.opt.Service.AbortCard(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

// resolveCard asks the terminal how the card payment left pending on the
// cart ended, records it and answers the cart as it is then: with the
// payment among its payments when the card was taken, without it when
// not, and still pending while the terminal works on it. card_unknown
// says the terminal cannot tell yet.
func (s *Server) resolveCard(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Service.ResolvePending(r.Context(), r.PathValue("id"))
	return reply(w, v, err)
}

// declareCard records the outcome of the cart's pending card payment as a
// supervisor read it from the terminal's slip, when the terminal cannot
// tell it: {"approved": true, "auth_code": "483920"} or {"approved":
// false}, with the supervisor's staff number and PIN.
func (s *Server) declareCard(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		pos.CardOutcome
		Supervisor *pos.Supervisor `json:"supervisor,omitempty"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.opt.Service.DeclareCard(r.Context(), actor(who), r.PathValue("id"), req.CardOutcome, req.Supervisor)
	return reply(w, v, err)
}

// saleView is a sale with its receipt text, when a renderer is configured.
type saleView struct {
	*pos.Sale
	Receipt string `json:"receipt,omitempty"`
}

func (s *Server) viewSale(r *http.Request, sale *pos.Sale, copy bool) saleView {
	v := saleView{Sale: sale}
	if s.opt.Receipt != nil {
		txt, err := s.opt.Receipt(r.Context(), sale, copy)
		if err != nil {
			s.log.Warn("receipt preview", "sale", sale.ID, "err", err)
		}
		v.Receipt = txt
	}
	return v
}

func (s *Server) complete(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	sale, err := s.opt.Service.Complete(r.Context(), actor(who), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewSale(r, sale, false))
	return nil
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	if err := s.opt.Service.Cancel(r.Context(), actor(who), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) sale(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	sale, err := s.opt.Store.Sale(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewSale(r, &sale, true))
	return nil
}

func (s *Server) receipt(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	no, err := strconv.ParseInt(r.PathValue("no"), 10, 64)
	if c, cerr := pos.ParseCode(r.PathValue("no"), s.opt.Service.Market()); err != nil && cerr == nil && c.Kind == pos.CodeReceipt {
		// A receipt's code, scanned: this node's only.
		if err := pos.OwnReceipt(c, s.opt.Service.ReceiptTag()); err != nil {
			return err
		}
		no, err = c.ReceiptNo, nil
	}
	if err != nil || no <= 0 {
		return fmt.Errorf("%w: receipt number or code", errBadRequest)
	}
	sale, err := s.opt.Store.SaleByReceipt(r.Context(), no)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewSale(r, &sale, true))
	return nil
}
