package pos

import (
	"context"
	"errors"
	"time"
)

// Errors of after-sales. ErrOffline and ErrConflict are transient: the
// same request may succeed later (online again, or retried). The others
// are permanent for the request that caused them.
var (
	// ErrOffline reports that central could not be asked (no connection,
	// or no answer in time). Offer the offline path: a return without
	// receipt, approved by a supervisor.
	ErrOffline = errors.New("pos: central cannot be reached; use the offline path with a supervisor")
	// ErrConflict reports that a record changed while the request was
	// being prepared; retry it.
	ErrConflict = errors.New("pos: the record changed meanwhile; try again")

	// ErrBadAnswer reports an answer from central that cannot be used
	// as it is (a line without SKU, a quantity out of range, ...).
	ErrBadAnswer = errors.New("pos: central's answer cannot be used; use the offline path")

	ErrOverReturn      = errors.New("pos: more than was sold and not yet returned")
	ErrNothingToReturn = errors.New("pos: nothing to return")
	ErrNotLastSale     = errors.New("pos: only the last sale of the station can be voided; return the goods instead")
	ErrVoided          = errors.New("pos: the sale is voided")
	ErrHasReturns      = errors.New("pos: the sale has returns and cannot be voided")
	ErrShiftOpen       = errors.New("pos: the station has an open shift; close it first")
	ErrNoShift         = errors.New("pos: the station has no open shift; open one first")
	ErrShiftClosed     = errors.New("pos: the shift is closed")
	ErrVoucherBalance  = errors.New("pos: the gift card or store credit has too little balance")
	ErrVoucherLimit    = errors.New("pos: the card cannot be checked offline beyond the store's limit")
	ErrParked          = errors.New("pos: the cart is parked; resume it first")
)

// Lookup asks central about sales, orders and customers that this node
// does not hold (the contract's rpc methods). Implementations return
// ErrOffline (wrapped) when central cannot be asked or does not answer in
// time, and ErrNotFound (wrapped) when central answers not_found.
type Lookup interface {
	OrderLookup(ctx context.Context, orderID string) (OrderRecord, error)
	SaleLookup(ctx context.Context, store, saleID string) (SaleRecord, error)
	CustomerLookup(ctx context.Context, query string) (Customer, error)
}

// OrderRecord is the result of order.lookup: an online order's delivered
// lines and its payment.
type OrderRecord struct {
	OrderID string            `json:"order_id"`
	Lines   []OrderRecordLine `json:"lines"`
	Payment OrderPayment      `json:"payment"`
}

// OrderRecordLine is a delivered line of an online order.
type OrderRecordLine struct {
	LineID string `json:"line_id"`
	SKU    string `json:"sku"`
	Name   string `json:"name,omitempty"`
	Qty    int64  `json:"qty"`
	// Unit is UnitEach or UnitKg (Qty in grams), as central says; empty:
	// the catalog's unit of the item, or pieces.
	Unit      string `json:"unit,omitempty"`
	UnitPrice int64  `json:"unit_price"`
	TaxRateBP int64  `json:"tax_rate_bp"`
}

// SaleRecord is the result of sale.lookup: a sale of another store.
type SaleRecord struct {
	SaleID   string         `json:"sale_id"`
	Store    string         `json:"store"`
	Lines    []SaleLineData `json:"lines"`
	Payments []PaymentData  `json:"payments"`
}

// Customer is a loyalty customer as central knows them.
type Customer struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Language string           `json:"language"`
	Points   int64            `json:"points"`
	Recent   []CustomerRecent `json:"recent"`
	// Offline is set when central could not be asked: the sale records
	// the loyalty id typed or scanned, and points are counted later.
	Offline bool `json:"offline,omitempty"`
}

// CustomerRecent is a recent purchase of a customer in any channel.
type CustomerRecent struct {
	Channel string    `json:"channel"`
	At      time.Time `json:"at"`
	Total   int64     `json:"total"`
	OrderID string    `json:"order_id,omitempty"`
	SaleID  string    `json:"sale_id,omitempty"`
}

// AfterSalesStore is the storage of returns, voids, shifts, vouchers and
// the journal. Every method that records a fact commits it with its
// events, stock movements and journal entry in one transaction.
// Missing records are ErrNotFound (wrapped).
type AfterSalesStore interface {
	// Returned tells what was returned and refunded so far against the
	// original with key (see Return.OriginKey).
	Returned(ctx context.Context, originKey string) (Returned, error)
	// CompleteReturn records r, and exchange (when not nil) as a sale in
	// the same transaction. It fails with ErrOverReturn if a line would
	// exceed its sold quantity, with ErrVoided if r's original is a sale
	// of this node that is voided, and with ErrDuplicate if r exists.
	CompleteReturn(ctx context.Context, r *Return, exchange *Sale) error
	// ClaimCardRefund records, durably and before a return's card refund
	// is sent under ref, the amount it is for. Claiming the same amount
	// again is no error (a return asked again after its refund was made
	// but not recorded); another amount fails with ErrConflict, since
	// the refund under ref may have been made for the first.
	ClaimCardRefund(ctx context.Context, ref string, amount int64) error
	// Return is the recorded return with id, or ErrNotFound.
	Return(ctx context.Context, id string) (Return, error)
	// PickupOrder is the click-and-collect order with id as this node
	// holds it, or ErrNotFound: a return by an order's id finds there
	// the sale that paid it at pickup.
	PickupOrder(ctx context.Context, id string) (PickupOrder, error)
	// LastSale is the station's sale with the highest receipt number.
	LastSale(ctx context.Context, station string) (Sale, error)
	// VoidSale records v. It fails with ErrNotLastSale, ErrVoided,
	// ErrHasReturns or ErrShiftClosed when the sale can no longer be
	// voided.
	VoidSale(ctx context.Context, v *Void) error
	// CheckVoid fails as VoidSale would for the sale saleID of station,
	// recording nothing: it is asked before any money is refunded.
	CheckVoid(ctx context.Context, saleID, station string) error

	OpenShift(ctx context.Context, sh *Shift) error // ErrShiftOpen
	// CurrentShift is the station's open shift, or ErrNoShift.
	CurrentShift(ctx context.Context, station string) (Shift, error)
	AddCashOp(ctx context.Context, op *CashOp) error
	// ShiftData gathers what a shift report is computed from.
	ShiftData(ctx context.Context, shiftID string) (ShiftData, error)
	// CloseShift closes sh with its Z report, fails with ErrShiftClosed if
	// it is closed already, and sets rep.JournalN and rep.JournalHead to
	// the journal entry of the report.
	CloseShift(ctx context.Context, sh *Shift, rep *ShiftReport) error

	Voucher(ctx context.Context, code string) (Voucher, error)
	IssueVoucher(ctx context.Context, v *Voucher) error

	// RecordCopy journals the printing of a copy of a receipt.
	RecordCopy(ctx context.Context, c *ReceiptCopy) error
	// RecordTraining numbers and journals a training receipt, keeps it
	// for copies and removes its cart.
	RecordTraining(ctx context.Context, t *TrainingReceipt) error
	// TrainingReceipt is the training receipt numbered no (ErrNotFound
	// when there is none).
	TrainingReceipt(ctx context.Context, no int64) (TrainingReceipt, error)
}

// ReturnPolicy says how refunds are paid.
type ReturnPolicy struct {
	// NoReceiptCashLimit is the largest refund paid in cash for a return
	// without receipt (or offline); a larger one is paid as store credit.
	// Zero: every such refund is store credit.
	NoReceiptCashLimit int64 `json:"no_receipt_cash_limit" toml:"no_receipt_cash_limit"`
}

// AfterSalesOptions configure AfterSales. Till and Store are required.
type AfterSalesOptions struct {
	Till   *Service        // the sale service: settings, catalog, approvals, carts
	Store  AfterSalesStore // storage of after-sales facts
	Lookup Lookup          // nil: every lookup fails with ErrOffline
	Policy ReturnPolicy
}

// AfterSales runs returns and exchanges, voids, parked sales, shifts and
// cash, vouchers, customer lookups and receipt copies. It tells the till's
// Options.Notify of every committed change: Kind "return" (*Return),
// "void" (*Void), "shift" (*Shift when opened, *ShiftReport when closed),
// and "sale", "cart" and "stock" as the till does.
type AfterSales struct {
	opt   AfterSalesOptions
	till  *Service
	locks keyLock // per original sale, order or station
}

// NewAfterSales returns an AfterSales with opt's zero values defaulted.
func NewAfterSales(opt AfterSalesOptions) *AfterSales {
	if opt.Lookup == nil {
		opt.Lookup = offlineLookup{}
	}
	return &AfterSales{opt: opt, till: opt.Till}
}

// lock serialises requests about one original sale, order or station.
// An entry lives only while the key is held or waited for.
func (as *AfterSales) lock(key string) func() { return as.locks.lock(key) }

func (as *AfterSales) now() time.Time { return as.till.opt.Now() }
func (as *AfterSales) newID() string  { return as.till.opt.NewID() }

type offlineLookup struct{}

func (offlineLookup) OrderLookup(context.Context, string) (OrderRecord, error) {
	return OrderRecord{}, ErrOffline
}
func (offlineLookup) SaleLookup(context.Context, string, string) (SaleRecord, error) {
	return SaleRecord{}, ErrOffline
}
func (offlineLookup) CustomerLookup(context.Context, string) (Customer, error) {
	return Customer{}, ErrOffline
}
