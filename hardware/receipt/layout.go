package receipt

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // store time zones print right on boxes without zoneinfo

	"github.com/posnode/posnode/hardware/escpos"
)

// Kind names a document layout; it is stored with print jobs so that a
// job can be rendered again (a reprint).
type Kind string

// Document kinds.
const (
	KindReceipt    Kind = "receipt"
	KindPickupSlip Kind = "pickup_slip"
	KindBagLabel   Kind = "bag_label"
	KindReport     Kind = "report"
	KindTestPage   Kind = "test_page"
	KindSales      Kind = "sales_report"
)

// ErrKind means a stored document has a kind this package does not know.
var ErrKind = errors.New("receipt: unknown document kind")

// Document is something this package lays out for a printer.
type Document interface {
	Kind() Kind
	// Encode appends the document, from ESC @ to the cut, to e.
	Encode(e *escpos.Encoder) error
}

// Store is the heading of every document.
type Store struct {
	Name    string   `json:"name"`
	Address []string `json:"address,omitempty"`
	// TaxID is the VAT or organisation number printed under the address.
	TaxID string `json:"tax_id,omitempty"`
	// Lang is one of Langs; "" means English.
	Lang string `json:"lang"`
	// Currency is an ISO 4217 code (SEK, EUR, RON, TWD).
	Currency string `json:"currency"`
	// Footer is an extra line at the end of receipts, e.g. opening hours.
	Footer string `json:"footer,omitempty"`
	// TimeZone is the IANA name of the zone times are printed in, e.g.
	// "Europe/Stockholm"; "" or an unknown name means UTC.
	TimeZone string `json:"time_zone,omitempty"`
	// ReceiptTag is the node's tag in the barcode of its receipts (see
	// pos.ReceiptTag); "" prints R and the ten digits alone.
	ReceiptTag string `json:"receipt_tag,omitempty"`
}

// Line is a line of a receipt.
type Line struct {
	Name string `json:"name"`
	// Qty is pieces, or grams when ByWeight.
	Qty       int64 `json:"qty"`
	ByWeight  bool  `json:"by_weight,omitempty"`
	UnitPrice int64 `json:"unit_price"` // per piece or per kg
	// Discount is what was taken off the line; a share of the receipt's
	// BasketDiscount is not in it.
	Discount int64 `json:"discount,omitempty"`
	// Amount is what the line costs after Discount, before any share of
	// the receipt's BasketDiscount.
	Amount int64 `json:"amount"`
}

// Tax is the tax of one rate.
type Tax struct {
	RateBP int64 `json:"rate_bp"` // 2500 = 25 %
	Base   int64 `json:"base"`    // net of tax
	Tax    int64 `json:"tax"`
}

// Payment is one tender.
type Payment struct {
	// Method is one of the pos tender methods (cash, card, gift_card,
	// store_credit, exchange, online), printed translated, or any other
	// word, printed as it is.
	Method string `json:"method"`
	Amount int64  `json:"amount"`
	// Ref is the code of store credit a refund issued, printed under it:
	// the customer spends the credit by it. Empty for every other payment.
	Ref string `json:"ref,omitempty"`
}

// Receipt is a sale or refund receipt.
type Receipt struct {
	Store Store `json:"store"`
	// ReceiptNo is the sale's receipt number, or a refund's return number
	// (printed as such), or a training receipt's number.
	ReceiptNo int64     `json:"receipt_no"`
	Barcode   string    `json:"barcode"` // printed as CODE128 so the receipt can be scanned for a return
	Station   string    `json:"station"`
	Cashier   string    `json:"cashier"`
	Time      time.Time `json:"time"`
	Lines     []Line    `json:"lines"`
	Subtotal  int64     `json:"subtotal"`
	// Discount is what is taken off Subtotal: the lines' own discounts
	// and BasketDiscount together.
	Discount int64 `json:"discount,omitempty"`
	// BasketDiscount is the part of Discount taken off the whole sale
	// rather than one line, printed once by itself; zero for none (and
	// on a receipt stored before it was printed apart, whose Discount
	// holds it with the lines' discounts folded into their amounts).
	BasketDiscount int64     `json:"basket_discount,omitempty"`
	Tax            []Tax     `json:"tax"`
	Total          int64     `json:"total"`
	Rounding       int64     `json:"rounding,omitempty"`
	Payments       []Payment `json:"payments"`
	Change         int64     `json:"change,omitempty"`
	Refund         bool      `json:"refund,omitempty"`
	// Original is the receipt a refund takes goods back from; zero for
	// none, or one of another store.
	Original int64  `json:"original,omitempty"`
	OrderID  string `json:"order_id,omitempty"`
	// Customer is the sale's loyalty customer as printed: their id with
	// all but its end masked (see MaskID); empty for none.
	Customer string `json:"customer,omitempty"`
	// Copy marks a reprint: COPY is printed at the top and the bottom.
	Copy bool `json:"copy,omitempty"`
	// Training marks a receipt of training mode (see FromTraining): it is
	// printed as not a receipt at the top and the bottom, and ReceiptNo is
	// its number in the training sequence. A copy keeps the mark.
	Training bool `json:"training,omitempty"`
}

// PickupSlip goes with a click-and-collect order: one per bag.
type PickupSlip struct {
	Store    Store     `json:"store"`
	OrderID  string    `json:"order_id"`
	Customer string    `json:"customer"`
	Bag      int       `json:"bag"`
	Bags     int       `json:"bags"`
	Items    []Line    `json:"items,omitempty"` // Amount may be zero; only names and quantities print
	Time     time.Time `json:"time"`
	Copy     bool      `json:"copy,omitempty"`
}

// BagLabel is a short label stuck on a bag of an order.
type BagLabel struct {
	Store    Store  `json:"store"`
	OrderID  string `json:"order_id"`
	Customer string `json:"customer"`
	Bag      int    `json:"bag"`
	Bags     int    `json:"bags"`
	Copy     bool   `json:"copy,omitempty"`
}

// TenderTotal is the takings of one payment method.
type TenderTotal struct {
	Method string `json:"method"`
	Count  int64  `json:"count"`
	Amount int64  `json:"amount"`
}

// Report is an X report (takings so far, nothing closed) or a Z report
// (the closing of a period, numbered). Its amounts reconcile as the shift
// report's do (pos.ShiftReport):
//
//	Gross − Refunds            = net sales
//	net sales + Rounding       = Σ Tenders
//	Float + cash tender + PaidIn − PaidOut − Drops + VoucherCash = Cash (expected)
//	Counted − Cash             = Difference (a Z report only)
type Report struct {
	Store   Store     `json:"store"`
	Z       bool      `json:"z"`
	Number  int64     `json:"number,omitempty"` // Z report number
	Station string    `json:"station"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Sales   int64     `json:"sales"`   // count of sales
	Returns int64     `json:"returns"` // count of refunds
	Gross   int64     `json:"gross"`   // sales total
	Refunds int64     `json:"refunds"` // refunds total, positive
	// Discounts is what the sales' discounts took off, positive; a
	// report stored before they were printed has none.
	Discounts int64 `json:"discounts,omitempty"`
	// Rounding is the cash rounding of the period, as receipts print it:
	// what was tendered less what was sold.
	Rounding int64 `json:"rounding,omitempty"`
	// Voids is the count of voided sales and VoidsTotal their total; they
	// are in none of the other amounts.
	Voids      int64         `json:"voids,omitempty"`
	VoidsTotal int64         `json:"voids_total,omitempty"`
	Tenders    []TenderTotal `json:"tenders"`
	Tax        []Tax         `json:"tax"`
	// Float is the cash put in the drawer when the shift opened; PaidIn,
	// PaidOut and Drops (to the safe) are the cash moved in and out of it
	// since, all positive.
	Float   int64 `json:"float"`
	PaidIn  int64 `json:"paid_in,omitempty"`
	PaidOut int64 `json:"paid_out,omitempty"`
	Drops   int64 `json:"drops,omitempty"`
	// Vouchers are the gift cards sold and the store credit given outside
	// returns, by kind (in Method), and VoucherCash the cash paid into
	// the drawer for the gift cards; they are not sales.
	Vouchers    []TenderTotal `json:"vouchers,omitempty"`
	VoucherCash int64         `json:"voucher_cash,omitempty"`
	Cash        int64         `json:"cash"` // cash expected in the drawer
	// Counted is the cash counted in the drawer at the close, and
	// Difference is Counted − Cash; both print on a Z report only.
	Counted    int64 `json:"counted,omitempty"`
	Difference int64 `json:"difference,omitempty"`
	NoSales    int64 `json:"no_sales"`
	// DrawerAlarms are the drawer's openings the till did not ask for
	// and the times it was left open, beside NoSales; nil prints nothing
	// (a report stored before they were counted).
	DrawerAlarms *DrawerAlarms `json:"drawer_alarms,omitempty"`
	// JournalN is the number of the journal entry of a Z report, and
	// ChainHead its hash, the head of the journal's hash chain at the
	// close, so that the paper report vouches for the books; 0 and ""
	// print nothing.
	JournalN  int64     `json:"journal_n,omitempty"`
	ChainHead string    `json:"chain_head,omitempty"`
	Printed   time.Time `json:"printed"`
	Copy      bool      `json:"copy,omitempty"`
}

// DrawerAlarms are a shift's loss-prevention figures: how often its
// drawer opened without the till asking and how often it was left open.
type DrawerAlarms struct {
	OpenedUnasked int64 `json:"opened_unasked"`
	LeftOpen      int64 `json:"left_open"`
}

// TestPage shows every language's sample line, the styles, a barcode and
// a QR code, and the profile it was printed for.
type TestPage struct {
	Store Store     `json:"store"`
	Time  time.Time `json:"time"`
}

// Kind implements Document.
func (Receipt) Kind() Kind    { return KindReceipt }
func (PickupSlip) Kind() Kind { return KindPickupSlip }
func (BagLabel) Kind() Kind   { return KindBagLabel }
func (Report) Kind() Kind     { return KindReport }
func (TestPage) Kind() Kind   { return KindTestPage }

// Decode reads a document stored as JSON by its kind.
func Decode(kind Kind, data []byte) (Document, error) {
	var d Document
	var err error
	switch kind {
	case KindReceipt:
		var v Receipt
		err, d = json.Unmarshal(data, &v), &v
	case KindPickupSlip:
		var v PickupSlip
		err, d = json.Unmarshal(data, &v), &v
	case KindBagLabel:
		var v BagLabel
		err, d = json.Unmarshal(data, &v), &v
	case KindReport:
		var v Report
		err, d = json.Unmarshal(data, &v), &v
	case KindTestPage:
		var v TestPage
		err, d = json.Unmarshal(data, &v), &v
	case KindSales:
		var v SalesReport
		err, d = json.Unmarshal(data, &v), &v
	default:
		return nil, fmt.Errorf("%w: %q", ErrKind, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s document: %w", kind, err)
	}
	return d, nil
}

// copier is a document that can be marked as a copy.
type copier interface{ asCopy() Document }

func (r Receipt) asCopy() Document     { r.Copy = true; return r }
func (s PickupSlip) asCopy() Document  { s.Copy = true; return s }
func (b BagLabel) asCopy() Document    { b.Copy = true; return b }
func (r Report) asCopy() Document      { r.Copy = true; return r }
func (r SalesReport) asCopy() Document { r.Copy = true; return r }

// AsCopy returns d (or what d points to) marked as a copy, for a reprint.
// A test page is returned as it is.
func AsCopy(d Document) Document {
	if c, ok := d.(copier); ok {
		return c.asCopy()
	}
	return d
}

// page is a layout helper around an encoder: it knows the width and the
// store's language and currency.
type page struct {
	e    *escpos.Encoder
	cols int
	s    Store
}

func newPage(e *escpos.Encoder, s Store) *page {
	return &page{e: e, cols: e.Profile().Columns, s: s}
}

// startDocument resets the printer and prints the store's header, and a
// "copy" banner when the document is a copy, as every document but the
// bag label begins.
func startDocument(e *escpos.Encoder, s Store, isCopy bool) *page {
	p := newPage(e, s)
	e.Init()
	p.header()
	e.Newline()
	if isCopy {
		p.banner(p.t("copy"), true)
	}
	return p
}

func (p *page) t(key string) string { return T(p.s.Lang, key) }

func (p *page) money(v int64) string { return Money(v, p.s.Currency, p.s.Lang) }

// local returns t in the store's time zone.
func (p *page) local(t time.Time) time.Time {
	if loc, err := time.LoadLocation(p.s.TimeZone); err == nil {
		return t.In(loc)
	}
	return t.UTC()
}

// date prints the day of t in the store's time zone and language.
func (p *page) date(t time.Time) string {
	t = p.local(t)
	switch p.s.Lang {
	case LangSlovak, LangRomanian:
		return t.Format("02.01.2006")
	case LangTraditionalChinese:
		return t.Format("2006/01/02")
	}
	return t.Format("2006-01-02")
}

// time prints t to the minute in the store's time zone and language.
func (p *page) time(t time.Time) string {
	return p.date(t) + p.local(t).Format(" 15:04")
}

// period prints the period from from to to (exclusive) under its label.
// A period of whole days in the store's time zone prints as its first
// and last day, so that a report of one day does not seem to run into
// the next; any other prints the times it runs from and to.
func (p *page) period(from, to time.Time) {
	p.pair(p.t("period"), "")
	if !midnight(p.local(from)) || !midnight(p.local(to)) {
		p.pair("", p.time(from)+" -")
		p.pair("", p.time(to))
		return
	}
	last := p.local(to).AddDate(0, 0, -1)
	if p.date(last) == p.date(from) {
		p.pair("", p.date(from))
		return
	}
	p.pair("", p.date(from)+" - "+p.date(last))
}

// midnight reports whether t is the start of a day in its location.
func midnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// methods are the tender methods of package pos, whose labels share
// their names.
var methods = map[string]bool{"cash": true, "card": true, "gift_card": true, "store_credit": true,
	"exchange": true, "online": true}

// method returns the printed name of a tender method, or m itself when
// it is not one of methods.
func (p *page) method(m string) string {
	if methods[m] {
		return p.t(m)
	}
	return m
}

// heading prints the title of a section of a report in bold.
func (p *page) heading(text string) {
	p.e.SetBold(true)
	p.e.Println(p.truncate(text, p.cols))
	p.e.SetBold(false)
}

// rule prints a line of dashes.
func (p *page) rule() { p.e.Println(strings.Repeat("-", p.cols)) }

// header prints the store's name and address, centered.
func (p *page) header() {
	p.e.SetAlign(escpos.AlignCenter)
	p.e.SetStyle(escpos.Style{Bold: true, Width: 2, Height: 2})
	for _, l := range p.wrap(p.s.Name, p.cols/2) {
		p.e.Println(l)
	}
	p.e.SetStyle(escpos.Style{})
	// Wrapped, not cut: the lines name what the law asks a receipt to.
	lines := slices.Clone(p.s.Address)
	if p.s.TaxID != "" {
		lines = append(lines, p.s.TaxID)
	}
	for _, a := range lines {
		for _, l := range p.wrap(a, p.cols) {
			p.e.Println(l)
		}
	}
	p.e.SetAlign(escpos.AlignLeft)
}

// banner prints a word large and centered, inverted when loud.
func (p *page) banner(text string, loud bool) {
	p.e.SetAlign(escpos.AlignCenter)
	p.e.SetStyle(escpos.Style{Bold: true, Width: 2, Height: 2, Inverse: loud})
	cols := p.cols / 2
	if loud {
		cols -= 2 // a space either side
	}
	for _, l := range p.wrap(text, cols) { // whole, over two lines on 58 mm
		if loud {
			l = " " + l + " "
		}
		p.e.Println(l)
	}
	p.e.SetStyle(escpos.Style{})
	p.e.SetAlign(escpos.AlignLeft)
}

// mark prints a warning large, inverted and centered, over as many lines
// as it takes so that none of it is cut off on narrow paper: a warning
// too wide for one line breaks first after its dash ("TRAINING –" over
// "NOT A RECEIPT"), then at spaces.
func (p *page) mark(text string) {
	cols := p.cols/2 - 2 // a space either side
	parts := []string{text}
	if p.e.Width(text) > cols {
		if a, b, ok := strings.Cut(text, " – "); ok {
			parts = []string{a + " –", b}
		}
	}
	p.e.SetAlign(escpos.AlignCenter)
	p.e.SetStyle(escpos.Style{Bold: true, Width: 2, Height: 2, Inverse: true})
	for _, part := range parts {
		for _, l := range p.wrap(part, cols) {
			p.e.Println(" " + l + " ")
		}
	}
	p.e.SetStyle(escpos.Style{})
	p.e.SetAlign(escpos.AlignLeft)
}

// pair prints left and right on one line, right-aligned, or on two lines
// when they do not fit together.
func (p *page) pair(left, right string) {
	for _, l := range p.columns(left, right, p.cols) {
		p.e.Println(l)
	}
}

// bigPair is pair in double width and height.
func (p *page) bigPair(left, right string) {
	p.e.SetStyle(escpos.Style{Bold: true, Width: 2, Height: 2})
	for _, l := range p.columns(left, right, p.cols/2) {
		p.e.Println(l)
	}
	p.e.SetStyle(escpos.Style{})
}

func (p *page) end() {
	p.e.Feed(3)
	p.e.Cut(true)
}

// Encode implements Document.
func (r Receipt) Encode(e *escpos.Encoder) error {
	p := startDocument(e, r.Store, r.Copy)
	number := p.t("receipt_no")
	switch {
	case r.Training:
		p.mark(p.t("training"))
		number = p.t("training_no")
	case r.Refund:
		p.banner(p.t("refund"), false)
		number = p.t("return_no")
	default:
		p.banner(p.t("receipt"), false)
	}
	p.pair(number+" "+fmt.Sprint(r.ReceiptNo), p.time(r.Time))
	p.pair(p.t("station")+" "+r.Station, p.t("cashier")+" "+r.Cashier)
	if r.Original != 0 {
		p.pair(p.t("orig_receipt")+" "+fmt.Sprint(r.Original), "")
	}
	if r.OrderID != "" {
		p.pair(p.t("order"), r.OrderID)
	}
	if r.Customer != "" {
		p.pair(p.t("customer"), r.Customer)
	}
	p.rule()
	for _, l := range r.Lines {
		p.pair(l.Name, p.money(l.Amount+l.Discount))
		switch {
		case l.ByWeight:
			p.e.Println("  " + weight(l.Qty, p.s.Lang) + " x " + p.money(l.UnitPrice) + "/kg")
		case l.Qty != 1:
			p.e.Println(fmt.Sprintf("  %d x %s", l.Qty, p.money(l.UnitPrice)))
		}
		if l.Discount != 0 {
			p.pair("  "+p.t("discount"), p.money(-l.Discount))
		}
	}
	p.rule()
	if r.Discount != 0 || r.Subtotal != r.Total {
		p.pair(p.t("subtotal"), p.money(r.Subtotal))
	}
	// The lines' discounts together, then the basket's by itself: the
	// subtotal less the two, and any tax added, is the total.
	if d := r.Discount - r.BasketDiscount; d != 0 {
		p.pair(p.t("discount"), p.money(-d))
	}
	if r.BasketDiscount != 0 {
		p.pair(p.t("basket_disc"), p.money(-r.BasketDiscount))
	}
	// Where prices do not include tax, the total is the lines' amounts
	// plus the tax added to them.
	if added := r.Total - r.Subtotal + r.Discount; added != 0 {
		p.pair(p.t("tax_added"), p.money(added))
	}
	p.bigPair(p.t("total"), p.money(r.Total))
	if r.Rounding != 0 {
		p.pair(p.t("rounding"), p.money(r.Rounding))
	}
	for _, pay := range r.Payments {
		p.pair(p.method(pay.Method), p.money(pay.Amount))
		if pay.Ref != "" {
			p.pair("  "+p.t("voucher_code")+" "+pay.Ref, "")
		}
	}
	if r.Change != 0 {
		p.pair(p.t("change"), p.money(r.Change))
	}
	p.taxTable(r.Tax)
	p.rule()
	e.SetAlign(escpos.AlignCenter)
	if !r.Refund {
		e.Println(p.t("thanks")) // for a purchase, which a refund is not
	}
	if r.Store.Footer != "" {
		for _, l := range p.wrap(r.Store.Footer, p.cols) {
			e.Println(l)
		}
	}
	e.SetAlign(escpos.AlignLeft)
	if r.Barcode != "" {
		if err := e.Barcode128(r.Barcode, 60); err != nil {
			return fmt.Errorf("receipt %d barcode: %w", r.ReceiptNo, err)
		}
	}
	if r.Training {
		p.mark(p.t("training"))
	}
	if r.Copy {
		p.banner(p.t("copy"), true)
	}
	p.end()
	return e.Err()
}

// taxTable prints the tax by rate as a four-column table, or, when the
// amounts are too wide for the paper, as a block per rate.
func (p *page) taxTable(tax []Tax) {
	if len(tax) == 0 {
		return
	}
	p.e.Newline()
	head := []string{p.t("vat"), p.t("net"), p.t("vat"), p.t("gross")}
	rows := [][]string{head}
	for _, t := range tax {
		rows = append(rows, []string{Percent(t.RateBP, p.s.Lang), p.money(t.Base), p.money(t.Tax), p.money(t.Base + t.Tax)})
	}
	widths := make([]int, 4)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], p.e.Width(c))
		}
	}
	total := widths[0] + widths[1] + widths[2] + widths[3] + 3
	if total > p.cols {
		for _, r := range rows[1:] {
			p.e.Println(head[0] + " " + r[0])
			p.pair("  "+head[1], r[1])
			p.pair("  "+head[2], r[2])
			p.pair("  "+head[3], r[3])
		}
		return
	}
	// Spread the spare columns over the gaps between the amounts.
	gap := 1 + (p.cols-total)/3
	for _, r := range rows {
		line := p.fit(r[0], widths[0], false)
		for i := 1; i < 4; i++ {
			line += strings.Repeat(" ", gap) + p.fit(r[i], widths[i], true)
		}
		p.e.Println(line)
	}
}

func weight(grams int64, lang string) string {
	sep := separators[lang]
	if sep[0] == "" {
		sep = separators["en"]
	}
	return fmt.Sprintf("%d%s%03d kg", grams/1000, sep[0], grams%1000)
}

// Encode implements Document.
func (s PickupSlip) Encode(e *escpos.Encoder) error {
	p := startDocument(e, s.Store, s.Copy)
	p.banner(p.t("pickup_slip"), false)
	p.bigPair(p.t("order"), s.OrderID)
	p.pair(p.t("customer"), s.Customer)
	e.SetAlign(escpos.AlignCenter)
	e.SetStyle(escpos.Style{Bold: true, Width: 2, Height: 2})
	e.Println(fmt.Sprintf(p.t("bag_of"), s.Bag, s.Bags))
	e.SetStyle(escpos.Style{})
	e.SetAlign(escpos.AlignLeft)
	p.pair(p.t("ready"), p.time(s.Time))
	if len(s.Items) > 0 {
		p.rule()
		for _, l := range s.Items {
			q := fmt.Sprint(l.Qty)
			if l.ByWeight {
				q = weight(l.Qty, p.s.Lang)
			}
			p.pair(l.Name, q)
		}
	}
	p.rule()
	// The QR holds the order id only: staff scan it to find the order.
	// The customer's pickup code never goes on paper that travels with
	// the bags, or holding a bag would be enough to collect it.
	if err := e.QR(s.OrderID, 8, escpos.QRLevelM); err != nil {
		return fmt.Errorf("pickup slip %s QR: %w", s.OrderID, err)
	}
	if s.Copy {
		p.banner(p.t("copy"), true)
	}
	p.end()
	return e.Err()
}

// PickupQR is the payload of a pickup QR code, PICKUP:{order_id}:{code},
// which the pickup counter's scanner reads.
func PickupQR(orderID, code string) string {
	return "PICKUP:" + orderID + ":" + code
}

// Encode implements Document.
func (b BagLabel) Encode(e *escpos.Encoder) error {
	p := newPage(e, b.Store)
	e.Init()
	if b.Copy {
		p.banner(p.t("copy"), true)
	}
	e.SetAlign(escpos.AlignCenter)
	e.SetStyle(escpos.Style{Bold: true, Width: 2, Height: 2})
	for _, l := range p.wrap(b.Customer, p.cols/2) {
		e.Println(l)
	}
	e.Println(fmt.Sprintf(p.t("bag_of"), b.Bag, b.Bags))
	e.SetStyle(escpos.Style{})
	e.Println(p.t("order") + " " + b.OrderID)
	e.SetAlign(escpos.AlignLeft)
	if err := e.QR(b.OrderID, 5, escpos.QRLevelM); err != nil {
		return fmt.Errorf("bag label %s QR: %w", b.OrderID, err)
	}
	p.end()
	return e.Err()
}

// SalesReport is a sales report of a period grouped one way (by hour,
// day, tender, tax rate, cashier or item), as the back office shows it.
type SalesReport struct {
	Store Store      `json:"store"`
	By    string     `json:"by"` // hour, day, tender, tax_rate, cashier, item
	From  time.Time  `json:"from"`
	To    time.Time  `json:"to"`
	Rows  []SalesRow `json:"rows"`
	// Printed is when the report was asked for.
	Printed time.Time `json:"printed"`
	Copy    bool      `json:"copy,omitempty"`
}

// SalesRow is one group of a SalesReport.
type SalesRow struct {
	Key    string `json:"key"`
	Count  int64  `json:"count"`
	Amount int64  `json:"amount"`
	// Tax is the row's tax, printed by tax rate under the amount net of
	// tax it is on.
	Tax int64 `json:"tax,omitempty"`
}

// Kind implements Document.
func (SalesReport) Kind() Kind { return KindSales }

// Encode implements Document.
func (r SalesReport) Encode(e *escpos.Encoder) error {
	p := startDocument(e, r.Store, r.Copy)
	p.banner(p.t("sales_report"), false)
	e.SetAlign(escpos.AlignCenter)
	e.Println(p.t("by_" + r.By))
	e.SetAlign(escpos.AlignLeft)
	p.period(r.From, r.To)
	p.rule()
	var total, tax int64
	for _, row := range r.Rows {
		p.pair(fmt.Sprintf("%s (%d)", p.salesKey(r.By, row.Key), row.Count), p.money(row.Amount))
		if r.By == "tax_rate" {
			p.pair("  "+p.t("vat"), p.money(row.Tax))
		}
		total += row.Amount
		tax += row.Tax
	}
	p.rule()
	p.bigPair(p.t("total"), p.money(total))
	if r.By == "tax_rate" {
		p.pair(p.t("vat"), p.money(tax))
	}
	p.pair(p.t("printed"), p.time(r.Printed))
	p.end()
	return e.Err()
}

// salesKey prints the key of a sales report's row grouped by: a tender
// by its name and a tax rate (in basis points) as a percentage; other
// keys print as they are.
func (p *page) salesKey(by, key string) string {
	switch by {
	case "tender":
		return p.method(key)
	case "tax_rate":
		if bp, err := strconv.ParseInt(key, 10, 64); err == nil {
			return Percent(bp, p.s.Lang)
		}
	}
	return key
}

// Encode implements Document. The report is laid out to be checked from
// top to bottom: the sales down to net sales and the cash rounding, the
// tenders that add up to the two, the tax, and the drawer from the float
// to the cash expected, then on a Z report the cash counted and the
// difference.
func (r Report) Encode(e *escpos.Encoder) error {
	p := startDocument(e, r.Store, r.Copy)
	title := p.t("x_report")
	if r.Z {
		title = fmt.Sprintf("%s #%d", p.t("z_report"), r.Number)
	}
	p.banner(title, false)
	p.pair(p.t("station"), r.Station)
	p.pair(p.t("period"), "")
	p.pair("", p.time(r.From)+" -")
	p.pair("", p.time(r.To))
	p.rule()
	p.pair(p.t("sales"), fmt.Sprint(r.Sales))
	p.pair(p.t("gross_sales"), p.money(r.Gross))
	if r.Discounts != 0 {
		p.pair(p.t("discounts"), p.money(r.Discounts))
	}
	p.pair(fmt.Sprintf("%s (%d)", p.t("returns"), r.Returns), p.money(-r.Refunds))
	p.bigPair(p.t("net_sales"), p.money(r.Gross-r.Refunds))
	if r.Rounding != 0 {
		p.pair(p.t("rounding"), p.money(r.Rounding))
	}
	p.pair(fmt.Sprintf("%s (%d)", p.t("voids"), r.Voids), p.money(r.VoidsTotal))
	p.rule()
	p.heading(p.t("tenders"))
	var tendered, cash int64
	for _, t := range r.Tenders {
		p.pair(fmt.Sprintf("%s (%d)", p.method(t.Method), t.Count), p.money(t.Amount))
		tendered += t.Amount
		if t.Method == "cash" {
			cash += t.Amount
		}
	}
	p.pair(p.t("tendered"), p.money(tendered))
	if len(r.Vouchers) > 0 {
		p.rule()
		p.heading(p.t("vouchers"))
		for _, v := range r.Vouchers {
			p.pair(fmt.Sprintf("%s (%d)", p.method(v.Method), v.Count), p.money(v.Amount))
		}
	}
	p.taxTable(r.Tax)
	p.rule()
	p.heading(p.t("cash_drawer"))
	p.pair(p.t("float"), p.money(r.Float))
	p.pair(p.t("cash_net"), p.money(cash))
	p.pair(p.t("paid_in"), p.money(r.PaidIn))
	p.pair(p.t("paid_out"), p.money(-r.PaidOut))
	p.pair(p.t("drops"), p.money(-r.Drops))
	if r.VoucherCash != 0 {
		p.pair(p.t("voucher_cash"), p.money(r.VoucherCash))
	}
	// Cash the drawer is expected to hold for reasons the lines above do
	// not name gets a line of its own, so that the column still adds up.
	if other := r.Cash - (r.Float + cash + r.PaidIn - r.PaidOut - r.Drops + r.VoucherCash); other != 0 {
		p.pair(p.t("cash_other"), p.money(other))
	}
	p.e.SetBold(true)
	p.pair(p.t("expected"), p.money(r.Cash))
	p.e.SetBold(false)
	if r.Z {
		p.pair(p.t("counted_cash"), p.money(r.Counted))
		p.e.SetBold(true)
		p.pair(p.t("difference"), p.money(r.Difference))
		p.e.SetBold(false)
	}
	p.rule()
	p.pair(p.t("no_sales"), fmt.Sprint(r.NoSales))
	if a := r.DrawerAlarms; a != nil {
		p.pair(p.t("unasked"), fmt.Sprint(a.OpenedUnasked))
		p.pair(p.t("left_open"), fmt.Sprint(a.LeftOpen))
	}
	p.pair(p.t("printed"), p.time(r.Printed))
	if r.JournalN != 0 {
		p.pair(p.t("journal_no"), fmt.Sprint(r.JournalN))
	}
	if r.ChainHead != "" {
		p.e.Println(p.t("journal"))
		for _, l := range p.wrap(r.ChainHead, p.cols) {
			p.e.Println(l)
		}
	}
	if r.Copy {
		p.banner(p.t("copy"), true)
	}
	p.end()
	return e.Err()
}

// Encode implements Document.
func (tp TestPage) Encode(e *escpos.Encoder) error {
	p := startDocument(e, tp.Store, false)
	prof := e.Profile()
	p.banner(p.t("test_page"), false)
	p.pair(prof.Name, fmt.Sprintf("%d/%d", prof.Columns, prof.Dots))
	var pages []string
	for _, cp := range prof.CodePages {
		pages = append(pages, fmt.Sprintf("%s=%d", cp.Name, cp.Number))
	}
	for _, l := range p.wrap(strings.Join(pages, " "), p.cols) {
		e.Println(l)
	}
	e.Println(p.time(tp.Time))
	p.rule()
	ruler := strings.Builder{}
	for i := 1; i <= p.cols; i++ {
		ruler.WriteByte(byte('0' + i%10))
	}
	e.Println(ruler.String())
	for _, lang := range Langs {
		for _, l := range p.wrap(T(lang, "sample"), p.cols) {
			e.Println(l)
		}
	}
	p.rule()
	e.SetBold(true)
	e.Println("Bold")
	e.SetBold(false)
	e.SetUnderline(1)
	e.Println("Underline")
	e.SetUnderline(0)
	e.SetInverse(true)
	e.Println(" Inverse ")
	e.SetInverse(false)
	e.SetSize(2, 2)
	e.Println("Double")
	e.SetSize(1, 1)
	for _, a := range []escpos.Align{escpos.AlignLeft, escpos.AlignCenter, escpos.AlignRight} {
		e.SetAlign(a)
		e.Println(a.String())
	}
	e.SetAlign(escpos.AlignLeft)
	// A code in a receipt's form (R, a tag, ten digits; see
	// pos.ReceiptBarcode), so that the printer is seen to print, and a
	// scanner to read, its capitals in code set B and digits in code set C.
	if err := e.Barcode128("RTEST0000000001", 60); err != nil {
		return fmt.Errorf("test page barcode: %w", err)
	}
	if err := e.QR(PickupQR("TEST", "0000"), 6, escpos.QRLevelM); err != nil {
		return fmt.Errorf("test page QR: %w", err)
	}
	p.end()
	return e.Err()
}
