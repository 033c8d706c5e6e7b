package pos

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Paying at pickup
//
// An order with payment status pay_at_pickup is handed over through the
// till: ToCart turns the verified, ready order into a cart whose lines
// carry their OrderLineID and whose OrderID is the order's; the till takes
// payment on it as on any cart (Service.PayCash, Service.PayCard); then
// CompletePaidPickup records the sale and the order's collection in ONE
// transaction, so an order is collected exactly when it is paid. The sale
// event carries order_id; the pos.pickup.collected event carries sale_id.
// The sale's own movements take the goods off stock (reason "sale"), so
// the collected event carries none.
//
// A cart of an order must therefore be completed with CompletePaidPickup,
// never Service.Complete. Lines removed from the cart at the till are
// lines the customer refused; they go back to stock. Items the customer
// adds to the cart are sold with it. If central changes the order while
// its cart is open, the order leaves the ready state and
// CompletePaidPickup refuses with ErrPickupState: the till takes back the
// payments and makes the cart again. If central cancels or closes it, a
// tender that comes after is refused before money is taken; money paid
// before is found by the cancellation, which tells staff to give it back
// (NoticeGiveBack), and CompletePaidPickup refuses with ErrOrderEnded:
// the till gives it back and cancels the cart. A card of unknown outcome
// is not money paid until it is found approved; with only such a card on
// the cart, the refusal asks for its outcome (ErrCardUnknown).

// ErrPickupCart reports a cart that pays a click-and-collect order being
// completed as a plain sale: it must be completed with
// PickupService.CompletePaidPickup so that the order is collected with it.
var ErrPickupCart = errors.New("pos: this cart pays a click-and-collect order; complete it at the pickup handover")

// ToCart makes the till cart for an order paid at pickup: one line per
// picked line the customer takes (take as in Collect; nil: everything
// picked), priced at the ordered unit price (a substitute at its shelf
// price when that is lower: pickupPrice) and taxed as the catalog item.
// The order must be ready and verified. Asking again returns the same
// cart while it is open; asked at another station, the cart moves there
// as long as nothing has been paid on it yet (ErrCartLocked otherwise:
// the payment is finished where it began, with its drawer). A cart made
// before central changed the order's lines is made again from them, in
// place, unless money is on it (ErrCartLocked: it is taken back first).
func (s *PickupService) ToCart(ctx context.Context, a Actor, id string, take map[string]int64) (*Cart, error) {
	if err := s.moveCart(ctx, a, id); err != nil {
		return nil, err
	}
	c, remake, err := s.toCart(ctx, a, id, take)
	if err != nil || !remake {
		return c, err
	}
	c, made, err := s.remakeCart(ctx, id, c)
	if err != nil || !made {
		return c, err // or made again meanwhile, by a caller who logs it
	}
	// The order's log says why its cart changed under the till. Should
	// that fail, the cart stands made, and asking again returns it.
	_, err = s.change(ctx, a, id, "to_cart", func(p *PickupOrder, _ time.Time) (*PickupUpdate, error) {
		return &PickupUpdate{Detail: fmt.Sprintf("cart %s made again for order version %d", c.ID, c.OrderVersion)}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("cart %s made again, not logged: %w", c.ID, err)
	}
	return c, nil
}

// toCart is ToCart under the order's lock. A cart to be made again is
// returned with remake set and not saved: remakeCart saves it under the
// cart's lock, which is taken before an order's.
func (s *PickupService) toCart(ctx context.Context, a Actor, id string, take map[string]int64) (_ *Cart, remake bool, _ error) {
	defer s.lock(id)()
	p, err := s.opt.Store.PickupOrder(ctx, id)
	if err != nil {
		return nil, false, err
	}
	now := s.opt.Now()
	if err := p.need(PickupReady); err != nil {
		return nil, false, err
	}
	if p.Order.Payment.Status != OrderPayAtPickup {
		return nil, false, fmt.Errorf("%w: order %s is paid online; hand it over with Collect", ErrPickupState, id)
	}
	if p.Verified == nil || now.Sub(p.Verified.At) > s.opt.VerifyTTL {
		return nil, false, ErrNotVerified
	}
	c := Cart{ID: s.opt.NewID(), Station: a.Station, Cashier: a.Staff, CreatedAt: now, UpdatedAt: now,
		OrderID: p.Order.ID, CustomerID: p.Order.Customer.ID, Payments: []Payment{}}
	if p.CartID != "" {
		old, err := s.opt.Store.Cart(ctx, p.CartID)
		switch {
		case err == nil && old.OrderVersion >= p.LinesVersion:
			return &old, false, nil
		case err == nil && (len(old.Payments) > 0 || old.Pending != nil):
			return nil, false, fmt.Errorf("%w: order %s changed while it was being paid at %s; take back its payments there, then make its cart again",
				ErrCartLocked, id, old.Station)
		case err == nil:
			c = old // made again from the order's lines as they are now
			c.Lines, remake = nil, true
		case !errors.Is(err, ErrNotFound):
			return nil, false, err
		}
	}
	c.OrderVersion = p.Order.Version
	for id := range take {
		if _, err := p.line(id); err != nil {
			return nil, false, fmt.Errorf("%w: %v", ErrBadCollect, err)
		}
	}
	for _, l := range p.Lines {
		q := l.Picked
		if take != nil {
			q = take[l.LineID]
		}
		if q < 0 || q > l.Picked {
			return nil, false, fmt.Errorf("%w: line %s: %d of %d picked", ErrBadCollect, l.LineID, q, l.Picked)
		}
		if q == 0 {
			continue
		}
		it, err := s.opt.Store.ItemByCode(ctx, l.PickSKU())
		if err != nil {
			return nil, false, fmt.Errorf("order %s line %s: %w", id, l.LineID, err)
		}
		c.Lines = append(c.Lines, Line{ID: s.opt.NewID(), SKU: it.SKU, Names: it.Names, Unit: it.Unit, Qty: q,
			UnitPrice: pickupPrice(l, it), TaxRateBP: it.TaxRateBP, OrderLineID: l.LineID})
	}
	if len(c.Lines) == 0 {
		return nil, false, fmt.Errorf("%w: the customer takes nothing; reject the order instead", ErrBadCollect)
	}
	set, err := s.opt.Store.Settings(ctx)
	if err != nil {
		return nil, false, err
	}
	c.Discount = s.orderDiscount(ctx, &p, c.Lines, set)
	if remake {
		return &c, true, nil
	}
	if err := s.opt.Store.SaveCart(ctx, &c); err != nil {
		return nil, false, err
	}
	p.CartID = c.ID
	if _, err := s.save(ctx, &PickupUpdate{Order: &p, Action: "to_cart", Staff: a.Staff, Detail: "cart " + c.ID}); err != nil {
		return nil, false, err
	}
	return &c, false, nil
}

// OrderPromotion is the reason of the discount a cart of an order paid
// at pickup gets when central priced the order below its lines.
const OrderPromotion = "online order price"

// orderDiscount is the discount of a cart of lines made from p's lines
// (by OrderLineID) when central priced the order as a whole below what
// its lines come to (payment.amount less than the lines, with their tax
// where prices do not include it: a promotion on the order), nil when it
// did not. The customer pays what the order said, for what they take:
// the goods taken get the part of the promotion that their value at the
// ordered prices is of the order's. A return of an order paid online
// shares the promotion alike (shareOrderDiscount).
func (s *PickupService) orderDiscount(ctx context.Context, p *PickupOrder, lines []Line, set Settings) *Discount {
	ordered := make(map[string]*PickLine, len(p.Lines))
	values := make([]int64, len(p.Lines))
	rates := make([]int64, len(p.Lines))
	for i := range p.Lines {
		l := &p.Lines[i]
		ordered[l.LineID] = l
		values[i] = LineGross(l.Unit, min(max(l.UnitPrice, 0), MaxPrice), min(max(l.Qty, 0), MaxQuantity))
		if !set.PricesIncludeTax {
			if it, err := s.opt.Store.ItemByCode(ctx, l.SKU); err == nil {
				rates[i] = it.TaxRateBP
			}
		}
	}
	value, part, ok := paidBeforeTax(values, rates, p.Order.Payment.Amount, set.PricesIncludeTax)
	if !ok || value <= 0 {
		return nil
	}
	var taken, gross int64
	for _, l := range lines {
		if o := ordered[l.OrderLineID]; o != nil {
			taken += LineGross(o.Unit, min(max(o.UnitPrice, 0), MaxPrice), min(max(l.Qty, 0), MaxQuantity))
		}
		gross += l.Gross()
	}
	d := min(mulRound(value-part, min(taken, value), value), gross)
	if d <= 0 {
		return nil
	}
	return &Discount{Amount: d, Reason: OrderPromotion}
}

// remakeCart gives the order's cart the lines of nc, made from the order
// as it is now, under the cart's lock: refused if money was put on it
// meanwhile, as when it was read. made is false when another request made
// it again meanwhile: the cart is returned as it stands. Without
// PickupOptions.Till it is saved unguarded.
func (s *PickupService) remakeCart(ctx context.Context, id string, nc *Cart) (_ *Cart, made bool, _ error) {
	if s.opt.Till == nil {
		nc.Rev++
		nc.UpdatedAt = s.opt.Now()
		if err := s.opt.Store.SaveCart(ctx, nc); err != nil {
			return nil, false, err
		}
		return nc, true, nil
	}
	v, err := s.opt.Till.update(ctx, nc.ID, func(c *Cart, _ Settings) error {
		switch {
		case c.OrderID != id:
			return fmt.Errorf("%w: cart %s no longer pays order %s", ErrStale, c.ID, id)
		case len(c.Payments) > 0 || c.Pending != nil:
			return fmt.Errorf("%w: order %s changed while it was being paid at %s; take back its payments there, then make its cart again",
				ErrCartLocked, id, c.Station)
		case c.OrderVersion >= nc.OrderVersion:
			return errCartStays // made again meanwhile
		}
		c.Lines, c.OrderVersion, c.Discount = nc.Lines, nc.OrderVersion, nc.Discount
		return nil
	})
	if errors.Is(err, errCartStays) {
		c, err := s.opt.Store.Cart(ctx, nc.ID)
		return &c, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return &v.Cart, true, nil
}

// CompletePaidPickup completes the settled cart of an order paid at
// pickup: the sale (with order_id) and pos.pickup.collected (with sale_id)
// are recorded in one transaction. What the cart's order lines hold is
// what the customer took; the rest of the picked goods go back to stock.
// A cart changed at the till meanwhile (a payment taken back) is refused
// with ErrConflict: ask again. Like Service.Complete, the sale waits for
// a void of the station's last sale under way (see PickupOptions.Till).
func (s *PickupService) CompletePaidPickup(ctx context.Context, a Actor, cartID string) (*Sale, error) {
	c, err := s.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return nil, err
	}
	if c.OrderID == "" {
		return nil, fmt.Errorf("%w: cart %s is not of an order; complete it at the till", ErrInvalidRequest, cartID)
	}
	set, err := s.opt.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	var sale *Sale
	unlock := func() {}
	defer func() { unlock() }()
	_, err = s.change(ctx, a, c.OrderID, "collect", func(p *PickupOrder, now time.Time) (*PickupUpdate, error) {
		if !p.State.Open() && p.CartID == c.ID {
			return nil, orderEnded(p, &c)
		}
		if p.Order.Payment.Status != OrderPayAtPickup {
			return nil, fmt.Errorf("%w: order %s is paid online; hand it over with Collect", ErrPickupState, p.Order.ID)
		}
		if p.CartID != c.ID {
			return nil, fmt.Errorf("%w: cart %s is not the order's current cart", ErrStale, c.ID)
		}
		if c.OrderVersion < p.LinesVersion {
			return nil, fmt.Errorf("%w: order %s changed since cart %s was made; take back its payments and make its cart again", ErrStale, p.Order.ID, c.ID)
		}
		take := map[string]int64{}
		for _, l := range c.Lines {
			if l.OrderLineID != "" {
				take[l.OrderLineID] += l.Qty
			}
		}
		sl, err := settle(c, set, a, now, s.opt.NewID())
		if err != nil {
			return nil, err
		}
		// The customer was verified when the cart was made and has paid
		// since: however long paying took, the handover stands.
		if err := p.Collect(take, a.Staff, time.Duration(math.MaxInt64), now); err != nil {
			return nil, err
		}
		p.SaleID = sl.ID
		ev, err := s.event(EventPickupCollected, p.CollectedData())
		sale = sl
		// Last, after the order's lock, and held until change has
		// recorded the sale.
		unlock = s.lockStation(sl.Station)
		return &PickupUpdate{Event: ev, Sale: sl, Detail: "sale " + sl.ID}, err
	})
	if err != nil {
		return nil, err
	}
	return sale, nil
}

// lockStation takes the station's lock of the till's sales (see
// Service.lockStation), or none without a till.
func (s *PickupService) lockStation(station string) func() {
	if s.opt.Till == nil {
		return func() {}
	}
	return s.opt.Till.lockStation(station)
}

// settle freezes a settled cart into a sale; Service.Complete and
// CompletePaidPickup both use it.
func settle(c Cart, set Settings, a Actor, now time.Time, eventID string) (*Sale, error) {
	if len(c.Lines) == 0 {
		return nil, ErrEmptyCart
	}
	if c.Pending != nil {
		return nil, fmt.Errorf("%w: a card payment is in progress", ErrTenderShort)
	}
	b := c.Balance(set)
	if !b.Settled {
		return nil, fmt.Errorf("%w: %d still due", ErrTenderShort, b.Due)
	}
	sale := &Sale{ID: c.ID, Station: c.Station, Cashier: c.Cashier, CompletedAt: now,
		Lines: c.Lines, Discount: c.Discount, Balance: b, Payments: c.Payments,
		CustomerID: c.CustomerID, OrderID: c.OrderID, Currency: set.Currency, EventID: eventID, CartRev: c.Rev}
	if a.Staff != "" {
		sale.Cashier = a.Staff
	}
	return sale, nil
}

// moveCart brings the open cart of order id, if any, to the actor's
// station, under the cart's lock, which is taken before an order's. It
// moves only a cart toCart would then hand out: of a ready order paid at
// pickup whose customer is verified; otherwise the cart stays with the
// station using it and toCart reports why. Without PickupOptions.Till it
// leaves the cart where it is.
func (s *PickupService) moveCart(ctx context.Context, a Actor, id string) error {
	p, err := s.opt.Store.PickupOrder(ctx, id)
	if err != nil || p.CartID == "" || s.opt.Till == nil || a.Station == "" {
		return nil // ToCart reports a missing order
	}
	if p.need(PickupReady) != nil || p.Order.Payment.Status != OrderPayAtPickup ||
		p.Verified == nil || s.opt.Now().Sub(p.Verified.At) > s.opt.VerifyTTL {
		return nil
	}
	_, err = s.opt.Till.update(ctx, p.CartID, func(c *Cart, _ Settings) error {
		if c.OrderID != id || c.Station == a.Station {
			return errCartStays
		}
		if len(c.Payments) > 0 || c.Pending != nil {
			return fmt.Errorf("%w: order %s is being paid at %s", ErrCartLocked, id, c.Station)
		}
		c.Station = a.Station
		if a.Staff != "" {
			c.Cashier = a.Staff
		}
		return nil
	})
	if errors.Is(err, errCartStays) || errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// errCartStays stops moveCart's update without a change.
var errCartStays = errors.New("cart stays")
