package pos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Void is the cancellation of a station's last sale: its goods go back
// into stock and its money back to the customer.
type Void struct {
	SaleID     string    `json:"sale_id"`
	ReceiptNo  int64     `json:"receipt_no"`
	Station    string    `json:"station"`
	Staff      string    `json:"staff"`
	At         time.Time `json:"at"`
	Reason     string    `json:"reason"`
	ApprovedBy string    `json:"approved_by"`
	// Refunds are the sale's payments given back: card refunds through
	// the terminal, cash from the drawer, gift card and store credit
	// balances restored (Ref is the voucher code).
	Refunds []Refund `json:"refunds"`
	Sale    Sale     `json:"-"`
	EventID string   `json:"event_id"`
}

// Movements put the voided sale's goods back into stock.
func (v *Void) Movements() []Movement {
	ms := make([]Movement, 0, len(v.Sale.Lines))
	for _, l := range v.Sale.Lines {
		ms = append(ms, Movement{SKU: l.SKU, Delta: l.Qty, Reason: "void", Ref: v.SaleID})
	}
	return ms
}

// SaleVoidedData is the data of a pos.sale.voided event.
type SaleVoidedData struct {
	SaleID     string `json:"sale_id"`
	ReceiptNo  int64  `json:"receipt_no"`
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approved_by"`
	Station    string `json:"station"`
	Staff      string `json:"staff"`
	// Refunds are the sale's payments given back; a gift card or store
	// credit restored carries its code in Ref.
	Refunds []PaymentData `json:"refunds"`
}

// EventData returns the data of the void's pos.sale.voided event.
func (v *Void) EventData() SaleVoidedData {
	d := SaleVoidedData{SaleID: v.SaleID, ReceiptNo: v.ReceiptNo, Reason: v.Reason, ApprovedBy: v.ApprovedBy,
		Station: v.Station, Staff: v.Staff, Refunds: make([]PaymentData, len(v.Refunds))}
	for i, f := range v.Refunds {
		d.Refunds[i] = paymentData(f.Method, f.Amount, f.Ref)
	}
	return d
}

// Event returns the void's pos.sale.voided event, without epoch and seq.
func (v *Void) Event() (Event, error) {
	return NewEvent(v.EventID, EventSaleVoided, v.At, v.EventData())
}

// VoidLastSale voids the last sale of its station, approved by a
// supervisor (a supervisor's own request needs no second approval). Every
// check the store makes when it records the void is made before any money
// moves; then card payments are refunded through the terminal and the void
// is recorded. The caller hands back the cash refund and opens the drawer.
//
// The void holds its station from its checks to its record: a sale
// completed at the station meanwhile waits, and so the sale voided is
// still the station's last when its cards have been refunded.
//
// Should recording fail after a card was refunded (a disk error), the
// error says which refunds were made. The terminal's references are those
// of the sale's payments, so asking again for the same void records it
// without refunding the cards a second time.
func (as *AfterSales) VoidLastSale(ctx context.Context, a Actor, saleID, reason string, sup *Supervisor) (*Void, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, ErrReasonRequired
	}
	if err := as.refuseInTraining(ctx, a.Station); err != nil {
		return nil, err
	}
	s, err := as.till.opt.Store.Sale(ctx, saleID)
	if err != nil {
		return nil, err
	}
	defer as.lock("shift:" + s.Station)()  // with the shift: a Z report never misses a void
	defer as.lock("return:sale:" + s.ID)() // with the sale's returns: never both
	defer as.till.lockStation(s.Station)() // with the station's sales: the sale stays its last
	if s.Voided {
		return nil, fmt.Errorf("sale %s: %w", saleID, ErrVoided)
	}
	for _, p := range s.Payments {
		if p.Method == MethodExchange {
			return nil, fmt.Errorf("sale %s settles an exchange: %w", s.ID, ErrHasReturns)
		}
	}
	if err := as.opt.Store.CheckVoid(ctx, s.ID, s.Station); err != nil {
		return nil, fmt.Errorf("receipt %d: %w", s.ReceiptNo, err)
	}
	by, err := as.till.approve(ctx, a.Role < RoleSupervisor, a, sup, "void_sale", s.ID,
		fmt.Sprintf("receipt %d total %d: %s", s.ReceiptNo, s.Balance.Total, reason))
	if err != nil {
		return nil, err
	}
	if by == "" {
		by = a.Staff
	}
	v := &Void{SaleID: s.ID, ReceiptNo: s.ReceiptNo, Station: s.Station, Staff: a.Staff, At: as.now(),
		Reason: reason, ApprovedBy: by, Sale: s, EventID: as.newID()}
	var cash int64
	for _, p := range s.Payments {
		switch p.Method {
		case MethodCash:
			cash += p.Amount
		case MethodCard:
			ref, err := as.refundCard(ctx, "void-"+p.ID, p.Amount, s.Currency)
			if err != nil {
				return nil, err
			}
			v.Refunds = append(v.Refunds, Refund{Method: MethodCard, Amount: p.Amount, Ref: ref})
		default:
			v.Refunds = append(v.Refunds, Refund{Method: p.Method, Amount: p.Amount, Ref: p.Ref})
		}
	}
	if cash -= s.Balance.Change; cash > 0 {
		v.Refunds = append(v.Refunds, Refund{Method: MethodCash, Amount: cash})
	}
	if err := as.opt.Store.VoidSale(ctx, v); err != nil {
		return nil, refundedButNotRecorded(v.Refunds, err)
	}
	as.till.opt.Notify(Change{Kind: "void", Station: v.Station, ID: v.SaleID, Value: v})
	for _, l := range s.Lines {
		if st, err := as.till.opt.Store.Stock(ctx, l.SKU); err == nil {
			as.till.opt.Notify(Change{Kind: "stock", Station: v.Station, ID: l.SKU, Value: st})
		}
	}
	return v, nil
}

// VoidLine removes a line from an open cart before any payment. It is the
// sale service's RemoveLine, here so that after-sales screens have every
// void in one place.
func (as *AfterSales) VoidLine(ctx context.Context, a Actor, cartID, lineID string) (*CartView, error) {
	return as.till.RemoveLine(ctx, a, cartID, lineID)
}

// Park sets an open cart aside so that the station can serve someone
// else. Only a cart without payments can be parked. Any station of the
// store can resume it.
func (as *AfterSales) Park(ctx context.Context, a Actor, cartID string) (*CartView, error) {
	return as.till.update(ctx, cartID, func(c *Cart, _ Settings) error {
		if err := c.editable(); err != nil {
			return err
		}
		if len(c.Lines) == 0 {
			return ErrEmptyCart
		}
		c.Parked = true
		return nil
	})
}

// Resume takes a parked cart up again at the actor's station, at today's
// prices and tax rates: a line central changed the price of while the
// cart was parked takes the new one, and the view lists it
// (CartView.Repriced). A price overridden at the till, a price printed on
// a label and a line with a discount of its own keep the price they were
// rung up at, and so does every line when today's prices would make a
// discount on the cart need a supervisor again. The line of a
// click-and-collect order keeps its price and rate, as does an item gone
// from the catalog. A sale the
// station has open with items on it (at a station where each has a cart
// of their own, the actor's) is parked in its place: it waits in
// the parked list instead of behind the resumed one, from where it would
// come back, with another customer's items, as the station's next sale.
// A station whose open sale holds a payment resumes nothing
// (ErrCartLocked): that sale is finished, or its payments taken back,
// first. A cart paying a click-and-collect order is left as it is: the
// pickup handover takes it up again.
//
// The station's open sales are held with the cart resumed from that check
// to their parking, under the locks a payment takes: a payment started
// meanwhile either comes first, and nothing is resumed, or finds its sale
// parked (ErrParked). No terminal is asked while they are held. A sale
// that became the station's open one after they were listed (another
// parked sale taken up there at the same instant) is listed again and
// set aside in its turn. Two resumes at one station take turns: each
// locks only the carts it listed, and neither would see the sale the
// other takes up as open until it is.
func (as *AfterSales) Resume(ctx context.Context, a Actor, cartID string) (*CartView, error) {
	defer as.lock("resume:" + a.Station)()
	for try := 0; ; try++ {
		v, err := as.resumeOnce(ctx, a, cartID)
		if !errors.Is(err, errStationChanged) {
			return v, err
		}
		if try == 2 {
			return nil, fmt.Errorf("%w: %v", ErrConflict, err)
		}
	}
}

// resumeOnce is one try of Resume: it fails with errStationChanged when a
// sale with items became open at the station after its carts were listed.
func (as *AfterSales) resumeOnce(ctx context.Context, a Actor, cartID string) (*CartView, error) {
	listed, err := as.till.opt.Store.Carts(ctx, a.Station)
	if err != nil {
		return nil, err
	}
	ids := []string{cartID}
	for _, c := range listed {
		if c.ID != cartID && !c.Parked && c.Station == a.Station && a.owns(c) {
			ids = append(ids, c.ID)
		}
	}
	defer as.till.lockCarts(ids)()
	again, err := as.till.opt.Store.Carts(ctx, a.Station)
	if err != nil {
		return nil, err
	}
	for _, c := range again {
		if !c.Parked && c.Station == a.Station && a.owns(c) && len(c.Lines) > 0 && c.OrderID == "" && !slices.Contains(ids, c.ID) {
			return nil, fmt.Errorf("cart %s opened at %s meanwhile: %w", c.ID, a.Station, errStationChanged)
		}
	}
	var aside []string
	for _, id := range ids[1:] {
		c, err := as.till.opt.Store.Cart(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // completed or cancelled meanwhile
		}
		if err != nil {
			return nil, err
		}
		if c.Parked || c.Station != a.Station || !a.owns(c) {
			continue
		}
		if err := c.editable(); err != nil {
			return nil, fmt.Errorf("%w: the sale open at %s is being paid; finish it before taking up a parked one", err, a.Station)
		}
		if len(c.Lines) > 0 && c.OrderID == "" {
			aside = append(aside, c.ID)
		}
	}
	var repriced []Repriced
	v, err := as.till.updateLocked(ctx, cartID, func(c *Cart, _ Settings) error {
		if !c.Parked {
			return fmt.Errorf("cart %s is not parked: %w", c.ID, ErrNotFound)
		}
		c.Parked = false
		c.Station = a.Station
		if a.Staff != "" {
			c.Cashier = a.Staff
		}
		var err error
		repriced, err = as.till.reprice(ctx, a, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	v.Repriced = repriced
	// Parked after the resume, so that a screen told of its own sale
	// parked finds the resumed one as the station's open sale.
	for _, id := range aside {
		_, err := as.till.updateLocked(ctx, id, func(c *Cart, _ Settings) error {
			c.Parked = true
			return nil
		})
		if err != nil {
			return v, fmt.Errorf("cart %s resumed; the station's own sale %s not parked: %w", cartID, id, err)
		}
	}
	return v, nil
}

// Repriced is a line of a resumed cart whose price central changed while
// the cart was parked: From is the price it was rung up at, To today's.
type Repriced struct {
	LineID string `json:"line_id"`
	SKU    string `json:"sku"`
	From   int64  `json:"from"`
	To     int64  `json:"to"`
}

// reprice gives the lines of cart c today's catalog prices and tax rates,
// as Resume describes, and returns the lines whose price changed.
func (s *Service) reprice(ctx context.Context, a Actor, c *Cart) ([]Repriced, error) {
	before := c.priced()
	var out []Repriced
	for i := range c.Lines {
		l := &c.Lines[i]
		if l.OrderLineID != "" {
			continue
		}
		it, err := s.opt.Store.ItemByCode(ctx, l.SKU)
		if errors.Is(err, ErrNotFound) || err == nil && it.SKU != l.SKU {
			continue // gone from the catalog: the line stays as rung up
		}
		if err != nil {
			return nil, err
		}
		l.TaxRateBP = it.TaxRateBP
		if l.FixedAmount != 0 || l.Override != nil || l.Discount != nil || it.Price == l.UnitPrice {
			continue
		}
		out = append(out, Repriced{LineID: l.ID, SKU: l.SKU, From: l.UnitPrice, To: it.Price})
		l.UnitPrice = it.Price
	}
	if s.opt.Policy.keepsDiscounts(a.Role, before, c) != nil {
		c.Lines = before.Lines
		return nil, nil
	}
	return out, nil
}

// errStationChanged tells Resume that a sale with items became open at the
// station after it listed the station's carts.
var errStationChanged = errors.New("the station's open sales changed")

// ParkedCarts lists the parked carts of every station, oldest first.
func (as *AfterSales) ParkedCarts(ctx context.Context) ([]*CartView, error) {
	carts, err := as.till.opt.Store.Carts(ctx, "")
	if err != nil {
		return nil, err
	}
	out := []*CartView{}
	for _, c := range carts {
		if c.Parked {
			v, err := as.till.View(ctx, c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// ErrRefundedNotRecorded is matched by a RefundedError.
var ErrRefundedNotRecorded = errors.New("pos: card refunded but not recorded")

// RefundedError reports a void or a return that could not be recorded
// (Err) after the terminal refunded cards for it: the customer has that
// money back, and asking again refunds nothing twice (the terminal is
// asked first), but the person at the till must know.
type RefundedError struct {
	Cards []string // "amount (reference)" of each card refund
	Err   error
}

func (e *RefundedError) Error() string {
	return fmt.Sprintf("card refunded %s but not recorded: %v", strings.Join(e.Cards, ", "), e.Err)
}

func (e *RefundedError) Unwrap() error { return e.Err }

// Is reports ErrRefundedNotRecorded.
func (e *RefundedError) Is(target error) bool { return target == ErrRefundedNotRecorded }

// refundedButNotRecorded adds to err, the failure to record a void or a
// return, the card refunds that the terminal made for it, as a
// RefundedError.
func refundedButNotRecorded(refunds []Refund, err error) error {
	var cards []string
	for _, f := range refunds {
		if f.Method == MethodCard && f.Ref != "" {
			cards = append(cards, fmt.Sprintf("%d (%s)", f.Amount, f.Ref))
		}
	}
	if len(cards) == 0 {
		return err
	}
	return &RefundedError{Cards: cards, Err: err}
}
