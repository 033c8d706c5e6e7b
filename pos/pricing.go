package pos

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
)

// Settings are the store settings central sends (the contract's settings
// topic). The zero value is not usable; DefaultSettings gives a demo store.
type Settings struct {
	Version          int64    `json:"version"`
	Currency         string   `json:"currency"`
	PricesIncludeTax bool     `json:"prices_include_tax"`
	CashRounding     int64    `json:"cash_rounding"` // step in minor units; 0 or 1: none
	Languages        []string `json:"languages"`
	ReceiptHeader    []string `json:"receipt_header"`
	ReceiptFooter    []string `json:"receipt_footer"`
	PickupHoldDays   int      `json:"pickup_hold_days"`
}

// DefaultSettings are used until central has sent settings: a Swedish store
// with prices including VAT and cash rounded to whole kronor.
func DefaultSettings() Settings {
	return Settings{
		Version:          0,
		Currency:         "SEK",
		PricesIncludeTax: true,
		CashRounding:     100,
		Languages:        []string{"sv", "en"},
		ReceiptHeader:    []string{"Demo Store"},
		ReceiptFooter:    []string{"Thank you"},
		PickupHoldDays:   7,
	}
}

// LineTotal is the priced form of one cart line.
type LineTotal struct {
	Gross    int64 `json:"gross"`    // unit price × quantity
	Discount int64 `json:"discount"` // line discount plus its share of the basket discount
	Amount   int64 `json:"amount"`   // Gross − Discount, in the store's price mode
}

// TaxLine is the tax of one rate over a whole sale.
type TaxLine struct {
	RateBP int64 `json:"rate_bp"`
	Base   int64 `json:"base"` // amount net of tax
	Tax    int64 `json:"tax"`
}

// Totals are a cart priced under one set of Settings.
type Totals struct {
	Lines    []LineTotal `json:"lines"`
	Subtotal int64       `json:"subtotal"` // sum of gross amounts
	Discount int64       `json:"discount"` // all discounts
	Tax      []TaxLine   `json:"tax"`      // by rate, ascending
	TaxTotal int64       `json:"tax_total"`
	Total    int64       `json:"total"` // what the customer owes before cash rounding
}

// LineGross is unit price × quantity for a line, with grams converted to kg
// by RoundDiv.
func LineGross(unit string, unitPrice, qty int64) int64 {
	if unit == UnitKg {
		return RoundDiv(unitPrice*qty, 1000)
	}
	return unitPrice * qty
}

// discountOf returns what d takes off amount, never more than amount.
func discountOf(d *Discount, amount int64) int64 {
	if d == nil || amount <= 0 {
		return 0
	}
	off := d.Amount
	if d.PercentBP != 0 {
		off = mulRound(amount, d.PercentBP, 10000)
	}
	return min(max(off, 0), amount)
}

// mulRound returns a×b÷d rounded half away from zero, as RoundDiv does,
// with the product taken in 128 bits so that it cannot overflow: b is a
// rate and d its whole (10000 bp), so for every rate the till accepts
// (0..d) the result is never larger than a. A result beyond int64, from a
// rate above its whole, saturates. d must be positive.
func mulRound(a, b, d int64) int64 {
	if d <= 0 {
		panic("pos: mulRound with non-positive divisor")
	}
	neg := (a < 0) != (b < 0)
	ua, ub := uint64(a), uint64(b)
	if a < 0 {
		ua = -ua
	}
	if b < 0 {
		ub = -ub
	}
	hi, lo := bits.Mul64(ua, ub)
	if hi >= uint64(d) {
		if neg {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, uint64(d))
	if r >= uint64(d)-r {
		q++
	}
	switch {
	case neg && q > 1<<63:
		return math.MinInt64
	case neg:
		return -int64(q)
	case q > math.MaxInt64:
		return math.MaxInt64
	}
	return int64(q)
}

// Price computes the totals of lines with an optional basket discount under
// the rounding rule of the package documentation.
func Price(lines []Line, basket *Discount, s Settings) Totals {
	t := Totals{Lines: make([]LineTotal, len(lines))}
	after := make([]int64, len(lines))
	for i, l := range lines {
		g := l.Gross()
		d := discountOf(l.Discount, g)
		t.Lines[i] = LineTotal{Gross: g, Discount: d}
		after[i] = g - d
		t.Subtotal += g
	}
	var sumAfter int64
	for _, a := range after {
		sumAfter += a
	}
	shares := spread(discountOf(basket, sumAfter), after)
	byRate := map[int64]int64{}
	for i := range t.Lines {
		lt := &t.Lines[i]
		lt.Discount += shares[i]
		lt.Amount = lt.Gross - lt.Discount
		t.Discount += lt.Discount
		byRate[lines[i].TaxRateBP] += lt.Amount
	}
	rates := make([]int64, 0, len(byRate))
	for r := range byRate {
		rates = append(rates, r)
	}
	sort.Slice(rates, func(i, j int) bool { return rates[i] < rates[j] })
	var sum int64
	for _, r := range rates {
		amt := byRate[r]
		tl := TaxLine{RateBP: r, Base: amt, Tax: taxOf(amt, r, s.PricesIncludeTax)}
		if s.PricesIncludeTax {
			tl.Base = amt - tl.Tax
		}
		t.Tax = append(t.Tax, tl)
		t.TaxTotal += tl.Tax
		sum += amt
	}
	t.Total = sum
	if !s.PricesIncludeTax {
		t.Total += t.TaxTotal
	}
	return t
}

// taxOf is the tax at rate bp of amount, the lines of one rate together:
// the tax included in it, or the tax added to it.
func taxOf(amount, rateBP int64, included bool) int64 {
	if included {
		return mulRound(amount, rateBP, 10000+rateBP)
	}
	return mulRound(amount, rateBP, 10000)
}

// keepsDiscounts checks a change of a cart's lines (a quantity set, a line
// added or removed, a price overridden, a line discount set) against the
// discounts already on it. A line or basket
// discount set as an amount takes a larger share of a smaller line, and one
// set as a percentage takes more off a larger one. A change is refused
// with ErrBadDiscount when it makes a discount need approval by role while
// taking off more, or a larger share, than when it was given or approved:
// the discount is set again first, with a supervisor if need be.
func (p Policy) keepsDiscounts(role Role, before, after *Cart) error {
	old := map[string]Line{}
	for _, l := range before.Lines {
		old[l.ID] = l
	}
	for _, l := range after.Lines {
		prev, ok := old[l.ID]
		if l.Discount == nil || !ok {
			continue
		}
		if !p.keeps(role, l.Discount, prev.Gross(), l.Gross()) {
			return fmt.Errorf("%w: line %s would take %d off %d; set its discount again first",
				ErrBadDiscount, l.SKU, discountOf(l.Discount, l.Gross()), l.Gross())
		}
	}
	if d := after.Discount; d != nil {
		was, is := basketBase(before.Lines), basketBase(after.Lines)
		if !p.keeps(role, d, was, is) {
			return fmt.Errorf("%w: the basket discount would take %d off %d; set it again first",
				ErrBadDiscount, discountOf(d, is), is)
		}
	}
	return nil
}

// priced is what keepsDiscounts needs of a cart before a change: its
// lines, copied, and its basket discount.
func (c *Cart) priced() *Cart {
	return &Cart{Lines: slices.Clone(c.Lines), Discount: c.Discount}
}

// keeps reports whether discount d may stay when what it applies to goes
// from was to is.
func (p Policy) keeps(role Role, d *Discount, was, is int64) bool {
	off, before := discountOf(d, is), discountOf(d, was)
	if !p.needsApproval(role, off, is) {
		return true
	}
	// No more off, and no larger share: off/is <= before/was.
	return off <= before && !productLess(before, is, off, was)
}

// basketBase is what a basket discount applies to: the lines after their
// own discounts.
func basketBase(lines []Line) int64 {
	var sum int64
	for _, l := range lines {
		g := l.Gross()
		sum += g - discountOf(l.Discount, g)
	}
	return sum
}

// productLess reports whether a×b < c×d for non-negative operands, in 128
// bits.
func productLess(a, b, c, d int64) bool {
	h1, l1 := bits.Mul64(uint64(max(a, 0)), uint64(max(b, 0)))
	h2, l2 := bits.Mul64(uint64(max(c, 0)), uint64(max(d, 0)))
	return h1 < h2 || h1 == h2 && l1 < l2
}
