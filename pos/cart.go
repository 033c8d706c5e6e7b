package pos

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned by cart operations. They are permanent for the request
// that caused them: retrying the same request gives the same error.
var (
	ErrNotFound         = errors.New("pos: not found")
	ErrUnknownCode      = errors.New("pos: no item has this code")
	ErrInactiveItem     = errors.New("pos: item is withdrawn from sale")
	ErrBadQuantity      = errors.New("pos: quantity out of range")
	ErrBadDiscount      = errors.New("pos: discount out of range")
	ErrBadPrice         = errors.New("pos: price out of range")
	ErrReasonRequired   = errors.New("pos: a reason is required")
	ErrApprovalRequired = errors.New("pos: a supervisor must approve this")
	ErrCartLocked       = errors.New("pos: cart has payments; remove them or complete the sale first")
	ErrCartFull         = errors.New("pos: cart has the maximum number of lines")
	ErrEmptyCart        = errors.New("pos: cart is empty")
	ErrTenderShort      = errors.New("pos: tender less than total")
	ErrOverTender       = errors.New("pos: non-cash tender more than what is due")
	ErrBadTender        = errors.New("pos: tender amount must be positive")
	ErrSettled          = errors.New("pos: sale is already paid in full")
	// ErrInvalidRequest reports a request that names or combines things
	// that cannot go together; the message says what.
	ErrInvalidRequest = errors.New("pos: invalid request")
)

// Discount takes an amount or a percentage off a line or a whole cart.
// Exactly one of Amount and PercentBP is set.
type Discount struct {
	Amount     int64  `json:"amount,omitempty"`     // minor units
	PercentBP  int64  `json:"percent_bp,omitempty"` // 1000 = 10 %
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approved_by,omitempty"` // staff id of the approving supervisor
}

func (d Discount) validate() error {
	switch {
	case d.Reason == "":
		return ErrReasonRequired
	case (d.Amount != 0) == (d.PercentBP != 0):
		return fmt.Errorf("%w: give either an amount or a percentage", ErrBadDiscount)
	case d.Amount < 0 || d.Amount > MaxPrice*10:
		return fmt.Errorf("%w: amount %d", ErrBadDiscount, d.Amount)
	case d.PercentBP < 0 || d.PercentBP > 10000:
		return fmt.Errorf("%w: percentage %d bp", ErrBadDiscount, d.PercentBP)
	}
	return nil
}

// Override records a manual change of a line's unit price.
type Override struct {
	From       int64  `json:"from"` // the catalog price
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approved_by,omitempty"`
}

// Line is one line of a cart.
type Line struct {
	ID        string            `json:"id"`
	SKU       string            `json:"sku"`
	Names     map[string]string `json:"name"`
	Barcode   string            `json:"barcode,omitempty"` // the code scanned, if any
	Unit      string            `json:"unit"`
	Qty       int64             `json:"qty"`
	UnitPrice int64             `json:"unit_price"`
	TaxRateBP int64             `json:"tax_rate_bp"`
	// FixedAmount is set for a variable-measure code with an embedded
	// price: the line's gross amount is that price, whatever the quantity
	// (which is then derived from it, for stock).
	FixedAmount int64     `json:"fixed_amount,omitempty"`
	Discount    *Discount `json:"discount,omitempty"`
	Override    *Override `json:"override,omitempty"`
	// OrderLineID links a line to a click-and-collect order line.
	OrderLineID string `json:"order_line_id,omitempty"`
}

// Gross is the line's unit price times its quantity.
func (l Line) Gross() int64 {
	if l.FixedAmount != 0 {
		return l.FixedAmount
	}
	return LineGross(l.Unit, l.UnitPrice, l.Qty)
}

// Name is the line's item name in lang.
func (l Line) Name(lang string) string {
	return Item{SKU: l.SKU, Names: l.Names}.Name(lang)
}

// Tender methods.
const (
	MethodCash        = "cash"
	MethodCard        = "card"
	MethodGiftCard    = "gift_card"
	MethodStoreCredit = "store_credit"
)

// Payment is one tender applied to a cart. For cash, Amount is what the
// customer handed over; change is computed when the sale settles.
type Payment struct {
	ID     string    `json:"id"`
	Method string    `json:"method"`
	Amount int64     `json:"amount"`
	Ref    string    `json:"ref,omitempty"` // terminal reference, card or voucher number
	At     time.Time `json:"at"`
}

// Cart is a sale being built at a station. Open carts are stored so that
// they survive a restart.
type Cart struct {
	ID        string    `json:"id"`
	Station   string    `json:"station"`
	Cashier   string    `json:"cashier"` // staff id
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Rev       int64     `json:"rev"` // incremented by every change
	Lines     []Line    `json:"lines"`
	Discount  *Discount `json:"discount,omitempty"`
	Payments  []Payment `json:"payments"`
	// Pending is a card payment sent to the terminal and not yet answered.
	Pending    *Payment `json:"pending,omitempty"`
	CustomerID string   `json:"customer_id,omitempty"`
	// CustomerUnchecked is set when the customer was added while central
	// could not be asked: CustomerID is then a loyalty card's number as
	// typed or scanned (perhaps mistyped), not an id central has named.
	CustomerUnchecked bool `json:"customer_unchecked,omitempty"`
	// Customer is central's profile of the customer as it answered when
	// they were added (name, points, their latest purchases), for the
	// screens; nil when central has not named them (CustomerUnchecked,
	// or an id set as it is), and when the cart has no customer.
	Customer *Customer `json:"customer,omitempty"`
	OrderID  string    `json:"order_id,omitempty"`
	// OrderVersion is the version of the order whose lines the cart was
	// made from (PickupService.ToCart).
	OrderVersion int64 `json:"order_version,omitempty"`
	Parked       bool  `json:"parked,omitempty"`
	// Training marks a cart opened in training mode (AfterSales.OpenTraining).
	// It is fixed when the cart is opened: a training cart closes only as
	// a training receipt, and a cart opened for real never does.
	Training bool `json:"training,omitempty"`
}

// Balance is where a cart's payment stands.
type Balance struct {
	Totals
	NonCash  int64 `json:"non_cash"` // card, gift card, store credit
	Cash     int64 `json:"cash"`     // cash handed over
	Rounding int64 `json:"rounding"` // cash rounding, + or −
	Due      int64 `json:"due"`      // still to pay, after cash rounding if cash is used
	// CardDue is what a card (or any tender but cash) takes for the rest:
	// not cash-rounded, as cash rounding is for cash only. It differs from
	// Due once cash is paid and the rest rounds.
	CardDue int64 `json:"card_due"`
	Change  int64 `json:"change"`
	Settled bool  `json:"settled"`
}

// Balance prices the cart and applies its payments.
func (c *Cart) Balance(s Settings) Balance {
	b := Balance{Totals: Price(c.Lines, c.Discount, s)}
	for _, p := range c.Payments {
		if p.Method == MethodCash {
			b.Cash += p.Amount
		} else {
			b.NonCash += p.Amount
		}
	}
	rest := b.Total - b.NonCash
	if b.Cash > 0 && rest > 0 {
		due := RoundTo(rest, s.CashRounding)
		b.Rounding = due - rest
		rest = due
	}
	if b.Cash >= rest {
		b.Change = b.Cash - max(rest, 0)
		b.Settled = len(c.Lines) > 0
	} else {
		b.Due = rest - b.Cash
		b.CardDue = b.Total - b.NonCash - b.Cash
	}
	return b
}

// CashDue is what the customer would owe if the rest were paid in cash:
// the due amount after cash rounding.
func (b Balance) CashDue(s Settings) int64 {
	if b.Cash > 0 || b.Due <= 0 {
		return b.Due
	}
	return RoundTo(b.Due, s.CashRounding)
}

func (c *Cart) line(id string) (*Line, error) {
	for i := range c.Lines {
		if c.Lines[i].ID == id {
			return &c.Lines[i], nil
		}
	}
	return nil, fmt.Errorf("line %s: %w", id, ErrNotFound)
}

func (c *Cart) editable() error {
	if len(c.Payments) > 0 || c.Pending != nil {
		return ErrCartLocked
	}
	return nil
}

func checkQty(unit string, qty int64) error {
	if qty <= 0 || qty > MaxQuantity {
		return fmt.Errorf("%w: %d (1..%d %s)", ErrBadQuantity, qty, MaxQuantity, map[bool]string{true: "grams", false: "pieces"}[unit == UnitKg])
	}
	return nil
}
