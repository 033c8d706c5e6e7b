package pos

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// Groupings of a sales report.
const (
	// ReportByHour's key is the local date and hour, 2026-11-22T10; the
	// hour that comes twice when the clocks go back is two rows, each
	// with its offset: 2026-10-25T02+02:00, then 2026-10-25T02+01:00.
	ReportByHour    = "hour"
	ReportByDay     = "day"      // key: local date, 2026-11-22
	ReportByTender  = "tender"   // key: tender method
	ReportByTaxRate = "tax_rate" // key: rate in basis points
	ReportByCashier = "cashier"  // key: staff id
	ReportByItem    = "item"     // key: SKU
)

// ReportGroupings lists every grouping a sales report offers.
var ReportGroupings = []string{ReportByHour, ReportByDay, ReportByTender, ReportByTaxRate, ReportByCashier, ReportByItem}

// ReportRow is one group of a sales report. Amounts are net: sales less
// returns, voided sales left out.
type ReportRow struct {
	Key string `json:"key"`
	// Count is how many receipts (sales and returns), or for items and
	// tenders how many lines, make up the row.
	Count int64 `json:"count"`
	// Qty is the net quantity sold (items only): pieces, or grams.
	Qty int64 `json:"qty"`
	// Amount is the net amount: totals for hours, days and cashiers,
	// money taken for tenders, the amount net of tax for tax rates, and
	// line amounts (in the store's price mode) for items.
	Amount int64 `json:"amount"`
	// Tax is the net tax (hours, days and tax rates).
	Tax int64 `json:"tax"`
}

// WriteReportCSV writes a sales report as CSV with a header line. Amounts
// are integers in minor units.
func WriteReportCSV(w io.Writer, by string, rows []ReportRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{by, "count", "qty", "amount_minor", "tax_minor"}); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Key, strconv.FormatInt(r.Count, 10), strconv.FormatInt(r.Qty, 10),
			strconv.FormatInt(r.Amount, 10), strconv.FormatInt(r.Tax, 10)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report csv: %w", err)
	}
	return nil
}
