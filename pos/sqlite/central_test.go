package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

func appendEvents(t testing.TB, db *sqlite.DB, n int) {
	t.Helper()
	err := db.Update(context.Background(), func(tx *sqlite.Tx) error {
		for i := 0; i < n; i++ {
			ev, err := pos.NewEvent("", pos.EventStockAdjusted, time.Now(), map[string]any{"sku": "1", "delta": 1, "reason": "count"})
			if err != nil {
				return err
			}
			if err := tx.AppendEvent(&ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAckStatsPrune(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	db := openDBAt(t, &now)
	appendEvents(t, db, 10)
	st, err := db.OutboxStats(ctx)
	if err != nil || st.LastSeq != 10 || st.Depth != 10 || st.AckedThrough != 0 || st.OldestUnacked.IsZero() || !st.LastDelivery.IsZero() {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	// Another epoch's ack changes nothing.
	if through, ok, err := db.Ack(ctx, "other-epoch", 10, nil); err != nil || ok || through != 0 {
		t.Fatalf("foreign ack = %d %v %v", through, ok, err)
	}
	through, ok, err := db.Ack(ctx, db.Epoch(), 4, []pos.Rejection{{Seq: 3, Reason: "unknown sku"}, {Seq: 7, Reason: "bad"}})
	if err != nil || !ok || through != 4 {
		t.Fatalf("ack = %d %v %v", through, ok, err)
	}
	// An older ack never moves the point back.
	if through, _, _ = db.Ack(ctx, db.Epoch(), 2, nil); through != 4 {
		t.Fatalf("ack went back to %d", through)
	}
	st, _ = db.OutboxStats(ctx)
	if st.AckedThrough != 4 || st.Depth != 5 || st.Rejected != 2 || st.LastDelivery.IsZero() {
		t.Fatalf("stats after ack = %+v", st)
	}
	evs, rs, err := db.RejectedEvents(ctx, 10)
	if err != nil || len(evs) != 2 || rs[0].Seq != 7 || rs[1].Reason != "unknown sku" {
		t.Fatalf("rejected = %+v %+v %v", evs, rs, err)
	}
	// Unacked rows never pruned; rejected kept; acked pruned after cutoff.
	now = now.Add(time.Hour)
	n, err := db.PruneAcked(ctx, now)
	if err != nil || n != 3 {
		t.Fatalf("pruned %d, %v; want the 3 acked and not rejected", n, err)
	}
	left, _ := db.EventsAfter(ctx, 0, 100)
	if len(left) != 7 || left[0].Seq != 3 {
		t.Fatalf("left = %d rows, first %+v", len(left), left[0])
	}
	if through, _, _ = db.Ack(ctx, db.Epoch(), 10, nil); through != 10 {
		t.Fatalf("ack through the last = %d, want 10", through)
	}
	st, _ = db.OutboxStats(ctx)
	if st.Depth != 0 || !st.OldestUnacked.IsZero() || st.LastSeq != 10 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestCatalogPagesAndManifest(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	item := func(sku string, price int64) pos.Item {
		return pos.Item{SKU: sku, Active: true, Names: map[string]string{"en": "Item " + sku}, Barcodes: []string{"73100000" + sku}, Unit: pos.UnitEach, Price: price, TaxRateBP: 2500}
	}
	ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 2, Items: []pos.Item{item("10001", 100), item("10002", 200)}}, pos.Sweden)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	// Same or older version: ignored.
	ok, err = db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 2, Items: []pos.Item{item("10001", 999)}}, pos.Sweden)
	if err != nil || ok {
		t.Fatal("same version applied", err)
	}
	// An invalid item fails the whole page.
	bad := item("10003", 5)
	bad.Unit = "litre"
	if _, err = db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 3, Items: []pos.Item{item("10001", 1), bad}}, pos.Sweden); !errors.Is(err, pos.ErrInvalidItem) {
		t.Fatalf("invalid item: %v", err)
	}
	if it, _ := db.ItemByCode(ctx, "10001"); it.Price != 100 {
		t.Fatalf("half-applied page: %+v", it)
	}
	// A newer version: 10002 leaves, 10001 changes price.
	if ok, err = db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 3, Items: []pos.Item{item("10001", 150)}}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if it, _ := db.ItemByCode(ctx, "10001"); it.Price != 150 || !it.Active {
		t.Fatalf("10001 = %+v", it)
	}
	if it, _ := db.ItemByCode(ctx, "10002"); it.Active {
		t.Fatalf("10002 still active: %+v", it)
	}
	if _, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "1", Version: 1, Items: []pos.Item{item("10005", 500)}}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	applied, held, err := db.ApplyManifest(ctx, sqlite.KindCatalog, 10, map[string]int64{"1": 1, "2": 4})
	if err != nil || !applied || len(held) != 1 || held["1"] != 1 {
		t.Fatalf("manifest: %v %v %v", applied, held, err)
	}
	if it, _ := db.ItemByCode(ctx, "10001"); it.Active {
		t.Fatalf("item of a removed page still active: %+v", it)
	}
	// A page the held manifest no longer names (one that was being
	// applied when the manifest came) is not put back on sale.
	if ok, err = db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 4, Items: []pos.Item{item("10001", 160)}}, pos.Sweden); err != nil || ok {
		t.Fatalf("page dropped by the manifest applied: %v %v", ok, err)
	}
	if it, _ := db.ItemByCode(ctx, "10001"); it.Active || it.Price != 150 {
		t.Fatalf("item of a dropped page back on sale: %+v", it)
	}
	if ok, err = db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "2", Version: 4, Items: []pos.Item{item("10006", 600)}}, pos.Sweden); err != nil || !ok {
		t.Fatalf("page the manifest names: %v %v", ok, err)
	}
	if _, _, err := db.ApplyManifest(ctx, sqlite.KindStock, 1, map[string]int64{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if ok, err = db.ApplyStockPage(ctx, pos.StockPage{Page: "b", Version: 1, Items: []pos.StockCount{{SKU: "10006", OnHand: 3}}}); err != nil || ok {
		t.Fatalf("stock page the manifest does not name applied: %v %v", ok, err)
	}
	if applied, _, _ = db.ApplyManifest(ctx, sqlite.KindCatalog, 9, map[string]int64{}); applied {
		t.Fatal("older manifest applied")
	}
	if vs, _ := db.PageVersions(ctx, sqlite.KindCatalog); len(vs) != 2 {
		t.Fatalf("pages = %v", vs)
	}
}

// TestPageOlderThanItsManifestEntryIgnored: a page that was on its way
// when a newer manifest named a newer version of it is not applied, even
// though it is newer than the page held: its items would be sold at the
// old prices until the new version comes.
func TestPageOlderThanItsManifestEntryIgnored(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	item := pos.Item{SKU: "10001", Active: true, Names: map[string]string{"en": "Backpack"}, Unit: pos.UnitEach, Price: 100, TaxRateBP: 2500}
	if _, _, err := db.ApplyManifest(ctx, sqlite.KindCatalog, 10, map[string]int64{"0": 2}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ApplyManifest(ctx, sqlite.KindCatalog, 11, map[string]int64{"0": 3}); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 2, Items: []pos.Item{item}}, pos.Sweden); err != nil || ok {
		t.Fatalf("catalog page 0 version 2 under a manifest naming version 3: applied %v, %v", ok, err)
	}
	if _, err := db.ItemByCode(ctx, "10001"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("item of the older page stored: %v", err)
	}
	if vs, _ := db.PageVersions(ctx, sqlite.KindCatalog); len(vs) != 0 {
		t.Fatalf("page versions = %v, want none", vs)
	}
	item.Price = 150
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 3, Items: []pos.Item{item}}, pos.Sweden); err != nil || !ok {
		t.Fatalf("page at its manifest's version: applied %v, %v", ok, err)
	}

	if _, _, err := db.ApplyManifest(ctx, sqlite.KindStock, 5, map[string]int64{"a": 7}); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.ApplyStockPage(ctx, pos.StockPage{Page: "a", Version: 6, Items: []pos.StockCount{{SKU: "10001", OnHand: 3}}}); err != nil || ok {
		t.Fatalf("stock page a version 6 under a manifest naming version 7: applied %v, %v", ok, err)
	}
	// Central publishes a page before the manifest that names it: a
	// page newer than its entry applies.
	if ok, err := db.ApplyStockPage(ctx, pos.StockPage{Page: "a", Version: 8, Items: []pos.StockCount{{SKU: "10001", OnHand: 4}}}); err != nil || !ok {
		t.Fatalf("stock page newer than its manifest entry: applied %v, %v", ok, err)
	}
}

func TestStockPage(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	appendEvents(t, db, 1)
	err := db.Update(ctx, func(tx *sqlite.Tx) error {
		return tx.AddMovements(1, time.Now(), []pos.Movement{{SKU: "A", Delta: -2, Reason: "sale"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyStockPage(ctx, pos.StockPage{Page: "0", Version: 1, Items: []pos.StockCount{{SKU: "A", OnHand: 10, AsEpoch: db.Epoch(), AsSeq: 1}, {SKU: "B", OnHand: 5}}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.Stock(ctx, "A"); st.OnHand != 10 {
		t.Fatalf("A = %+v (count includes seq 1)", st)
	}
	if _, err := db.ApplyStockPage(ctx, pos.StockPage{Page: "0", Version: 2, Items: []pos.StockCount{{SKU: "A", OnHand: 10, AsEpoch: "old-epoch", AsSeq: 1}}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.Stock(ctx, "A"); st.OnHand != 8 {
		t.Fatalf("A = %+v (count of another epoch includes none of ours)", st)
	}
	if st, _ := db.Stock(ctx, "B"); st.Central != 0 {
		t.Fatalf("B left the page but = %+v", st)
	}
}

func TestOrderRecordsAndRejects(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	r := db.OrderRecords()
	if err := r.ApplyOrder(ctx, []byte(`{"v":2}`), pos.Order{ID: "W-1", Version: 2}); err != nil {
		t.Fatal(err)
	}
	if err := r.ApplyOrder(ctx, []byte(`{"v":1}`), pos.Order{ID: "W-1", Version: 1}); err != nil {
		t.Fatal(err)
	}
	if v, doc, closed, err := r.Get(ctx, "W-1"); err != nil || v != 2 || string(doc) != `{"v":2}` || closed {
		t.Fatalf("order = %d %s %v %v", v, doc, closed, err)
	}
	if err := r.CloseOrder(ctx, "W-1"); err != nil {
		t.Fatal(err)
	}
	if _, _, closed, _ := r.Get(ctx, "W-1"); !closed {
		t.Fatal("order not closed")
	}
	if _, _, _, err := r.Get(ctx, "W-2"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("missing order: %v", err)
	}
	for i := 0; i < 2; i++ {
		if err := db.RecordInboundReject(ctx, "pos/v1/stores/s/settings", "bad json"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.InboundRejects(ctx); n != 2 || err != nil {
		t.Fatalf("rejects = %d %v", n, err)
	}
}

// TestInboundRejectsLogBounded: a payload refused again and again (a
// retained record central sends at every connection) is counted every
// time, while the log keeps only the newest InboundRejectsKept of them.
func TestInboundRejectsLogBounded(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	total := sqlite.InboundRejectsKept + 10
	for i := 0; i < total; i++ {
		if err := db.RecordInboundReject(ctx, "pos/v1/stores/s/orders/W-1", fmt.Sprint("bad order ", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.InboundRejects(ctx); n != int64(total) || err != nil {
		t.Fatalf("rejects counted = %d %v, want %d", n, err, total)
	}
	var rows int
	var newest string
	if err := db.Read().QueryRowContext(ctx, "SELECT count(*), max(reason) FILTER (WHERE id = (SELECT max(id) FROM inbound_rejects)) FROM inbound_rejects").
		Scan(&rows, &newest); err != nil {
		t.Fatal(err)
	}
	if rows != sqlite.InboundRejectsKept || newest != fmt.Sprint("bad order ", total-1) {
		t.Fatalf("log holds %d rows, newest %q; want the newest %d", rows, newest, sqlite.InboundRejectsKept)
	}
}

// TestInboundRejectsLongLogPrunedInSteps: a log grown before it was
// bounded is cut to the newest InboundRejectsKept over the next refusals,
// a thousand older rows at most each, not all in the one transaction.
func TestInboundRejectsLongLogPrunedInSteps(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pos.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw := rawDB(t, path)
	if _, err := raw.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
		INSERT INTO inbound_rejects(topic, reason, at) SELECT 'pos/v1/stores/s/orders/W-1', 'bad order', '2026-01-01T00:00:00Z' FROM n`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	rows := func() int {
		var n int
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM inbound_rejects").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i, want := range []int{2001, 1002, 500, 500} {
		if err := db.RecordInboundReject(ctx, "pos/v1/stores/s/orders/W-1", "bad order"); err != nil {
			t.Fatal(err)
		}
		if n := rows(); n != want {
			t.Fatalf("after refusal %d the log holds %d rows, want %d", i+1, n, want)
		}
	}
}

// TestCatalogItemMovesBetweenPages moves an item from page A to page B, in
// both orders of arrival: it stays on sale as the page that has it now
// says, and leaves with that page only.
func TestCatalogItemMovesBetweenPages(t *testing.T) {
	ctx := context.Background()
	item := func(sku string, price int64) pos.Item {
		return pos.Item{SKU: sku, Active: true, Names: map[string]string{"en": "Item " + sku}, Barcodes: []string{"73100000" + sku}, Unit: pos.UnitEach, Price: price, TaxRateBP: 2500}
	}
	apply := func(db *sqlite.DB, page string, version int64, items ...pos.Item) {
		t.Helper()
		if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: page, Version: version, Items: items}, pos.Sweden); err != nil || !ok {
			t.Fatalf("page %s v%d: %v %v", page, version, ok, err)
		}
	}
	want := func(db *sqlite.DB, sku string, active bool, price int64) {
		t.Helper()
		it, err := db.ItemByCode(ctx, sku)
		if err != nil || it.Active != active || it.Price != price {
			t.Fatalf("%s = %+v (%v), want active %v price %d", sku, it, err, active, price)
		}
	}
	t.Run("new page first", func(t *testing.T) {
		db := openDB(t)
		apply(db, "A", 1, item("1", 100), item("2", 200))
		apply(db, "B", 1, item("2", 250))
		apply(db, "A", 2, item("1", 100)) // 2 has moved to B: not withdrawn
		want(db, "2", true, 250)
		if applied, _, err := db.ApplyManifest(ctx, sqlite.KindCatalog, 2, map[string]int64{"B": 1}); err != nil || !applied {
			t.Fatal(applied, err)
		}
		want(db, "1", false, 100) // left with page A
		want(db, "2", true, 250)
	})
	t.Run("old page first", func(t *testing.T) {
		db := openDB(t)
		apply(db, "A", 1, item("1", 100), item("2", 200))
		apply(db, "A", 2, item("1", 100)) // 2 is withdrawn until B says otherwise
		want(db, "2", false, 200)
		apply(db, "B", 1, item("2", 250))
		want(db, "2", true, 250)
	})
}

// TestCatalogPageKeepsTheStoresLocation checks that central's pages, which
// carry no location, leave the location the store gave an item.
func TestCatalogPageKeepsTheStoresLocation(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	it := pos.Item{SKU: "100234", Active: true, Names: map[string]string{"en": "Backpack"}, Barcodes: []string{"7310865004703"},
		Unit: pos.UnitEach, Price: 49900, TaxRateBP: 2500, Location: "A-12"}
	if err := db.PutItems(ctx, []pos.Item{it}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	it.Location, it.Price = "", 44900
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 1, Items: []pos.Item{it}}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	got, err := db.ItemByCode(ctx, "7310865004703")
	if err != nil || got.Price != 44900 || got.Location != "A-12" {
		t.Fatalf("after the page: %+v %v, want price 44900 at A-12", got, err)
	}
	// A new item from a page has no location yet.
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "1", Version: 1, Items: []pos.Item{{SKU: "200001", Active: true,
		Names: map[string]string{"en": "Tent"}, Unit: pos.UnitEach, Price: 99900, TaxRateBP: 2500}}}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got, err := db.ItemByCode(ctx, "200001"); err != nil || got.Location != "" || got.Price != 99900 {
		t.Fatalf("new item: %+v %v", got, err)
	}
}

// TestCatalogPageOfManyStatements applies a page longer than one
// statement's rows and reads every item back as it was sent.
func TestCatalogPageOfManyStatements(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	var items []pos.Item
	for i := range 257 {
		sku := fmt.Sprint(300000 + i)
		items = append(items, pos.Item{SKU: sku, Active: i%7 != 0, Names: map[string]string{"en": "Item " + sku, "sv": "Vara " + sku},
			Barcodes: []string{fmt.Sprint(7000 + i), fmt.Sprint(9000 + i)}, Unit: []string{pos.UnitEach, pos.UnitKg}[i%2], Price: int64(100 + i), TaxRateBP: int64(600 * (i % 3))})
	}
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "big", Version: 1, Items: items}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	for _, want := range items {
		got, err := db.ItemByCode(ctx, want.Barcodes[1])
		if err != nil {
			t.Fatalf("%s: %v", want.SKU, err)
		}
		if got.SKU != want.SKU || got.Active != want.Active || got.Unit != want.Unit || got.Price != want.Price ||
			got.TaxRateBP != want.TaxRateBP || got.Names["sv"] != want.Names["sv"] || strings.Join(got.Barcodes, ",") != strings.Join(want.Barcodes, ",") {
			t.Fatalf("item %s = %+v, want %+v", want.SKU, got, want)
		}
	}
}

// TestItemByCodePrefersTheBarcode checks that a key that is one item's
// barcode and another item's SKU finds the item with the barcode, as a
// scan means, and that an item's barcodes come back in code order, none
// as an empty list.
func TestItemByCodePrefersTheBarcode(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	items := []pos.Item{
		{SKU: "111", Active: true, Names: map[string]string{"en": "Scanned"}, Barcodes: []string{"7310865004703", "222"},
			Unit: pos.UnitEach, Price: 100, TaxRateBP: 2500},
		{SKU: "222", Active: true, Names: map[string]string{"en": "Typed"}, Unit: pos.UnitEach, Price: 200, TaxRateBP: 2500},
	}
	if err := db.PutItems(ctx, items, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"222": "111", "111": "111", "7310865004703": "111"} {
		got, err := db.ItemByCode(ctx, key)
		if err != nil || got.SKU != want || !slices.Equal(got.Barcodes, []string{"222", "7310865004703"}) {
			t.Errorf("ItemByCode(%s) = %+v %v, want SKU %s with both codes in order", key, got, err, want)
		}
	}
	// An item without barcodes: reached by its SKU only once no
	// barcode claims the key.
	if err := db.PutItems(ctx, []pos.Item{{SKU: "111", Active: true, Names: map[string]string{"en": "Scanned"}, Barcodes: []string{"7310865004703"},
		Unit: pos.UnitEach, Price: 100, TaxRateBP: 2500}}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ItemByCode(ctx, "222"); err != nil || got.SKU != "222" || got.Barcodes == nil || len(got.Barcodes) != 0 {
		t.Errorf("ItemByCode(222) = %+v %v, want SKU 222 with no barcodes", got, err)
	}
	if _, err := db.ItemByCode(ctx, "333"); !errors.Is(err, pos.ErrNotFound) {
		t.Errorf("unknown key: %v, want not found", err)
	}
}

// queryPlan is SQLite's plan for query q with args, a line per step.
func queryPlan(t *testing.T, db *sqlite.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestPageVersionsReadFromTheirIndex checks that the versions of the pages
// held, and the time the last was applied, are read from the covering
// index, not from the rows that hold each catalog page's list of members.
func TestPageVersionsReadFromTheirIndex(t *testing.T) {
	db := openDB(t)
	for _, q := range []string{"SELECT page, version FROM sync_pages WHERE kind = ?", "SELECT max(applied_at) FROM sync_pages WHERE kind = ?"} {
		plan := queryPlan(t, db, q, "catalog")
		if len(plan) != 1 || !strings.Contains(plan[0], "COVERING INDEX sync_page_versions") {
			t.Errorf("%s: plan %q, want a search of the covering index sync_page_versions", q, plan)
		}
	}
}

// TestStockCountsOfAPageFoundByIndex checks that central's counts of one
// stock page are found without reading every count the node holds: a
// stock page applied, and a manifest dropping stock pages, look them up
// inside the single writer's transaction while the tills wait for it.
func TestStockCountsOfAPageFoundByIndex(t *testing.T) {
	db := openDB(t)
	for _, q := range []string{"SELECT sku FROM stock_central WHERE page = ?", "DELETE FROM stock_central WHERE page = ?"} {
		plan := queryPlan(t, db, q, "0")
		if len(plan) != 1 || !strings.Contains(plan[0], "USING") || !strings.Contains(plan[0], "INDEX") {
			t.Errorf("%s: plan %q, want a search of an index", q, plan)
		}
	}
}

// TestCatalogPageStoresValuesAsGiven checks that a page's values reach
// SQLite exactly, through the JSON the writer hands it: names with every
// character JSON escapes (control characters included: a catalog exported
// from another system holds line breaks and tabs, and refusing one would
// refuse its whole page), the largest prices, a page without items, and a
// SKU twice in one page, where the later row stands.
func TestCatalogPageStoresValuesAsGiven(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	names := map[string]string{"en": `Shirt "Kid's" \ 10\"` + "\x01\x1f", "sv": "Tröja\nrad två\tflik\r", "zh-Hant": "商品 <&> \u2028\u2029 😀"}
	items := []pos.Item{
		{SKU: "q-1", Active: true, Names: names, Barcodes: []string{"7310001"}, Unit: pos.UnitEach, Price: 1_000_000_000, TaxRateBP: 2500},
		{SKU: "q-2", Active: false, Names: map[string]string{"en": "First"}, Barcodes: []string{"7310002"}, Unit: pos.UnitKg, Price: 0, TaxRateBP: 0},
		{SKU: "q-2", Active: true, Names: map[string]string{"en": "Second"}, Barcodes: []string{"7310003"}, Unit: pos.UnitEach, Price: 5, TaxRateBP: 600},
	}
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "quoted", Version: 1, Items: items}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "empty", Version: 1}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	// SearchItems reads SQLite, not the catalog index.
	got, err := db.SearchItems(ctx, "tröja", 5)
	if err != nil || len(got) != 1 {
		t.Fatalf("search = %+v, %v", got, err)
	}
	if it := got[0]; it.SKU != "q-1" || !it.Active || it.Price != 1_000_000_000 || it.TaxRateBP != 2500 || it.Unit != pos.UnitEach ||
		len(it.Names) != len(names) || it.Names["en"] != names["en"] || it.Names["sv"] != names["sv"] || it.Names["zh-Hant"] != names["zh-Hant"] {
		t.Fatalf("stored %+v, want the names %q", it, names)
	}
	got, err = db.SearchItems(ctx, "second", 5)
	if err != nil || len(got) != 1 || got[0].SKU != "q-2" || !got[0].Active || got[0].Price != 5 || got[0].TaxRateBP != 600 ||
		strings.Join(got[0].Barcodes, ",") != "7310002,7310003" {
		t.Fatalf("the later row of q-2: %+v, %v", got, err)
	}
	if n, err := db.CountItems(ctx); err != nil || n != 2 {
		t.Fatalf("%d items, %v", n, err)
	}
	if vs, err := db.PageVersions(ctx, sqlite.KindCatalog); err != nil || vs["empty"] != 1 || vs["quoted"] != 1 {
		t.Fatalf("page versions %v, %v", vs, err)
	}
}

// A manifest that drops many pages (central re-paging its catalog or its
// stock) removes them a page at a time: a sale that comes meanwhile waits
// for one page's removal at most, not for all of them. Before, the whole
// manifest was one transaction, and with 300 pages of 1,000 items a sale
// waited seconds for the writer.
func TestManifestDroppingPagesLetsASaleIn(t *testing.T) {
	for _, kind := range []string{sqlite.KindCatalog, sqlite.KindStock} {
		t.Run(kind, func(t *testing.T) {
			// The sale races the removals: on a box busy enough to leave
			// the test's goroutine unscheduled through all of them it can
			// come last by chance, so that alone is tried again. One
			// transaction for the whole manifest fails every time.
			for attempt := 1; ; attempt++ {
				left := dropPagesBesideASale(t, kind)
				if left > 0 {
					break
				}
				if attempt == 3 {
					t.Fatalf("the sale was committed only once all pages were removed, %d times: it waited for the whole manifest", attempt)
				}
			}
		})
	}
}

// dropPagesBesideASale holds 100 pages of kind, applies a manifest that
// drops them all, makes a sale once the first removal is seen, and
// returns how many pages were still held when the sale was committed.
func dropPagesBesideASale(t *testing.T, kind string) int {
	t.Helper()
	const pages, per = 100, 200
	ctx := context.Background()
	db := openDB(t)
	old := map[string]int64{}
	for p := range pages {
		old[fmt.Sprint(p)] = 1
	}
	if _, _, err := db.ApplyManifest(ctx, kind, 1, old); err != nil {
		t.Fatal(err)
	}
	for p := range pages {
		id := fmt.Sprint(p)
		var err error
		if kind == sqlite.KindCatalog {
			cp := pos.CatalogPage{Page: id, Version: 1}
			for i := range per {
				sku := fmt.Sprint(100000 + p*per + i)
				cp.Items = append(cp.Items, pos.Item{SKU: sku, Active: true, Names: map[string]string{"en": "Item " + sku},
					Barcodes: []string{"20" + sku}, Unit: pos.UnitEach, Price: 100, TaxRateBP: 2500})
			}
			_, err = db.ApplyCatalogPage(ctx, cp, pos.Sweden)
		} else {
			sp := pos.StockPage{Page: id, Version: 1}
			for i := range per {
				sp.Items = append(sp.Items, pos.StockCount{SKU: fmt.Sprint(100000 + p*per + i), OnHand: 5})
			}
			_, err = db.ApplyStockPage(ctx, sp)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Central re-pages: the new manifest names none of the pages held.
	done := make(chan error, 1)
	go func() {
		_, held, err := db.ApplyManifest(ctx, kind, 2, map[string]int64{"new": 1})
		if err == nil && len(held) != 0 {
			err = fmt.Errorf("pages held after the manifest: %v", held)
		}
		done <- err
	}()
	// Once the first removal is seen, a sale is made.
	for {
		vs, err := db.PageVersions(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) < pages {
			break
		}
		runtime.Gosched()
	}
	if err := db.Update(ctx, func(tx *sqlite.Tx) error { _, err := tx.NextCounter("receipt_no"); return err }); err != nil {
		t.Fatal(err)
	}
	vs, err := db.PageVersions(ctx, kind)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, _ := db.PageVersions(ctx, kind); len(n) != 0 {
		t.Fatalf("pages left after the manifest: %v", n)
	}
	if kind == sqlite.KindCatalog {
		if it, err := db.ItemByCode(ctx, "20100000"); err != nil || it.Active {
			t.Fatalf("item of a dropped page: %+v, %v", it, err)
		}
	} else if st, err := db.Stock(ctx, "100000"); err != nil || st.OnHand != 0 {
		t.Fatalf("stock of a dropped page's SKU: %+v, %v", st, err)
	}
	return len(vs)
}

// A manifest of the version held is not applied over it: the contract has
// a record applied only when its version is higher. Applied again, it
// only completes the removals the held one asked for; one that says
// otherwise at the same version changes nothing.
func TestManifestOfTheVersionHeld(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, _, err := db.ApplyManifest(ctx, sqlite.KindStock, 5, map[string]int64{"a": 1, "b": 1}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "b"} {
		if ok, err := db.ApplyStockPage(ctx, pos.StockPage{Page: p, Version: 1, Items: []pos.StockCount{{SKU: "sku-" + p, OnHand: 3}}}); err != nil || !ok {
			t.Fatalf("page %s: %v %v", p, ok, err)
		}
	}
	applied, held, err := db.ApplyManifest(ctx, sqlite.KindStock, 5, map[string]int64{"a": 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 2 {
		t.Fatalf("after a manifest of the version held without page b: applied %v, held %v; want both pages kept", applied, held)
	}
	if st, _ := db.Stock(ctx, "sku-b"); st.OnHand != 3 {
		t.Fatalf("stock of page b = %+v, want central's 3 kept", st)
	}
	if ok, err := db.ApplyStockPage(ctx, pos.StockPage{Page: "b", Version: 2, Items: []pos.StockCount{{SKU: "sku-b", OnHand: 4}}}); err != nil || !ok {
		t.Fatalf("page b, which the manifest held names: %v %v", ok, err)
	}
}

// A prune of many acknowledged events deletes them a batch per
// transaction, so a till's sale commits between batches instead of
// waiting for one long delete: cancelled after its first batch, it has
// deleted that batch and no more.
func TestPruneAckedInBatches(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	db := openDBAt(t, &now)
	appendEvents(t, db, 25)
	if _, _, err := db.Ack(ctx, db.Epoch(), 25, []pos.Rejection{{Seq: 2, Reason: "bad"}}); err != nil {
		t.Fatal(err)
	}
	left := func() int {
		t.Helper()
		evs, err := db.EventsAfter(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}

	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := db.PruneAckedBy(pctx, now.Add(time.Hour), 10, time.Hour)
		done <- result{n, err}
	}()
	for deadline := time.Now().Add(10 * time.Second); left() == 25; {
		if time.Now().After(deadline) {
			t.Fatal("no batch was deleted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The prune now waits out its pause; a sale's event commits.
	appendEvents(t, db, 1)
	cancel()
	r := <-done
	if !errors.Is(r.err, context.Canceled) || r.n != 10 {
		t.Fatalf("cancelled prune = %d, %v; want its first batch of 10 and the cancellation", r.n, r.err)
	}
	if got := left(); got != 16 {
		t.Fatalf("%d events left, want 16: 15 from before and the new one", got)
	}

	// Run to the end, it deletes every acknowledged event but the rejected
	// one and the one not acknowledged.
	n, err := db.PruneAckedBy(ctx, now.Add(time.Hour), 10, 0)
	if err != nil || n != 14 {
		t.Fatalf("pruned %d, %v; want the 14 acknowledged and not rejected", n, err)
	}
	evs, _ := db.EventsAfter(ctx, 0, 100)
	if len(evs) != 2 || evs[0].Seq != 2 || evs[1].Seq != 26 {
		t.Fatalf("left %+v, want seq 2 (rejected) and 26 (not acknowledged)", evs)
	}
}
