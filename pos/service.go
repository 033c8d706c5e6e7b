package pos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Store is the storage the sale service needs. Implementations return
// ErrNotFound (wrapped) for a missing record. CompleteSale must commit the
// sale, its stock movements, its receipt number (set in s.ReceiptNo), its
// pos.sale.completed event with the next seq, and the removal of the cart
// with the sale's id, in one durable transaction; it returns ErrDuplicate if
// the sale exists already.
type Store interface {
	Settings(ctx context.Context) (Settings, error)
	// ItemByCode finds an active or inactive item by a normalised barcode
	// key or by SKU.
	ItemByCode(ctx context.Context, key string) (Item, error)
	SearchItems(ctx context.Context, query string, limit int) ([]Item, error)
	Cart(ctx context.Context, id string) (Cart, error)
	// Carts lists the open carts of a station, or of all stations when
	// station is empty, oldest first.
	Carts(ctx context.Context, station string) ([]Cart, error)
	SaveCart(ctx context.Context, c *Cart) error
	DeleteCart(ctx context.Context, id string) error
	CompleteSale(ctx context.Context, s *Sale) error
	Sale(ctx context.Context, id string) (Sale, error)
	SaleByReceipt(ctx context.Context, receiptNo int64) (Sale, error)
	Stock(ctx context.Context, sku string) (StockLevel, error)
	Staff(ctx context.Context, id string) (Staff, error)
	RecordApproval(ctx context.Context, a Approval) error
	// PickupOrder loads a click-and-collect order: a cart paying one
	// takes no tender once the order has ended.
	PickupOrder(ctx context.Context, id string) (PickupOrder, error)
}

// ErrDuplicate reports that a record with the same id exists.
var ErrDuplicate = errors.New("pos: already recorded")

// Approval is a supervisor's approval of an action, kept for audit.
type Approval struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	Action     string    `json:"action"` // discount, override, void_line, ...
	Station    string    `json:"station"`
	Ref        string    `json:"ref"` // cart or sale id
	Staff      string    `json:"staff"`
	ApprovedBy string    `json:"approved_by"`
	Detail     string    `json:"detail"`
}

// Actor is who asks for an action.
type Actor struct {
	Staff   string
	Role    Role
	Station string
	// OwnCart is set at a station where several serve customers at once,
	// each on a device of their own (tablets): OpenCart opens the actor's
	// own cart there. Unset, the station has one cart, whoever is there.
	OwnCart bool
	// Client is the network address the request came from, for the PIN
	// lock-out of supervisor approvals; "" for the node's own callers.
	Client string
}

// owns reports whether c is a's cart at their station: every cart there,
// unless each at the station has their own (OwnCart).
func (a Actor) owns(c Cart) bool { return !a.OwnCart || c.Cashier == a.Staff }

// Supervisor is a supervisor's credentials given with a request that needs
// approval.
type Supervisor struct {
	Staff string `json:"staff"`
	PIN   string `json:"pin"`
}

// Change is what the service tells its observer after every committed
// change, so that screens can be updated.
type Change struct {
	Kind    string // "cart", "sale", "stock"
	Station string
	ID      string
	Value   any // *CartView for carts, *Sale for sales, StockLevel for stock
}

// CartView is a cart with its balance, as screens and the API show it.
type CartView struct {
	Cart
	Balance  Balance      `json:"balance"`
	CashDue  int64        `json:"cash_due"`
	Currency string       `json:"currency"`
	Warnings []StockLevel `json:"stock_warnings,omitempty"`
	// PendingUnknown is set when the cart's pending card payment is not
	// in flight: no one waits for the terminal's answer, and its outcome
	// is unknown until the terminal is asked (ResolvePending) or a
	// supervisor declares it (DeclareCard).
	PendingUnknown bool `json:"pending_unknown,omitempty"`
	// Repriced lists the lines a resume gave today's prices (see
	// AfterSales.Resume); empty otherwise.
	Repriced []Repriced `json:"repriced,omitempty"`
}

// Options configure a Service. Store is required.
type Options struct {
	Store    Store
	Terminal PaymentTerminal // nil: card tenders fail with ErrNoTerminal
	Policy   Policy          // zero: every discount needs approval
	Market   VariableMeasure // zero: Sweden
	Now      func() time.Time
	NewID    func() string // zero: NewUUID
	Notify   func(Change)  // zero: nothing is told
	Limiter  *Limiter      // zero: a default Limiter
	// ReceiptTag is the tag in this node's receipt codes (see
	// ReceiptTag); zero: receipts carry none, and every tagged receipt
	// code is another node's.
	ReceiptTag string
}

// Service runs the till: carts, tenders and sales.
type Service struct {
	opt Options

	carts    keyLock  // serialises changes to one cart
	stations keyLock  // serialises the sales recorded at a station with a void of its last sale
	cards    inFlight // card payments waiting on the terminal in this process
	// flights is held by PayCard while its card is at the terminal, from
	// the payment made pending to its answer recorded: work handed over
	// with do waits for that answer (PickupService.moneyLeft).
	flights keyLock
	// pickups is the click-and-collect service taking payments at this
	// till (the last made with it), told of a card found approved on the
	// cart of an order; nil: none.
	pickups atomic.Pointer[PickupService]
}

// NewService returns a Service with opt's zero values defaulted.
func NewService(opt Options) *Service {
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
		opt.Limiter = &Limiter{}
	}
	return &Service{opt: opt}
}

// Market is the variable-measure table the service decodes barcodes with.
func (s *Service) Market() VariableMeasure { return s.opt.Market }

// ReceiptTag is the tag in this node's receipt codes (Options.ReceiptTag).
func (s *Service) ReceiptTag() string { return s.opt.ReceiptTag }

// lock serialises changes to one cart.
func (s *Service) lock(id string) func() { return s.carts.lock(id) }

// lockCarts locks several carts for one change that must see them all
// unchanged (AfterSales.Resume). They are locked in the order of their
// ids, so two requests locking some of the same carts never each hold one
// the other waits for; every other request locks one cart at a time.
func (s *Service) lockCarts(ids []string) func() {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	unlocks := make([]func(), len(ids))
	for i, id := range ids {
		unlocks[i] = s.lock(id)
	}
	return func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
}

// lockStation serialises the recording of a sale at station (Complete,
// AfterSales.Exchange, PickupService.CompletePaidPickup) with a void of
// the station's last sale, which holds it from its checks through its
// card refunds to its record: no sale comes after the sale being voided
// once its money is on the way back.
//
// The station's lock is always taken last: after the after-sales locks
// (a shift's, then a return's), a cart's and an order's. Nothing else is
// locked while it is held, so no two requests wait for each other.
func (s *Service) lockStation(station string) func() { return s.stations.lock(station) }

// Login checks a staff number and PIN, rate limited per staff number and
// per client key (a device or address). A good PIN clears the staff
// number's failures, and takes back from the client's only those made on
// that staff number (a cashier's own slips): the client's failures on
// other staff numbers only age out, so that a client cannot spread
// guesses over other staff numbers between logins of its own.
func (s *Service) Login(ctx context.Context, staffID, pin, client string) (Staff, error) {
	return s.checkPIN(ctx, staffID, pin, client)
}

// checkPIN checks staffID's PIN under the lock-out of the staff number and
// of each of clients: a failure counts against each, and a success takes
// back each client's failures on staffID.
func (s *Service) checkPIN(ctx context.Context, staffID, pin string, clients ...string) (Staff, error) {
	now := s.opt.Now()
	keys := []string{"staff:" + staffID}
	for _, c := range clients {
		keys = append(keys, "client:"+c)
	}
	for _, k := range keys {
		if err := s.opt.Limiter.Allow(k, now); err != nil {
			return Staff{}, err
		}
	}
	st, err := s.opt.Store.Staff(ctx, staffID)
	if errors.Is(err, ErrNotFound) {
		CheckPIN(dummyHash, pin) // same work as a real check
	} else if err != nil {
		return Staff{}, err
	}
	// The PIN is checked before whether the member is active: a staff
	// number deactivated answers after the same work as any other.
	if err != nil || !CheckPIN(st.PINHash, pin) || !st.Active {
		for _, k := range keys {
			s.opt.Limiter.Fail(k, now)
		}
		for _, c := range clients {
			s.opt.Limiter.Fail(ownSlips(c, staffID), now)
		}
		return Staff{}, ErrBadPIN
	}
	s.opt.Limiter.Succeed("staff:" + staffID)
	for _, c := range clients {
		s.opt.Limiter.Forgive("client:"+c, ownSlips(c, staffID))
	}
	return st, nil
}

// ownSlips is the limiter key of a client's failures on one staff number.
func ownSlips(client, staffID string) string { return "client:" + client + " staff:" + staffID }

// LockedOut reports whether logins with staffID are refused for now after
// wrong PINs (ErrLockedOut), for the manager's staff page.
func (s *Service) LockedOut(staffID string) bool {
	return s.opt.Limiter.Allow("staff:"+staffID, s.opt.Now()) != nil
}

// PINReset clears the login failures on staffID after a manager gave the
// member a new PIN: the staff number's lock-out, and each client's
// failures on it, as a good login there would. The member then signs in
// with the new PIN at once where they were locked out; failures on other
// staff numbers still count.
func (s *Service) PINReset(staffID string) {
	s.opt.Limiter.Succeed("staff:" + staffID)
	suffix := " staff:" + staffID
	for _, part := range s.opt.Limiter.keys(func(k string) bool { return strings.HasSuffix(k, suffix) }) {
		s.opt.Limiter.Forgive(strings.TrimSuffix(part, suffix), part)
	}
}

var dummyHash, _ = HashPIN("0000")

// approve checks a supervisor's credentials when need is set, records the
// approval and returns the approving staff id ("" when no approval was
// needed): action names it, ref is what it is on and detail says more.
func (s *Service) approve(ctx context.Context, need bool, a Actor, sup *Supervisor, action, ref, detail string) (string, error) {
	if !need {
		return "", nil
	}
	by, err := s.CheckSupervisor(ctx, a, sup)
	if err != nil {
		return "", err
	}
	return by, s.RecordApproval(ctx, a, by, action, ref, detail)
}

// CheckSupervisor checks a supervisor's credentials given for an action a
// asks for, without recording an approval: the caller records it with
// RecordApproval once the action is done. The PIN is checked as a login
// is, under the same lock-out per staff number, per station and per the
// actor's client address. It returns the supervisor's staff id;
// ErrApprovalRequired when sup is missing or not a supervisor, ErrBadPIN
// or ErrLockedOut.
func (s *Service) CheckSupervisor(ctx context.Context, a Actor, sup *Supervisor) (string, error) {
	if sup == nil || sup.Staff == "" {
		return "", ErrApprovalRequired
	}
	// Guesses count against the station, and against the address the
	// request came from as its logins do.
	clients := []string{"approve:" + a.Station}
	if a.Client != "" {
		clients = append(clients, a.Client)
	}
	st, err := s.checkPIN(ctx, sup.Staff, sup.PIN, clients...)
	if err != nil {
		return "", err
	}
	if st.Role < RoleSupervisor {
		return "", fmt.Errorf("%w: %s is not a supervisor", ErrApprovalRequired, st.ID)
	}
	return st.ID, nil
}

// RecordApproval keeps for audit that supervisor by approved action on
// ref (a cart, a sale, an order), asked for by a.
func (s *Service) RecordApproval(ctx context.Context, a Actor, by, action, ref, detail string) error {
	return s.opt.Store.RecordApproval(ctx, Approval{ID: s.opt.NewID(), At: s.opt.Now(), Action: action,
		Station: a.Station, Ref: ref, Staff: a.Staff, ApprovedBy: by, Detail: detail})
}

// View prices a cart for display.
func (s *Service) View(ctx context.Context, c Cart) (*CartView, error) {
	set, err := s.opt.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	b := c.Balance(set)
	v := &CartView{Cart: c, Balance: b, CashDue: b.CashDue(set), Currency: set.Currency,
		PendingUnknown: c.Pending != nil && !s.cards.has(c.Pending.ID)}
	if v.Lines == nil {
		v.Lines = []Line{}
	}
	if v.Payments == nil {
		v.Payments = []Payment{}
	}
	return v, nil
}

// OpenCart returns the station's open, unparked cart changed last (of
// those of a.Staff, with a.OwnCart), or a new empty one. The new cart is stored at once, so it survives a restart. A
// card payment pending on the cart that no one waits for (a crash, a
// restart or an unknown outcome left it) is resolved first, as
// ResolvePending does; when the terminal cannot tell, the cart is
// returned with the payment pending and PendingUnknown set.
func (s *Service) OpenCart(ctx context.Context, a Actor) (*CartView, error) {
	carts, err := s.opt.Store.Carts(ctx, a.Station)
	if err != nil {
		return nil, err
	}
	// The cart the station works on is the one changed last: after a
	// resume or a handover from the pickup counter that is the one on
	// screen, and a serial scanner's codes go there too.
	var cur *Cart
	for i := range carts {
		if c := &carts[i]; !c.Parked && a.owns(*c) && (cur == nil || !c.UpdatedAt.Before(cur.UpdatedAt)) {
			cur = c
		}
	}
	if cur != nil && cur.Pending != nil && !s.cards.has(cur.Pending.ID) {
		v, err := s.ResolvePending(ctx, cur.ID)
		if !errors.Is(err, ErrCardUnknown) {
			return v, err
		}
		return s.Cart(ctx, cur.ID)
	}
	if cur != nil {
		return s.View(ctx, *cur)
	}
	now := s.opt.Now()
	c := Cart{ID: s.opt.NewID(), Station: a.Station, Cashier: a.Staff, CreatedAt: now, UpdatedAt: now}
	if err := s.opt.Store.SaveCart(ctx, &c); err != nil {
		return nil, err
	}
	return s.View(ctx, c)
}

// Cart returns a cart by id.
func (s *Service) Cart(ctx context.Context, id string) (*CartView, error) {
	c, err := s.opt.Store.Cart(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.View(ctx, c)
}

// update loads cart id, applies f and stores the result, serialised with
// every other change to the cart.
func (s *Service) update(ctx context.Context, id string, f func(c *Cart, set Settings) error) (*CartView, error) {
	defer s.lock(id)()
	return s.updateLocked(ctx, id, f)
}

// updateLocked is update for a caller that holds the cart's lock.
func (s *Service) updateLocked(ctx context.Context, id string, f func(c *Cart, set Settings) error) (*CartView, error) {
	c, err := s.opt.Store.Cart(ctx, id)
	if err != nil {
		return nil, err
	}
	set, err := s.opt.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if err := f(&c, set); err != nil {
		return nil, err
	}
	var gross int64
	for _, l := range c.Lines {
		gross += l.Gross()
	}
	if gross > MaxCartAmount {
		return nil, fmt.Errorf("%w: the cart would come to more than %d", ErrBadQuantity, int64(MaxCartAmount))
	}
	c.Rev++
	c.UpdatedAt = s.opt.Now()
	if err := s.opt.Store.SaveCart(ctx, &c); err != nil {
		return nil, err
	}
	v, err := s.View(ctx, c)
	if err != nil {
		return nil, err
	}
	s.opt.Notify(Change{Kind: "cart", Station: c.Station, ID: c.ID, Value: v})
	return v, nil
}

// ScanResult says what a scan did.
type ScanResult struct {
	Code  Code        `json:"code"`
	Line  *Line       `json:"line,omitempty"`
	Stock *StockLevel `json:"stock,omitempty"` // set when the item is at or below zero
}

// Scan adds the item of a scanned or typed code to the cart. A code of the
// same item adds to its last line when the line has no discount or fixed
// amount; weighed and fixed-price items always get a line of their own.
// Receipt and pickup codes are not items: Scan returns the decoded Code with
// ErrUnknownCode wrapped so that the caller can route them, and
// ErrOtherReceipt for a receipt code of another node (see OwnReceipt).
func (s *Service) Scan(ctx context.Context, a Actor, cartID, raw string) (*CartView, ScanResult, error) {
	code, err := ParseCode(raw, s.opt.Market)
	res := ScanResult{Code: code}
	if err != nil {
		return nil, res, err
	}
	if err := OwnReceipt(code, s.opt.ReceiptTag); err != nil {
		return nil, res, err
	}
	if code.Kind == CodeReceipt || code.Kind == CodePickup {
		return nil, res, fmt.Errorf("%w: %s code", ErrUnknownCode, code.Kind)
	}
	it, err := s.opt.Store.ItemByCode(ctx, code.Key)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, res, fmt.Errorf("%w: %s", ErrUnknownCode, code.Raw)
		}
		return nil, res, err
	}
	l, err := ScanLine(it, code)
	if err != nil {
		return nil, res, err
	}
	v, err := s.add(ctx, a, cartID, it, l)
	if err != nil {
		return nil, res, err
	}
	for i := len(v.Lines) - 1; i >= 0; i-- {
		if v.Lines[i].SKU == it.SKU {
			res.Line = &v.Lines[i]
			break
		}
	}
	if st, err := s.opt.Store.Stock(ctx, it.SKU); err == nil && st.OnHand-st.Reserved <= 0 {
		res.Stock = &st
	}
	return v, res, nil
}

// ScanLine is the line one scan of code adds for item it, before it joins
// a cart: a piece at the item's price, a weight label's grams at the
// price per kilogram, or the price printed on a label (variable-measure
// or GS1) as the line's amount, and then as its unit price too (per
// piece, or per kg for a label with a weight). It fails as Scan does for a code the
// item cannot be sold by: a weight on an item sold by the piece, an item
// sold by weight with nothing to weigh it by, a label's price or weight
// out of range. The price check shows its gross amount, so that it says
// what the till charges.
func ScanLine(it Item, code Code) (Line, error) {
	l := Line{SKU: it.SKU, Names: it.Names, Barcode: code.Raw, Unit: it.Unit, Qty: 1, UnitPrice: it.Price, TaxRateBP: it.TaxRateBP}
	switch {
	case code.Grams > 0:
		if it.Unit != UnitKg {
			return Line{}, fmt.Errorf("%w: weight code for item %s sold by the piece", ErrBadQuantity, it.SKU)
		}
		l.Qty = code.Grams
		if code.Price != 0 { // a GS1 label with the weight and the price to pay
			if code.Price < 0 || code.Price > MaxPrice {
				return Line{}, fmt.Errorf("%w: embedded price %d", ErrBadPrice, code.Price)
			}
			l.FixedAmount = code.Price
			// The label's price per kg, which a price change since it
			// was printed, or a reduced label, sets apart from the shelf's.
			l.UnitPrice = RoundDiv(code.Price*1000, code.Grams)
		}
	case code.Kind == CodeVariable || code.Price != 0:
		if code.Price <= 0 || code.Price > MaxPrice {
			return Line{}, fmt.Errorf("%w: embedded price %d", ErrBadPrice, code.Price)
		}
		l.FixedAmount = code.Price
		if it.Unit == UnitKg && it.Price > 0 {
			l.Qty = max(RoundDiv(code.Price*1000, it.Price), 1)
		} else if it.Unit == UnitEach {
			l.UnitPrice = code.Price // one piece, at the label's price
		}
	case it.Unit == UnitKg:
		return Line{}, fmt.Errorf("%w: item %s is sold by weight; weigh it or enter grams", ErrBadQuantity, it.SKU)
	}
	if err := checkQty(l.Unit, l.Qty); err != nil { // a label's weight, or the weight its price stands for
		return Line{}, err
	}
	return l, nil
}

// AddItem adds qty of the item with sku (pieces, or grams for weighed
// items) to the cart.
func (s *Service) AddItem(ctx context.Context, a Actor, cartID, sku string, qty int64) (*CartView, error) {
	it, err := s.opt.Store.ItemByCode(ctx, sku)
	if err != nil {
		return nil, err
	}
	if err := checkQty(it.Unit, qty); err != nil {
		return nil, err
	}
	return s.add(ctx, a, cartID, it, Line{SKU: it.SKU, Names: it.Names, Unit: it.Unit, Qty: qty, UnitPrice: it.Price, TaxRateBP: it.TaxRateBP})
}

func (s *Service) add(ctx context.Context, a Actor, cartID string, it Item, l Line) (*CartView, error) {
	if !it.Active {
		return nil, fmt.Errorf("%w: %s", ErrInactiveItem, it.SKU)
	}
	return s.update(ctx, cartID, func(c *Cart, _ Settings) error {
		if err := c.editable(); err != nil {
			return err
		}
		before := c.priced()
		if n := len(c.Lines); n > 0 && l.Unit == UnitEach && l.FixedAmount == 0 {
			last := &c.Lines[n-1]
			// The same piece again, at the same price and tax: a price
			// central changed since the line was rung up starts a new line.
			if last.SKU == l.SKU && last.UnitPrice == l.UnitPrice && last.TaxRateBP == l.TaxRateBP && last.Unit == l.Unit &&
				last.Discount == nil && last.Override == nil && last.FixedAmount == 0 && last.OrderLineID == "" {
				if err := checkQty(last.Unit, last.Qty+l.Qty); err != nil {
					return err
				}
				last.Qty += l.Qty
				return s.opt.Policy.keepsDiscounts(a.Role, before, c)
			}
		}
		if len(c.Lines) >= MaxLines {
			return ErrCartFull
		}
		l.ID = s.opt.NewID()
		c.Lines = append(c.Lines, l)
		return s.opt.Policy.keepsDiscounts(a.Role, before, c)
	})
}

// SetQuantity changes a line's quantity. A change that would make a
// discount on the cart exceed what the actor may give, and take more (or
// a larger share) off than when it was given, is refused with
// ErrBadDiscount: the discount is set again first.
func (s *Service) SetQuantity(ctx context.Context, a Actor, cartID, lineID string, qty int64) (*CartView, error) {
	return s.update(ctx, cartID, func(c *Cart, _ Settings) error {
		if err := c.editable(); err != nil {
			return err
		}
		before := c.priced()
		l, err := c.line(lineID)
		if err != nil {
			return err
		}
		if l.FixedAmount != 0 {
			return fmt.Errorf("%w: the line's price is fixed by its barcode", ErrBadQuantity)
		}
		if err := checkQty(l.Unit, qty); err != nil {
			return err
		}
		if err := s.withinPicked(ctx, c, l, qty); err != nil {
			return err
		}
		l.Qty = qty
		return s.opt.Policy.keepsDiscounts(a.Role, before, c)
	})
}

// withinPicked refuses, with ErrBadQuantity, qty of line l of cart c when
// l is a line of a click-and-collect order and qty is more than was picked
// for it: the handover would refuse the sale once paid. More of the item
// is sold as a line of its own.
func (s *Service) withinPicked(ctx context.Context, c *Cart, l *Line, qty int64) error {
	if l.OrderLineID == "" || c.OrderID == "" {
		return nil
	}
	p, err := s.opt.Store.PickupOrder(ctx, c.OrderID)
	if err != nil {
		return err
	}
	ol, err := p.line(l.OrderLineID)
	if err != nil {
		return err
	}
	if qty > ol.Picked {
		return fmt.Errorf("%w: %d of order %s line %s were picked; scan more of the item as a line of its own", ErrBadQuantity, ol.Picked, p.Order.ID, ol.LineID)
	}
	return nil
}

// RemoveLine removes a line before payment. Like SetQuantity, it is
// refused with ErrBadDiscount when the basket discount would then exceed
// what the actor may give.
func (s *Service) RemoveLine(ctx context.Context, a Actor, cartID, lineID string) (*CartView, error) {
	return s.update(ctx, cartID, func(c *Cart, _ Settings) error {
		if err := c.editable(); err != nil {
			return err
		}
		before := c.priced()
		if _, err := c.line(lineID); err != nil {
			return err
		}
		lines := c.Lines[:0]
		for _, l := range c.Lines {
			if l.ID != lineID {
				lines = append(lines, l)
			}
		}
		c.Lines = lines
		return s.opt.Policy.keepsDiscounts(a.Role, before, c)
	})
}

// DiscountLine sets (or with d nil, clears) a line's discount. A discount
// above the policy's cashier limit needs sup. The line's discount changes
// what the basket discount applies to: like SetQuantity, DiscountLine is
// refused with ErrBadDiscount when the basket discount would then exceed
// what the actor may give.
func (s *Service) DiscountLine(ctx context.Context, a Actor, cartID, lineID string, d *Discount, sup *Supervisor) (*CartView, error) {
	return s.update(ctx, cartID, func(c *Cart, _ Settings) error {
		if err := c.editable(); err != nil {
			return err
		}
		before := c.priced()
		l, err := c.line(lineID)
		if err != nil {
			return err
		}
		if d == nil {
			l.Discount = nil
			return s.opt.Policy.keepsDiscounts(a.Role, before, c)
		}
		if err := d.validate(); err != nil {
			return err
		}
		g := l.Gross()
		off := discountOf(d, g)
		if d.Amount > g {
			return fmt.Errorf("%w: more than the line's amount", ErrBadDiscount)
		}
		dd := *d
		l.Discount = &dd
		if err := s.opt.Policy.keepsDiscounts(a.Role, before, c); err != nil {
			return err
		}
		by, err := s.approve(ctx, s.opt.Policy.needsApproval(a.Role, off, g), a, sup, "discount_line", c.ID,
			fmt.Sprintf("line %s sku %s off %d of %d: %s", l.ID, l.SKU, off, g, d.Reason))
		if err != nil {
			return err
		}
		l.Discount.ApprovedBy = by
		return nil
	})
}

// DiscountCart sets (or with d nil, clears) the basket discount.
func (s *Service) DiscountCart(ctx context.Context, a Actor, cartID string, d *Discount, sup *Supervisor) (*CartView, error) {
	return s.update(ctx, cartID, func(c *Cart, set Settings) error {
		if err := c.editable(); err != nil {
			return err
		}
		if d == nil {
			c.Discount = nil
			return nil
		}
		if err := d.validate(); err != nil {
			return err
		}
		t := Price(c.Lines, nil, set)
		base := t.Subtotal - t.Discount
		off := discountOf(d, base)
		if d.Amount > base {
			return fmt.Errorf("%w: more than the cart's amount", ErrBadDiscount)
		}
		by, err := s.approve(ctx, s.opt.Policy.needsApproval(a.Role, off, base), a, sup, "discount_cart", c.ID,
			fmt.Sprintf("off %d of %d: %s", off, base, d.Reason))
		if err != nil {
			return err
		}
		dd := *d
		dd.ApprovedBy = by
		c.Discount = &dd
		return nil
	})
}

// OverridePrice sets a line's unit price by hand. Raising a price, or
// lowering it beyond the cashier's limit, needs sup. A lower price makes
// a discount set as an amount take a larger share of the line, and a
// higher one makes a percentage take more: like SetQuantity, the override
// is refused with ErrBadDiscount when a discount on the cart would then
// exceed what the actor may give. The supervisor approves the price, not
// the discount: the discount is set again first.
func (s *Service) OverridePrice(ctx context.Context, a Actor, cartID, lineID string, price int64, reason string, sup *Supervisor) (*CartView, error) {
	if price < 0 || price > MaxPrice {
		return nil, fmt.Errorf("%w: %d", ErrBadPrice, price)
	}
	if strings.TrimSpace(reason) == "" {
		return nil, ErrReasonRequired
	}
	return s.update(ctx, cartID, func(c *Cart, _ Settings) error {
		if err := c.editable(); err != nil {
			return err
		}
		before := c.priced()
		l, err := c.line(lineID)
		if err != nil {
			return err
		}
		if l.FixedAmount != 0 {
			return fmt.Errorf("%w: the line's price is fixed by its barcode", ErrBadPrice)
		}
		from := l.UnitPrice
		if l.Override != nil {
			from = l.Override.From
		}
		need := price > from || !s.opt.Policy.CashierOverride || s.opt.Policy.needsApproval(a.Role, from-price, from)
		if a.Role >= RoleSupervisor {
			need = false
		}
		l.UnitPrice = price
		if err := s.opt.Policy.keepsDiscounts(a.Role, before, c); err != nil {
			return err
		}
		by, err := s.approve(ctx, need, a, sup, "price_override", c.ID,
			fmt.Sprintf("line %s sku %s price %d -> %d: %s", l.ID, l.SKU, from, price, reason))
		if err != nil {
			return err
		}
		l.Override = &Override{From: from, Reason: reason, ApprovedBy: by}
		return nil
	})
}

// PayCash records cash handed over by the customer. It is refused on a
// parked cart (ErrParked), on the cart of a click-and-collect order that
// has ended (ErrPickupState), while a card payment is at the terminal, and
// while the cart holds an item
// withdrawn from sale since it was scanned (ErrInactiveItem), as every
// tender is.
func (s *Service) PayCash(ctx context.Context, a Actor, cartID string, amount int64) (*CartView, error) {
	if amount <= 0 || amount > MaxPrice*10 {
		return nil, ErrBadTender
	}
	return s.update(ctx, cartID, func(c *Cart, set Settings) error {
		if len(c.Lines) == 0 {
			return ErrEmptyCart
		}
		if err := s.takesTender(ctx, c); err != nil {
			return err
		}
		if c.Balance(set).Settled {
			return ErrSettled
		}
		if err := s.forSale(ctx, c); err != nil {
			return err
		}
		c.Payments = append(c.Payments, Payment{ID: s.opt.NewID(), Method: MethodCash, Amount: amount, At: s.opt.Now()})
		return nil
	})
}

// RemovePayment takes back a cash payment before the sale completes. Card
// payments must be refunded through RefundCard.
func (s *Service) RemovePayment(ctx context.Context, a Actor, cartID, paymentID string) (*CartView, error) {
	return s.update(ctx, cartID, func(c *Cart, _ Settings) error {
		for i, p := range c.Payments {
			if p.ID == paymentID {
				if p.Method != MethodCash {
					return fmt.Errorf("pos: a %s payment is taken back by a refund", p.Method)
				}
				c.Payments = append(c.Payments[:i], c.Payments[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("payment %s: %w", paymentID, ErrNotFound)
	})
}

// Complete records the settled cart as a sale, durably, with its receipt
// number, stock movements and event, and removes the cart. While a void
// of the station's last sale is under way, the sale waits for it. A
// parked cart is refused (ErrParked) until it is taken up again.
func (s *Service) Complete(ctx context.Context, a Actor, cartID string) (*Sale, error) {
	defer s.lock(cartID)()
	c, err := s.opt.Store.Cart(ctx, cartID)
	if errors.Is(err, ErrNotFound) {
		if sale, err2 := s.opt.Store.Sale(ctx, cartID); err2 == nil {
			return &sale, nil // completed before: the same answer again
		}
	}
	if err != nil {
		return nil, err
	}
	set, err := s.opt.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if c.OrderID != "" {
		return nil, fmt.Errorf("%w (cart %s, order %s)", ErrPickupCart, c.ID, c.OrderID)
	}
	if c.Training {
		return nil, fmt.Errorf("%w (cart %s)", ErrTrainingCart, c.ID)
	}
	if c.Parked { // even one that owes nothing: it is taken up first
		return nil, fmt.Errorf("%w (cart %s)", ErrParked, c.ID)
	}
	sale, err := settle(c, set, a, s.opt.Now(), s.opt.NewID())
	if err != nil {
		return nil, err
	}
	unlock := s.lockStation(sale.Station)
	err = s.opt.Store.CompleteSale(ctx, sale)
	unlock()
	if err != nil {
		return nil, err
	}
	s.opt.Notify(Change{Kind: "sale", Station: sale.Station, ID: sale.ID, Value: sale})
	for _, l := range sale.Lines {
		if st, err := s.opt.Store.Stock(ctx, l.SKU); err == nil {
			s.opt.Notify(Change{Kind: "stock", Station: sale.Station, ID: l.SKU, Value: st})
		}
	}
	return sale, nil
}

// Cancel abandons an open cart. A cart with card payments cannot be
// cancelled until they are refunded, nor one whose card payment is at the
// terminal until the terminal has answered, or, when no one waits for its
// answer any more, until it is resolved (ResolvePending, AbortCard) or
// declared (DeclareCard).
func (s *Service) Cancel(ctx context.Context, a Actor, cartID string) error {
	defer s.lock(cartID)()
	c, err := s.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return err
	}
	if err := c.noPending(); err != nil {
		return err
	}
	for _, p := range c.Payments {
		if p.Method != MethodCash {
			return fmt.Errorf("%w: refund the %s payment first", ErrCartLocked, p.Method)
		}
	}
	if err := s.opt.Store.DeleteCart(ctx, cartID); err != nil {
		return err
	}
	s.opt.Notify(Change{Kind: "cart", Station: c.Station, ID: c.ID, Value: nil})
	return nil
}
