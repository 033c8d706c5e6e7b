package pos

import (
	"time"
)

// Sale is a completed sale: a settled cart frozen with its totals.
type Sale struct {
	ID          string    `json:"sale_id"`
	ReceiptNo   int64     `json:"receipt_no"` // set by Store.CompleteSale
	Station     string    `json:"station"`
	Cashier     string    `json:"cashier"`
	CompletedAt time.Time `json:"completed_at"`
	Lines       []Line    `json:"lines"`
	Discount    *Discount `json:"discount,omitempty"`
	Balance     Balance   `json:"balance"`
	Payments    []Payment `json:"payments"`
	CustomerID  string    `json:"customer_id,omitempty"`
	OrderID     string    `json:"order_id,omitempty"`
	Currency    string    `json:"currency"`
	// EventID is the id of the pos.sale.completed event.
	EventID string `json:"event_id"`
	// Voided is set when the sale was voided afterwards.
	Voided bool `json:"voided,omitempty"`
	// CartRev is the revision of the cart the sale was settled from. The
	// store records the sale only while its cart is still at that
	// revision, and fails with ErrConflict otherwise. Zero: not checked.
	CartRev int64 `json:"-"`
}

// Movements are the stock movements of the sale: every line takes its
// quantity off the item's stock.
func (s *Sale) Movements() []Movement {
	ms := make([]Movement, 0, len(s.Lines))
	for _, l := range s.Lines {
		ms = append(ms, Movement{SKU: l.SKU, Delta: -l.Qty, Reason: "sale", Ref: s.ID})
	}
	return ms
}

// SaleLineData is a line of the pos.sale.completed event.
type SaleLineData struct {
	SKU       string `json:"sku"`
	Qty       int64  `json:"qty"`
	Unit      string `json:"unit"`
	UnitPrice int64  `json:"unit_price"`
	Discount  int64  `json:"discount"`
	TaxRateBP int64  `json:"tax_rate_bp"`
	Amount    int64  `json:"amount"`
}

// PaymentData is a payment of a sale event, or a refund of a void or
// return event.
type PaymentData struct {
	Method string `json:"method"`
	Amount int64  `json:"amount"`
	// Ref is the code of the gift card or store credit paid with or
	// refunded to, so that central can settle a card issued elsewhere and
	// follow the balance of one issued here. It is empty for every other
	// method: a card's terminal reference (authorisation code, masked
	// number) stays on the node.
	Ref string `json:"ref,omitempty"`
}

// paymentData is the event form of a payment or refund: ref is kept
// for a gift card or store credit only.
func paymentData(method string, amount int64, ref string) PaymentData {
	if method != MethodGiftCard && method != MethodStoreCredit {
		ref = ""
	}
	return PaymentData{Method: method, Amount: amount, Ref: ref}
}

// SaleCompletedData is the data of a pos.sale.completed event. Payments
// minus Change equals Total plus Rounding.
type SaleCompletedData struct {
	SaleID     string         `json:"sale_id"`
	ReceiptNo  int64          `json:"receipt_no"`
	Station    string         `json:"station"`
	Cashier    string         `json:"cashier"`
	Lines      []SaleLineData `json:"lines"`
	Tax        []TaxLine      `json:"tax"`
	Total      int64          `json:"total"`
	Rounding   int64          `json:"rounding"`
	Payments   []PaymentData  `json:"payments"`
	Change     int64          `json:"change"`
	Currency   string         `json:"currency"`
	CustomerID string         `json:"customer_id,omitempty"`
	OrderID    string         `json:"order_id,omitempty"`
}

// EventData returns the data of the sale's pos.sale.completed event.
func (s *Sale) EventData() SaleCompletedData {
	d := SaleCompletedData{
		SaleID: s.ID, ReceiptNo: s.ReceiptNo, Station: s.Station, Cashier: s.Cashier,
		Tax: s.Balance.Tax, Total: s.Balance.Total, Rounding: s.Balance.Rounding,
		Change: s.Balance.Change, Currency: s.Currency, CustomerID: s.CustomerID, OrderID: s.OrderID,
		Lines: make([]SaleLineData, len(s.Lines)), Payments: make([]PaymentData, len(s.Payments)),
	}
	if d.Tax == nil {
		d.Tax = []TaxLine{}
	}
	for i, l := range s.Lines {
		lt := s.Balance.Lines[i]
		d.Lines[i] = SaleLineData{SKU: l.SKU, Qty: l.Qty, Unit: l.Unit, UnitPrice: l.UnitPrice,
			Discount: lt.Discount, TaxRateBP: l.TaxRateBP, Amount: lt.Amount}
	}
	for i, p := range s.Payments {
		d.Payments[i] = paymentData(p.Method, p.Amount, p.Ref)
	}
	return d
}

// Event returns the sale's pos.sale.completed event, without epoch and seq.
func (s *Sale) Event() (Event, error) {
	return NewEvent(s.EventID, EventSaleCompleted, s.CompletedAt, s.EventData())
}
