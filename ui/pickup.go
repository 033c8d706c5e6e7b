package ui

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/posnode/posnode/pos"
)

// Click-and-collect routes, registered when Options.Pickup is set. Order
// ids may contain "/": clients escape them in paths (%2F).
//
// The counter flow (queue, picking, ready, handover, arrival, expiry) is
// open to cashiers; rejecting an order, which ends it for the customer,
// needs a supervisor signed in, or a supervisor's PIN in the request, as
// an ID check does, checked as the till's approvals are.
func (s *Server) pickupRoutes() {
	c := pos.RoleCashier
	s.Handle("GET /api/v1/pickup/queue", c, s.pickupQueue)
	s.Handle("GET /api/v1/pickup/overdue", c, s.pickupOverdue)
	s.Handle("GET /api/v1/pickup/picklist", c, s.pickupPickList)
	s.Handle("POST /api/v1/pickup/open/qr", c, s.pickupOpenQR)
	s.Handle("POST /api/v1/pickup/open/code", c, s.pickupOpenCode)
	s.Handle("POST /api/v1/pickup/open/id-check", c, s.pickupOpenIDCheck)
	s.Handle("POST /api/v1/pickup/complete", c, s.pickupComplete)
	s.Handle("GET /api/v1/pickup/orders/{id}", c, s.pickupOrder)
	s.Handle("GET /api/v1/pickup/orders/{id}/picklist", c, s.pickupOrderPickList)
	s.Handle("GET /api/v1/pickup/orders/{id}/log", c, s.pickupLog)
	s.Handle("POST /api/v1/pickup/orders/{id}/start", c, s.pickupStart)
	s.Handle("POST /api/v1/pickup/orders/{id}/pick", c, s.pickupPick)
	s.Handle("POST /api/v1/pickup/orders/{id}/unpick", c, s.pickupUnpick)
	s.Handle("POST /api/v1/pickup/orders/{id}/short", c, s.pickupShort)
	s.Handle("POST /api/v1/pickup/orders/{id}/substitute", c, s.pickupSubstitute)
	s.Handle("POST /api/v1/pickup/orders/{id}/ready", c, s.pickupReady)
	s.Handle("POST /api/v1/pickup/orders/{id}/slip", c, s.pickupSlip)
	s.Handle("POST /api/v1/pickup/orders/{id}/collect", c, s.pickupCollect)
	s.Handle("POST /api/v1/pickup/orders/{id}/cart", c, s.pickupToCart)
	s.Handle("POST /api/v1/pickup/orders/{id}/arrive", c, s.pickupArrive)
	s.Handle("POST /api/v1/pickup/orders/{id}/expire", c, s.pickupExpire)
	s.Handle("POST /api/v1/pickup/orders/{id}/acknowledge", c, s.pickupAcknowledge)
	s.Handle("POST /api/v1/pickup/orders/{id}/reject", c, s.pickupReject)
}

func (s *Server) pickupQueue(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	q := r.URL.Query().Get("q")
	if len(q) > 100 {
		return fmt.Errorf("%w: query longer than 100 characters", errBadRequest)
	}
	v, err := s.opt.Pickup.Queue(r.Context(), q)
	return reply(w, v, err)
}

func (s *Server) pickupOverdue(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Pickup.Overdue(r.Context())
	return reply(w, v, err)
}

// pickupPickList is the batched pick list: ?orders=A,B (all new and
// picking orders when absent).
func (s *Server) pickupPickList(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var ids []string
	if q := r.URL.Query().Get("orders"); q != "" {
		ids = strings.Split(q, ",")
		if len(ids) > 100 {
			return fmt.Errorf("%w: at most 100 orders in one pick list", errBadRequest)
		}
	}
	v, err := s.opt.Pickup.PickList(r.Context(), ids...)
	return reply(w, v, err)
}

func (s *Server) pickupOrderPickList(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Pickup.PickList(r.Context(), r.PathValue("id"))
	return reply(w, v, err)
}

func (s *Server) pickupOrder(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Pickup.Order(r.Context(), r.PathValue("id"))
	return reply(w, v, err)
}

func (s *Server) pickupLog(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	if s.opt.PickupLog == nil {
		return fmt.Errorf("order log: %w", pos.ErrNotFound)
	}
	id := r.PathValue("id")
	if _, err := s.opt.Pickup.Order(r.Context(), id); err != nil {
		return err
	}
	v, err := s.opt.PickupLog(r.Context(), id)
	return reply(w, v, err)
}

func (s *Server) pickupStart(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Pickup.StartPicking(r.Context(), actor(who), r.PathValue("id"))
	return reply(w, v, err)
}

func (s *Server) pickupPick(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Code string `json:"code"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, res, err := s.opt.Pickup.PickScan(r.Context(), actor(who), r.PathValue("id"), req.Code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": v, "pick": res})
	return nil
}

type pickupLineRequest struct {
	LineID  string `json:"line_id"`
	Qty     int64  `json:"qty,omitempty"`
	Missing int64  `json:"missing,omitempty"`
	SKU     string `json:"sku,omitempty"`
}

func decodeLine(r *http.Request) (pickupLineRequest, error) {
	var req pickupLineRequest
	if err := decode(r, &req); err != nil {
		return req, err
	}
	if req.LineID == "" {
		return req, fmt.Errorf("%w: line_id is required", errBadRequest)
	}
	return req, nil
}

func (s *Server) pickupUnpick(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	req, err := decodeLine(r)
	if err != nil {
		return err
	}
	v, err := s.opt.Pickup.Unpick(r.Context(), actor(who), r.PathValue("id"), req.LineID, req.Qty)
	return reply(w, v, err)
}

func (s *Server) pickupShort(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	req, err := decodeLine(r)
	if err != nil {
		return err
	}
	v, err := s.opt.Pickup.ShortPick(r.Context(), actor(who), r.PathValue("id"), req.LineID, req.Missing)
	return reply(w, v, err)
}

func (s *Server) pickupSubstitute(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	req, err := decodeLine(r)
	if err != nil {
		return err
	}
	if req.SKU == "" {
		return fmt.Errorf("%w: sku is required", errBadRequest)
	}
	v, err := s.opt.Pickup.Substitute(r.Context(), actor(who), r.PathValue("id"), req.LineID, req.SKU)
	return reply(w, v, err)
}

// printSlip hands a pickup slip to the printer hook, if any.
func (s *Server) printSlip(r *http.Request, slip *pos.PickupSlip) {
	if s.opt.OnSlip != nil && slip != nil {
		s.opt.OnSlip(r.Context(), slip)
	}
}

func (s *Server) pickupReady(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Location string `json:"location"`
		Bags     int    `json:"bags"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, slip, err := s.opt.Pickup.MarkReady(r.Context(), actor(who), r.PathValue("id"), req.Location, req.Bags)
	if err != nil {
		return err
	}
	s.printSlip(r, slip)
	writeJSON(w, http.StatusOK, map[string]any{"order": v, "slip": slip})
	return nil
}

// pickupSlip prints the slip and bag labels of a ready order again.
func (s *Server) pickupSlip(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	slip, err := s.opt.Pickup.Slip(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	s.printSlip(r, slip)
	writeJSON(w, http.StatusOK, slip)
	return nil
}

func (s *Server) pickupOpenQR(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Code string `json:"code"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.opt.Pickup.OpenByQR(r.Context(), actor(who), req.Code)
	return reply(w, v, err)
}

func (s *Server) pickupOpenCode(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		OrderID string `json:"order_id"`
		Code    string `json:"code"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.OrderID == "" || req.Code == "" {
		return fmt.Errorf("%w: order_id and code are required", errBadRequest)
	}
	v, err := s.opt.Pickup.OpenByCode(r.Context(), actor(who), req.OrderID, req.Code)
	return reply(w, v, err)
}

func (s *Server) pickupOpenIDCheck(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		OrderID    string          `json:"order_id"`
		Supervisor *pos.Supervisor `json:"supervisor"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.OrderID == "" {
		return fmt.Errorf("%w: order_id is required", errBadRequest)
	}
	// The supervisor's PIN is checked as approvals at the till are, under
	// the login lock-out, and the approval recorded once the order opened.
	a := actor(who)
	by, err := s.opt.Service.CheckSupervisor(r.Context(), a, req.Supervisor)
	if err != nil {
		return err
	}
	v, err := s.opt.Pickup.OpenByCheckedID(r.Context(), a, req.OrderID, by)
	if err == nil {
		s.recordApproval(r, a, by, "pickup_id_check", req.OrderID, "identity document checked for order "+req.OrderID)
	}
	return reply(w, v, err)
}

// recordApproval records an approval given for what was just done. The
// order's own journal, written with the change, names the approver too;
// a failure here is logged, not answered, as the change is made.
func (s *Server) recordApproval(r *http.Request, a pos.Actor, by, action, ref, detail string) {
	if err := s.opt.Service.RecordApproval(r.Context(), a, by, action, ref, detail); err != nil {
		s.log.Error("record approval", "action", action, "ref", ref, "err", err)
	}
}

// takeRequest says what the customer takes: line id to quantity; absent,
// everything picked.
type takeRequest struct {
	Lines map[string]int64 `json:"lines"`
}

func (s *Server) pickupCollect(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req takeRequest
	if err := decodeOptional(r, &req); err != nil {
		return err
	}
	v, err := s.opt.Pickup.Collect(r.Context(), actor(who), r.PathValue("id"), req.Lines)
	return reply(w, v, err)
}

// pickupToCart turns a verified order paid at pickup into the till's cart;
// the till takes payment on it and completes it with
// POST /api/v1/pickup/complete.
func (s *Server) pickupToCart(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req takeRequest
	if err := decodeOptional(r, &req); err != nil {
		return err
	}
	c, err := s.opt.Pickup.ToCart(r.Context(), actor(who), r.PathValue("id"), req.Lines)
	if err != nil {
		return err
	}
	v, err := s.opt.Service.View(r.Context(), *c)
	return reply(w, v, err)
}

func (s *Server) pickupComplete(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		CartID string `json:"cart_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.CartID == "" {
		return fmt.Errorf("%w: cart_id is required", errBadRequest)
	}
	if err := s.checkCart(r, who, req.CartID); err != nil {
		return err
	}
	sale, err := s.opt.Pickup.CompletePaidPickup(r.Context(), actor(who), req.CartID)
	if err != nil {
		// Completed before (a second tap, or a retry after a lost
		// answer): the same answer again, as for a till's sale. The sale
		// has the cart's id.
		done, serr := s.opt.Store.Sale(r.Context(), req.CartID)
		if serr != nil || done.OrderID == "" {
			return err
		}
		sale = &done
	}
	writeJSON(w, http.StatusOK, s.viewSale(r, sale, false))
	return nil
}

// pickupArrive records a customer waiting outside, as staff heard it (by
// phone, at the door); arrivals announced online come with the order.
func (s *Server) pickupArrive(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Bay  string `json:"bay"`
		Note string `json:"note"`
	}
	if err := decodeOptional(r, &req); err != nil {
		return err
	}
	v, first, err := s.opt.Pickup.Arrive(r.Context(), actor(who), r.PathValue("id"), pos.Arrival{Bay: req.Bay, Note: req.Note})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": v, "first": first})
	return nil
}

func (s *Server) pickupExpire(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	v, err := s.opt.Pickup.Expire(r.Context(), actor(who), r.PathValue("id"))
	return reply(w, v, err)
}

// pickupAcknowledge clears the notices staff were shown: through is the
// id of the last of them; absent, all are cleared.
func (s *Server) pickupAcknowledge(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Through *int64 `json:"through"`
	}
	if err := decodeOptional(r, &req); err != nil {
		return err
	}
	through := int64(-1) // all
	if req.Through != nil {
		if through = *req.Through; through < 0 {
			return fmt.Errorf("%w: through must not be negative", errBadRequest)
		}
	}
	v, err := s.opt.Pickup.Acknowledge(r.Context(), actor(who), r.PathValue("id"), through)
	return reply(w, v, err)
}

func (s *Server) pickupReject(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	var req struct {
		Reason     string          `json:"reason"`
		Supervisor *pos.Supervisor `json:"supervisor"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return pos.ErrReasonRequired
	}
	// A cashier, and a device whatever its role (see actor), rejects with
	// a supervisor's PIN; approval_required asks the screen for one.
	a, id := actor(who), r.PathValue("id")
	var by string
	if a.Role < pos.RoleSupervisor {
		var err error
		if by, err = s.opt.Service.CheckSupervisor(r.Context(), a, req.Supervisor); err != nil {
			return err
		}
	}
	v, err := s.opt.Pickup.Reject(r.Context(), a, id, req.Reason, by)
	if err == nil && by != "" {
		s.recordApproval(r, a, by, "pickup_reject", id, req.Reason)
	}
	return reply(w, v, err)
}

// decodeOptional is decode for bodies that may be left out: an empty body
// leaves v as it is.
func decodeOptional(r *http.Request, v any) error {
	br := bufio.NewReader(r.Body)
	for {
		b, err := br.Peek(1)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errTooLarge
			}
			return fmt.Errorf("%w: %v", errBadRequest, err)
		}
		if b[0] != ' ' && b[0] != '\t' && b[0] != '\r' && b[0] != '\n' {
			break
		}
		_, _ = br.ReadByte()
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return decode(r, v)
}

// scanRoute answers a code scanned into a till's cart that is not an item
// but names something else to do: a receipt of this node starts a return
// (another node's is refused with other_receipt)
// ({"route":"return","receipt_no":N,"receipt":CODE}, with after-sales
// configured) and a customer's pickup QR opens the order for handover
// ({"route":"pickup","order_id":ID,"order":VIEW}, with pickup configured).
// ok is false for any other code, which keeps the scan's own error.
func (s *Server) scanRoute(r *http.Request, who pos.Session, code pos.Code) (v any, ok bool, err error) {
	switch {
	case code.Kind == pos.CodeReceipt && s.opt.AfterSales != nil:
		if err := pos.OwnReceipt(code, s.opt.Service.ReceiptTag()); err != nil {
			return nil, true, err
		}
		return map[string]any{"route": "return", "receipt_no": code.ReceiptNo, "receipt": code.Raw}, true, nil
	case code.Kind == pos.CodePickup && s.opt.Pickup != nil:
		o, err := s.opt.Pickup.OpenByQR(r.Context(), actor(who), code.Raw)
		if err != nil {
			return nil, true, err
		}
		return map[string]any{"route": "pickup", "order_id": o.Order.ID, "order": o}, true, nil
	}
	return nil, false, nil
}
