package pos

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Order statuses as central sends them. Fulfilment states belong to the
// store (PickupState) and never travel on the orders topic.
const (
	OrderPlaced    = "placed"
	OrderCancelled = "cancelled"
)

// Payment statuses of an order.
const (
	OrderPaid        = "paid"          // paid online
	OrderPayAtPickup = "pay_at_pickup" // the till takes payment at handover
)

// Order is a click-and-collect order as central publishes it on the
// retained orders/{order_id} topic. Each publication carries a higher
// Version; the node applies only versions above the one it holds.
type Order struct {
	ID         string        `json:"order_id"`
	Version    int64         `json:"version"`
	Status     string        `json:"status"` // OrderPlaced or OrderCancelled
	PlacedAt   time.Time     `json:"placed_at"`
	CollectBy  time.Time     `json:"collect_by"`
	Customer   OrderCustomer `json:"customer"`
	PickupCode string        `json:"pickup_code"`
	Payment    OrderPayment  `json:"payment"`
	Lines      []OrderLine   `json:"lines"`
	// Arrival is set when the customer has said "I'm here"; nil before.
	Arrival *Arrival `json:"arrival"`
}

// OrderCustomer is who collects an order.
type OrderCustomer struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Language string `json:"language"`
}

// OrderPayment says whether an order is paid and for how much.
type OrderPayment struct {
	Status   string `json:"status"` // OrderPaid or OrderPayAtPickup
	Amount   int64  `json:"amount"` // minor units
	Currency string `json:"currency"`
}

// OrderLine is one line of an order. Qty is in pieces, or grams for items
// sold by weight; UnitPrice is what the customer was quoted.
type OrderLine struct {
	LineID    string `json:"line_id"`
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Qty       int64  `json:"qty"`
	UnitPrice int64  `json:"unit_price"`
}

// Arrival is a customer waiting outside (curbside). At is when the customer
// said so; the zero value means "now" when the arrival is recorded.
type Arrival struct {
	At   time.Time `json:"at"`
	Bay  string    `json:"bay"`
	Note string    `json:"note"`
}

// ErrInvalidOrder reports an order payload that cannot be applied. It is
// permanent for that payload: the node logs it, counts it and waits for a
// newer version.
var ErrInvalidOrder = errors.New("pos: invalid order")

var (
	orderIDPattern    = regexp.MustCompile(`^[A-Za-z0-9._\-/]{1,64}$`)
	pickupCodePattern = regexp.MustCompile(`^[A-Za-z0-9\-]{1,32}$`)
	currencyPattern   = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ValidOrderID reports whether id is an order id as the node takes them:
// 1-64 characters of A-Z a-z 0-9 . _ - and /, but not "." or "..". Such
// an id may span more than one level of an MQTT topic, and goes
// %2F-escaped in a URL path, where "." and ".." would be taken for the
// directories they name.
func ValidOrderID(id string) bool { return orderIDPattern.MatchString(id) && id != "." && id != ".." }

// MaxOrderSize is the largest order payload ParseOrder accepts.
const MaxOrderSize = 1 << 20

// ParseOrder decodes and validates an order payload from central. Unknown
// fields are ignored, as the contract asks. A placed order must carry every
// field of the contract's order (arrival may be null); a cancelled one
// needs only order_id, version and status, so that a cancellation is never
// lost to a missing detail. Free text is made safe rather than refused
// (see cleanFreeText); ids, codes, money and times are checked strictly.
// The error wraps ErrInvalidOrder and names the field.
func ParseOrder(b []byte) (Order, error) {
	var o Order
	if len(b) > MaxOrderSize {
		return o, fmt.Errorf("%w: payload of %d bytes is larger than %d", ErrInvalidOrder, len(b), MaxOrderSize)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return o, fmt.Errorf("%w: not a JSON object: %v", ErrInvalidOrder, err)
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return Order{}, fmt.Errorf("%w: %v", ErrInvalidOrder, err)
	}
	required := []string{"order_id", "version", "status"}
	if o.Status != OrderCancelled {
		required = append(required, "placed_at", "collect_by", "customer", "pickup_code", "payment", "lines")
	}
	if err := requireFields(fields, "", required...); err != nil {
		return Order{}, err
	}
	o.cleanFreeText()
	if o.Status != OrderCancelled {
		// A missing amount or price must not be read as zero: the till
		// would hand goods over for it.
		var payment map[string]json.RawMessage
		var lines []map[string]json.RawMessage
		if json.Unmarshal(fields["payment"], &payment) != nil || json.Unmarshal(fields["lines"], &lines) != nil {
			return Order{}, fmt.Errorf("%w: payment must be an object and lines an array of objects", ErrInvalidOrder)
		}
		if err := requireFields(payment, "payment.", "status", "amount", "currency"); err != nil {
			return Order{}, err
		}
		for i, l := range lines {
			if err := requireFields(l, fmt.Sprintf("lines[%d].", i), "line_id", "sku", "qty", "unit_price"); err != nil {
				return Order{}, err
			}
		}
	}
	if err := o.Validate(); err != nil {
		return Order{}, err
	}
	return o, nil
}

// requireFields reports the first of keys that fields lacks or holds as
// null, named with prefix.
func requireFields(fields map[string]json.RawMessage, prefix string, keys ...string) error {
	for _, k := range keys {
		if v, ok := fields[k]; !ok || string(v) == "null" {
			return fmt.Errorf("%w: field %q is missing", ErrInvalidOrder, prefix+k)
		}
	}
	return nil
}

// Validate reports whether o can be applied. The error wraps
// ErrInvalidOrder and names the order and the field. Its free text must
// already be within the limits of cleanFreeText, as ParseOrder leaves it.
func (o *Order) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidOrder, clipText(o.ID), fmt.Sprintf(format, a...))
	}
	if !ValidOrderID(o.ID) {
		return bad("order_id must be 1-64 characters of A-Z a-z 0-9 . _ - /, not . or ..")
	}
	if o.Version < 1 {
		return bad("version must be a positive integer, not %d", o.Version)
	}
	switch o.Status {
	case OrderCancelled:
		return nil // the rest of a cancelled record is not used
	case OrderPlaced:
	default:
		return bad("status must be %q or %q, not %q", OrderPlaced, OrderCancelled, clipText(o.Status))
	}
	if o.PlacedAt.IsZero() || o.CollectBy.IsZero() {
		return bad("placed_at and collect_by must be RFC 3339 times")
	}
	if o.CollectBy.Before(o.PlacedAt) {
		return bad("collect_by %s is before placed_at %s", o.CollectBy.Format(time.RFC3339), o.PlacedAt.Format(time.RFC3339))
	}
	c := o.Customer
	if err := checkText("customer.name", c.Name, 1, maxOrderName); err != nil {
		return bad("%v", err)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"customer.id", c.ID, 64}, {"customer.phone", c.Phone, maxOrderPhone}, {"customer.language", c.Language, 64}} {
		if err := checkText(f.name, f.v, 0, f.max); err != nil {
			return bad("%v", err)
		}
	}
	if !pickupCodePattern.MatchString(o.PickupCode) {
		return bad("pickup_code must be 1-32 characters of A-Z a-z 0-9 -")
	}
	p := o.Payment
	if p.Status != OrderPaid && p.Status != OrderPayAtPickup {
		return bad("payment.status must be %q or %q, not %q", OrderPaid, OrderPayAtPickup, clipText(p.Status))
	}
	if p.Amount < 0 || p.Amount > MaxPrice*MaxLines {
		return bad("payment.amount %d out of range", p.Amount)
	}
	if !currencyPattern.MatchString(p.Currency) {
		return bad("payment.currency must be an ISO 4217 code such as SEK, not %q", clipText(p.Currency))
	}
	if len(o.Lines) == 0 || len(o.Lines) > MaxLines {
		return bad("an order has 1 to %d lines, not %d", MaxLines, len(o.Lines))
	}
	seen := make(map[string]bool, len(o.Lines))
	for i, l := range o.Lines {
		if err := checkText("line_id", l.LineID, 1, 64); err != nil {
			return bad("line %d: %v", i+1, err)
		}
		if seen[l.LineID] {
			return bad("line_id %q appears twice", clipText(l.LineID))
		}
		seen[l.LineID] = true
		if !ValidSKU(l.SKU) {
			return bad("line %s: sku must be %s", l.LineID, skuRule)
		}
		if err := checkText("name", l.Name, 0, maxOrderName); err != nil {
			return bad("line %s: %v", l.LineID, err)
		}
		if l.Qty <= 0 || l.Qty > MaxQuantity {
			return bad("line %s: qty %d out of range 1..%d", l.LineID, l.Qty, MaxQuantity)
		}
		if l.UnitPrice < 0 || l.UnitPrice > MaxPrice {
			return bad("line %s: unit_price %d out of range 0..%d", l.LineID, l.UnitPrice, MaxPrice)
		}
	}
	if a := o.Arrival; a != nil {
		if err := a.validate(); err != nil {
			return bad("arrival: %v", err)
		}
	}
	return nil
}

func (a *Arrival) validate() error {
	if err := checkText("bay", a.Bay, 0, maxArrivalBay); err != nil {
		return err
	}
	return checkText("note", a.Note, 0, maxArrivalNote)
}

// Limits, in bytes, on an order's free text. They are for screens and
// paper (a pickup list, a slip), not a rule of the contract: longer text
// from central is cut to them, never a reason to refuse the order.
const (
	maxOrderName   = 200 // customer.name and each line's name
	maxOrderPhone  = 64  // customer.phone
	maxArrivalBay  = 32
	maxArrivalNote = 500
)

// cleanFreeText makes what people typed into an order (the customer's name
// and phone, the lines' names, the arrival's bay and note) safe to show and
// print, rather than a reason to refuse it: the contract refuses a payload
// only when it is not JSON or lacks a required field. Refusing a note for
// its line break would refuse every later version carrying the same
// arrival too, and the store would never learn that the customer waits
// outside. Ids and codes are left to Validate.
func (o *Order) cleanFreeText() {
	c := &o.Customer
	c.Name = CleanText(c.Name, maxOrderName)
	c.Phone = CleanText(c.Phone, maxOrderPhone)
	for i := range o.Lines {
		o.Lines[i].Name = CleanText(o.Lines[i].Name, maxOrderName)
	}
	if a := o.Arrival; a != nil {
		a.Bay = CleanText(a.Bay, maxArrivalBay)
		a.Note = CleanText(a.Note, maxArrivalNote)
	}
}

// CleanText returns s as one line of valid UTF-8, for free text from
// outside that is shown and printed: invalid bytes become U+FFFD, control
// characters (newline and tab included) spaces, and text over limit bytes
// is cut on a character boundary.
func CleanText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// isControl reports whether r is a C0 control character or DEL, what
// checkText refuses.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// checkText reports whether v is valid UTF-8 without control characters and
// between lo and hi bytes long.
func checkText(name, v string, lo, hi int) error {
	if len(v) < lo || len(v) > hi {
		if lo > 0 {
			return fmt.Errorf("%s must be %d to %d bytes long", name, lo, hi)
		}
		return fmt.Errorf("%s must be at most %d bytes long", name, hi)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s is not valid UTF-8", name)
	}
	if strings.ContainsFunc(v, isControl) {
		return fmt.Errorf("%s contains a control character", name)
	}
	return nil
}

// PickupQR is what the customer's QR code encodes: PICKUP:{order_id}:{code}.
func PickupQR(orderID, code string) string {
	return "PICKUP:" + orderID + ":" + code
}
