package pos

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"time"
)

// PickupStore is the storage the pickup service needs. Reads return
// ErrNotFound (wrapped) for a missing record.
type PickupStore interface {
	Settings(ctx context.Context) (Settings, error)
	// ItemByCode finds an item by a normalised barcode key or by SKU.
	ItemByCode(ctx context.Context, key string) (Item, error)
	Staff(ctx context.Context, id string) (Staff, error)
	Cart(ctx context.Context, id string) (Cart, error)
	SaveCart(ctx context.Context, c *Cart) error
	PickupOrder(ctx context.Context, id string) (PickupOrder, error)
	// PickupOrders lists orders matching q.
	PickupOrders(ctx context.Context, q PickupQuery) ([]PickupOrder, error)
	// SavePickup stores one step of an order in one durable transaction:
	// the order's new state (its Rev advanced by one), its reservations
	// (PickupOrder.Reservations), the sale if any (with its own event and
	// movements), then the event if any, with the movements carried by it.
	// It returns ErrStale when the stored Rev is not u.Order.Rev, and
	// ErrDuplicate when u.Order.Rev is 0 and the order exists.
	SavePickup(ctx context.Context, u *PickupUpdate) error
}

// PickupQuery selects orders. The zero value lists open orders.
type PickupQuery struct {
	// Search, when set, matches order id, customer name or phone (digits
	// only), ended orders included.
	Search string
	// All includes ended orders without a search.
	All bool
	// Notices lists instead the ended orders whose notices wait for
	// staff (PickupOrder.Notices), the most recently changed first.
	Notices bool
	// Limit caps the result; 0 means every open order, or every ended
	// one with notices (what the counter must see), and 200 of a search
	// or of All.
	Limit int
}

// PickupUpdate is one step of an order, stored by PickupStore.SavePickup.
type PickupUpdate struct {
	Order *PickupOrder
	// Action and Staff are kept in the order's log, with Detail.
	Action, Staff, Detail string
	// Event is appended after the sale's event; nil for none.
	Event *Event
	// Movements are carried by Event.
	Movements []Movement
	// Sale is recorded in the same transaction (pay at pickup).
	Sale *Sale

	held []string // the SKUs the order held before the step (see save)
}

// PickupOptions configure a PickupService. Store is required.
type PickupOptions struct {
	Store  PickupStore
	Market VariableMeasure // zero: Sweden
	Now    func() time.Time
	NewID  func() string // zero: NewUUID
	// Notify is told of every committed change with Kind "pickup" and a
	// *PickupView (and Kind "sale" with a *Sale for pay at pickup, and
	// Kind "stock" with the StockLevel of each item the order no longer
	// holds, when Store has Stock). It
	// must not block. Zero: nothing is told.
	Notify func(Change)
	// Limiter locks an order after wrong pickup codes, and a station after
	// wrong codes or unknown orders, and a supervisor after wrong PINs.
	// Zero: 5 free failures, then a lock of 1 minute doubling up to 30.
	Limiter *Limiter
	// VerifyTTL is how long a verification opens an order for handover;
	// zero means 30 minutes.
	VerifyTTL time.Duration
	// Till is the store's sale service: a sale paid at pickup is recorded
	// under its station's lock, as the till records one, so that it never
	// comes between a void of the station's last sale and its record, and
	// an order's end waits for a payment into its cart. Nil: pay-at-pickup
	// sales wait for no void, and an order's end for no payment, which is
	// right only where no till voids sales or takes payments at the
	// stations that hand orders over. The till tells the PickupService
	// made with it last of a card found approved after its outcome was
	// unknown, so that one paid for an order that ended is given back.
	Till *Service
}

// PickupService runs click-and-collect at the store: intake of orders from
// central, picking, handover and the pickup queue. Every step is stored
// with its event in one transaction. It is safe for concurrent use:
// changes to one order are serialised.
type PickupService struct {
	opt PickupOptions

	orders keyLock // serialises changes to one order
}

// NewPickupService returns a PickupService with opt's zero values
// defaulted.
func NewPickupService(opt PickupOptions) *PickupService {
	if opt.Market.Layouts == nil {
		opt.Market = Sweden
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.NewID == nil {
		opt.NewID = NewUUID
	}
	if opt.Notify == nil {
		opt.Notify = func(Change) {}
	}
	if opt.Limiter == nil {
		opt.Limiter = &Limiter{Free: 5, Base: time.Minute, Max: 30 * time.Minute}
	}
	if opt.VerifyTTL == 0 {
		opt.VerifyTTL = 30 * time.Minute
	}
	s := &PickupService{opt: opt}
	if opt.Till != nil {
		opt.Till.pickups.Store(s)
	}
	return s
}

func (s *PickupService) lock(id string) func() { return s.orders.lock(id) }

// save stores u and tells the screens.
func (s *PickupService) save(ctx context.Context, u *PickupUpdate) (*PickupView, error) {
	if err := s.opt.Store.SavePickup(ctx, u); err != nil {
		return nil, fmt.Errorf("order %s %s: %w", u.Order.Order.ID, u.Action, err)
	}
	v := s.view(ctx, *u.Order, s.opt.Now())
	if u.Sale != nil {
		s.opt.Notify(Change{Kind: "sale", Station: u.Sale.Station, ID: u.Sale.ID, Value: u.Sale})
	}
	s.opt.Notify(Change{Kind: "pickup", ID: v.Order.ID, Value: v})
	// An item the order holds no more (a substitute replaced, a line
	// removed) may no longer be named by the order: its stock is told.
	if st, ok := s.opt.Store.(interface {
		Stock(ctx context.Context, sku string) (StockLevel, error)
	}); ok {
		now := heldSKUs(u.Order)
		for _, sku := range u.held {
			if !slices.Contains(now, sku) {
				if lv, err := st.Stock(ctx, sku); err == nil {
					s.opt.Notify(Change{Kind: "stock", ID: sku, Value: lv})
				}
			}
		}
	}
	return v, nil
}

// heldSKUs are the SKUs p holds stock of.
func heldSKUs(p *PickupOrder) []string {
	var skus []string
	for _, r := range p.Reservations() {
		skus = append(skus, r.SKU)
	}
	return skus
}

func (s *PickupService) event(typ string, v any) (*Event, error) {
	ev, err := NewEvent(s.opt.NewID(), typ, s.opt.Now(), v)
	return &ev, err
}

// change loads order id, applies f and stores the result with the event f
// returns, serialised with every other change to the order.
func (s *PickupService) change(ctx context.Context, a Actor, id, action string, f func(p *PickupOrder, now time.Time) (*PickupUpdate, error)) (*PickupView, error) {
	defer s.lock(id)()
	p, err := s.opt.Store.PickupOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	held := heldSKUs(&p)
	// Picked by the catalog's units: an item the catalog did not know
	// when the order came (orders arrive before the pages naming their
	// items) has its unit once the catalog knows it, so that a weighed
	// line is picked in grams, within its tolerance.
	s.enrich(ctx, &p)
	u, err := f(&p, s.opt.Now())
	if err != nil {
		return nil, err
	}
	if u == nil {
		u = &PickupUpdate{}
	}
	u.Order, u.Action, u.Staff, u.held = &p, action, a.Staff, held
	return s.save(ctx, u)
}

// ApplyOrder applies an order record from central (the retained
// orders/{order_id} topic) if its version is higher than the one held;
// an older or equal version is ignored without error. A new order is
// stored, its items reserved and pos.pickup.accepted recorded in one
// transaction; so is every later version applied while the order is open.
// A cancelled version stops the order wherever it is and leaves notices
// telling staff what to put back. The order's arrival, when set, is
// recorded as by Arrive. raw, the payload as received, is not needed: the
// parsed o is what is applied (the signature is that of syncqueue's
// OrderSink, which PickupService implements with CloseOrder).
//
// Central's cancellation has happened already and is never refused, nor
// held up by the till: see tillAfterEnd for a payment under way.
func (s *PickupService) ApplyOrder(ctx context.Context, raw []byte, o Order) error {
	if err := o.Validate(); err != nil {
		return err
	}
	ended, err := s.applyOrder(ctx, o)
	if err != nil || ended == nil {
		return err
	}
	return s.tillAfterEnd(ctx, ended)
}

// applyOrder is ApplyOrder under the order's lock. It returns the order
// when the version ended it while open.
func (s *PickupService) applyOrder(ctx context.Context, o Order) (ended *PickupOrder, _ error) {
	defer s.lock(o.ID)()
	now := s.opt.Now()
	p, err := s.opt.Store.PickupOrder(ctx, o.ID)
	wasOpen := err == nil && p.State.Open()
	held := heldSKUs(&p)
	switch {
	case errors.Is(err, ErrNotFound):
		p = NewPickupOrder(o, now)
	case err != nil:
		return nil, err
	case o.Version <= p.Order.Version:
		return nil, nil
	default:
		p.ApplyVersion(o, now)
	}
	if p.State.Open() {
		s.enrich(ctx, &p)
		if o.Arrival != nil {
			if _, err := p.Arrive(*o.Arrival, now); err != nil {
				return nil, err
			}
		}
	}
	u := &PickupUpdate{Order: &p, Action: "version", Detail: fmt.Sprintf("version %d %s", o.Version, o.Status), held: held}
	if p.State.Open() {
		if u.Event, err = s.event(EventPickupAccepted, PickupAcceptedData{OrderID: o.ID, Version: o.Version}); err != nil {
			return nil, err
		}
	}
	if _, err = s.save(ctx, u); err != nil {
		return nil, err
	}
	if wasOpen && !p.State.Open() {
		return &p, nil
	}
	return nil, nil
}

// CloseOrder records that central has closed the order's record (a
// zero-length retained payload). The node keeps the order as history; one
// still open here ends as cancelled, with notices for staff, since central
// has stopped following it, and a payment for it under way at the till is
// dealt with as for a cancellation (ApplyOrder). An unknown order is
// ignored.
func (s *PickupService) CloseOrder(ctx context.Context, id string) error {
	var ended *PickupOrder
	_, err := s.change(ctx, Actor{}, id, "close", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		wasOpen := p.State.Open()
		p.Close(now)
		if wasOpen {
			ended = p
		}
		return nil, nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil || ended == nil {
		return err
	}
	return s.tillAfterEnd(ctx, ended)
}

// tillAfterEnd deals with the cart of order p at the till, which central
// has just ended (cancelled, closed) and which is recorded so already.
//
// A tender checks, under its cart's lock, that the order is open before
// it takes money (Service.PayCash, PayCard); central's end is recorded
// without that lock, at once, so that the MQTT path never waits for a
// payment at the terminal. Under the cart's lock, afterwards, the end
// then looks for money on the cart: what is there was paid before the
// end, and staff are told to give it back (NoticeGiveBack); a tender
// that comes after finds the order ended and is refused before money is
// taken. The look happens at once when the cart is free, and otherwise
// when its holder lets it go, or, while a card is at the terminal for
// the cart, once its answer is recorded, without waiting for it here; its failure
// then has no one to go to, and the till's refusal of the handover
// (ErrOrderEnded) tells the cashier in any case. Without
// PickupOptions.Till there is no lock to look under.
func (s *PickupService) tillAfterEnd(ctx context.Context, p *PickupOrder) error {
	if p.CartID == "" || s.opt.Till == nil {
		return nil
	}
	ctx = context.WithoutCancel(ctx) // it may run after the caller is gone
	var err error
	if !s.opt.Till.carts.do(p.CartID, func() { err = s.moneyLeft(ctx, p.Order.ID, p.CartID) }) {
		return nil // its holder looks
	}
	return err
}

// moneyLeft tells staff to give back what was paid on cart cartID for
// order id, which has ended: each payment on it once, whenever it is
// found. The caller holds the cart's lock. A card at the terminal for it
// (Service.PayCard) may yet be declined: the look is made again under the
// cart's lock once its answer is recorded. A card whose outcome the
// terminal could not tell is no money paid until it is known to be
// approved; the till then looks again (cardApproved).
func (s *PickupService) moneyLeft(ctx context.Context, id, cartID string) error {
	c, err := s.opt.Store.Cart(ctx, cartID)
	if errors.Is(err, ErrNotFound) {
		return nil // cancelled at the till, or never made
	}
	if err != nil {
		return err
	}
	if till := s.opt.Till; c.Pending != nil && till.cards.has(c.Pending.ID) {
		var err error
		ran := false
		if till.flights.do(cartID, func() {
			ran = till.carts.do(cartID, func() { err = s.moneyLeft(ctx, id, cartID) })
		}) && ran {
			return err
		}
		return nil // done after the terminal's answer; see tillAfterEnd
	}
	if c.OrderID != id || len(c.Payments) == 0 {
		return nil
	}
	_, err = s.change(ctx, Actor{}, id, "give_back", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		var paid int64
		var ids []string
		for _, pay := range c.Payments {
			if !slices.Contains(p.GivenBack, pay.ID) {
				paid += pay.Amount
				ids = append(ids, pay.ID)
			}
		}
		if len(ids) == 0 {
			return nil, errToldAlready
		}
		p.GivenBack = append(p.GivenBack, ids...)
		p.notice(Notice{At: now, Kind: NoticeGiveBack, Amount: paid, Station: c.Station,
			Text: fmt.Sprintf("order %s ended while it was being paid at %s: give back the %d (minor units) paid for it there and cancel its sale", id, c.Station, paid)})
		p.UpdatedAt = now
		return &PickupUpdate{Detail: fmt.Sprintf("%d paid on cart %s at %s", paid, c.ID, c.Station)}, nil
	})
	if errors.Is(err, errToldAlready) {
		return nil
	}
	return err
}

// errToldAlready stops moneyLeft's change when every payment on the cart
// has been told already.
var errToldAlready = errors.New("told already")

// cardApproved is told by the till that a card payment left pending on
// cart cartID of order id (its outcome unknown, or sent before a restart)
// was found approved: if the order has ended meanwhile, staff are told to
// give it back, as for money paid before the end. Its failure has no one
// to go to; the till's refusal of the handover (ErrOrderEnded) tells the
// cashier in any case.
func (s *PickupService) cardApproved(ctx context.Context, id, cartID string) {
	p, err := s.opt.Store.PickupOrder(ctx, id)
	if err != nil || p.State.Open() || p.CartID != cartID {
		return
	}
	_ = s.tillAfterEnd(ctx, &p)
}

// enrich fills each line's unit and location from the catalog. Items the
// catalog does not know keep what they have.
func (s *PickupService) enrich(ctx context.Context, p *PickupOrder) {
	for i := range p.Lines {
		l := &p.Lines[i]
		if it, err := s.opt.Store.ItemByCode(ctx, l.PickSKU()); err == nil {
			l.Unit, l.Location = it.Unit, it.Location
			if l.SubstituteSKU != "" {
				l.SubstituteName = it.Name("")
			}
		}
	}
}

// Order returns an order as screens show it.
func (s *PickupService) Order(ctx context.Context, id string) (*PickupView, error) {
	p, err := s.opt.Store.PickupOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, p, s.opt.Now()), nil
}

// StartPicking moves a new order to picking.
func (s *PickupService) StartPicking(ctx context.Context, a Actor, id string) (*PickupView, error) {
	return s.change(ctx, a, id, "start_picking", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		return nil, p.StartPicking(a.Staff, now)
	})
}

// PickResult says what a pick scan did.
type PickResult struct {
	Code Code      `json:"code"`
	Line *PickLine `json:"line,omitempty"`
}

// PickScan counts a scanned or typed item code into the order: one piece,
// or the weight a variable-measure code carries. An item not in the order
// is refused with ErrWrongItem, one piece too many with ErrOverPick.
func (s *PickupService) PickScan(ctx context.Context, a Actor, id, raw string) (*PickupView, PickResult, error) {
	code, err := ParseCode(raw, s.opt.Market)
	res := PickResult{Code: code}
	if err != nil {
		return nil, res, err
	}
	if code.Kind == CodeReceipt || code.Kind == CodePickup {
		return nil, res, fmt.Errorf("%w: a %s code is not an item", ErrWrongItem, code.Kind)
	}
	it, err := s.opt.Store.ItemByCode(ctx, code.Key)
	if errors.Is(err, ErrNotFound) {
		return nil, res, fmt.Errorf("%w: unknown code %s", ErrWrongItem, code.Raw)
	} else if err != nil {
		return nil, res, err
	}
	qty := int64(1)
	switch {
	case code.Grams > 0:
		qty = code.Grams
	case it.Unit == UnitKg && code.Price > 0 && it.Price > 0:
		qty = max(RoundDiv(code.Price*1000, it.Price), 1)
	case it.Unit == UnitKg:
		return nil, res, fmt.Errorf("%w: %s is sold by weight; scan the scale's label", ErrBadQuantity, it.SKU)
	}
	v, err := s.change(ctx, a, id, "pick", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		l, err := p.Pick(it.SKU, qty, a.Staff, now)
		if err == nil {
			cp := *l
			res.Line = &cp
		}
		return &PickupUpdate{Detail: fmt.Sprintf("%s × %d", it.SKU, qty)}, err
	})
	return v, res, err
}

// Unpick takes qty back off a line, for a piece scanned by mistake.
func (s *PickupService) Unpick(ctx context.Context, a Actor, id, lineID string, qty int64) (*PickupView, error) {
	return s.change(ctx, a, id, "unpick", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		return &PickupUpdate{Detail: fmt.Sprintf("line %s × %d", lineID, qty)}, p.Unpick(lineID, qty, now)
	})
}

// ShortPick records that missing of a line cannot be supplied.
func (s *PickupService) ShortPick(ctx context.Context, a Actor, id, lineID string, missing int64) (*PickupView, error) {
	return s.change(ctx, a, id, "short", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		return &PickupUpdate{Detail: fmt.Sprintf("line %s short %d", lineID, missing)}, p.ShortPick(lineID, missing, a.Staff, now)
	})
}

// Substitute picks the item with sku instead of the line's item; the
// line's own SKU clears the substitution. sku may be any code of the item
// as staff scan or type it, as for PickScan. The reservation moves with
// it.
func (s *PickupService) Substitute(ctx context.Context, a Actor, id, lineID, sku string) (*PickupView, error) {
	key := NormalizeBarcode(sku, s.opt.Market)
	it, err := s.opt.Store.ItemByCode(ctx, key)
	if errors.Is(err, ErrNotFound) && key != sku {
		it, err = s.opt.Store.ItemByCode(ctx, sku) // a SKU that reads as a barcode
	}
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, "substitute", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		return &PickupUpdate{Detail: fmt.Sprintf("line %s -> %s", lineID, it.SKU)}, p.Substitute(lineID, it, a.Staff, now)
	})
}

// MarkReady ends picking: the bags wait at location. It records
// pos.pickup.ready and returns what the printer needs for the pickup slip
// and one label per bag.
func (s *PickupService) MarkReady(ctx context.Context, a Actor, id, location string, bags int) (*PickupView, *PickupSlip, error) {
	v, err := s.change(ctx, a, id, "ready", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		if err := p.MarkReady(location, bags, a.Staff, now); err != nil {
			return nil, err
		}
		ev, err := s.event(EventPickupReady, p.ReadyData())
		return &PickupUpdate{Event: ev, Detail: fmt.Sprintf("%d bags at %s", bags, location)}, err
	})
	if err != nil {
		return nil, nil, err
	}
	sl := SlipOf(&v.PickupOrder)
	sl.Due = v.Due
	return v, sl, nil
}

// Slip returns the pickup slip of a ready order again, for a reprint.
func (s *PickupService) Slip(ctx context.Context, id string) (*PickupSlip, error) {
	p, err := s.opt.Store.PickupOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.State != PickupReady && p.State != PickupCollected {
		return nil, p.need(PickupReady, PickupCollected)
	}
	s.enrich(ctx, &p)
	sl := SlipOf(&p)
	sl.Due = s.due(ctx, &p)
	return sl, nil
}

// Arrive records that the customer waits outside (curbside). Repeated
// arrivals of the same order are one arrival: the first time is kept and
// first reports whether this call was it.
func (s *PickupService) Arrive(ctx context.Context, a Actor, id string, arr Arrival) (v *PickupView, first bool, err error) {
	v, err = s.change(ctx, a, id, "arrive", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		f, err := p.Arrive(arr, now)
		first = f
		return &PickupUpdate{Detail: fmt.Sprintf("bay %q", arr.Bay)}, err
	})
	return v, first, err
}

// Acknowledge clears the order's notices once staff have acted on them:
// those up to and including the notice numbered through (Notice.ID), the
// last one staff were shown; one given since stays. Notices kept from
// before they were numbered (ID 0) go with any through, and through 0
// clears only those. A negative through clears them all.
func (s *PickupService) Acknowledge(ctx context.Context, a Actor, id string, through int64) (*PickupView, error) {
	return s.change(ctx, a, id, "acknowledge", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		kept := []Notice{}
		for _, n := range p.Notices {
			if through >= 0 && n.ID > through {
				kept = append(kept, n)
			}
		}
		p.Notices, p.UpdatedAt = kept, now
		if through < 0 {
			return &PickupUpdate{Detail: "all notices"}, nil
		}
		return &PickupUpdate{Detail: fmt.Sprintf("through notice %d", through)}, nil
	})
}

// Reject ends an order the store cannot fulfil and records
// pos.pickup.rejected; the order's stock is released. It ends the order
// for the customer: an actor below supervisor (a cashier, and any paired
// device) needs the supervisor approvedBy, whose PIN the caller has
// checked (Service.CheckSupervisor); without one it is refused with
// ErrApprovalRequired. While the customer is paying for the order at a
// till it is refused with ErrCartLocked; a payment under way there is
// waited for (see end).
func (s *PickupService) Reject(ctx context.Context, a Actor, id, reason, approvedBy string) (*PickupView, error) {
	if a.Role < RoleSupervisor && approvedBy == "" {
		return nil, fmt.Errorf("%w: rejecting order %s", ErrApprovalRequired, id)
	}
	return s.end(ctx, a, id, "reject", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		if err := p.Reject(reason, now); err != nil {
			return nil, err
		}
		ev, err := s.event(EventPickupRejected, PickupRejectedData{OrderID: p.Order.ID, Reason: p.Reason})
		detail := p.Reason
		if approvedBy != "" {
			detail += " (approved by " + approvedBy + ")"
		}
		return &PickupUpdate{Event: ev, Detail: detail}, err
	})
}

// end is change for a step of the store's that ends order id (reject,
// expire). The order's cart at the till is locked before the order, as a
// payment into it locks it: a payment under way is recorded first, and
// the end is then refused (cartHoldsMoney); a payment that comes after
// the end finds the order ended and is refused before money is taken
// (Service.PayCash). Without PickupOptions.Till no cart is locked.
func (s *PickupService) end(ctx context.Context, a Actor, id, action string, f func(p *PickupOrder, now time.Time) (*PickupUpdate, error)) (*PickupView, error) {
	for try := 0; ; try++ {
		v, err := s.endOnce(ctx, a, id, action, f)
		if !errors.Is(err, errCartMade) {
			return v, err
		}
		if try == 2 {
			return nil, fmt.Errorf("%w: %v", ErrConflict, err)
		}
	}
}

// endOnce is one try of end: it fails with errCartMade when the order was
// given a cart other than the one locked.
func (s *PickupService) endOnce(ctx context.Context, a Actor, id, action string, f func(p *PickupOrder, now time.Time) (*PickupUpdate, error)) (*PickupView, error) {
	p, err := s.opt.Store.PickupOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.CartID != "" && s.opt.Till != nil {
		defer s.opt.Till.lock(p.CartID)()
	}
	return s.change(ctx, a, id, action, func(q *PickupOrder, now time.Time) (*PickupUpdate, error) {
		if q.CartID != p.CartID {
			return nil, fmt.Errorf("order %s: %w", id, errCartMade)
		}
		if err := s.cartHoldsMoney(ctx, q); err != nil {
			return nil, err
		}
		return f(q, now)
	})
}

// errCartMade tells end that the order was given a cart at the till
// while its end waited for the cart it had.
var errCartMade = errors.New("given a cart at the till meanwhile")

// cartHoldsMoney refuses, with ErrCartLocked, a step of the store's that
// ends order p (reject, expire, collect) while its cart at a till holds a
// payment: the customer is paying for it there, and the payment is
// finished or taken back first.
func (s *PickupService) cartHoldsMoney(ctx context.Context, p *PickupOrder) error {
	if p.CartID == "" {
		return nil
	}
	c, err := s.opt.Store.Cart(ctx, p.CartID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.OrderID == p.Order.ID && (len(c.Payments) > 0 || c.Pending != nil) {
		return fmt.Errorf("%w: order %s is being paid at %s; finish or take back its payment there first", ErrCartLocked, p.Order.ID, c.Station)
	}
	return nil
}

// Overdue lists the open orders past their collect-by time, oldest first,
// but for those whose customer is waiting: the ones to return to the
// shelf.
func (s *PickupService) Overdue(ctx context.Context) ([]*PickupView, error) {
	ps, err := s.opt.Store.PickupOrders(ctx, PickupQuery{})
	if err != nil {
		return nil, err
	}
	now := s.opt.Now()
	out := []*PickupView{}
	for _, p := range ps {
		if p.Overdue(now) {
			out = append(out, s.view(ctx, p, now))
		}
	}
	sortViews(out)
	return out, nil
}

// Expire confirms that an overdue order goes back to the shelf: it records
// pos.pickup.expired and releases the order's stock. A customer paying
// for it at a till meanwhile keeps it: it is refused with ErrCartLocked,
// as Reject is.
func (s *PickupService) Expire(ctx context.Context, a Actor, id string) (*PickupView, error) {
	return s.end(ctx, a, id, "expire", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		if err := p.Expire(now); err != nil {
			return nil, err
		}
		ev, err := s.event(EventPickupExpired, PickupExpiredData{OrderID: p.Order.ID})
		return &PickupUpdate{Event: ev}, err
	})
}

// OpenByQR opens an order for handover with the customer's QR code
// (PICKUP:{order_id}:{code}).
func (s *PickupService) OpenByQR(ctx context.Context, a Actor, raw string) (*PickupView, error) {
	c, err := ParseCode(raw, s.opt.Market)
	if err != nil {
		return nil, err
	}
	if c.Kind != CodePickup {
		return nil, fmt.Errorf("%w: not a pickup QR code", ErrBadCode)
	}
	return s.openWithCode(ctx, a, c.OrderID, c.PickupCode, VerifiedByQR)
}

// OpenByCode opens an order for handover with the pickup code the customer
// tells.
func (s *PickupService) OpenByCode(ctx context.Context, a Actor, id, code string) (*PickupView, error) {
	return s.openWithCode(ctx, a, id, code, VerifiedByCode)
}

// openWithCode checks code against the order's. Wrong codes count against
// the order and the station; after Limiter.Free of them each is locked out
// for a growing time (ErrLockedOut), even with the right code.
func (s *PickupService) openWithCode(ctx context.Context, a Actor, id, code, by string) (*PickupView, error) {
	now := s.opt.Now()
	keys := []string{"pickup-order:" + id, "pickup-station:" + a.Station}
	for _, k := range keys {
		if err := s.opt.Limiter.Allow(k, now); err != nil {
			return nil, err
		}
	}
	wrong := false
	v, err := s.change(ctx, a, id, "open_"+by, func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		if subtle.ConstantTimeCompare([]byte(code), []byte(p.Order.PickupCode)) != 1 {
			wrong = true
			p.CodeFailures++
			return &PickupUpdate{Detail: "wrong code"}, nil
		}
		return nil, p.Verify(by, a.Staff, now)
	})
	if errors.Is(err, ErrNotFound) {
		s.opt.Limiter.Fail(keys[1], now)
	}
	if err != nil {
		return nil, err
	}
	if wrong {
		for _, k := range keys {
			s.opt.Limiter.Fail(k, now)
		}
		return nil, fmt.Errorf("%w (order %s)", ErrWrongCode, id)
	}
	for _, k := range keys {
		s.opt.Limiter.Succeed(k)
	}
	return v, nil
}

// OpenByIDCheck opens an order for handover when the customer cannot show
// the code: a supervisor checks an identity document and confirms with
// their PIN. The PIN is checked against Limiter, per staff number and per
// station; where a till's Service runs, check it there instead with
// Service.CheckSupervisor, which shares the login lock-out, and open the order
// with OpenByCheckedID.
func (s *PickupService) OpenByIDCheck(ctx context.Context, a Actor, id string, sup Supervisor) (*PickupView, error) {
	now := s.opt.Now()
	keys := []string{"staff:" + sup.Staff, "client:approve:" + a.Station}
	for _, k := range keys {
		if err := s.opt.Limiter.Allow(k, now); err != nil {
			return nil, err
		}
	}
	st, err := s.opt.Store.Staff(ctx, sup.Staff)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if err != nil || !st.Active || !CheckPIN(st.PINHash, sup.PIN) {
		for _, k := range keys {
			s.opt.Limiter.Fail(k, now)
		}
		return nil, ErrBadPIN
	}
	s.opt.Limiter.Succeed(keys[0])
	if st.Role < RoleSupervisor {
		return nil, fmt.Errorf("%w: %s is not a supervisor", ErrApprovalRequired, st.ID)
	}
	return s.OpenByCheckedID(ctx, a, id, st.ID)
}

// OpenByCheckedID opens an order for handover after supervisor by checked
// the customer's identity document. The caller has approved by already
// (Service.CheckSupervisor); OpenByIDCheck does both.
func (s *PickupService) OpenByCheckedID(ctx context.Context, a Actor, id, by string) (*PickupView, error) {
	if by == "" {
		return nil, ErrApprovalRequired
	}
	return s.change(ctx, a, id, "open_id_check", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		return &PickupUpdate{Detail: "checked by " + by}, p.Verify(VerifiedByIDCheck, by, now)
	})
}

// Collect hands over an order paid online and records pos.pickup.collected
// with the stock movements of what the customer took (reason "pickup").
// take maps line ids to quantities; nil takes everything picked, and what
// the customer refuses goes back to stock. An order paid at pickup is
// refused with ErrPayAtPickup: use ToCart and CompletePaidPickup.
func (s *PickupService) Collect(ctx context.Context, a Actor, id string, take map[string]int64) (*PickupView, error) {
	// As end: an order paid online since a payment for it was taken at
	// the till is handed over once that payment is given back.
	return s.end(ctx, a, id, "collect", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		if p.Order.Payment.Status == OrderPayAtPickup {
			return nil, ErrPayAtPickup
		}
		if err := p.Collect(take, a.Staff, s.opt.VerifyTTL, now); err != nil {
			return nil, err
		}
		ev, err := s.event(EventPickupCollected, p.CollectedData())
		return &PickupUpdate{Event: ev, Movements: p.CollectedMovements()}, err
	})
}
