package pos

import "testing"

// A label that carries the price to pay charges that price, whatever the
// shelf price is now; the line's unit price is the label's too, so that
// the receipt's "weight × price per kg", the screen and the sale event's
// unit_price × qty come to what was charged. They showed today's shelf
// price beside the label's amount: 1.250 kg × 249.00 = 300.00.
func TestScanLineOfALabelIsPricedAsTheLabel(t *testing.T) {
	salmon := Item{SKU: "5", Active: true, Unit: UnitKg, Price: 24900, TaxRateBP: 1200}
	cheese := Item{SKU: "4", Active: true, Unit: UnitKg, Price: 14900, TaxRateBP: 1200}
	tea := Item{SKU: "1", Active: true, Unit: UnitEach, Price: 2500, TaxRateBP: 1200}
	for _, c := range []struct {
		name      string
		it        Item
		code      Code
		qty, unit int64
	}{
		{"GS1 weight and price to pay", salmon, Code{Grams: 1250, Price: 30000}, 1250, 24000},
		{"GS1 weight and price, not a whole price per kg", salmon, Code{Grams: 333, Price: 7990}, 333, 23994},
		{"variable-measure price on an item sold by weight", cheese, Code{Kind: CodeVariable, Price: 8750}, 587, 14900},
		{"GS1 price on a piece", tea, Code{Price: 1990}, 1, 1990},
		{"variable-measure price on a piece", tea, Code{Kind: CodeVariable, Price: 2190}, 1, 2190},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := ScanLine(c.it, c.code)
			if err != nil {
				t.Fatal(err)
			}
			if l.Gross() != c.code.Price || l.Qty != c.qty || l.UnitPrice != c.unit {
				t.Fatalf("line of %d × %d charging %d; want %d × %d charging %d", l.Qty, l.UnitPrice, l.Gross(), c.qty, c.unit, c.code.Price)
			}
		})
	}
}
