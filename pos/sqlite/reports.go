package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/posnode/posnode/pos"
)

// reportSQL are the queries of the sales report by grouping. Each unions
// the sales (voided ones left out) with the returns, negated, and takes
// ?1 and ?2 as the bounds of the period (julian days, from inclusive, to
// exclusive).
var reportSQL = map[string]string{
	pos.ReportByTender: `SELECT k, sum(n), 0, sum(a), 0 FROM (
		SELECT p.method k, 1 n, p.amount a FROM sale_payments p JOIN sales s ON s.id = p.sale_id
			WHERE s.voided = 0 AND julianday(s.completed_at) >= ?1 AND julianday(s.completed_at) < ?2
		UNION ALL SELECT 'cash', 0, -s.change FROM sales s
			WHERE s.change <> 0 AND s.voided = 0 AND julianday(s.completed_at) >= ?1 AND julianday(s.completed_at) < ?2
		UNION ALL SELECT f.method, 1, -f.amount FROM return_refunds f JOIN returns r ON r.id = f.return_id
			WHERE julianday(r.at) >= ?1 AND julianday(r.at) < ?2
	) GROUP BY k ORDER BY k`,
	pos.ReportByTaxRate: `SELECT k, sum(n), 0, sum(a), sum(t) FROM (
		SELECT x.rate_bp k, 1 n, x.base a, x.tax t FROM sale_tax x JOIN sales s ON s.id = x.sale_id
			WHERE s.voided = 0 AND julianday(s.completed_at) >= ?1 AND julianday(s.completed_at) < ?2
		UNION ALL SELECT x.rate_bp, 1, -x.base, -x.tax FROM return_tax x JOIN returns r ON r.id = x.return_id
			WHERE julianday(r.at) >= ?1 AND julianday(r.at) < ?2
	) GROUP BY k ORDER BY k`,
	pos.ReportByCashier: `SELECT k, sum(n), 0, sum(a), 0 FROM (
		SELECT s.cashier k, 1 n, s.total a FROM sales s
			WHERE s.voided = 0 AND julianday(s.completed_at) >= ?1 AND julianday(s.completed_at) < ?2
		UNION ALL SELECT r.staff, 1, -r.total FROM returns r WHERE julianday(r.at) >= ?1 AND julianday(r.at) < ?2
	) GROUP BY k ORDER BY k`,
	pos.ReportByItem: `SELECT k, sum(n), sum(q), sum(a), 0 FROM (
		SELECT l.sku k, 1 n, l.qty q, l.amount a FROM sale_lines l JOIN sales s ON s.id = l.sale_id
			WHERE s.voided = 0 AND julianday(s.completed_at) >= ?1 AND julianday(s.completed_at) < ?2
		UNION ALL SELECT l.sku, 1, -l.qty, -l.amount FROM return_lines l JOIN returns r ON r.id = l.return_id
			WHERE julianday(r.at) >= ?1 AND julianday(r.at) < ?2
	) GROUP BY k ORDER BY k`,
}

// byTimeSQL lists every sale (voided ones left out) and return, negated,
// of the period with its time stamp, for grouping by hour or day in Go.
const byTimeSQL = `SELECT s.completed_at, s.total, (SELECT coalesce(sum(tax), 0) FROM sale_tax WHERE sale_id = s.id) FROM sales s
		WHERE s.voided = 0 AND julianday(s.completed_at) >= ?1 AND julianday(s.completed_at) < ?2
	UNION ALL SELECT r.at, -r.total, -(SELECT coalesce(sum(tax), 0) FROM return_tax WHERE return_id = r.id) FROM returns r
		WHERE julianday(r.at) >= ?1 AND julianday(r.at) < ?2`

// timeLayouts are the keys of the reports by hour and by day.
var timeLayouts = map[string]string{pos.ReportByHour: "2006-01-02T15", pos.ReportByDay: time.DateOnly}

// SalesReport sums the sales and returns recorded from from (inclusive)
// to to (exclusive) by one of pos.ReportGroupings.
//
// Hours and days are those of from's zone (the store's), whatever zone
// each record's time stamp was written in.
func (db *DB) SalesReport(ctx context.Context, by string, from, to time.Time) ([]pos.ReportRow, error) {
	if layout, ok := timeLayouts[by]; ok {
		return db.reportByTime(ctx, layout, from, to)
	}
	q, ok := reportSQL[by]
	if !ok {
		return nil, fmt.Errorf("sqlite: no report by %q (one of %v)", by, pos.ReportGroupings)
	}
	rows, err := db.r.QueryContext(ctx, q, julian(from), julian(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []pos.ReportRow{}
	for rows.Next() {
		var r pos.ReportRow
		if err := rows.Scan(&r.Key, &r.Count, &r.Qty, &r.Amount, &r.Tax); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// reportByTime sums the period's sales and returns by their time in
// from's zone, formatted with layout, in the order of time. An hour that
// comes twice, the night the clocks go back, is two rows, each key
// followed by its offset.
func (db *DB) reportByTime(ctx context.Context, layout string, from, to time.Time) ([]pos.ReportRow, error) {
	rows, err := db.r.QueryContext(ctx, byTimeSQL, julian(from), julian(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byKey := map[string]*pos.ReportRow{}
	first := map[string]time.Time{} // the earliest record of each key
	for rows.Next() {
		var at string
		var amount, tax int64
		if err := rows.Scan(&at, &amount, &tax); err != nil {
			return nil, err
		}
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return nil, fmt.Errorf("sqlite: report: time stamp %q: %w", at, err)
		}
		local := t.In(from.Location())
		k := local.Format(layout)
		if layout == timeLayouts[pos.ReportByHour] && repeatedHour(local) {
			k += local.Format("Z07:00")
		}
		r := byKey[k]
		if r == nil {
			r = &pos.ReportRow{Key: k}
			byKey[k] = r
		}
		if f, ok := first[k]; !ok || t.Before(f) {
			first[k] = t
		}
		r.Count++
		r.Amount += amount
		r.Tax += tax
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]pos.ReportRow, 0, len(byKey))
	for _, r := range byKey {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b pos.ReportRow) int {
		if c := first[a.Key].Compare(first[b.Key]); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

// repeatedHour reports whether the local hour of t comes twice that day,
// as the hour before the clocks go back does: the same hour an hour
// earlier or later.
func repeatedHour(t time.Time) bool {
	loc := t.Location()
	return t.Add(-time.Hour).In(loc).Hour() == t.Hour() || t.Add(time.Hour).In(loc).Hour() == t.Hour()
}

// julian is t as a julian day number, as SQLite's julianday() gives it.
func julian(t time.Time) float64 {
	return float64(t.UnixNano())/86400e9 + 2440587.5
}
