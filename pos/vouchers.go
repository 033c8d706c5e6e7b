package pos

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Voucher is a gift card or store credit. A voucher issued by this node
// has a balance held here. A card issued elsewhere (External) has no
// balance here: it is accepted offline up to its offline limit, which the
// store configures per card or for all cards, and central settles it
// later.
type Voucher struct {
	Code      string    `json:"code"`
	Kind      string    `json:"kind"` // MethodGiftCard or MethodStoreCredit
	Issued    int64     `json:"issued"`
	Balance   int64     `json:"balance"`
	External  bool      `json:"external,omitempty"`
	Limit     int64     `json:"offline_limit,omitempty"` // External: the most redeemable here
	Redeemed  int64     `json:"redeemed"`                // redeemed here so far
	CreatedAt time.Time `json:"created_at"`
	// Ref is the return that issued it, or for one issued outside a
	// return (IssueVoucher) the reason or reference the supervisor gave.
	Ref string `json:"ref,omitempty"`
	// IssuedBy and Station are the supervisor who issued it outside a
	// return and where; both are empty for store credit of a return (the
	// return names its staff) and for a card issued elsewhere.
	IssuedBy string `json:"issued_by,omitempty"`
	Station  string `json:"station,omitempty"`
	// ShiftID is the open shift of Station it was issued in. Store credit
	// issued while no shift is open there has none until the next shift
	// opened there adopts it, as it adopts receipts.
	ShiftID string `json:"shift_id,omitempty"`
	// Cash is what was paid into the shift's drawer for it: the amount of
	// a gift card sold. Store credit moves no cash.
	Cash int64 `json:"cash,omitempty"`
}

// Available is what can be redeemed now.
func (v Voucher) Available() int64 {
	if v.External {
		return max(v.Limit-v.Redeemed, 0)
	}
	return v.Balance
}

// voucherCode is the form of a code once canonical.
var voucherCode = regexp.MustCompile(`^[A-Z0-9\-]{4,64}$`)

// ErrBadVoucherCode reports a gift card or store credit code that cannot
// be one.
var ErrBadVoucherCode = errors.New("pos: not a gift card or store credit code (4-64 letters, digits or -)")

// CanonicalVoucherCode returns code in the one form in which a voucher
// code is stored, looked up and sent to central: letters in upper case,
// white space dropped. Two spellings of a code typed or scanned are one
// card exactly when their canonical forms are equal.
//
// Case and spaces are never part of a code: this node's codes are digits,
// and a cashier types the letters of a card issued elsewhere in either
// case and its long numbers in groups. Dashes are kept: they are in the
// alphabet of cards issued elsewhere, which central knows by their code
// with them, so GC-7001 and GC7001 stay two codes. Only ASCII letters are
// mapped, so that a non-ASCII letter that upper-cases to an ASCII one is
// still refused.
func CanonicalVoucherCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, code)
}

// CheckVoucherCode reports whether code, in its canonical form
// (CanonicalVoucherCode), can be a voucher code.
func CheckVoucherCode(code string) error {
	if !voucherCode.MatchString(CanonicalVoucherCode(code)) {
		return ErrBadVoucherCode
	}
	return nil
}

// NewVoucherCode returns a random 16-digit code for new store credit.
func NewVoucherCode() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 16)
	for i, c := range b {
		out[i] = '0' + c%10
	}
	out[0] = '9' // store credit codes of this node start with 9
	return string(out)
}

// Voucher returns a voucher by code, in any case and with spaces
// (CanonicalVoucherCode). A code this node does not know is an external
// card with the store's offline limit.
func (as *AfterSales) Voucher(ctx context.Context, code string) (Voucher, error) {
	code = CanonicalVoucherCode(code)
	if err := CheckVoucherCode(code); err != nil {
		return Voucher{}, err
	}
	return as.opt.Store.Voucher(ctx, code)
}

// PayVoucher tenders amount from a gift card or store credit (method) on
// an open cart; it is refused while a card payment is at the terminal. The
// balance is checked now, and checked and taken off in the sale's own
// transaction when the sale completes. A training cart is refused with
// ErrTrainingTender. The payment's Ref is the code in canonical form.
func (as *AfterSales) PayVoucher(ctx context.Context, a Actor, cartID, method, code string, amount int64) (*CartView, error) {
	code = CanonicalVoucherCode(code)
	if method != MethodGiftCard && method != MethodStoreCredit {
		return nil, fmt.Errorf("%w: %q is not a voucher tender (gift_card, store_credit)", ErrInvalidRequest, method)
	}
	if amount <= 0 || amount > MaxPrice*10 {
		return nil, ErrBadTender
	}
	// Refused before the voucher is looked up: training takes no voucher,
	// whatever its balance.
	if err := as.till.refuseTraining(ctx, cartID, ErrTrainingTender); err != nil {
		return nil, err
	}
	v, err := as.Voucher(ctx, code)
	if err != nil {
		return nil, err
	}
	return as.till.update(ctx, cartID, func(c *Cart, set Settings) error {
		if len(c.Lines) == 0 {
			return ErrEmptyCart
		}
		if err := as.till.takesTender(ctx, c); err != nil {
			return err
		}
		b := c.Balance(set)
		if b.Settled {
			return ErrSettled
		}
		if amount > b.CardDue {
			return fmt.Errorf("%w: %d is more than the %d due", ErrOverTender, amount, b.CardDue)
		}
		var held int64
		for _, p := range c.Payments {
			// A cart parked before codes were canonical may hold another spelling.
			if CanonicalVoucherCode(p.Ref) == code && (p.Method == MethodGiftCard || p.Method == MethodStoreCredit) {
				held += p.Amount
			}
		}
		if amount+held > v.Available() {
			if v.External {
				return fmt.Errorf("%w: %d available on %s", ErrVoucherLimit, v.Available()-held, code)
			}
			return fmt.Errorf("%w: %d available on %s", ErrVoucherBalance, v.Available()-held, code)
		}
		if err := as.till.forSale(ctx, c); err != nil {
			return err
		}
		c.Payments = append(c.Payments, Payment{ID: as.newID(), Method: method, Amount: amount, Ref: code, At: as.now()})
		return nil
	})
}

// RemoveVoucherPayment takes a gift card or store credit tender off an
// open cart; nothing was taken off the voucher yet.
func (as *AfterSales) RemoveVoucherPayment(ctx context.Context, a Actor, cartID, paymentID string) (*CartView, error) {
	return as.till.update(ctx, cartID, func(c *Cart, _ Settings) error {
		for i, p := range c.Payments {
			if p.ID == paymentID && (p.Method == MethodGiftCard || p.Method == MethodStoreCredit) {
				c.Payments = append(c.Payments[:i], c.Payments[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("voucher payment %s: %w", paymentID, ErrNotFound)
	})
}

// IssueVoucher issues a gift card or store credit of amount outside a
// return, at the actor's station. Only a supervisor may, and only with a
// reason or reference (ref), which is journalled with the supervisor, the
// station and the code.
//
// A gift card is sold: its amount is paid in cash into the drawer of the
// station's open shift, and counts in that shift's expected cash; with no
// shift open there it is refused with ErrNoShift. Store credit is given,
// not paid for, and moves no cash. Either shows on the X and Z reports of
// the station's shift among the vouchers issued.
func (as *AfterSales) IssueVoucher(ctx context.Context, a Actor, kind string, amount int64, ref string) (*Voucher, error) {
	if a.Role < RoleSupervisor {
		return nil, ErrForbidden
	}
	if kind != MethodGiftCard && kind != MethodStoreCredit {
		return nil, fmt.Errorf("%w: %q is not a voucher kind (gift_card, store_credit)", ErrInvalidRequest, kind)
	}
	if amount <= 0 || amount > MaxPrice {
		return nil, ErrBadTender
	}
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, ErrReasonRequired
	}
	if len(ref) > maxVoucherRef {
		return nil, fmt.Errorf("%w: a reason of at most %d bytes", ErrInvalidRequest, maxVoucherRef)
	}
	// With the shift: a Z report never misses a voucher issued meanwhile.
	defer as.lock("shift:" + a.Station)()
	v := &Voucher{Code: NewVoucherCode(), Kind: kind, Issued: amount, Balance: amount, CreatedAt: as.now(), Ref: ref,
		IssuedBy: a.Staff, Station: a.Station}
	sh, err := as.opt.Store.CurrentShift(ctx, a.Station)
	switch {
	case err == nil:
		v.ShiftID = sh.ID
	case !errors.Is(err, ErrNoShift):
		return nil, err
	case kind == MethodGiftCard:
		return nil, fmt.Errorf("a gift card is sold for cash into the drawer: %w", err)
	}
	if kind == MethodGiftCard {
		v.Cash = amount
	}
	if err := as.opt.Store.IssueVoucher(ctx, v); err != nil {
		return nil, fmt.Errorf("issue %s of %d: %w", kind, amount, err)
	}
	return v, nil
}

// maxVoucherRef is the longest reason IssueVoucher takes, in bytes.
const maxVoucherRef = 200

// VoucherIssue is the journal entry of a voucher issued outside a return.
type VoucherIssue struct {
	Code    string `json:"code"`
	Kind    string `json:"kind"`
	Amount  int64  `json:"amount"`
	Cash    int64  `json:"cash"` // paid into the drawer: a gift card sold
	Reason  string `json:"reason"`
	Staff   string `json:"staff"`
	Station string `json:"station"`
	ShiftID string `json:"shift_id"`
}

// JournalData is what the journal keeps of v issued outside a return.
func (v *Voucher) JournalData() VoucherIssue {
	return VoucherIssue{Code: v.Code, Kind: v.Kind, Amount: v.Issued, Cash: v.Cash, Reason: v.Ref,
		Staff: v.IssuedBy, Station: v.Station, ShiftID: v.ShiftID}
}

// RecordCopy journals the printing of a copy of a sale's receipt (kind
// "sale"), of a return's (kind "return") or of a training receipt (kind
// "training", ref its number), and returns it with its copy number; the
// copy is printed marked ReceiptMark(MarkCopy, n), a training receipt's
// still marked as training. A training receipt is copied only at the
// station where it was rung up (ErrNotFound elsewhere), as only that
// station lists it.
func (as *AfterSales) RecordCopy(ctx context.Context, a Actor, kind, ref string) (*ReceiptCopy, error) {
	c := &ReceiptCopy{Kind: kind, Ref: ref, Station: a.Station, Staff: a.Staff, At: as.now()}
	switch kind {
	case "sale":
		s, err := as.till.opt.Store.Sale(ctx, ref)
		if err != nil {
			return nil, err
		}
		c.No = s.ReceiptNo
	case "return":
	case "training":
		no, err := strconv.ParseInt(ref, 10, 64)
		if err != nil || no <= 0 {
			return nil, fmt.Errorf("%w: a training receipt's ref is its number, not %q", ErrInvalidRequest, ref)
		}
		t, err := as.opt.Store.TrainingReceipt(ctx, no)
		if err != nil {
			return nil, err
		}
		// Training receipts are listed and copied at their own station
		// only, where the trainee rang them up.
		if t.Sale.Station != a.Station {
			return nil, fmt.Errorf("training receipt %d at station %s: %w", no, a.Station, ErrNotFound)
		}
		c.No, c.Ref = t.No, strconv.FormatInt(t.No, 10) // "01" is receipt 1, and its copies are counted as such
	default:
		return nil, fmt.Errorf("%w: copy of %q: sale, return or training", ErrInvalidRequest, kind)
	}
	if err := as.opt.Store.RecordCopy(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}
