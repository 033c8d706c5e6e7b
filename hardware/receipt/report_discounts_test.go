package receipt_test

import (
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
)

// A printed X or Z report says the discounts the shift gave, as the
// report on screen does; a shift that gave none prints no line for them.
func TestShiftReportPrintsDiscounts(t *testing.T) {
	when := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	rep := &pos.ShiftReport{Kind: "X", Station: "T1", OpenedAt: when.Add(-8 * time.Hour), At: when, Sales: 2,
		SalesTotal: 8500, Total: 8500, Discounts: 1500, ExpectedCash: 8500}
	got := stripCommands(render(t, receipt.FromShiftReport(rep, stores["en"].store, when), escpos.TMT88, nil))
	if !strings.Contains(got, "Discounts") || !strings.Contains(got, "€15.00") {
		t.Errorf("report lacks the discounts:\n%s", got)
	}
	rep.Discounts = 0
	if got := stripCommands(render(t, receipt.FromShiftReport(rep, stores["en"].store, when), escpos.TMT88, nil)); strings.Contains(got, "Discounts") {
		t.Errorf("report without discounts prints them:\n%s", got)
	}
}
