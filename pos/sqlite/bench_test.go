package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// BenchmarkDurableCommit compares committing a whole 5-line sale (sale,
// lines, payments, stock movements, receipt number and event, one
// transaction) with the baseline of one durable one-row insert into another
// database on the same disk with the same pragmas (WAL, synchronous=FULL).
// The two alternate within each iteration so that both see the same load;
// the reported ratio is sale time over baseline time.
func BenchmarkDurableCommit(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "raw.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "pos.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var saleTime, rowTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
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
		t1 := time.Now()
		if err := db.CompleteSale(ctx, fiveLineSale(t1)); err != nil {
			b.Fatal(err)
		}
		rowTime += t1.Sub(t0)
		saleTime += time.Since(t1)
	}
	b.ReportMetric(float64(saleTime.Microseconds())/float64(b.N), "sale-µs/op")
	b.ReportMetric(float64(rowTime.Microseconds())/float64(b.N), "one-row-µs/op")
	b.ReportMetric(float64(saleTime)/float64(rowTime), "ratio")
}

// BenchmarkApplyCatalogPage applies catalog pages of 1,000 items (five
// names and a barcode each, as central sends them) one transaction each,
// into a catalog that grows with every page, as on a node's first
// ingest, with checkpoints in the background as posnode runs them. It
// reports the time per page and per item; the MQTT side of an ingest is
// measured by syncqueue's BenchmarkCatalogIngest.
func BenchmarkApplyCatalogPage(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "pos.db"), sqlite.Options{BackgroundCheckpoints: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	checkpoints := make(chan error, 1)
	go func() { checkpoints <- db.RunCheckpoints(ctx) }()
	defer func() { cancel(); <-checkpoints }()
	const per = 1000
	page := func(n int) pos.CatalogPage {
		p := pos.CatalogPage{Page: fmt.Sprint(n), Version: 1, Items: make([]pos.Item, per)}
		for i := range p.Items {
			sku := fmt.Sprint(1_000_000 + n*per + i)
			p.Items[i] = pos.Item{SKU: sku, Active: true, Unit: pos.UnitEach, Price: int64(1000 + i), TaxRateBP: 2500,
				Names:    map[string]string{"en": "Item " + sku, "sv": "Vara " + sku, "sk": "Tovar " + sku, "ro": "Articol " + sku, "zh-Hant": "商品 " + sku},
				Barcodes: []string{"20" + sku}}
		}
		return p
	}
	pages := make([]pos.CatalogPage, b.N)
	for i := range pages {
		pages[i] = page(i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ok, err := db.ApplyCatalogPage(ctx, pages[i], pos.VariableMeasure{}); err != nil || !ok {
			b.Fatalf("page %d: applied %v, %v", i, ok, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*per), "µs/item")
	if n, err := db.CountItems(ctx); err != nil || n != b.N*per {
		b.Fatalf("%d items stored, want %d (%v)", n, b.N*per, err)
	}
}

// BenchmarkItemByCode looks items up by barcode, as a till's scan does, in
// a catalog of 50,000 items (answered by the catalog index), against the
// baseline of the simplest SQLite point query for the same row: one table holding every field of an item with
// its barcode in a unique column, on the same disk with the same pragmas.
// The two alternate within each iteration; the ratio is node time over
// baseline time.
func BenchmarkItemByCode(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "pos.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	plain, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "plain.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Exec(`CREATE TABLE items (sku TEXT PRIMARY KEY, active INTEGER, names TEXT, unit TEXT, price INTEGER,
		tax_rate_bp INTEGER, location TEXT, barcode TEXT UNIQUE)`); err != nil {
		b.Fatal(err)
	}
	const pages, per = 50, 1000
	for n := range pages {
		p := pos.CatalogPage{Page: fmt.Sprint(n), Version: 1, Items: make([]pos.Item, per)}
		tx, err := plain.Begin()
		if err != nil {
			b.Fatal(err)
		}
		for i := range p.Items {
			sku := fmt.Sprint(1_000_000 + n*per + i)
			p.Items[i] = pos.Item{SKU: sku, Active: true, Unit: pos.UnitEach, Price: int64(1000 + i), TaxRateBP: 2500,
				Names:    map[string]string{"en": "Item " + sku, "sv": "Vara " + sku, "sk": "Tovar " + sku, "ro": "Articol " + sku, "zh-Hant": "商品 " + sku},
				Barcodes: []string{"20" + sku}}
			names, _ := json.Marshal(p.Items[i].Names)
			if _, err := tx.Exec("INSERT INTO items VALUES (?, 1, ?, 'each', ?, 2500, '', ?)", sku, string(names), 1000+i, "20"+sku); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		if _, err := db.ApplyCatalogPage(ctx, p, pos.VariableMeasure{}); err != nil {
			b.Fatal(err)
		}
	}
	st, err := plain.Prepare("SELECT sku, active, names, unit, price, tax_rate_bp, location, barcode FROM items WHERE barcode = ?")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var nodeT, plainT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		code := "20" + fmt.Sprint(1_000_000+(i*7919)%(pages*per))
		t0 := time.Now()
		var it pos.Item
		var names, barcode string
		if err := st.QueryRow(code).Scan(&it.SKU, &it.Active, &names, &it.Unit, &it.Price, &it.TaxRateBP, &it.Location, &barcode); err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal([]byte(names), &it.Names); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		got, err := db.ItemByCode(ctx, code)
		if err != nil || got.SKU != it.SKU || len(got.Barcodes) != 1 || got.Names["sv"] != it.Names["sv"] {
			b.Fatalf("%s: %+v %v, want %+v", code, got, err, it)
		}
		plainT += t1.Sub(t0)
		nodeT += time.Since(t1)
	}
	b.ReportMetric(float64(nodeT.Nanoseconds())/1e3/float64(b.N), "node-µs/op")
	b.ReportMetric(float64(plainT.Nanoseconds())/1e3/float64(b.N), "plain-µs/op")
	b.ReportMetric(float64(nodeT)/float64(plainT), "ratio")
}

// BenchmarkSaleDuringPrune measures what pruning a backlog of
// acknowledged events costs the tills: N events (40,000 with
// POSNODE_BENCH_FULL=1, about five busy days; else 4,000) acknowledged
// and past retention are pruned while a till completes a 5-line sale
// every 10 ms, and the longest of those sales, from its start to its
// commit, is reported. The baseline is the same prune as one delete in
// one transaction; the node deletes 1,000 rows per transaction with
// 20 ms between them. ratio is the node's longest sale over the
// baseline's.
func BenchmarkSaleDuringPrune(b *testing.B) {
	ctx := context.Background()
	n := 4000
	if os.Getenv("POSNODE_BENCH_FULL") != "" {
		n = 40000
	}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "pos.db"), sqlite.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	sale := func() time.Duration {
		t0 := time.Now()
		if err := db.CompleteSale(ctx, fiveLineSale(t0)); err != nil {
			b.Error(err)
		}
		return time.Since(t0)
	}
	// backlog queues n events and has central acknowledge them all.
	backlog := func() {
		appendEvents(b, db, n)
		st, err := db.OutboxStats(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := db.Ack(ctx, db.Epoch(), st.LastSeq, nil); err != nil {
			b.Fatal(err)
		}
	}
	// prune runs one prune beside the till and returns its longest sale.
	prune := func(batch int, pause time.Duration) time.Duration {
		b.StopTimer()
		backlog()
		b.StartTimer()
		stop := make(chan struct{})
		longest := make(chan time.Duration)
		go func() {
			var worst time.Duration
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				worst = max(worst, sale())
				select {
				case <-stop:
					longest <- worst
					return
				case <-tick.C:
				}
			}
		}()
		pruned, err := db.PruneAckedBy(ctx, now.Add(time.Hour), batch, pause)
		close(stop)
		worst := <-longest
		if err != nil || pruned < int64(n) {
			b.Fatalf("pruned %d, %v; want at least %d", pruned, err, n)
		}
		return worst
	}
	var nodeWorst, oneWorst time.Duration
	b.ResetTimer()
	for range b.N {
		oneWorst = max(oneWorst, prune(1<<30, 0))
		nodeWorst = max(nodeWorst, prune(1000, 20*time.Millisecond))
	}
	b.ReportMetric(float64(nodeWorst.Microseconds())/1e3, "node-longest-sale-ms")
	b.ReportMetric(float64(oneWorst.Microseconds())/1e3, "one-delete-longest-sale-ms")
	b.ReportMetric(float64(nodeWorst)/float64(oneWorst), "ratio")
}

// fiveLineSale is a sale completed at at of five lines of 2 × 19.90 paid
// by card, the sale the commit benchmarks make.
func fiveLineSale(at time.Time) *pos.Sale {
	lines := make([]pos.Line, 5)
	for i := range lines {
		lines[i] = pos.Line{ID: fmt.Sprint(i), SKU: fmt.Sprint("sku-", i), Unit: pos.UnitEach, Qty: 2, UnitPrice: 1990, TaxRateBP: 2500}
	}
	c := pos.Cart{Lines: lines, Payments: []pos.Payment{{ID: "p", Method: pos.MethodCard, Amount: 19900}}}
	return &pos.Sale{ID: pos.NewUUID(), Station: "till-1", Cashier: "1", CompletedAt: at, Lines: lines,
		Balance: c.Balance(pos.DefaultSettings()), Payments: c.Payments, Currency: "SEK", EventID: pos.NewUUID()}
}
