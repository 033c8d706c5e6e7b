package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// BenchmarkYearOfSales builds the database of a busy store, 2,000 sales a
// day of four lines each (a card or cash payment, stock movements, tax,
// journal and event) for POSNODE_BENCH_DAYS days (365: a year, about 40
// minutes on two cores), or 30 with POSNODE_BENCH_FULL=1, a week
// otherwise, with central acknowledging each day's events, and runs the
// node's daily housekeeping after each day: acknowledged events pruned
// after the sender's 7 days, printed jobs after 31 days and customers'
// personal data erased. It reports the database's size after checkpoint
// (db-MiB), what one day adds to it (day-KiB) and the time of the last
// day's housekeeping (prune-ms), when the store's history is longest.
func BenchmarkYearOfSales(b *testing.B) {
	days, perDay := 7, 2000
	if os.Getenv("POSNODE_BENCH_FULL") != "" {
		days = 30
	}
	if n, err := strconv.Atoi(os.Getenv("POSNODE_BENCH_DAYS")); err == nil && n > 1 {
		days = n
	}
	for i := 0; i < b.N; i++ {
		size, day, prune := yearOfSales(b, days, perDay)
		b.ReportMetric(float64(size)/(1<<20), "db-MiB")
		b.ReportMetric(float64(day)/(1<<10), "day-KiB")
		b.ReportMetric(float64(prune.Microseconds())/1000, "prune-ms")
		b.ReportMetric(float64(days*perDay), "sales")
	}
}

func yearOfSales(b *testing.B, days, perDay int) (size, perDaySize int64, prune time.Duration) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	path := filepath.Join(b.TempDir(), "pos.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	set := pos.DefaultSettings()
	var before int64
	for d := 0; d < days; d++ {
		day := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		now = day
		err := db.Update(ctx, func(tx *sqlite.Tx) error {
			for i := 0; i < perDay; i++ {
				n := d*perDay + i
				lines := make([]pos.Line, 4)
				for j := range lines {
					lines[j] = pos.Line{ID: fmt.Sprint(j + 1), SKU: fmt.Sprintf("%06d", (n*7+j*131)%20000),
						Names: map[string]string{"en": "Item of the catalog", "sv": "Vara i sortimentet"},
						Unit:  pos.UnitEach, Qty: int64(1 + j%2), UnitPrice: int64(990 + 500*j), TaxRateBP: []int64{2500, 1200, 600, 2500}[j]}
				}
				c := pos.Cart{Lines: lines}
				bal := c.Balance(set)
				method := pos.MethodCard
				if i%3 == 0 {
					method = pos.MethodCash
				}
				c.Payments = []pos.Payment{{ID: "p1", Method: method, Amount: bal.Total, Ref: "************1234"}}
				s := &pos.Sale{ID: pos.NewUUID(), Station: fmt.Sprint("till-", 1+i%4), Cashier: fmt.Sprint(1 + i%12),
					CompletedAt: day.Add(time.Duration(i) * 12 * time.Hour / time.Duration(perDay)),
					Lines:       lines, Balance: c.Balance(set), Payments: c.Payments, Currency: "SEK", EventID: pos.NewUUID()}
				if err := tx.InsertSale(s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		// Central acknowledges the day's events in the evening; the
		// housekeeping runs at night.
		now = day.Add(12 * time.Hour)
		st, err := db.OutboxStats(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := db.Ack(ctx, db.Epoch(), st.LastSeq, nil); err != nil {
			b.Fatal(err)
		}
		now = day.Add(16 * time.Hour)
		t0 := time.Now()
		if _, err := db.PruneAckedBy(ctx, now.Add(-7*24*time.Hour), 1000, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := db.PrunePrintJobs(ctx, now.Add(-31*24*time.Hour), 200, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := db.ErasePersonalData(ctx, now.Add(-31*24*time.Hour), 200, 0); err != nil {
			b.Fatal(err)
		}
		prune = time.Since(t0)
		if d == days-2 {
			before = checkpointedSize(b, db, path)
		}
	}
	size = checkpointedSize(b, db, path)
	logTableSizes(b, db)
	return size, size - before, prune
}

// logTableSizes logs the space each table and its indexes take, largest
// first, where SQLite was built with the dbstat table.
func logTableSizes(b *testing.B, db *sqlite.DB) {
	rows, err := db.Read().Query(`SELECT coalesce(m.tbl_name, s.name), sum(s.pgsize) FROM dbstat s
		LEFT JOIN sqlite_schema m ON m.name = s.name GROUP BY 1 ORDER BY 2 DESC LIMIT 12`)
	if err != nil {
		b.Logf("no dbstat: %v", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int64
		if rows.Scan(&name, &n) == nil {
			b.Logf("%-16s %8.1f MiB", name, float64(n)/(1<<20))
		}
	}
}

// checkpointedSize is the size of the database file once its log is
// written into it.
func checkpointedSize(b *testing.B, db *sqlite.DB, path string) int64 {
	if err := db.Update(context.Background(), func(tx *sqlite.Tx) error { return nil }); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Read().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}
