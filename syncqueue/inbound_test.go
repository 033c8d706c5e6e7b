package syncqueue_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/syncqueue"
)

func catalogPage(page string, version int64, skus []string, price int64) string {
	var items []string
	for _, s := range skus {
		items = append(items, fmt.Sprintf(`{"sku":%q,"active":true,"name":{"en":"Item %s","sv":"Vara %s","zh-Hant":"商品 %s"},"barcodes":["99%s"],"unit":"each","price":%d,"tax_rate_bp":2500}`, s, s, s, s, s, price))
	}
	return fmt.Sprintf(`{"page":%q,"version":%d,"items":[%s]}`, page, version, strings.Join(items, ","))
}

func appliedAt(t *testing.T, db *sqlite.DB, kind, page string) string {
	t.Helper()
	var at string
	if err := db.Read().QueryRow("SELECT applied_at FROM sync_pages WHERE kind = ? AND page = ?", kind, page).Scan(&at); err != nil {
		t.Fatalf("page %s/%s: %v", kind, page, err)
	}
	return at
}

func TestInboundState(t *testing.T) {
	ctx := context.Background()
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	centraltest.Eventually(t, 5*time.Second, "central connected", central.Connected)

	// State published before the node connects, as retained messages.
	central.Publish(t, "settings", true, `{"version":4,"currency":"SEK","prices_include_tax":true,"cash_rounding":100,"languages":["sv","en"],"receipt_header":["Butik Norr"],"receipt_footer":["Öppet köp 30 dagar"],"pickup_hold_days":7,"future_field":1}`)
	for p := 0; p < 5; p++ {
		var skus []string
		for i := 0; i < 3; i++ {
			skus = append(skus, fmt.Sprintf("%d%02d", p+1, i))
		}
		central.Publish(t, fmt.Sprintf("catalog/pages/%d", p), true, catalogPage(fmt.Sprint(p), 2, skus, 1000))
	}
	// Page 5: money as a fraction. Page 6: older than its manifest entry.
	central.Publish(t, "catalog/pages/5", true, `{"page":"5","version":1,"items":[{"sku":"600","active":true,"name":{"en":"x"},"unit":"each","price":10.5,"tax_rate_bp":2500}]}`)
	central.Publish(t, "catalog/pages/6", true, catalogPage("6", 1, []string{"700"}, 100))
	central.Publish(t, "catalog/manifest", true, `{"version":10,"pages":{"0":2,"1":2,"2":2,"3":2,"4":2,"5":1,"6":2}}`)
	central.Publish(t, "stock/pages/a", true, `{"page":"a","version":1,"items":[{"sku":"100","on_hand":14,"as_of":{"till-1":{"epoch":"old","seq":5},"till-2":{"epoch":"e2","seq":9}}},{"sku":"101","on_hand":3}]}`)
	central.Publish(t, "stock/manifest", true, `{"version":1,"pages":{"a":1}}`)
	order := func(version int, status string) string {
		return fmt.Sprintf(`{"order_id":"W-2026-000123","version":%d,"status":%q,"placed_at":"2026-11-22T10:15:00+01:00","collect_by":"2026-11-29T20:00:00+01:00","customer":{"id":"C-88412","name":"Ana Popescu","phone":"+40712345678","language":"ro"},"pickup_code":"483920","payment":{"status":"paid","amount":129800,"currency":"RON"},"lines":[{"line_id":"1","sku":"100234","name":"Rucsac 20 l","qty":2,"unit_price":49900}],"arrival":null}`, version, status)
	}
	central.Publish(t, "orders/W-2026-000123", true, order(3, "placed"))
	central.Publish(t, "orders/W-BAD", true, `{"order_id":"W-BAD","version":1,"status":"placed","lines":"many"}`)

	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) { o.PageFetch = 2 })
	db := n.db
	centraltest.Eventually(t, 15*time.Second, "catalog pages 0-4 applied", func() bool {
		vs, _ := db.PageVersions(ctx, sqlite.KindCatalog)
		for p := 0; p < 5; p++ {
			if vs[fmt.Sprint(p)] != 2 {
				return false
			}
		}
		return true
	})
	if s, _ := db.Settings(ctx); s.Version != 4 || s.ReceiptFooter[0] != "Öppet köp 30 dagar" {
		t.Fatalf("settings = %+v", s)
	}
	it, err := db.ItemByCode(ctx, pos.NormalizeBarcode("99301", pos.Sweden))
	if err != nil || it.SKU != "301" || it.Price != 1000 || it.Names["zh-Hant"] != "商品 301" {
		t.Fatalf("item by barcode = %+v, %v", it, err)
	}
	if _, err := db.ItemByCode(ctx, "600"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("item of the invalid page stored: %v", err)
	}
	if _, err := db.ItemByCode(ctx, "700"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("page older than its manifest entry applied: %v", err)
	}
	centraltest.Eventually(t, 5*time.Second, "stock applied", func() bool { st, _ := db.Stock(ctx, "100"); return st.Central == 14 })
	var asEpoch string
	var asSeq int64
	db.Read().QueryRow("SELECT as_epoch, as_seq FROM stock_central WHERE sku = '100'").Scan(&asEpoch, &asSeq)
	if asEpoch != "old" || asSeq != 5 {
		t.Fatalf("as_of of this node = %q %d", asEpoch, asSeq)
	}
	orders := db.OrderRecords()
	centraltest.Eventually(t, 5*time.Second, "order stored", func() bool { v, _, _, err := orders.Get(ctx, "W-2026-000123"); return err == nil && v == 3 })
	// The invalid page and order are refused, each once: the page is not
	// fetched again at the version it was refused at.
	centraltest.Eventually(t, 5*time.Second, "rejects counted", func() bool { return n.client.Status().InboundRejects >= 2 })
	time.Sleep(4 * 300 * time.Millisecond) // PageRetry is 300 ms here
	if got := rejectTopics(t, db); !slices.Equal(got, []string{"catalog/pages/5", "orders/W-BAD"}) {
		t.Fatalf("rejected %q, want page 5 and order W-BAD once each", got)
	}
	if _, _, _, err := orders.Get(ctx, "W-BAD"); err == nil {
		t.Fatal("the invalid order was stored")
	}

	// Central publishes page 6 at the manifest's version: fetched again.
	central.Publish(t, "catalog/pages/6", true, catalogPage("6", 2, []string{"700"}, 100))
	centraltest.Eventually(t, 10*time.Second, "page 6 fetched again", func() bool { _, err := db.ItemByCode(ctx, "700"); return err == nil })

	// Older versions are ignored.
	central.Publish(t, "settings", true, `{"version":3,"currency":"EUR","prices_include_tax":false,"cash_rounding":1}`)
	central.Publish(t, "orders/W-2026-000123", true, order(2, "cancelled"))
	// Malformed payloads: counted and ignored.
	before := n.client.Status().InboundRejects
	central.Publish(t, "settings", true, `{"version":9,"currency":"SEK","prices_include_tax":true,"cash_rounding":0.5}`)
	central.Publish(t, "settings", true, `not json`)
	central.Publish(t, "catalog/manifest", false, `{"version":11,"pages":{"0":"two"}}`)
	central.Publish(t, "nodes/"+node+"/ack", false, `{"epoch":"`+db.Epoch()+`","through":-1}`)
	central.Publish(t, "nodes/"+node+"/rpc/response", false, `{"id":"x"}`)
	centraltest.Eventually(t, 5*time.Second, "5 more rejects", func() bool { return n.client.Status().InboundRejects >= before+5 })
	want := []string{"catalog/manifest", "catalog/pages/5", "nodes/" + node + "/ack", "nodes/" + node + "/rpc/response", "orders/W-BAD", "settings", "settings"}
	if got := rejectTopics(t, db); !slices.Equal(got, want) {
		t.Fatalf("rejected %q, want %q", got, want)
	}
	if s, _ := db.Settings(ctx); s.Version != 4 || s.Currency != "SEK" {
		t.Fatalf("settings changed by an older or invalid payload: %+v", s)
	}
	if v, _, _, _ := orders.Get(ctx, "W-2026-000123"); v != 3 {
		t.Fatalf("older order applied: version %d", v)
	}

	// A changed price on one page applies without fetching the others; a
	// page dropped from the manifest takes its items off sale.
	page0 := appliedAt(t, db, sqlite.KindCatalog, "0")
	central.Publish(t, "catalog/pages/1", true, catalogPage("1", 3, []string{"200", "201"}, 2500))
	central.Publish(t, "catalog/manifest", true, `{"version":12,"pages":{"0":2,"1":3,"2":2,"3":2,"5":1,"6":2}}`)
	centraltest.Eventually(t, 10*time.Second, "new price", func() bool { it, _ := db.ItemByCode(ctx, "200"); return it.Price == 2500 })
	if it, _ := db.ItemByCode(ctx, "202"); it.Active {
		t.Fatalf("item that left page 1 still on sale: %+v", it)
	}
	centraltest.Eventually(t, 5*time.Second, "page 4 removed", func() bool { it, _ := db.ItemByCode(ctx, "500"); return !it.Active })
	if at := appliedAt(t, db, sqlite.KindCatalog, "0"); at != page0 {
		t.Fatal("unchanged page 0 was applied again")
	}

	// Central clears the order: it closes.
	central.Publish(t, "orders/W-2026-000123", true, "")
	centraltest.Eventually(t, 5*time.Second, "order closed", func() bool { _, _, closed, _ := orders.Get(ctx, "W-2026-000123"); return closed })

	// The node kept working through all of it.
	appendEvents(t, db, 3)
	centraltest.Eventually(t, 5*time.Second, "events still delivered", func() bool { return stats(t, db).AckedThrough == 3 })
	central.Check()
}

// rejectTopics lists the topics of the payloads the node refused, below
// its store's, sorted.
func rejectTopics(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	rows, err := db.Read().Query("SELECT topic FROM inbound_rejects")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var topics []string
	for rows.Next() {
		var topic string
		if err := rows.Scan(&topic); err != nil {
			t.Fatal(err)
		}
		topics = append(topics, strings.TrimPrefix(topic, "pos/v1/stores/"+store+"/"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(topics)
	return topics
}

// An order id may hold '/' (as the node's order ids may), so its topic
// orders/{order_id} has more than one level below orders/: such an order
// arrives, is applied and closes like any other. A topic that names no
// order, or another order than its payload, is refused and counted.
func TestOrderIDWithSlash(t *testing.T) {
	ctx := context.Background()
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	centraltest.Eventually(t, 5*time.Second, "central connected", central.Connected)
	order := func(id string) string {
		return fmt.Sprintf(`{"order_id":%q,"version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00","collect_by":"2026-11-29T20:00:00+01:00","customer":{"id":"C-88412","name":"Ana Popescu","phone":"+40712345678","language":"ro"},"pickup_code":"483920","payment":{"status":"paid","amount":99800,"currency":"RON"},"lines":[{"line_id":"1","sku":"100234","name":"Rucsac 20 l","qty":2,"unit_price":49900}],"arrival":null}`, id)
	}
	central.Publish(t, "orders/W/2026/000124", true, order("W/2026/000124"))
	central.Publish(t, "orders/", true, order("W-2026-000125"))
	central.Publish(t, "orders/W/2026/000126", true, order("W-2026-000126"))

	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), nil)
	orders := n.db.OrderRecords()
	centraltest.Eventually(t, 10*time.Second, "order W/2026/000124 stored", func() bool {
		v, _, _, err := orders.Get(ctx, "W/2026/000124")
		return err == nil && v == 1
	})
	centraltest.Eventually(t, 5*time.Second, "two rejects", func() bool { return n.client.Status().InboundRejects >= 2 })
	if got := rejectTopics(t, n.db); !slices.Equal(got, []string{"orders/", "orders/W/2026/000126"}) {
		t.Fatalf("rejected %q, want the order on orders/ and the one on another order's topic", got)
	}
	for _, id := range []string{"W-2026-000125", "W-2026-000126"} {
		if _, _, _, err := orders.Get(ctx, id); err == nil {
			t.Fatalf("order %s stored from a topic that does not name it", id)
		}
	}
	central.Publish(t, "orders/W/2026/000124", true, "")
	centraltest.Eventually(t, 5*time.Second, "order W/2026/000124 closed", func() bool {
		_, _, closed, _ := orders.Get(ctx, "W/2026/000124")
		return closed
	})
}
