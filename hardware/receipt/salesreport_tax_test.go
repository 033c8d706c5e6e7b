package receipt_test

import (
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/receipt"
)

// A printed sales report by tax rate says each rate's tax beside the
// amount net of tax it is on, and their totals, as the report on screen
// (GET /api/v1/reports/sales) does: the rates' amounts alone leave out
// what the report is asked for.
func TestSalesReportByTaxRatePrintsTax(t *testing.T) {
	when := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	doc := receipt.SalesReport{Store: stores["en"].store, By: "tax_rate", From: when.Add(-24 * time.Hour), To: when, Printed: when,
		Rows: []receipt.SalesRow{{Key: "1200", Count: 3, Amount: 10000, Tax: 1200}, {Key: "2500", Count: 2, Amount: 20000, Tax: 5000}}}
	got := render(t, doc, escpos.TMT88, nil)
	for _, w := range []string{"€12.00", "€50.00", "€62.00", "€300.00"} {
		if !strings.Contains(got, w) {
			t.Errorf("lacks %q:\n%s", w, got)
		}
	}
}
