package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/posnode/posnode/pos"
)

// Reports reads the books for the back office. Missing records are
// pos.ErrNotFound (wrapped). *sqlite.DB implements it.
type Reports interface {
	// SalesReport sums sales and returns from from (inclusive) to to
	// (exclusive) by one of pos.ReportGroupings.
	SalesReport(ctx context.Context, by string, from, to time.Time) ([]pos.ReportRow, error)
	Shift(ctx context.Context, id string) (pos.Shift, error)
	// Shifts lists the shifts of station (all when ""), newest first.
	Shifts(ctx context.Context, station string, limit int) ([]pos.Shift, error)
	// ZReport is the Z report recorded when the shift closed.
	ZReport(ctx context.Context, shiftID string) (pos.ShiftReport, error)
	Return(ctx context.Context, id string) (pos.Return, error)
	// TrainingReceipts are up to limit training receipts closed at
	// station, newest first.
	TrainingReceipts(ctx context.Context, station string, limit int) ([]pos.TrainingReceipt, error)
	TrainingReceipt(ctx context.Context, no int64) (pos.TrainingReceipt, error)
	// SetVoucherOfflineLimit sets how much of a card issued elsewhere is
	// accepted offline: of the card with code, or of every card ("").
	SetVoucherOfflineLimit(ctx context.Context, code string, limit int64) error
}

// noReports stands in for a missing Options.Reports: the back-office
// reads answer not_found instead of failing.
type noReports struct{}

var errNoReports = fmt.Errorf("reports: %w", pos.ErrNotFound)

func (noReports) SalesReport(context.Context, string, time.Time, time.Time) ([]pos.ReportRow, error) {
	return nil, errNoReports
}
func (noReports) Shift(context.Context, string) (pos.Shift, error) { return pos.Shift{}, errNoReports }
func (noReports) Shifts(context.Context, string, int) ([]pos.Shift, error) {
	return nil, errNoReports
}
func (noReports) ZReport(context.Context, string) (pos.ShiftReport, error) {
	return pos.ShiftReport{}, errNoReports
}
func (noReports) Return(context.Context, string) (pos.Return, error) {
	return pos.Return{}, errNoReports
}
func (noReports) TrainingReceipts(context.Context, string, int) ([]pos.TrainingReceipt, error) {
	return nil, errNoReports
}
func (noReports) TrainingReceipt(context.Context, int64) (pos.TrainingReceipt, error) {
	return pos.TrainingReceipt{}, errNoReports
}
func (noReports) SetVoucherOfflineLimit(context.Context, string, int64) error {
	return errNoReports
}

// JournalCheck is the outcome of a journal verification: how many entries
// were checked, the head of the chain and every tampered entry.
type JournalCheck struct {
	Entries  int                  `json:"entries"`
	HeadN    int64                `json:"head_n"`
	Head     string               `json:"head"`
	Problems []pos.JournalProblem `json:"problems"`
}

// After-sales and back-office routes, registered when Options.AfterSales
// is set.
//
// Cashiers return, exchange, park, tender vouchers, attach customers, open
// their shift and record cash operations; a return without receipt and a
// void are approved by a supervisor's PIN in the request, as the domain
// requires. Reading cash expectations (X report), closing a shift, issuing
// vouchers and sales reports need a supervisor; the store's voucher limits
// and journal verification need a manager.
func (s *Server) afterSalesRoutes() {
	if s.opt.Reports == nil {
		s.opt.Reports = noReports{}
	}
	c, sup, mgr := pos.RoleCashier, pos.RoleSupervisor, pos.RoleManager
	s.Handle("POST /api/v1/returns/prepare", c, s.prepareReturn)
	s.Handle("POST /api/v1/returns", c, s.completeReturn)
	s.Handle("GET /api/v1/returns/{id}", c, s.getReturn)
	s.Handle("POST /api/v1/exchanges", c, s.exchange)
	s.Handle("GET /api/v1/sales/{id}/returned", c, s.saleReturned)
	s.Handle("GET /api/v1/orders/{id}/lookup", c, s.orderToReturn)
	s.Handle("POST /api/v1/sales/{id}/void", c, s.voidSale)
	s.Handle("POST /api/v1/carts/{id}/lines/{line}/void", c, s.atCart(s.voidLine))
	s.Handle("POST /api/v1/carts/{id}/park", c, s.atCart(s.park))
	s.Handle("POST /api/v1/carts/{id}/resume", c, s.resume)
	s.Handle("GET /api/v1/parked", c, s.parked)
	s.Handle("POST /api/v1/carts/{id}/vouchers", c, s.atCart(s.payVoucher))
	s.Handle("DELETE /api/v1/carts/{id}/vouchers/{payment}", c, s.atCart(s.removeVoucher))
	s.Handle("POST /api/v1/carts/{id}/customer/lookup", c, s.atCart(s.attachCustomer))
	s.Handle("POST /api/v1/cart", c, s.openCartMode)
	s.Handle("POST /api/v1/carts/{id}/training", c, s.atCart(s.completeTraining))
	s.Handle("GET /api/v1/training", c, s.trainingReceipts)
	s.Handle("POST /api/v1/receipts/copies", c, s.recordCopy)
	s.Handle("GET /api/v1/vouchers/{code}", c, s.voucher)
	s.Handle("POST /api/v1/vouchers", sup, s.issueVoucher)
	s.Handle("PUT /api/v1/vouchers/offline-limit", mgr, s.voucherLimit)
	s.Handle("POST /api/v1/shift/open", c, s.openShift)
	s.Handle("GET /api/v1/shift", c, s.currentShift)
	s.Handle("POST /api/v1/shift/cash", c, s.cashOp)
	s.Handle("GET /api/v1/shift/x", sup, s.xReport)
	s.Handle("POST /api/v1/shift/x/print", sup, s.printXReport)
	s.Handle("POST /api/v1/shift/close", sup, s.closeShift)
	s.Handle("GET /api/v1/shifts", sup, s.shifts)
	s.Handle("GET /api/v1/shifts/{id}", sup, s.shift)
	s.Handle("GET /api/v1/shifts/{id}/z", sup, s.zReport)
	s.Handle("GET /api/v1/reports/sales", sup, s.salesReport)
	s.Handle("POST /api/v1/reports/sales/print", sup, s.printSalesReport)
	s.Handle("GET /api/v1/journal/verify", mgr, s.verifyJournal)
}

// drawer opens the drawer of station through the hook, if any.
func (s *Server) drawer(r *http.Request, station, reason string) {
	if s.opt.OnDrawer != nil && station != "" {
		s.opt.OnDrawer(r.Context(), station, reason)
	}
}

// cashOut reports whether refunds pay cash out of the drawer.
func cashOut(refunds []pos.Refund) bool {
	for _, f := range refunds {
		if f.Method == pos.MethodCash && f.Amount > 0 {
			return true
		}
	}
	return false
}

// decodeReturn decodes body (the request, or a struct embedding it) and
// checks req, the request in it.
func decodeReturn(r *http.Request, body any, req *pos.ReturnRequest) error {
	if err := decode(r, body); err != nil {
		return err
	}
	n := 0
	for _, v := range []string{req.Receipt, req.SaleID, req.OrderID} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("%w: name the original by one of receipt, sale_id or order_id", errBadRequest)
	}
	if req.Store != "" && req.SaleID == "" {
		return fmt.Errorf("%w: store goes with sale_id", errBadRequest)
	}
	if len(req.Items) == 0 {
		return pos.ErrNothingToReturn
	}
	return nil
}

func (s *Server) prepareReturn(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req pos.ReturnRequest
	if err := decodeReturn(r, &req, &req); err != nil {
		return err
	}
	v, err := s.opt.AfterSales.PrepareReturn(r.Context(), actor(who), req)
	return reply(w, v, err)
}

func (s *Server) completeReturn(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req pos.ReturnRequest
	if err := decodeReturn(r, &req, &req); err != nil {
		return err
	}
	v, err := s.opt.AfterSales.Return(r.Context(), actor(who), req)
	if err != nil {
		return err
	}
	if cashOut(v.Refunds) {
		s.drawer(r, v.Station, "refund")
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) getReturn(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Reports.Return(r.Context(), r.PathValue("id"))
	return reply(w, v, err)
}

// exchange takes a return request and the cart of the sale it pays, in
// one flat object: the return's fields and cart_id.
func (s *Server) exchange(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		pos.ReturnRequest
		CartID string `json:"cart_id"`
	}
	if err := decodeReturn(r, &req, &req.ReturnRequest); err != nil {
		return err
	}
	if req.CartID == "" {
		return fmt.Errorf("%w: cart_id is required", errBadRequest)
	}
	if err := s.checkCart(r, who, req.CartID); err != nil {
		return err
	}
	ret, sale, err := s.opt.AfterSales.Exchange(r.Context(), actor(who), req.ReturnRequest, req.CartID)
	if err != nil {
		return err
	}
	if cashOut(ret.Refunds) {
		s.drawer(r, ret.Station, "refund")
	}
	writeJSON(w, http.StatusOK, map[string]any{"return": ret, "sale": s.viewSale(r, sale, false)})
	return nil
}

// saleReturned answers how much of each line of a sale was returned so
// far: {"lines": {"1": 2}}, by receipt line, in pieces or grams.
func (s *Server) saleReturned(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.AfterSales.SaleReturned(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"lines": v})
	return nil
}

// orderToReturn answers the lines of an order bought online for a
// return, with what was returned of each here. The id may hold "/",
// escaped in the path (%2F).
func (s *Server) orderToReturn(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.AfterSales.OrderToReturn(r.Context(), r.PathValue("id"))
	return reply(w, v, err)
}

func (s *Server) voidSale(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Reason     string          `json:"reason"`
		Supervisor *pos.Supervisor `json:"supervisor,omitempty"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.atSaleStation(r, who, r.PathValue("id")); err != nil {
		return err
	}
	v, err := s.opt.AfterSales.VoidLastSale(r.Context(), actor(who), r.PathValue("id"), req.Reason, req.Supervisor)
	if err != nil {
		return err
	}
	if cashOut(v.Refunds) {
		s.drawer(r, v.Station, "void")
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// atSaleStation returns pos.ErrForbidden when who may not void sale id
// from where they are: a sale is voided at its own till, where its cash
// goes back, except by a supervisor and up signed in with their PIN (as
// checkCart). A sale that does not exist passes, for the route to answer.
func (s *Server) atSaleStation(r *http.Request, who pos.Session, id string) error {
	if who.Staff.Role >= pos.RoleSupervisor && who.DeviceID == "" {
		return nil
	}
	sale, err := s.opt.Store.Sale(r.Context(), id)
	if errors.Is(err, pos.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if sale.Station != who.Station {
		return fmt.Errorf("%w: sale %s was made at station %s", pos.ErrForbidden, id, sale.Station)
	}
	return nil
}

func (s *Server) voidLine(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.AfterSales.VoidLine(r.Context(), actor(who), r.PathValue("id"), r.PathValue("line"))
	return reply(w, v, err)
}

func (s *Server) park(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.AfterSales.Park(r.Context(), actor(who), r.PathValue("id"))
	return reply(w, v, err)
}

func (s *Server) resume(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.AfterSales.Resume(r.Context(), actor(who), r.PathValue("id"))
	return reply(w, v, err)
}

func (s *Server) parked(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.AfterSales.ParkedCarts(r.Context())
	return reply(w, v, err)
}

func (s *Server) payVoucher(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Method string `json:"method"`
		Code   string `json:"code"`
		Amount int64  `json:"amount"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Method != pos.MethodGiftCard && req.Method != pos.MethodStoreCredit {
		return fmt.Errorf("%w: method must be %s or %s", errBadRequest, pos.MethodGiftCard, pos.MethodStoreCredit)
	}
	v, err := s.opt.AfterSales.PayVoucher(r.Context(), actor(who), r.PathValue("id"), req.Method, req.Code, req.Amount)
	return reply(w, v, err)
}

func (s *Server) removeVoucher(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.AfterSales.RemoveVoucherPayment(r.Context(), actor(who), r.PathValue("id"), r.PathValue("payment"))
	return reply(w, v, err)
}

// attachCustomer finds a loyalty customer by card number, phone or e-mail
// and attaches them to the cart. Offline, a card's number comes back as
// the customer with offline set (the screen says points are counted
// later), and a phone or e-mail is refused (customer_offline).
func (s *Server) attachCustomer(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Query string `json:"query"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if q := strings.TrimSpace(req.Query); q == "" || len(q) > 64 {
		return fmt.Errorf("%w: query is a loyalty card, phone or e-mail of 1-64 characters", errBadRequest)
	}
	v, cust, err := s.opt.AfterSales.AttachCustomer(r.Context(), actor(who), r.PathValue("id"), req.Query)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"cart": v, "customer": cust})
	return nil
}

// openCartMode answers the station's cart as GET /api/v1/cart does, or
// with {"training": true} opens a new training cart: a cashier names a
// supervisor who approves it.
func (s *Server) openCartMode(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Training   bool            `json:"training"`
		Supervisor *pos.Supervisor `json:"supervisor,omitempty"`
	}
	if err := decodeOptional(r, &req); err != nil {
		return err
	}
	if !req.Training {
		return s.openCart(w, r, who)
	}
	v, err := s.opt.AfterSales.OpenTraining(r.Context(), actor(who), req.Supervisor)
	if err != nil {
		return err
	}
	s.log.Info("training mode", "cart", v.ID, "station", who.Station, "staff", who.Staff.ID)
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) completeTraining(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.AfterSales.CompleteTraining(r.Context(), actor(who), r.PathValue("id"))
	return reply(w, v, err)
}

// trainingReceipts answers the training receipts closed at the caller's
// station, newest first (?limit=, default 20): a trainer shows a trainee's
// receipt again. They are listed apart from sales: no receipt number
// finds one.
func (s *Server) trainingReceipts(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	limit := 20
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && l <= 100 {
		limit = l
	}
	v, err := s.opt.Reports.TrainingReceipts(r.Context(), who.Station, limit)
	return reply(w, v, err)
}

// recordCopy journals a copy of a receipt about to be printed and answers
// with its mark ("COPY n"); for a sale, with the sale and its receipt text.
func (s *Server) recordCopy(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Kind string `json:"kind"`
		Ref  string `json:"ref"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Kind != "sale" && req.Kind != "return" && req.Kind != "training" {
		return fmt.Errorf("%w: kind must be sale, return or training", errBadRequest)
	}
	if req.Ref == "" {
		return fmt.Errorf("%w: ref is required", errBadRequest)
	}
	if req.Kind == "return" {
		if _, err := s.opt.Reports.Return(r.Context(), req.Ref); err != nil {
			return err
		}
	}
	c, err := s.opt.AfterSales.RecordCopy(r.Context(), actor(who), req.Kind, req.Ref)
	if err != nil {
		return err
	}
	out := map[string]any{"copy": c, "mark": pos.ReceiptMark(pos.MarkCopy, c.CopyNo)}
	switch req.Kind {
	case "sale":
		if sale, err := s.opt.Store.Sale(r.Context(), req.Ref); err == nil {
			out["sale"] = s.viewSale(r, &sale, true)
			if s.opt.OnCopy != nil {
				s.opt.OnCopy(r.Context(), who.Station, &sale, nil, nil)
			}
		}
	case "return":
		if ret, err := s.opt.Reports.Return(r.Context(), req.Ref); err == nil && s.opt.OnCopy != nil {
			s.opt.OnCopy(r.Context(), who.Station, nil, &ret, nil)
		}
	default:
		if tr, err := s.opt.Reports.TrainingReceipt(r.Context(), c.No); err == nil && s.opt.OnCopy != nil {
			s.opt.OnCopy(r.Context(), who.Station, nil, nil, &tr)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) voucher(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.AfterSales.Voucher(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"voucher": v, "available": v.Available()})
	return nil
}

func (s *Server) issueVoucher(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Kind   string `json:"kind"`
		Amount int64  `json:"amount"`
		Ref    string `json:"ref"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Kind != pos.MethodGiftCard && req.Kind != pos.MethodStoreCredit {
		return fmt.Errorf("%w: kind must be %s or %s", errBadRequest, pos.MethodGiftCard, pos.MethodStoreCredit)
	}
	v, err := s.opt.AfterSales.IssueVoucher(r.Context(), actor(who), req.Kind, req.Amount, req.Ref)
	return reply(w, v, err)
}

// voucherLimit sets the offline limit of one card issued elsewhere, or of
// every such card (code "").
func (s *Server) voucherLimit(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Code  string `json:"code"`
		Limit int64  `json:"limit"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Limit < 0 || req.Limit > pos.MaxPrice {
		return fmt.Errorf("%w: limit out of range 0..%d", errBadRequest, pos.MaxPrice)
	}
	if req.Code != "" {
		if err := pos.CheckVoucherCode(req.Code); err != nil {
			return err
		}
	}
	if err := s.opt.Reports.SetVoucherOfflineLimit(r.Context(), req.Code, req.Limit); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": req.Code, "limit": req.Limit})
	return nil
}

// stationOf is the station a shift request is about: the caller's own, or
// for a supervisor signed in with a PIN another one named by ?station= (a
// device, whatever its role, keeps to its own).
func stationOf(r *http.Request, who pos.Session) (string, error) {
	st := who.Station
	if q := r.URL.Query().Get("station"); q != "" && q != st {
		if who.Staff.Role < pos.RoleSupervisor || who.DeviceID != "" {
			return "", fmt.Errorf("%w: another station's shift (needs %s)", pos.ErrForbidden, pos.RoleSupervisor)
		}
		st = q
	}
	if st == "" || len(st) > 64 {
		return "", fmt.Errorf("%w: a shift needs a station", errBadRequest)
	}
	return st, nil
}

func (s *Server) openShift(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Float int64 `json:"float"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if who.Station == "" {
		return fmt.Errorf("%w: a shift needs a station", errBadRequest)
	}
	v, err := s.opt.AfterSales.OpenShift(r.Context(), actor(who), req.Float)
	return reply(w, v, err)
}

func (s *Server) currentShift(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	st, err := stationOf(r, who)
	if err != nil {
		return err
	}
	v, err := s.opt.AfterSales.CurrentShift(r.Context(), st)
	return reply(w, v, err)
}

var cashKinds = []string{pos.CashPaidIn, pos.CashPaidOut, pos.CashDrop, pos.CashNoSale}

// cashOp records a paid-in, paid-out, cash drop or no-sale opening at the
// caller's station, then opens its drawer.
func (s *Server) cashOp(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Kind   string `json:"kind"`
		Amount int64  `json:"amount"`
		Reason string `json:"reason"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if !slices.Contains(cashKinds, req.Kind) {
		return fmt.Errorf("%w: kind must be one of %v", errBadRequest, cashKinds)
	}
	if who.Station == "" {
		return fmt.Errorf("%w: a cash operation needs a station", errBadRequest)
	}
	op, err := s.opt.AfterSales.CashOp(r.Context(), actor(who), req.Kind, req.Amount, req.Reason)
	if err != nil {
		return err
	}
	s.drawer(r, op.Station, op.Kind)
	writeJSON(w, http.StatusOK, op)
	return nil
}

func (s *Server) xReport(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	st, err := stationOf(r, who)
	if err != nil {
		return err
	}
	v, err := s.opt.AfterSales.XReport(r.Context(), shiftSupervisor(who), st)
	return reply(w, v, err)
}

func (s *Server) printXReport(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	st, err := stationOf(r, who)
	if err != nil {
		return err
	}
	v, err := s.opt.AfterSales.XReport(r.Context(), shiftSupervisor(who), st)
	if err != nil {
		return err
	}
	if s.opt.OnReport != nil {
		s.opt.OnReport(r.Context(), v)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// shiftSupervisor is who as the actor of an X report or a shift close.
// Unlike actor, it keeps the role a device was paired with: a tablet paired
// as a supervisor closes its station's shift, as the routes (sup) allow.
func shiftSupervisor(who pos.Session) pos.Actor {
	a := actor(who)
	a.Role = who.Staff.Role
	return a
}

// closeShift closes the shift of the caller's station (or ?station=) with
// the blind count of the drawer, and answers with the Z report, which is
// printed.
func (s *Server) closeShift(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Counted *int64 `json:"counted"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Counted == nil {
		return fmt.Errorf("%w: counted (the cash in the drawer) is required", errBadRequest)
	}
	st, err := stationOf(r, who)
	if err != nil {
		return err
	}
	a := shiftSupervisor(who)
	a.Station = st
	rep, err := s.opt.AfterSales.CloseShift(r.Context(), a, *req.Counted)
	if err != nil {
		return err
	}
	if s.opt.OnReport != nil {
		s.opt.OnReport(r.Context(), rep)
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// atOwnStation returns pos.ErrForbidden when who is a device and station
// is not its own: a device, whatever its role, keeps to its station.
func atOwnStation(who pos.Session, station string) error {
	if who.DeviceID != "" && station != who.Station {
		return fmt.Errorf("%w: a device keeps to its own station, %s", pos.ErrForbidden, who.Station)
	}
	return nil
}

// storeWide returns pos.ErrForbidden for a device: the store's books are
// read by a supervisor signed in with a PIN.
func storeWide(who pos.Session) error {
	if who.DeviceID != "" {
		return fmt.Errorf("%w: the store's report needs a supervisor signed in with a PIN", pos.ErrForbidden)
	}
	return nil
}

func (s *Server) shifts(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	limit := 50
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && l <= 500 {
		limit = l
	}
	station := r.URL.Query().Get("station")
	if station == "" && who.DeviceID != "" {
		station = who.Station
	}
	if err := atOwnStation(who, station); err != nil {
		return err
	}
	v, err := s.opt.Reports.Shifts(r.Context(), station, limit)
	return reply(w, v, err)
}

func (s *Server) shift(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Reports.Shift(r.Context(), r.PathValue("id"))
	if err == nil {
		err = atOwnStation(who, v.Station)
	}
	return reply(w, v, err)
}

func (s *Server) zReport(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Reports.ZReport(r.Context(), r.PathValue("id"))
	if err == nil {
		err = atOwnStation(who, v.Station)
	}
	return reply(w, v, err)
}

// reportPeriod reads ?from= and ?to= as dates (2006-01-02, days of the
// store's time zone, Options.Zone; to is inclusive) or RFC 3339 times (to
// exclusive). The default is the store's today.
func (s *Server) reportPeriod(r *http.Request) (from, to time.Time, err error) {
	now := s.opt.Now()
	if s.opt.Zone != nil {
		now = now.In(s.opt.Zone)
	}
	loc := now.Location()
	parse := func(name string, end bool) (time.Time, error) {
		v := r.URL.Query().Get(name)
		if t, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
			if end {
				t = t.AddDate(0, 0, 1)
			}
			return t, nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return t, fmt.Errorf("%w: %s must be a date (2006-01-02) or an RFC 3339 time", errBadRequest, name)
		}
		// The report's hours and days are those of from's zone: the
		// store's, whatever offset the time was written with.
		return t.In(loc), nil
	}
	from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	if r.URL.Query().Has("from") {
		if from, err = parse("from", false); err != nil {
			return
		}
	}
	to = from.AddDate(0, 0, 1)
	if r.URL.Query().Has("to") {
		if to, err = parse("to", true); err != nil {
			return
		}
	}
	if !to.After(from) {
		err = fmt.Errorf("%w: to must be after from", errBadRequest)
	}
	return
}

// salesReport answers GET /api/v1/reports/sales?by=&from=&to=[&format=csv].
func (s *Server) salesReport(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	if err := storeWide(who); err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		return fmt.Errorf("%w: format must be json or csv", errBadRequest)
	}
	by, from, to, rows, err := s.salesReportRows(r)
	if err != nil {
		return err
	}
	if format == "csv" {
		name := fmt.Sprintf("sales-by-%s-%s.csv", by, from.Format("20060102"))
		var b bytes.Buffer
		if err := pos.WriteReportCSV(&b, by, rows); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b.Bytes()) // the client is gone if this fails
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"by": by, "from": from, "to": to, "rows": rows})
	return nil
}

// salesReportRows reads the grouping and period of a sales report request
// (by, from, to) and computes the report.
func (s *Server) salesReportRows(r *http.Request) (by string, from, to time.Time, rows []pos.ReportRow, err error) {
	by = r.URL.Query().Get("by")
	if by == "" {
		by = pos.ReportByDay
	}
	if !slices.Contains(pos.ReportGroupings, by) {
		return "", from, to, nil, fmt.Errorf("%w: by must be one of %v", errBadRequest, pos.ReportGroupings)
	}
	if from, to, err = s.reportPeriod(r); err != nil {
		return "", from, to, nil, err
	}
	rows, err = s.opt.Reports.SalesReport(r.Context(), by, from, to)
	return by, from, to, rows, err
}

// printSalesReport prints the report GET /api/v1/reports/sales shows, with
// the same query, at the caller's station.
func (s *Server) printSalesReport(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	if err := storeWide(who); err != nil {
		return err
	}
	if s.opt.OnSalesReport == nil {
		return fmt.Errorf("printing reports: %w", pos.ErrNotFound)
	}
	by, from, to, rows, err := s.salesReportRows(r)
	if err != nil {
		return err
	}
	s.opt.OnSalesReport(r.Context(), who.Station, by, from, to, rows)
	writeJSON(w, http.StatusOK, map[string]any{"printed": true, "rows": len(rows)})
	return nil
}

func (s *Server) verifyJournal(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	if s.opt.VerifyJournal == nil {
		return fmt.Errorf("journal verification: %w", pos.ErrNotFound)
	}
	c, err := s.opt.VerifyJournal(r.Context())
	if err != nil {
		return err
	}
	if c.Problems == nil {
		c.Problems = []pos.JournalProblem{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": len(c.Problems) == 0, "entries": c.Entries,
		"head_n": c.HeadN, "head": c.Head, "problems": c.Problems})
	return nil
}
