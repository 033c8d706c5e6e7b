package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/posnode/posnode/hardware/printer/printertest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// TestZReportPrinted closes a shift at a till whose receipt printer is on
// a pseudo-terminal: the Z report on paper reconciles, with the float,
// the cash rounding, the payments counted per tender, the paid-out, the
// gift card sold, the cash expected, the cash counted and the
// difference, and its journal entry.
func TestZReportPrinted(t *testing.T) {
	prn, addr, p := startTillWithPrinter(t)
	c := login(t, addr, "2", "2222") // a supervisor, who may close the shift
	c.call("POST", "/api/v1/shift/open", map[string]int64{"float": 100000}, 200)
	// Dark chocolate at 34,50 kr paid in cash is rounded to 35,00 kr.
	cart := c.call("GET", "/api/v1/cart", nil, 200)["id"].(string)
	c.call("POST", "/api/v1/carts/"+cart+"/scan", map[string]string{"code": "7310865004741"}, 200)
	c.call("POST", "/api/v1/carts/"+cart+"/payments", map[string]any{"method": "cash", "amount": 5000}, 200)
	c.call("POST", "/api/v1/carts/"+cart+"/complete", nil, 200)
	c.call("POST", "/api/v1/shift/cash", map[string]any{"kind": "paid_out", "amount": 2500, "reason": "window cleaner"}, 200)
	c.call("POST", "/api/v1/vouchers", map[string]any{"kind": "gift_card", "amount": 20000, "ref": "sold at the till"}, 200)
	// The drawer should hold 1 000 + 35 − 25 + 200 = 1 210 kr; 1 209 kr
	// is counted.
	z := c.call("POST", "/api/v1/shift/close", map[string]int64{"counted": 120900}, 200)
	if num(z["expected_cash"]) != 121000 || num(z["difference"]) != -100 || num(z["rounding"]) != 50 {
		t.Fatalf("Z report = %v", z)
	}

	var report string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && report == ""; time.Sleep(20 * time.Millisecond) {
		for _, j := range prn.Jobs() {
			if strings.Contains(j, "Z-RAPPORT") {
				report = j
			}
		}
	}
	if report == "" {
		t.Fatalf("no Z report printed:\n%s\n%s", strings.Join(prn.Jobs(), "\n-----\n"), p.out)
	}
	// The demo store prints in Swedish, on 48 columns.
	line := func(left, right string) string {
		return left + strings.Repeat(" ", 48-utf8.RuneCountInString(left)-utf8.RuneCountInString(right)) + right
	}
	for _, w := range []string{
		"Nettoförsäljning\n                34,50 kr",
		line("Öresavrundning", "0,50 kr"),
		line("Kontant (1)", "35,00 kr"),
		line("Summa betalsätt", "35,00 kr"),
		line("Växelkassa", "1 000,00 kr"),
		line("Kontant netto", "35,00 kr"),
		line("Uttag", "-25,00 kr"),
		line("Presentkort (1)", "200,00 kr"),
		line("Sålda presentkort", "200,00 kr"),
		line("Förväntat kontant", "1 210,00 kr"),
		line("Räknat kontant", "1 209,00 kr"),
		line("Differens", "-1,00 kr"),
		line("Journalpost", fmt.Sprint(num(z["journal_n"]))),
	} {
		if !strings.Contains(stripCommands(report), w) {
			t.Errorf("printed Z report lacks %q:\n%s", w, report)
		}
	}
}

// stripCommands leaves the text of a decoded print job.
func stripCommands(s string) string {
	return commandToken.ReplaceAllString(s, "")
}

// A sale and a return committed just before the node was killed, whose
// receipts were not queued yet, have their receipts printed, as the
// originals, when the node starts again; a sale older than the window is
// left to a copy.
func TestReceiptNotQueuedBeforeAStopPrintsAtStart(t *testing.T) {
	ctx := context.Background()
	prn := printertest.New(t, printertest.Options{})
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("[[stations]]\nid = \"till-1\"\nkind = \"till\"\nprinter = %q\nprinter_profile = \"tm-t20\"\n", prn.Path())), 0o600); err != nil {
		t.Fatal(err)
	}
	// The sales are made on the database alone, as if the node had
	// committed them and died before queueing their receipts.
	cfg := DefaultConfig()
	cfg.Data = t.TempDir()
	now := time.Now().Add(-time.Hour)
	clock := func() time.Time { return now }
	db, err := openDB(ctx, cfg, sqlite.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, db, cfg.scaleTable(), io.Discard); err != nil {
		t.Fatal(err)
	}
	// The till's printer has printed here before (its test page).
	if id, err := db.AddPrintJob(ctx, "till-1", "test_page", "", nil, []byte("test")); err != nil || db.PrintJobDone(ctx, id) != nil {
		t.Fatal("the printer's earlier job:", err)
	}
	svc := pos.NewService(pos.Options{Store: db, Policy: cfg.Policy, Market: cfg.scaleTable(), Now: clock})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: svc, Store: db, Policy: cfg.Returns})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	sell := func() *pos.Sale {
		v, err := svc.OpenCart(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if v, _, err = svc.Scan(ctx, a, v.ID, "7310865004741"); err != nil {
			t.Fatal(err)
		}
		if v, err = svc.PayCash(ctx, a, v.ID, 5000); err != nil {
			t.Fatal(err)
		}
		s, err := svc.Complete(ctx, a, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	old := sell()
	now = time.Now()
	recent := sell()
	ret, err := as.Return(ctx, a, pos.ReturnRequest{SaleID: recent.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "changed mind"})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	p := startNode(t, cfg.Data, freeAddr(t), "--config", cfgPath)
	var jobs []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(jobs) < 2; time.Sleep(20 * time.Millisecond) {
		jobs = prn.Jobs()
	}
	if len(jobs) < 2 {
		t.Fatalf("%d receipts printed at start, want 2:\n%s\n%s", len(jobs), strings.Join(jobs, "\n-----\n"), p.out)
	}
	// Receipts are queued oldest first: the old sale's would come first.
	for i, want := range []string{fmt.Sprintf("Kvitto nr %d", recent.ReceiptNo), fmt.Sprintf("RETUR\nRetur nr %d", ret.ReturnNo)} {
		if got := stripCommands(jobs[i]); !strings.Contains(got, want) || strings.Contains(got, "KOPIA") {
			t.Errorf("job %d printed at start, want the original with %q (not receipt %d):\n%s", i, want, old.ReceiptNo, got)
		}
	}
}
