package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/internal/nodetest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/syncqueue"
)

func TestLoadCatalogAcceptsBarcodeColumn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.csv")
	csv := "sku,barcode,name_en,name_sv,name_sk,name_ro,name_zh-Hant,unit,price,tax_rate_bp\n" +
		"100234,7310865004703;4000001,Backpack,Ryggsäck,Batoh,Rucsac,背包,each,49900,2500\n" +
		"300100,2300100000008,Apples,Äpplen,Jablká,Mere,蘋果,kg,2990,1200\n"
	os.WriteFile(path, []byte(csv), 0o600)
	items, err := loadCatalog(path)
	if err != nil || len(items) != 2 || len(items[0].Barcodes) != 2 || items[1].Names["zh-Hant"] != "蘋果" || items[1].Price != 2990 {
		t.Fatalf("items = %+v, %v", items, err)
	}
	if ps := pages(append(items, items[0]), 2); len(ps) != 2 || len(ps[1]) != 1 {
		t.Fatalf("pages = %v", ps)
	}
	os.WriteFile(path, []byte("sku,barcode,unit,price,tax_rate_bp\n1,2,each,9.90,2500\n"), 0o600)
	if _, err := loadCatalog(path); err == nil {
		t.Fatal("a fractional price was accepted")
	}
}

// TestOrderLinesNamedFromCatalog: with -catalog an order's lines carry the
// items' names in the customer's language, so the pickup counter shows
// "Rucsac 20 l", not a SKU; a SKU the catalog lacks keeps its SKU.
func TestOrderLinesNamedFromCatalog(t *testing.T) {
	items, err := loadCatalog("../posnode/demo_catalog.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		items []pos.Item
		lang  string
		want  []string
		total int64
	}{
		{"in the customer's language", items, "ro", []string{"Rucsac 20 l", "Mere", "999"}, 2*49900 + 3738 + 100},
		{"without a catalog", nil, "ro", []string{"100234", "300100", "999"}, 2*49900 + 3738 + 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls, total, err := orderLines("100234:2:49900, 300100:1250:2990:kg, 999:1:100", tc.items, tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range ls {
				got = append(got, l["name"].(string))
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || total != tc.total {
				t.Errorf("names %q, total %d; want %q, %d", got, total, tc.want, tc.total)
			}
		})
	}
	if _, _, err := orderLines("100234:2", items, "ro"); err == nil {
		t.Error("a line without its price was accepted")
	}
}

// The demo: the simulator serves the catalog, a node takes it, sends its
// events and gets them acked; an order and its arrival reach the node.
func TestDemoWithANode(t *testing.T) {
	broker := brokertest.Start(t, brokertest.Options{})
	url := broker.URL()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &nodetest.Buffer{}
	catalog := filepath.Join(t.TempDir(), "catalog.csv")
	csv := "sku,barcode,name_en,name_sv,name_sk,name_ro,name_zh-Hant,unit,price,tax_rate_bp\n"
	for i := 0; i < 12; i++ {
		unit, tax := "each", "2500"
		if i == 6 {
			unit, tax = "kg", "1200" // 100240, sold by weight
		}
		code := "7310865004" + strconv.Itoa(71+i) // 12 digits: the check digit follows
		code += string(pos.GTINCheckDigit(code))
		csv += strconv.Itoa(100234+i) + "," + code + ",Item,Vara,Tovar,Articol,商品," + unit + "," + strconv.Itoa(49900+i) + "," + tax + "\n"
	}
	os.WriteFile(catalog, []byte(csv), 0o600)
	serve := func() (stop func()) {
		sctx, scancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- run(sctx, []string{"serve", "-broker", url, "-store", "s1", "-catalog", catalog, "-page-size", "5"}, out)
		}()
		return func() {
			scancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	}
	stopServe := serve()
	centraltest.Eventually(t, 15*time.Second, "catalog published", func() bool { return strings.Contains(out.String(), "serving store s1") })

	wake := syncqueue.NewWake()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{OnEvents: wake.OnEvents})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cl, err := syncqueue.New(syncqueue.Options{Broker: url, Store: "s1", Node: "till-1", Outbox: db, State: db,
		Orders: db.OrderRecords(), Wake: wake, BackoffMin: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	nctx, ncancel := context.WithCancel(ctx)
	ndone := make(chan error, 1)
	go func() { ndone <- cl.Run(nctx) }()
	defer func() { ncancel(); <-ndone }()
	centraltest.Eventually(t, 15*time.Second, "catalog on the node", func() bool { it, err := db.ItemByCode(ctx, "100234"); return err == nil && it.Price == 49900 })
	centraltest.Eventually(t, 15*time.Second, "stock on the node", func() bool { st, _ := db.Stock(ctx, "100245"); return st.Central == 20 })
	centraltest.Eventually(t, 15*time.Second, "20 kg of a weighed item on the node", func() bool { st, _ := db.Stock(ctx, "100240"); return st.Central == 20_000 })
	if err := run(ctx, []string{"order", "-broker", url, "-store", "s1", "-id", "W-1", "-lines", "100234:2:49900,100240:1500:12000:kg"}, out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"arrive", "-broker", url, "-store", "s1", "-id", "W-1", "-bay", "3"}, out); err != nil {
		t.Fatal(err)
	}
	centraltest.Eventually(t, 15*time.Second, "arrival on the node", func() bool {
		v, doc, _, err := db.OrderRecords().Get(ctx, "W-1")
		return err == nil && v > 1 && strings.Contains(string(doc), `"bay":"3"`)
	})
	// The broker keeps nothing over a restart: serve publishes its state
	// and the open order again, so the customer can still arrive.
	broker.Kill()
	broker.Start()
	centraltest.Eventually(t, 15*time.Second, "state published again", func() bool { return strings.Contains(out.String(), "state published again") })
	if err := run(ctx, []string{"arrive", "-broker", url, "-store", "s1", "-id", "W-1", "-bay", "4"}, out); err != nil {
		t.Fatal(err)
	}
	centraltest.Eventually(t, 15*time.Second, "arrival at bay 4 on the node", func() bool {
		_, doc, _, err := db.OrderRecords().Get(ctx, "W-1")
		return err == nil && strings.Contains(string(doc), `"bay":"4"`)
	})
	// 2 × 499.00 and 1.5 kg at 120.00 a kg.
	if _, doc, _, _ := db.OrderRecords().Get(ctx, "W-1"); !strings.Contains(string(doc), `"amount":117800`) {
		t.Fatalf("order amount: %s", doc)
	}
	err = db.Update(ctx, func(tx *sqlite.Tx) error {
		ev, _ := posEvent()
		return tx.AppendEvent(&ev)
	})
	if err != nil {
		t.Fatal(err)
	}
	centraltest.Eventually(t, 15*time.Second, "event acked", func() bool { st, _ := db.OutboxStats(ctx); return st.AckedThrough == 1 })
	if !strings.Contains(out.String(), "till-1 seq 1 ") {
		t.Fatalf("event not printed:\n%s", out.String())
	}

	// serve started again goes on from its retained ack: the node's
	// next event, seq 2, is taken and acknowledged.
	stopServe()
	stopServe = serve()
	defer stopServe()
	centraltest.Eventually(t, 15*time.Second, "serve started again", func() bool { return strings.Count(out.String(), "serving store s1") == 2 })
	err = db.Update(ctx, func(tx *sqlite.Tx) error {
		ev, _ := posEvent()
		return tx.AppendEvent(&ev)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Log(out.String())
		}
	}()
	centraltest.Eventually(t, 15*time.Second, "event acked by serve started again", func() bool { st, _ := db.OutboxStats(ctx); return st.AckedThrough == 2 })
	if !strings.Contains(out.String(), "till-1 seq 2 ") {
		t.Fatalf("event not printed:\n%s", out.String())
	}
	for _, q := range []string{"C-88412", "+40712345678", "Ana.Popescu@example.ro"} {
		if c, err := cl.CustomerLookup(ctx, q); err != nil || c.Name != "Ana Popescu" {
			t.Fatalf("lookup %q = %+v, %v", q, c, err)
		}
	}
	// An order central has cleared is still looked up (a return comes
	// after the collection), with the catalog's tax rates and units.
	if err := run(ctx, []string{"clear", "-broker", url, "-store", "s1", "-id", "W-1"}, out); err != nil {
		t.Fatal(err)
	}
	centraltest.Eventually(t, 15*time.Second, "order closed on the node", func() bool { _, _, closed, _ := db.OrderRecords().Get(ctx, "W-1"); return closed })
	o, err := cl.OrderLookup(ctx, "W-1")
	if err != nil || len(o.Lines) != 2 {
		t.Fatalf("order.lookup: %+v, %v", o, err)
	}
	if l := o.Lines[1]; l.SKU != "100240" || l.TaxRateBP != 1200 || l.Unit != "kg" || l.Qty != 1500 || o.Lines[0].TaxRateBP != 2500 {
		t.Fatalf("order.lookup lines: %+v", o.Lines)
	}
	// An order id may hold '/': its topic is orders/W/2026/1.
	if err := run(ctx, []string{"order", "-broker", url, "-store", "s1", "-id", "W/2026/1", "-lines", "100234:1:49900"}, out); err != nil {
		t.Fatal(err)
	}
	centraltest.Eventually(t, 15*time.Second, "order W/2026/1 on the node", func() bool { _, _, _, err := db.OrderRecords().Get(ctx, "W/2026/1"); return err == nil })
	if o, err := cl.OrderLookup(ctx, "W/2026/1"); err != nil || len(o.Lines) != 1 {
		t.Fatalf("order.lookup W/2026/1: %+v, %v", o, err)
	}
	if _, err := cl.SaleLookup(ctx, "another-store", "S-1"); err == nil {
		t.Fatal("sale.lookup of another store answered")
	}
}

func posEvent() (pos.Event, error) {
	return pos.NewEvent("", pos.EventStockAdjusted, time.Now(), map[string]any{"sku": "100234", "delta": -1, "reason": "damage"})
}

// TestCommandsOverTLS runs a command against a broker that speaks only TLS and
// requires a client certificate.
func TestCommandsOverTLS(t *testing.T) {
	dir := brokertest.TLSFiles(t)
	port := brokertest.FreePort(t)
	brokertest.Start(t, brokertest.Options{Extra: brokertest.TLSListener(port, dir)})
	url := fmt.Sprintf("ssl://127.0.0.1:%d", port)
	ca := filepath.Join(dir, "ca.pem")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := run(ctx, []string{"order", "-broker", url, "-ca", ca, "-id", "W-1"}, &nodetest.Buffer{}); err == nil {
		t.Fatal("connected without a client certificate")
	}
	out := &nodetest.Buffer{}
	if err := run(ctx, []string{"order", "-broker", url, "-ca", ca, "-cert", filepath.Join(dir, "client.pem"), "-key", filepath.Join(dir, "client.key"), "-id", "W-1"}, out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "order W-1 version") {
		t.Fatalf("no order published: %s", out.String())
	}
}
