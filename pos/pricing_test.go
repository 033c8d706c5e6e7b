package pos

import (
	"math"
	"testing"
)

func TestRoundDiv(t *testing.T) {
	for _, tc := range []struct{ n, d, want int64 }{
		{5, 10, 1}, {4, 10, 0}, {15, 10, 2}, {-5, 10, -1}, {-4, 10, 0}, {-15, 10, -2}, {0, 7, 0}, {36897, 1000, 37},
	} {
		if got := RoundDiv(tc.n, tc.d); got != tc.want {
			t.Errorf("RoundDiv(%d, %d) = %d, want %d", tc.n, tc.d, got, tc.want)
		}
	}
}

func TestSpreadAddsUp(t *testing.T) {
	for _, tc := range []struct {
		name    string
		total   int64
		weights []int64
		want    []int64
	}{
		{"even", 300, []int64{100, 100, 100}, []int64{100, 100, 100}},
		{"remainder to largest fraction", 100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{"proportional", 1000, []int64{49900, 3690}, []int64{931, 69}},
		{"zero weights", 50, []int64{0, 0}, []int64{50, 0}},
		{"huge amounts in 128 bits", 3_000_000_000_000, []int64{4_000_000_000_000, 2_000_000_000_000}, []int64{2_000_000_000_000, 1_000_000_000_000}},
		{"more than the weights", 10, []int64{1, 1, 1}, []int64{4, 3, 3}},
		{"negative total", -100, []int64{1, 1, 1}, []int64{-34, -33, -33}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := spread(tc.total, tc.weights)
			var sum int64
			for i := range got {
				sum += got[i]
				if got[i] != tc.want[i] {
					t.Errorf("share %d = %d, want %d", i, got[i], tc.want[i])
				}
			}
			if sum != tc.total {
				t.Errorf("shares add up to %d, want %d", sum, tc.total)
			}
		})
	}
}

func line(sku string, price, qty, rate int64) Line {
	return Line{ID: sku, SKU: sku, Unit: UnitEach, Qty: qty, UnitPrice: price, TaxRateBP: rate}
}

func TestPrice(t *testing.T) {
	incl := Settings{PricesIncludeTax: true, CashRounding: 100}
	excl := Settings{PricesIncludeTax: false, CashRounding: 1}
	kg := Line{ID: "k", SKU: "apples", Unit: UnitKg, Qty: 1234, UnitPrice: 2990, TaxRateBP: 1200}
	for _, tc := range []struct {
		name     string
		lines    []Line
		basket   *Discount
		set      Settings
		total    int64
		taxTotal int64
		tax      []TaxLine
		amounts  []int64
	}{
		{
			name:  "inclusive single rate",
			lines: []Line{line("a", 12500, 1, 2500)}, set: incl,
			total: 12500, taxTotal: 2500, tax: []TaxLine{{2500, 10000, 2500}}, amounts: []int64{12500},
		},
		{
			name:  "inclusive mixed 0/6/12/25 with a weighed line",
			lines: []Line{line("a", 49900, 2, 2500), kg, line("n", 3500, 1, 600), line("s", 1500, 1, 0)}, set: incl,
			// 998.00 @25: tax 199.60; 36.90 @12: tax 3.95 (3.9536); 35.00 @6: tax 1.98 (1.9811); 15.00 @0
			total: 99800 + 3690 + 3500 + 1500, taxTotal: 19960 + 395 + 198,
			tax:     []TaxLine{{0, 1500, 0}, {600, 3302, 198}, {1200, 3295, 395}, {2500, 79840, 19960}},
			amounts: []int64{99800, 3690, 3500, 1500},
		},
		{
			name:  "exclusive adds tax on top per rate",
			lines: []Line{line("a", 1999, 3, 825), line("b", 500, 1, 0)}, set: excl,
			// 59.97 @8.25 %: tax 4.947525 -> 4.95
			total: 5997 + 495 + 500, taxTotal: 495,
			tax:     []TaxLine{{0, 500, 0}, {825, 5997, 495}},
			amounts: []int64{5997, 500},
		},
		{
			name:  "line percent discount",
			lines: []Line{{ID: "a", SKU: "a", Unit: UnitEach, Qty: 3, UnitPrice: 3333, TaxRateBP: 2500, Discount: &Discount{PercentBP: 1000, Reason: "x"}}}, set: incl,
			// 99.99 - 10.00 (9.999 rounded) = 89.99
			total: 8999, taxTotal: 1800, tax: []TaxLine{{2500, 7199, 1800}}, amounts: []int64{8999},
		},
		{
			name:   "basket discount spread over mixed rates",
			lines:  []Line{line("a", 10000, 1, 2500), line("b", 5000, 1, 1200)},
			basket: &Discount{Amount: 1000, Reason: "x"}, set: incl,
			// shares 667 and 333: 93.33 @25 tax 18.67 (18.666); 46.67 @12 tax 5.00 (5.0004)
			total: 14000, taxTotal: 1867 + 500, tax: []TaxLine{{1200, 4167, 500}, {2500, 7466, 1867}},
			amounts: []int64{9333, 4667},
		},
		{
			name:   "basket percent discount exclusive",
			lines:  []Line{line("a", 1000, 1, 1000), line("b", 1000, 1, 2000)},
			basket: &Discount{PercentBP: 5000, Reason: "half"}, set: excl,
			total: 1000 + 50 + 100, taxTotal: 150, tax: []TaxLine{{1000, 500, 50}, {2000, 500, 100}},
			amounts: []int64{500, 500},
		},
		{
			name: "discount never exceeds the line",
			lines: []Line{{ID: "a", SKU: "a", Unit: UnitEach, Qty: 1, UnitPrice: 500, TaxRateBP: 2500,
				Discount: &Discount{Amount: 900, Reason: "x"}}}, set: incl,
			total: 0, taxTotal: 0, tax: []TaxLine{{2500, 0, 0}}, amounts: []int64{0},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Price(tc.lines, tc.basket, tc.set)
			if got.Total != tc.total || got.TaxTotal != tc.taxTotal {
				t.Errorf("total %d tax %d, want %d tax %d", got.Total, got.TaxTotal, tc.total, tc.taxTotal)
			}
			if len(got.Tax) != len(tc.tax) {
				t.Fatalf("tax lines %+v, want %+v", got.Tax, tc.tax)
			}
			for i := range tc.tax {
				if got.Tax[i] != tc.tax[i] {
					t.Errorf("tax[%d] = %+v, want %+v", i, got.Tax[i], tc.tax[i])
				}
			}
			var sum, base, tax int64
			for i, lt := range got.Lines {
				if lt.Amount != tc.amounts[i] {
					t.Errorf("line %d amount %d, want %d", i, lt.Amount, tc.amounts[i])
				}
				sum += lt.Amount
			}
			for _, tl := range got.Tax {
				base += tl.Base
				tax += tl.Tax
			}
			// The parts always agree with the whole.
			if tc.set.PricesIncludeTax && (base+tax != sum || sum != got.Total) {
				t.Errorf("inclusive: base %d + tax %d != lines %d (total %d)", base, tax, sum, got.Total)
			}
			if !tc.set.PricesIncludeTax && (base != sum || sum+tax != got.Total) {
				t.Errorf("exclusive: base %d lines %d tax %d total %d disagree", base, sum, tax, got.Total)
			}
		})
	}
}

func TestBalanceCashRounding(t *testing.T) {
	set := Settings{PricesIncludeTax: true, CashRounding: 100}
	for _, tc := range []struct {
		name                              string
		total                             int64
		pays                              []Payment
		settled                           bool
		due, rounding, change, cashDueNow int64
		cardDue                           int64
	}{
		{"no payment yet", 10040, nil, false, 10040, 0, 0, 10000, 10040},
		{"cash rounds down", 10040, []Payment{{Method: MethodCash, Amount: 10000}}, true, 0, -40, 0, 0, 0},
		{"cash rounds up, change", 10050, []Payment{{Method: MethodCash, Amount: 20000}}, true, 0, 50, 9900, 0, 0},
		{"card exact, no rounding", 10040, []Payment{{Method: MethodCard, Amount: 10040}}, true, 0, 0, 0, 0, 0},
		{"card part then cash rounds the rest", 10040, []Payment{{Method: MethodCard, Amount: 5000}, {Method: MethodCash, Amount: 5000}}, true, 0, -40, 0, 0, 0},
		{"cash short", 10040, []Payment{{Method: MethodCash, Amount: 5000}}, false, 5000, -40, 0, 5000, 5040},
		{"cash short, the rest rounds up", 11480, []Payment{{Method: MethodCash, Amount: 10000}}, false, 1500, 20, 0, 1500, 1480},
		{"cash short, then the card pays the rest", 11480, []Payment{{Method: MethodCash, Amount: 10000}, {Method: MethodCard, Amount: 1480}}, true, 0, 0, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Cart{Lines: []Line{line("a", tc.total, 1, 2500)}, Payments: tc.pays}
			b := c.Balance(set)
			if b.Settled != tc.settled || b.Due != tc.due || b.Rounding != tc.rounding || b.Change != tc.change {
				t.Errorf("balance = settled %v due %d rounding %d change %d; want %v %d %d %d",
					b.Settled, b.Due, b.Rounding, b.Change, tc.settled, tc.due, tc.rounding, tc.change)
			}
			if b.CardDue != tc.cardDue {
				t.Errorf("card due = %d, want %d", b.CardDue, tc.cardDue)
			}
			if got := b.CashDue(set); got != tc.cashDueNow {
				t.Errorf("cash due = %d, want %d", got, tc.cashDueNow)
			}
			var paid int64
			for _, p := range tc.pays {
				paid += p.Amount
			}
			if b.Settled && paid-b.Change != b.Total+b.Rounding {
				t.Errorf("payments %d - change %d != total %d + rounding %d", paid, b.Change, b.Total, b.Rounding)
			}
		})
	}
}

func TestMulRound(t *testing.T) {
	for _, tc := range []struct {
		name       string
		a, b, d    int64
		want       int64
		roundDivOK bool // small enough to check against RoundDiv
	}{
		{"tax included, 25 %", 12500, 2500, 12500, 2500, true},
		{"half rounds up", 5, 5000, 10000, 3, true},
		{"negative half rounds away from zero", -5, 5000, 10000, -3, true},
		{"zero rate", 123456, 0, 10000, 0, true},
		{"whole", 987654321, 10000, 10000, 987654321, true},
		{"beyond 64 bits in the product", 1_000_000_000_000_000, 2500, 12500, 200_000_000_000_000, false},
		{"largest amount", math.MaxInt64, 10000, 10000, math.MaxInt64, false},
		{"rate above its whole saturates", math.MaxInt64, 20000, 10000, math.MaxInt64, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mulRound(tc.a, tc.b, tc.d); got != tc.want {
				t.Fatalf("mulRound(%d, %d, %d) = %d, want %d", tc.a, tc.b, tc.d, got, tc.want)
			}
			if tc.roundDivOK {
				if rd := RoundDiv(tc.a*tc.b, tc.d); rd != tc.want {
					t.Fatalf("RoundDiv disagrees: %d", rd)
				}
			}
		})
	}
}

// TestPriceOfHugeAmounts prices lines far above what a cart accepts, as
// a return of many lines at the largest price and quantity would be: the
// tax is right, not wrapped around.
func TestPriceOfHugeAmounts(t *testing.T) {
	huge := Line{SKU: "x", Unit: UnitEach, Qty: 1, FixedAmount: MaxPrice * MaxQuantity, TaxRateBP: 2500}
	lines := []Line{huge, huge, huge, huge, huge}
	incl := Price(lines, nil, Settings{PricesIncludeTax: true})
	if want := int64(5 * MaxPrice * MaxQuantity / 5); incl.TaxTotal != want || incl.Total != 5*MaxPrice*MaxQuantity {
		t.Fatalf("tax included: tax %d total %d, want tax %d", incl.TaxTotal, incl.Total, want)
	}
	excl := Price(lines, &Discount{PercentBP: 1000, Reason: "x"}, Settings{})
	if excl.Discount != MaxPrice*MaxQuantity/2 || excl.TaxTotal != 5*MaxPrice*MaxQuantity*9/10/4 {
		t.Fatalf("tax excluded: discount %d tax %d", excl.Discount, excl.TaxTotal)
	}
}
