package pos

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Tender methods that appear only on refunds and exchanges.
const (
	// MethodOnline is a refund that central pays back to the online
	// payment of an order.
	MethodOnline = "online"
	// MethodExchange is the value of returned goods applied to the sale
	// of an exchange: a payment of that sale and a refund of the return.
	MethodExchange = "exchange"
)

// Origins of a return.
const (
	OriginNone       = ""            // without receipt, or offline
	OriginSale       = "sale"        // a sale of this node
	OriginRemoteSale = "remote_sale" // a sale of another store (sale.lookup)
	OriginOrder      = "order"       // an order bought online (order.lookup)
)

// ReturnRequest asks for goods to be taken back. At most one of Receipt,
// SaleID and OrderID names the original; with none of them the return is
// one without receipt and needs a supervisor.
type ReturnRequest struct {
	// ID makes the request idempotent: a second return with the same ID
	// answers with the return recorded for the first (and its exchange's
	// sale), moving no money. Empty: a new id.
	ID string `json:"id,omitempty"`
	// Receipt is a scanned or typed receipt code of this node: R, the
	// node's tag and ten digits, or R and ten digits as printed before
	// receipts were tagged (see ReceiptBarcode). Another node's code is
	// refused with ErrOtherReceipt.
	Receipt string `json:"receipt,omitempty"`
	// SaleID is a sale of this node, or with Store a sale of another store.
	SaleID string `json:"sale_id,omitempty"`
	Store  string `json:"store,omitempty"`
	// OrderID is an order bought online.
	OrderID string       `json:"order_id,omitempty"`
	Items   []ReturnItem `json:"items"`
	Reason  string       `json:"reason"`
	// ToStoreCredit pays the whole refund as store credit, at the
	// customer's wish.
	ToStoreCredit bool `json:"to_store_credit,omitempty"`
	// ClaimedRef is what the customer says about the purchase when no
	// original can be checked (a receipt or order number), kept for audit.
	ClaimedRef string      `json:"claimed_ref,omitempty"`
	Supervisor *Supervisor `json:"supervisor,omitempty"`
}

// ReturnItem is one line of a return request.
type ReturnItem struct {
	// Line is the original's line: the line number on the receipt (1 for
	// the first), or the order's line_id. Empty without receipt.
	Line string `json:"line,omitempty"`
	// SKU is the item returned without receipt.
	SKU string `json:"sku,omitempty"`
	// Qty is pieces, or grams for weighed items.
	Qty int64 `json:"qty"`
	// UnitPrice overrides the catalog price of an item returned without
	// receipt (the supervisor approves the whole return). Zero: the
	// catalog price.
	UnitPrice int64 `json:"unit_price,omitempty"`
	// Restock puts the goods back into stock; false for damaged goods.
	Restock bool `json:"restock"`
}

// Return is a completed return.
type Return struct {
	ID        string    `json:"return_id"`
	ReturnNo  int64     `json:"return_no"` // set by the store
	Station   string    `json:"station"`
	Staff     string    `json:"staff"`
	At        time.Time `json:"at"`
	Origin    string    `json:"origin"`
	OriginKey string    `json:"origin_key,omitempty"` // what returned quantities are counted against
	SaleID    string    `json:"sale_id,omitempty"`
	Store     string    `json:"store,omitempty"`
	OrderID   string    `json:"order_id,omitempty"`
	ReceiptNo int64     `json:"receipt_no,omitempty"`

	ClaimedRef string       `json:"claimed_ref,omitempty"`
	Lines      []ReturnLine `json:"lines"`
	Tax        []TaxLine    `json:"tax"`
	Total      int64        `json:"total"`    // value of the goods returned
	Rounding   int64        `json:"rounding"` // cash rounding of the cash refund, + or −
	// Refunds add up to Total + Rounding.
	Refunds        []Refund `json:"refunds"`
	Reason         string   `json:"reason"`
	ApprovedBy     string   `json:"approved_by,omitempty"`
	Currency       string   `json:"currency"`
	ExchangeSaleID string   `json:"exchange_sale_id,omitempty"`
	EventID        string   `json:"event_id"`
}

// ReturnLine is a line of a return.
type ReturnLine struct {
	OrigLine  string            `json:"orig_line,omitempty"`
	SoldQty   int64             `json:"sold_qty,omitempty"` // the original line's quantity
	SKU       string            `json:"sku"`
	Names     map[string]string `json:"name,omitempty"`
	Unit      string            `json:"unit"`
	Qty       int64             `json:"qty"`
	TaxRateBP int64             `json:"tax_rate_bp"`
	Amount    int64             `json:"amount"` // in the store's price mode, like sale lines
	Restock   bool              `json:"restock"`
	// UnitPrice is the price per piece or kg the goods were sold at, and
	// Gross the returned share of the original line's gross amount
	// (Gross − Amount is its share of the discounts), for the refund
	// receipt. Zero in a return recorded before they were kept.
	UnitPrice int64 `json:"unit_price,omitempty"`
	Gross     int64 `json:"gross,omitempty"`
}

// Refund is money (or value) given back.
type Refund struct {
	Method string `json:"method"`
	Amount int64  `json:"amount"`
	// Ref is the terminal's reference of a card refund or the code of the
	// store credit issued.
	Ref string `json:"ref,omitempty"`
}

// Returned is what was returned and refunded so far against one original.
type Returned struct {
	Lines    map[string]ReturnedLine // by original line
	Refunded int64                   // all refunds, every method
	Cash     int64                   // the cash refunds among them
	Rounding int64                   // the returns' cash rounding, + or −
}

// ReturnedLine is what was returned so far of one original line.
type ReturnedLine struct {
	Qty    int64
	Amount int64
}

// Movements are the stock movements of the return: restocked lines go
// back into stock.
func (r *Return) Movements() []Movement {
	var ms []Movement
	for _, l := range r.Lines {
		if l.Restock {
			ms = append(ms, Movement{SKU: l.SKU, Delta: l.Qty, Reason: "return", Ref: r.ID})
		}
	}
	return ms
}

// ReturnOriginal names the original of a return in its event.
type ReturnOriginal struct {
	SaleID    string `json:"sale_id,omitempty"`
	OrderID   string `json:"order_id,omitempty"`
	Store     string `json:"store,omitempty"`
	ReceiptNo int64  `json:"receipt_no,omitempty"`
}

// ReturnLineData is a line of the pos.return.completed event.
type ReturnLineData struct {
	SKU       string `json:"sku"`
	Qty       int64  `json:"qty"`
	Unit      string `json:"unit"`
	TaxRateBP int64  `json:"tax_rate_bp"`
	Amount    int64  `json:"amount"`
	Restock   bool   `json:"restock"`
}

// ReturnCompletedData is the data of a pos.return.completed event.
// Refunds add up to Total plus Rounding.
type ReturnCompletedData struct {
	ReturnID       string           `json:"return_id"`
	ReturnNo       int64            `json:"return_no"`
	Station        string           `json:"station"`
	Staff          string           `json:"staff"`
	Original       *ReturnOriginal  `json:"original"`
	Lines          []ReturnLineData `json:"lines"`
	Refunds        []PaymentData    `json:"refunds"`
	Tax            []TaxLine        `json:"tax"`
	Total          int64            `json:"total"`
	Rounding       int64            `json:"rounding"`
	Reason         string           `json:"reason"`
	ApprovedBy     string           `json:"approved_by"`
	Currency       string           `json:"currency"`
	ExchangeSaleID string           `json:"exchange_sale_id,omitempty"`
	ClaimedRef     string           `json:"claimed_ref,omitempty"`
}

// EventData returns the data of the return's pos.return.completed event.
func (r *Return) EventData() ReturnCompletedData {
	d := ReturnCompletedData{ReturnID: r.ID, ReturnNo: r.ReturnNo, Station: r.Station, Staff: r.Staff,
		Tax: r.Tax, Total: r.Total, Rounding: r.Rounding, Reason: r.Reason, ApprovedBy: r.ApprovedBy,
		Currency: r.Currency, ExchangeSaleID: r.ExchangeSaleID, ClaimedRef: r.ClaimedRef,
		Lines: make([]ReturnLineData, len(r.Lines)), Refunds: make([]PaymentData, len(r.Refunds))}
	if d.Tax == nil {
		d.Tax = []TaxLine{}
	}
	switch r.Origin {
	case OriginSale, OriginRemoteSale:
		d.Original = &ReturnOriginal{SaleID: r.SaleID, Store: r.Store, ReceiptNo: r.ReceiptNo}
	case OriginOrder:
		d.Original = &ReturnOriginal{OrderID: r.OrderID}
	}
	for i, l := range r.Lines {
		d.Lines[i] = ReturnLineData{SKU: l.SKU, Qty: l.Qty, Unit: l.Unit, TaxRateBP: l.TaxRateBP, Amount: l.Amount, Restock: l.Restock}
	}
	for i, f := range r.Refunds {
		d.Refunds[i] = paymentData(f.Method, f.Amount, f.Ref)
	}
	return d
}

// Event returns the return's pos.return.completed event, without epoch
// and seq.
func (r *Return) Event() (Event, error) {
	return NewEvent(r.EventID, EventReturnCompleted, r.At, r.EventData())
}

// original is a resolved original purchase.
type original struct {
	kind, key          string
	saleID, store, oid string
	receiptNo          int64
	lines              []ReturnLine     // Qty is the sold quantity, Amount the line's amount
	paid               map[string]int64 // by tender, cash net of change
	// byOrderLine is the line of a sale paying an order, by the order's
	// line_id, when the return names the order; nil otherwise.
	byOrderLine map[string]string
}

// resolve finds the original of req, asking central when it is not this
// node's.
func (as *AfterSales) resolve(ctx context.Context, req ReturnRequest) (*original, error) {
	n := 0
	for _, s := range []string{req.Receipt, req.SaleID, req.OrderID} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("%w: name the original by one of receipt, sale or order", ErrInvalidRequest)
	}
	store := as.till.opt.Store
	switch {
	case req.Receipt != "":
		c, err := ParseCode(req.Receipt, as.till.opt.Market)
		if err != nil {
			return nil, err
		}
		if c.Kind != CodeReceipt {
			return nil, fmt.Errorf("%w: %q is not a receipt code", ErrBadCode, req.Receipt)
		}
		if err := OwnReceipt(c, as.till.opt.ReceiptTag); err != nil {
			return nil, err
		}
		s, err := store.SaleByReceipt(ctx, c.ReceiptNo)
		if err != nil {
			return nil, err
		}
		return localOriginal(s)
	case req.SaleID != "" && req.Store == "":
		s, err := store.Sale(ctx, req.SaleID)
		if err != nil {
			return nil, err
		}
		return localOriginal(s)
	case req.SaleID != "":
		// A sale of this node named with its store (central knows it
		// too) is the same original as its receipt: counted apart, it
		// could be returned twice.
		if s, err := store.Sale(ctx, req.SaleID); err == nil {
			return localOriginal(s)
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		rec, err := as.opt.Lookup.SaleLookup(ctx, req.Store, req.SaleID)
		if err != nil {
			return nil, fmt.Errorf("sale %s of store %s: %w", req.SaleID, req.Store, err)
		}
		o := &original{kind: OriginRemoteSale, key: "sale:" + req.Store + "/" + req.SaleID, saleID: req.SaleID,
			store: req.Store, paid: map[string]int64{}}
		for i, l := range rec.Lines {
			unit := lineUnit(ctx, store, l.SKU, l.Unit)
			amount := l.Amount
			if amount == 0 && l.UnitPrice > 0 && l.UnitPrice <= MaxPrice && l.Qty > 0 && l.Qty <= MaxQuantity {
				amount = LineGross(unit, l.UnitPrice, l.Qty) - l.Discount // central sent no amount
			}
			o.lines = append(o.lines, ReturnLine{OrigLine: strconv.Itoa(i + 1), SKU: l.SKU, Unit: unit, Qty: l.Qty,
				TaxRateBP: l.TaxRateBP, Amount: amount, UnitPrice: l.UnitPrice, Gross: amount + max(l.Discount, 0)})
		}
		for _, p := range rec.Payments {
			o.paid[p.Method] += p.Amount
		}
		as.names(ctx, o.lines)
		return o, o.check()
	case req.OrderID != "":
		// An order for pickup here is taken back only once handed over:
		// before, its goods are still in the store. One paid at this
		// node's pickup counter is the sale made there: returned by
		// either, it is counted against the sale and refunded to what
		// paid it, its lines named by their order line_id.
		switch p, err := as.opt.Store.PickupOrder(ctx, req.OrderID); {
		case errors.Is(err, ErrNotFound): // not for pickup here: central knows
		case err != nil:
			return nil, err
		case p.State != PickupCollected:
			return nil, fmt.Errorf("%w: order %s is %s here, not handed over: nothing to take back", ErrPickupState, req.OrderID, p.State)
		case p.SaleID != "":
			s, err := store.Sale(ctx, p.SaleID)
			if err != nil {
				return nil, fmt.Errorf("order %s paid by sale %s: %w", req.OrderID, p.SaleID, err)
			}
			o, err := localOriginal(s)
			if err != nil {
				return nil, err
			}
			o.oid, o.byOrderLine = req.OrderID, map[string]string{}
			for i, l := range s.Lines {
				if l.OrderLineID != "" {
					o.byOrderLine[l.OrderLineID] = strconv.Itoa(i + 1)
				}
			}
			return o, nil
		}
		rec, err := as.opt.Lookup.OrderLookup(ctx, req.OrderID)
		if err != nil {
			return nil, fmt.Errorf("order %s: %w", req.OrderID, err)
		}
		o := &original{kind: OriginOrder, key: "order:" + req.OrderID, oid: req.OrderID, paid: map[string]int64{}}
		for _, l := range rec.Lines {
			if l.UnitPrice < 0 || l.UnitPrice > MaxPrice {
				return nil, fmt.Errorf("%w: order %s line %s unit price %d", ErrBadAnswer, req.OrderID, l.LineID, l.UnitPrice)
			}
			unit := lineUnit(ctx, store, l.SKU, l.Unit)
			gross := LineGross(unit, l.UnitPrice, l.Qty)
			o.lines = append(o.lines, ReturnLine{OrigLine: l.LineID, SKU: l.SKU, Unit: unit, Qty: l.Qty,
				TaxRateBP: l.TaxRateBP, Amount: gross, UnitPrice: l.UnitPrice, Gross: gross})
		}
		if rec.Payment.Status == OrderPaid {
			set, err := store.Settings(ctx)
			if err != nil {
				return nil, err
			}
			o.paid[MethodOnline] = rec.Payment.Amount
			o.shareOrderDiscount(rec.Payment.Amount, set.PricesIncludeTax)
		}
		as.names(ctx, o.lines)
		return o, o.check()
	}
	return nil, nil
}

// lineUnit is the unit of a line central answered for sku: its own, else
// the catalog's, else each. A weighed line's quantity is grams, never
// pieces.
func lineUnit(ctx context.Context, store Store, sku, unit string) string {
	if unit != "" {
		return unit
	}
	if it, err := store.ItemByCode(ctx, sku); err == nil {
		return it.Unit
	}
	return UnitEach
}

// shareOrderDiscount prices an online order's lines at what was paid for
// them when the order was paid less than its lines (a promotion on the
// whole order): paid is spread over the lines in proportion to their
// prices, so each line is refunded its share whichever is returned first.
// An order paid as much or more (delivery) keeps its lines' prices. Where
// prices do not include tax, paid (what the customer paid, tax included)
// is set against the lines with their tax, and the lines are priced at
// the same part of their prices, to which the return adds their tax.
func (o *original) shareOrderDiscount(paid int64, pricesIncludeTax bool) {
	gross := make([]int64, len(o.lines))
	rates := make([]int64, len(o.lines))
	for i, l := range o.lines {
		gross[i], rates[i] = min(max(l.Amount, 0), MaxPrice*MaxQuantity), l.TaxRateBP
	}
	if _, part, ok := paidBeforeTax(gross, rates, paid, pricesIncludeTax); ok {
		for i, share := range spread(part, gross) {
			o.lines[i].Amount = share
		}
	}
}

// paidBeforeTax tells whether paid, a price with tax for goods worth values
// (before tax where prices do not include it, then taxed at rates), is
// below what the goods come to: a promotion on them as a whole. If so it
// returns the values' sum and paid's part of it before tax, which a
// promotion takes off them in proportion. Goods worth more than a cart
// may hold are none of the till's: no promotion.
func paidBeforeTax(values, rates []int64, paid int64, pricesIncludeTax bool) (sum, part int64, ok bool) {
	var taxed int64
	for i, v := range values {
		sum += v
		taxed += v
		if !pricesIncludeTax {
			taxed += taxOf(v, min(max(rates[i], 0), 10000), false)
		}
		if taxed > MaxCartAmount {
			return 0, 0, false
		}
	}
	if paid < 0 || paid >= taxed {
		return 0, 0, false
	}
	if !pricesIncludeTax {
		paid = mulRound(sum, paid, taxed)
	}
	return sum, paid, true
}

// names fills in catalog names where central sent none.
func (as *AfterSales) names(ctx context.Context, lines []ReturnLine) {
	for i := range lines {
		if it, err := as.till.opt.Store.ItemByCode(ctx, lines[i].SKU); err == nil {
			lines[i].Names = it.Names
		}
	}
}

// check refuses an original from central that cannot be returned against
// safely.
func (o *original) check() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrBadAnswer, o.key, fmt.Sprintf(format, a...))
	}
	seen := map[string]bool{}
	for i, l := range o.lines {
		switch {
		case l.OrigLine == "" || seen[l.OrigLine]:
			return bad("line %d has an empty or repeated id %q", i+1, l.OrigLine)
		case !ValidSKU(l.SKU):
			return bad("line %s has no valid sku", l.OrigLine)
		case l.Unit != UnitEach && l.Unit != UnitKg:
			return bad("line %s has unit %q", l.OrigLine, l.Unit)
		case l.Qty <= 0 || l.Qty > MaxQuantity:
			return bad("line %s has quantity %d", l.OrigLine, l.Qty)
		case l.Amount < 0 || l.Amount > MaxPrice*MaxQuantity:
			return bad("line %s has amount %d", l.OrigLine, l.Amount)
		case l.TaxRateBP < 0 || l.TaxRateBP > 10000:
			return bad("line %s has tax rate %d bp", l.OrigLine, l.TaxRateBP)
		}
		seen[l.OrigLine] = true
	}
	for m, v := range o.paid {
		if m == "" || v < 0 || v > MaxPrice*MaxQuantity {
			return bad("payment %q of %d", m, v)
		}
	}
	return nil
}

func localOriginal(s Sale) (*original, error) {
	if s.Voided {
		return nil, fmt.Errorf("sale %s: %w", s.ID, ErrVoided)
	}
	o := &original{kind: OriginSale, key: "sale:" + s.ID, saleID: s.ID, receiptNo: s.ReceiptNo, paid: map[string]int64{}}
	for i, l := range s.Lines {
		lt := s.Balance.Lines[i]
		o.lines = append(o.lines, ReturnLine{OrigLine: strconv.Itoa(i + 1), SKU: l.SKU, Names: l.Names, Unit: l.Unit,
			Qty: l.Qty, TaxRateBP: l.TaxRateBP, Amount: lt.Amount, UnitPrice: l.UnitPrice, Gross: lt.Gross})
	}
	for _, p := range s.Payments {
		o.paid[p.Method] += p.Amount
	}
	o.paid[MethodCash] -= s.Balance.Change
	return o, nil
}

// mulDiv returns a×b÷c rounded by RoundDiv, without overflow.
func mulDiv(a, b, c int64) int64 {
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	q, m := new(big.Int).QuoRem(n, big.NewInt(c), new(big.Int))
	m.Abs(m).Mul(m, big.NewInt(2))
	if m.Cmp(big.NewInt(c)) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// PrepareReturn checks a return and prices it, with the refunds it would
// pay, without recording anything or moving money. Screens use it to show
// the refund (and for an exchange, the credit) before the customer agrees.
func (as *AfterSales) PrepareReturn(ctx context.Context, a Actor, req ReturnRequest) (*Return, error) {
	if err := as.refuseInTraining(ctx, a.Station); err != nil {
		return nil, err
	}
	o, err := as.resolve(ctx, req)
	if err != nil {
		return nil, err
	}
	key := "return:none"
	if o != nil {
		key = "return:" + o.key
	}
	defer as.lock(key)()
	r, rf, err := as.price(ctx, a, req, o)
	if err != nil {
		return nil, err
	}
	set, err := as.till.opt.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	r.Refunds, r.Rounding = as.planRefunds(r.Total, rf, req.ToStoreCredit, set.CashRounding)
	return r, nil
}

// leftToRefund is what is left to refund of an original.
type leftToRefund struct {
	left map[string]int64 // by original tender
	// cashPaid is the most that all returns of the original may pay in
	// cash: the tenders refunded in cash, cash net of change.
	cashPaid int64
	// cashRefunded is what returns before paid in cash, and cashRounding
	// their cash rounding: their cash refunds before rounding are the
	// difference.
	cashRefunded, cashRounding int64
}

// price builds the return's lines and totals from the original and what
// was returned of it before, and returns what is left to refund; nil
// without an original.
func (as *AfterSales) price(ctx context.Context, a Actor, req ReturnRequest, o *original) (*Return, *leftToRefund, error) {
	if strings.TrimSpace(req.Reason) == "" {
		return nil, nil, ErrReasonRequired
	}
	if len(req.Items) == 0 {
		return nil, nil, ErrNothingToReturn
	}
	if len(req.Items) > MaxLines {
		return nil, nil, ErrCartFull
	}
	set, err := as.till.opt.Store.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	id := req.ID
	if id == "" {
		id = as.newID()
	}
	r := &Return{ID: id, Station: a.Station, Staff: a.Staff, At: as.now(), Reason: strings.TrimSpace(req.Reason),
		ClaimedRef: req.ClaimedRef, Currency: set.Currency, EventID: as.newID()}
	var rf *leftToRefund
	var done Returned
	if o == nil {
		for _, it := range req.Items {
			if it.Line != "" {
				return nil, nil, fmt.Errorf("%w: a return without receipt names items by SKU, not by line", ErrInvalidRequest)
			}
			item, err := as.till.opt.Store.ItemByCode(ctx, it.SKU)
			if err != nil {
				return nil, nil, err
			}
			if err := checkQty(item.Unit, it.Qty); err != nil {
				return nil, nil, err
			}
			price := item.Price
			if it.UnitPrice != 0 {
				if it.UnitPrice < 0 || it.UnitPrice > MaxPrice {
					return nil, nil, fmt.Errorf("%w: %d", ErrBadPrice, it.UnitPrice)
				}
				price = it.UnitPrice
			}
			amount := LineGross(item.Unit, price, it.Qty)
			r.Lines = append(r.Lines, ReturnLine{SKU: item.SKU, Names: item.Names, Unit: item.Unit, Qty: it.Qty,
				TaxRateBP: item.TaxRateBP, Amount: amount, Restock: it.Restock, UnitPrice: price, Gross: amount})
		}
	} else {
		r.Origin, r.OriginKey, r.SaleID, r.Store, r.OrderID, r.ReceiptNo = o.kind, o.key, o.saleID, o.store, o.oid, o.receiptNo
		done, err = as.opt.Store.Returned(ctx, o.key)
		if err != nil {
			return nil, nil, err
		}
		byRef := map[string]ReturnLine{}
		for _, l := range o.lines {
			byRef[l.OrigLine] = l
		}
		asked := map[string]int64{}
		for _, it := range req.Items {
			if o.byOrderLine != nil {
				it.Line = o.byOrderLine[it.Line]
			}
			ol, ok := byRef[it.Line]
			if !ok {
				return nil, nil, fmt.Errorf("line %q of the original: %w", it.Line, ErrNotFound)
			}
			if err := checkQty(ol.Unit, it.Qty); err != nil {
				return nil, nil, err
			}
			prev := done.Lines[it.Line]
			before := prev.Qty + asked[it.Line]
			if before+it.Qty > ol.Qty {
				return nil, nil, fmt.Errorf("%w: line %s (%s) sold %d, returned %d, asked %d",
					ErrOverReturn, it.Line, ol.SKU, ol.Qty, before, it.Qty)
			}
			asked[it.Line] += it.Qty
			// Cumulative pro rata, so that returning a line in parts
			// adds up to exactly its amount.
			amount := mulDiv(ol.Amount, before+it.Qty, ol.Qty) - mulDiv(ol.Amount, before, ol.Qty)
			gross := mulDiv(ol.Gross, before+it.Qty, ol.Qty) - mulDiv(ol.Gross, before, ol.Qty)
			r.Lines = append(r.Lines, ReturnLine{OrigLine: it.Line, SoldQty: ol.Qty, SKU: ol.SKU, Names: ol.Names,
				Unit: ol.Unit, Qty: it.Qty, TaxRateBP: ol.TaxRateBP, Amount: amount, Restock: it.Restock,
				UnitPrice: ol.UnitPrice, Gross: gross})
		}
		rf = &leftToRefund{left: map[string]int64{}, cashRefunded: done.Cash, cashRounding: done.Rounding}
		for m, v := range o.paid {
			rf.left[m] = v
			if refundMethod(m) == MethodCash {
				rf.cashPaid += v
			}
		}
		if len(o.paid) == 0 {
			rf.cashPaid = math.MaxInt64 // central named no payment: cash
		}
		consume(rf.left, done.Refunded)
	}
	pseudo := make([]Line, len(r.Lines))
	var sum int64
	for i, l := range r.Lines {
		pseudo[i] = Line{SKU: l.SKU, Unit: UnitEach, Qty: 1, FixedAmount: l.Amount, TaxRateBP: l.TaxRateBP}
		sum += l.Amount
	}
	if sum > MaxCartAmount {
		return nil, nil, fmt.Errorf("%w: the return would come to more than %d", ErrBadQuantity, int64(MaxCartAmount))
	}
	if o == nil {
		t := Price(pseudo, nil, set)
		r.Tax, r.Total = t.Tax, t.Total
		return r, rf, nil
	}
	r.Tax, r.Total = returnTax(r.Lines, o.lines, done, set.PricesIncludeTax)
	return r, rf, nil
}

// returnTax is the tax by rate and the total of the return of lines from
// an original of which done was returned before. The original's tax was
// rounded once per rate over all its lines, so the tax of each return is
// taken as the tax of all returned so far at its rate, this return
// included, less the tax of what was returned before: returning in parts
// gives back the original's tax and total to the minor unit, as
// returning at once would.
func returnTax(lines, orig []ReturnLine, done Returned, included bool) ([]TaxLine, int64) {
	rateOf := map[string]int64{}
	for _, l := range orig {
		rateOf[l.OrigLine] = l.TaxRateBP
	}
	before, now := map[int64]int64{}, map[int64]int64{}
	for line, l := range done.Lines {
		before[rateOf[line]] += l.Amount
	}
	var rates []int64
	for _, l := range lines {
		if _, ok := now[l.TaxRateBP]; !ok {
			rates = append(rates, l.TaxRateBP)
		}
		now[l.TaxRateBP] += l.Amount
	}
	sort.Slice(rates, func(i, j int) bool { return rates[i] < rates[j] })
	var out []TaxLine
	var total int64
	for _, rate := range rates {
		amount := now[rate]
		tax := taxOf(before[rate]+amount, rate, included) - taxOf(before[rate], rate, included)
		tl := TaxLine{RateBP: rate, Base: amount, Tax: tax}
		total += amount
		if included {
			tl.Base = amount - tax
		} else {
			total += tax
		}
		out = append(out, tl)
	}
	return out, total
}

// OrderToReturn is an order bought online as a return screen shows it:
// its lines as central (or, for an order paid at this node's pickup
// counter, the sale that paid it) knows them, and what returns made here
// took back of each.
type OrderToReturn struct {
	OrderID  string            `json:"order_id"`
	Currency string            `json:"currency"`
	Lines    []OrderReturnLine `json:"lines"`
}

// OrderReturnLine is a line of an order to return.
type OrderReturnLine struct {
	// Line is what a ReturnItem names: the order's line_id.
	Line  string            `json:"line"`
	SKU   string            `json:"sku"`
	Names map[string]string `json:"name,omitempty"`
	Unit  string            `json:"unit"`
	Qty   int64             `json:"qty"` // bought, in pieces or grams
	// Returned is what returns recorded at this node took back; returns
	// at other stores are not known here.
	Returned int64 `json:"returned"`
}

// OrderToReturn looks up order orderID for a return, as PrepareReturn
// and Return would: ErrOffline (wrapped) when central cannot be asked,
// ErrNotFound when it does not know the order, ErrPickupState when the
// order is for pickup here and not handed over yet.
func (as *AfterSales) OrderToReturn(ctx context.Context, orderID string) (*OrderToReturn, error) {
	if orderID == "" {
		return nil, fmt.Errorf("%w: no order named", ErrInvalidRequest)
	}
	o, err := as.resolve(ctx, ReturnRequest{OrderID: orderID})
	if err != nil {
		return nil, err
	}
	set, err := as.till.opt.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	done, err := as.opt.Store.Returned(ctx, o.key)
	if err != nil {
		return nil, err
	}
	// A sale paying the order names its lines by number; the return
	// names them by the order's line_id, and a line of the sale that is
	// no line of the order is not the order's to return.
	name := map[string]string{}
	for id, n := range o.byOrderLine {
		name[n] = id
	}
	v := &OrderToReturn{OrderID: orderID, Currency: set.Currency, Lines: []OrderReturnLine{}}
	for _, l := range o.lines {
		id := l.OrigLine
		if o.byOrderLine != nil {
			if id = name[l.OrigLine]; id == "" {
				continue
			}
		}
		v.Lines = append(v.Lines, OrderReturnLine{Line: id, SKU: l.SKU, Names: l.Names, Unit: l.Unit, Qty: l.Qty,
			Returned: done.Lines[l.OrigLine].Qty})
	}
	return v, nil
}

// SaleReturned is how much of each line of this node's sale saleID was
// returned so far, by receipt line ("1" for the first), in pieces or
// grams: a return screen offers only the rest.
func (as *AfterSales) SaleReturned(ctx context.Context, saleID string) (map[string]int64, error) {
	if _, err := as.till.opt.Store.Sale(ctx, saleID); err != nil {
		return nil, err
	}
	done, err := as.opt.Store.Returned(ctx, "sale:"+saleID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(done.Lines))
	for line, l := range done.Lines {
		out[line] = l.Qty
	}
	return out, nil
}

// refundOrder is the order in which original tenders are refunded.
var refundOrder = []string{MethodCard, MethodOnline, MethodGiftCard, MethodStoreCredit, MethodCash}

func tenderOrder(left map[string]int64) []string {
	order := append([]string(nil), refundOrder...)
	var other []string
	for m := range left {
		known := false
		for _, k := range refundOrder {
			known = known || k == m
		}
		if !known {
			other = append(other, m)
		}
	}
	sort.Strings(other)
	return append(order, other...)
}

// consume takes amount off the tenders in refund order.
func consume(left map[string]int64, amount int64) {
	for _, m := range tenderOrder(left) {
		take := min(amount, max(left[m], 0))
		left[m] -= take
		amount -= take
	}
}

// refundMethod is how a tender of the original is refunded: cards and
// online payments go back where they came from; gift cards, store credit
// and goods given in exchange become new store credit; anything else is
// paid in cash.
func refundMethod(tender string) string {
	switch tender {
	case MethodCard, MethodOnline, MethodCash:
		return tender
	case MethodGiftCard, MethodStoreCredit, MethodExchange:
		return MethodStoreCredit
	}
	return MethodCash
}

// planRefunds splits amount over refund methods and returns them with
// the cash rounding. With an original (rf), the original tenders are
// refunded in refundOrder up to what is left of each, and the rest in
// cash; the cash is rounded to the store's cash step over all the
// original's returns together, so that returning in parts pays what
// returning at once would, and all of them never pay more cash than the
// original took. Without one, the refund is cash up to the policy's limit,
// rounded, and store credit above it.
func (as *AfterSales) planRefunds(amount int64, rf *leftToRefund, toCredit bool, cashStep int64) ([]Refund, int64) {
	var out []Refund
	add := func(method string, v int64) {
		if v <= 0 {
			return
		}
		for i := range out {
			if out[i].Method == method {
				out[i].Amount += v
				return
			}
		}
		out = append(out, Refund{Method: method, Amount: v})
	}
	switch {
	case amount <= 0:
	case toCredit:
		add(MethodStoreCredit, amount)
	case rf == nil:
		if amount <= as.opt.Policy.NoReceiptCashLimit {
			add(MethodCash, amount)
		} else {
			add(MethodStoreCredit, amount)
		}
	default:
		rest := amount
		for _, m := range tenderOrder(rf.left) {
			take := min(rest, max(rf.left[m], 0))
			add(refundMethod(m), take)
			rest -= take
		}
		add(MethodCash, rest)
	}
	for i := range out {
		if out[i].Method != MethodCash {
			continue
		}
		want := out[i].Amount
		if rf == nil || toCredit {
			out[i].Amount = RoundTo(want, cashStep)
		} else {
			before := rf.cashRefunded - rf.cashRounding // before rounding
			upTo := min(RoundTo(before+want, cashStep), rf.cashPaid)
			out[i].Amount = max(upTo-rf.cashRefunded, 0)
		}
		rounding := out[i].Amount - want
		if out[i].Amount == 0 {
			out = append(out[:i], out[i+1:]...)
		}
		return out, rounding
	}
	return out, 0
}

// Return takes goods back and pays the refund: card refunds through the
// payment terminal, store credit as a new voucher (its code in the
// refund's Ref), cash from the drawer (the caller opens it). A return
// without an original needs a supervisor. A return worth more than
// MaxCartAmount is refused with ErrBadQuantity, as a cart is.
func (as *AfterSales) Return(ctx context.Context, a Actor, req ReturnRequest) (*Return, error) {
	r, _, err := as.settle(ctx, a, req, "")
	return r, err
}

// Exchange settles a return together with the sale in the open cart
// cartID, in one transaction. The value of the returned goods pays the
// sale (method exchange) up to its total. When the sale costs more, the
// customer pays the difference into the cart first (PayCash, PayCard);
// when it costs less, the difference is refunded like a return. The cart
// of a click-and-collect order is refused with ErrPickupCart: it is
// completed at the pickup handover. A training cart is refused with
// ErrTrainingCart before anything is returned.
func (as *AfterSales) Exchange(ctx context.Context, a Actor, req ReturnRequest, cartID string) (*Return, *Sale, error) {
	if cartID == "" {
		return nil, nil, fmt.Errorf("cart: %w", ErrNotFound)
	}
	if err := as.till.refuseTraining(ctx, cartID, ErrTrainingCart); err != nil {
		return nil, nil, err
	}
	return as.settle(ctx, a, req, cartID)
}

func (as *AfterSales) settle(ctx context.Context, a Actor, req ReturnRequest, cartID string) (*Return, *Sale, error) {
	if r, sale, ok, err := as.recorded(ctx, a, req); ok || err != nil {
		return r, sale, err // asked again: the same answer
	}
	if err := as.refuseInTraining(ctx, a.Station); err != nil {
		return nil, nil, err
	}
	o, err := as.resolve(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	key := "return:none"
	if o != nil {
		key = "return:" + o.key
	}
	defer as.lock(key)()
	if r, sale, ok, err := as.recorded(ctx, a, req); ok || err != nil {
		return r, sale, err // recorded while this request waited for the lock
	}
	if o != nil && o.kind == OriginSale {
		// Voids take the same lock: one recorded since resolve is seen
		// now, before any money moves.
		s, err := as.till.opt.Store.Sale(ctx, o.saleID)
		if err != nil {
			return nil, nil, err
		}
		if s.Voided {
			return nil, nil, fmt.Errorf("sale %s: %w", s.ID, ErrVoided)
		}
	}
	r, rf, err := as.price(ctx, a, req, o)
	if err != nil {
		return nil, nil, err
	}
	if o == nil {
		need := a.Role < RoleSupervisor
		by, err := as.till.approve(ctx, need, a, req.Supervisor, "return_without_receipt", r.ID,
			fmt.Sprintf("total %d, claimed %q: %s", r.Total, req.ClaimedRef, r.Reason))
		if err != nil {
			return nil, nil, err
		}
		if by == "" {
			by = a.Staff
		}
		r.ApprovedBy = by
	} else {
		// Within the policy of the original sale or order: the staff
		// member who takes it back answers for it, as for a void.
		r.ApprovedBy = a.Staff
	}
	set, err := as.till.opt.Store.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	refundable := r.Total
	var sale *Sale
	if cartID != "" {
		defer as.till.lock(cartID)()
		c, err := as.till.opt.Store.Cart(ctx, cartID)
		if err != nil {
			return nil, nil, err
		}
		defer as.till.lockStation(c.Station)() // the exchange is a sale at the station: see lockStation
		if c.Parked {
			return nil, nil, ErrParked
		}
		if c.OrderID != "" {
			return nil, nil, fmt.Errorf("%w (cart %s, order %s)", ErrPickupCart, c.ID, c.OrderID)
		}
		if len(c.Lines) == 0 {
			return nil, nil, ErrEmptyCart
		}
		if c.Pending != nil {
			return nil, nil, fmt.Errorf("%w: a card payment is in progress", ErrTenderShort)
		}
		// The goods brought back are a tender for the cart: like every
		// tender, refused while it holds an item withdrawn from sale.
		if err := as.till.forSale(ctx, &c); err != nil {
			return nil, nil, err
		}
		before := c.Balance(set)
		used := min(r.Total, max(before.Total-before.NonCash, 0))
		c.Payments = append(c.Payments, Payment{ID: as.newID(), Method: MethodExchange, Amount: used, Ref: r.ID, At: r.At})
		b := c.Balance(set)
		if !b.Settled {
			return nil, nil, fmt.Errorf("%w: %d still due", ErrTenderShort, b.Due)
		}
		refundable -= used
		sale = &Sale{ID: c.ID, Station: c.Station, Cashier: c.Cashier, CompletedAt: r.At, Lines: c.Lines,
			Discount: c.Discount, Balance: b, Payments: c.Payments, CustomerID: c.CustomerID, OrderID: c.OrderID,
			Currency: set.Currency, EventID: as.newID(), CartRev: c.Rev}
		if a.Staff != "" {
			sale.Cashier = a.Staff
		}
		r.ExchangeSaleID = sale.ID
		r.Refunds = []Refund{{Method: MethodExchange, Amount: used, Ref: sale.ID}}
	}
	plan, rounding := as.planRefunds(refundable, rf, req.ToStoreCredit, set.CashRounding)
	r.Refunds, r.Rounding = append(r.Refunds, plan...), rounding
	for i := range r.Refunds {
		f := &r.Refunds[i]
		switch f.Method {
		case MethodCard:
			// The same return asked again with other goods (after a
			// refund made but not recorded) is refused: the terminal
			// would take the first refund for this one.
			if err := as.opt.Store.ClaimCardRefund(ctx, "return-"+r.ID, f.Amount); err != nil {
				return nil, nil, err
			}
			ref, err := as.refundCard(ctx, "return-"+r.ID, f.Amount, set.Currency)
			if err != nil {
				return nil, nil, err
			}
			f.Ref = ref
		case MethodStoreCredit:
			f.Ref = NewVoucherCode()
		}
	}
	if err := as.opt.Store.CompleteReturn(ctx, r, sale); err != nil {
		if errors.Is(err, ErrDuplicate) {
			// The same request, recorded meanwhile: its card refund was
			// the same one, made once under the return's id.
			if done, doneSale, ok, _ := as.recorded(ctx, a, req); ok {
				return done, doneSale, nil
			}
		}
		return nil, nil, refundedButNotRecorded(r.Refunds, err)
	}
	notify := as.till.opt.Notify
	notify(Change{Kind: "return", Station: r.Station, ID: r.ID, Value: r})
	if sale != nil {
		notify(Change{Kind: "sale", Station: sale.Station, ID: sale.ID, Value: sale})
	}
	as.notifyStock(ctx, r.Station, r.Lines, sale)
	return r, sale, nil
}

// refuseInTraining refuses with ErrTrainingReturn a return or void at a
// station whose cart (any not parked) was opened in training mode: the
// screen says nothing done there is real, and either refunds real money.
func (as *AfterSales) refuseInTraining(ctx context.Context, station string) error {
	if station == "" {
		return nil
	}
	carts, err := as.till.opt.Store.Carts(ctx, station)
	if err != nil {
		return err
	}
	for _, c := range carts {
		if c.Training && !c.Parked {
			return fmt.Errorf("%w (cart %s)", ErrTrainingReturn, c.ID)
		}
	}
	return nil
}

// recorded is the return already recorded for req's id (and the sale of
// its exchange), when there is one. A return of that id made at another
// station or of another original is another request reusing the id:
// ErrDuplicate.
func (as *AfterSales) recorded(ctx context.Context, a Actor, req ReturnRequest) (*Return, *Sale, bool, error) {
	if req.ID == "" {
		return nil, nil, false, nil
	}
	r, err := as.opt.Store.Return(ctx, req.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	differ := func(asked, recorded string) bool { return asked != "" && recorded != "" && asked != recorded }
	// The receipt is compared by number: a retry may name it by its
	// code or by the number typed (R and ten digits).
	asked, recorded := "", ""
	if c, err := ParseCode(req.Receipt, as.till.opt.Market); err == nil && c.Kind == CodeReceipt {
		asked = fmt.Sprint(c.ReceiptNo)
	} else {
		asked = strings.TrimSpace(req.Receipt)
	}
	if r.Origin == OriginSale && r.ReceiptNo != 0 {
		recorded = fmt.Sprint(r.ReceiptNo)
	}
	if r.Station != a.Station || differ(req.SaleID, r.SaleID) || differ(req.OrderID, r.OrderID) || differ(asked, recorded) {
		return nil, nil, false, fmt.Errorf("return %s: %w: the id belongs to another return", req.ID, ErrDuplicate)
	}
	if r.ExchangeSaleID == "" {
		return &r, nil, true, nil
	}
	s, err := as.till.opt.Store.Sale(ctx, r.ExchangeSaleID)
	if err != nil {
		return nil, nil, false, err
	}
	return &r, &s, true, nil
}

func (as *AfterSales) notifyStock(ctx context.Context, station string, lines []ReturnLine, sale *Sale) {
	skus := map[string]bool{}
	for _, l := range lines {
		skus[l.SKU] = l.Restock || skus[l.SKU]
	}
	if sale != nil {
		for _, l := range sale.Lines {
			skus[l.SKU] = true
		}
	}
	for sku, moved := range skus {
		if st, err := as.till.opt.Store.Stock(ctx, sku); moved && err == nil {
			as.till.opt.Notify(Change{Kind: "stock", Station: station, ID: sku, Value: st})
		}
	}
}

// refundCard refunds amount to a card under ref, once: a refund that the
// terminal already approved under ref (a retry after a crash) is not sent
// again.
func (as *AfterSales) refundCard(ctx context.Context, ref string, amount int64, currency string) (string, error) {
	t := as.till.opt.Terminal
	if t == nil {
		return "", ErrNoTerminal
	}
	res, err := refundOnce(ctx, t, ref, amount, currency)
	if err != nil {
		return "", err
	}
	out := res.AuthCode
	if res.Masked != "" {
		out += " " + res.Masked
	}
	return out, nil
}
