package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// BenchmarkDurableCommit compares committing a whole 5-line sale (sale,
// lines, payments, stock movements, receipt number and event, one
// transaction) with the baseline of one durable one-row insert on the same
// disk, with the same pragmas (WAL, synchronous=FULL).
func BenchmarkDurableCommit(b *testing.B) {
	ctx := context.Background()
	b.Run("baseline_one_row", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "raw.db")
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		raw.SetMaxOpenConns(1)
		if _, err := raw.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			tx, err := raw.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec("INSERT INTO t(v) VALUES (?)", fmt.Sprint("row ", i)); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sale_5_lines", func(b *testing.B) {
		db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "pos.db"), sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		set := pos.DefaultSettings()
		lines := make([]pos.Line, 5)
		for i := range lines {
			lines[i] = pos.Line{ID: fmt.Sprint(i), SKU: fmt.Sprint("sku-", i), Unit: pos.UnitEach, Qty: 2, UnitPrice: 1990, TaxRateBP: 2500}
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			c := pos.Cart{Lines: lines, Payments: []pos.Payment{{ID: "p", Method: pos.MethodCard, Amount: 19900}}}
			s := &pos.Sale{ID: pos.NewUUID(), Station: "till-1", Cashier: "1", CompletedAt: time.Now(), Lines: lines,
				Balance: c.Balance(set), Payments: c.Payments, Currency: "SEK", EventID: pos.NewUUID()}
			if err := db.CompleteSale(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
