package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// A refund receipt shows each line as the sale's receipt did: pieces or
// weight at the price they were sold at, and the share of the discount
// given back, and it names the receipt the goods came back from, in each
// of the five languages. It printed "2 x 0,00" under every line of more
// than one piece (and "x 0,00/kg" under a weighed one) and no word of the
// original receipt. Store credit given prints with its code. The refund
// receipt's number is the return's, labelled so: it read "Receipt no 1",
// the number of another receipt.
func TestRefundReceiptShowsPricesTheOriginalAndCreditCode(t *testing.T) {
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.Data = t.TempDir()
	db, err := openDB(ctx, cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := seedDemo(ctx, db, cfg.scaleTable(), io.Discard); err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db, Policy: cfg.Policy, Market: cfg.scaleTable()})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: svc, Store: db, Policy: cfg.Returns})
	a := pos.Actor{Staff: "2", Role: pos.RoleSupervisor, Station: "till-1"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	v, err := svc.OpenCart(ctx, a) // receipt 1, never returned: the return's is 2
	must(err)
	v, err = svc.AddItem(ctx, a, v.ID, "400100", 1)
	must(err)
	v, err = svc.PayCash(ctx, a, v.ID, 3500)
	must(err)
	_, err = svc.Complete(ctx, a, v.ID)
	must(err)
	v, err = svc.OpenCart(ctx, a)
	must(err)
	v, err = svc.AddItem(ctx, a, v.ID, "200102", 3) // dark chocolate, 34.50
	must(err)
	v, err = svc.DiscountLine(ctx, a, v.ID, v.Lines[0].ID, &pos.Discount{PercentBP: 1000, Reason: "damaged box"}, nil)
	must(err)
	v, err = svc.AddItem(ctx, a, v.ID, "300100", 1234) // apples, 29.90 per kg
	must(err)
	v, err = svc.PayCash(ctx, a, v.ID, 20000)
	must(err)
	sale, err := svc.Complete(ctx, a, v.ID)
	must(err)
	ret, err := as.Return(ctx, a, pos.ReturnRequest{Receipt: pos.ReceiptBarcode("", sale.ReceiptNo), Reason: "changed mind",
		Items: []pos.ReturnItem{{Line: "1", Qty: 2, Restock: true}, {Line: "2", Qty: 1234, Restock: false}}})
	must(err)
	off := 2*3450 - ret.Lines[0].Amount // the two bars' share of the discount

	n := &node{cfg: cfg, db: db}
	for i, lang := range receipt.Langs {
		set := pos.DefaultSettings()
		set.Version, set.Languages = int64(i+1), []string{lang}
		if _, err := db.PutSettings(ctx, set); err != nil {
			t.Fatal(err)
		}
		prof := escpos.TMT20
		if lang == receipt.LangTraditionalChinese {
			prof = escpos.TMT88TraditionalChinese
		}
		e := escpos.NewEncoder(prof, escpos.Options{})
		must(n.returnReceipt(ctx, ret, false).Encode(e))
		txt, err := escpos.Decode(e.Bytes())
		must(err)
		txt = stripCommands(txt)
		money := func(v int64) string { return receipt.Money(v, "SEK", lang) }
		for _, want := range []string{
			"2 x " + money(3450),
			money(2990) + "/kg",
			money(-off),
			fmt.Sprintf("%s %d", receipt.T(lang, "orig_receipt"), sale.ReceiptNo),
			fmt.Sprintf("%s %d", receipt.T(lang, "return_no"), ret.ReturnNo),
		} {
			if !strings.Contains(txt, want) {
				t.Errorf("%s refund receipt lacks %q:\n%s", lang, want, txt)
			}
		}
		// The return's own number is not a receipt number.
		if strings.Contains(txt, fmt.Sprintf("%s %d", receipt.T(lang, "receipt_no"), ret.ReturnNo)) {
			t.Errorf("%s refund receipt gives its return number as a receipt number:\n%s", lang, txt)
		}
		if strings.Contains(txt, "x "+money(0)) {
			t.Errorf("%s refund receipt prints a price of nothing:\n%s", lang, txt)
		}
	}

	// Store credit is spent by its code: the refund receipt is where the
	// customer gets it. It was printed nowhere.
	v, err = svc.OpenCart(ctx, a)
	must(err)
	v, err = svc.AddItem(ctx, a, v.ID, "200102", 1)
	must(err)
	v, err = svc.PayCash(ctx, a, v.ID, 5000)
	must(err)
	sale, err = svc.Complete(ctx, a, v.ID)
	must(err)
	ret, err = as.Return(ctx, a, pos.ReturnRequest{SaleID: sale.ID, Reason: "gift", ToStoreCredit: true,
		Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}})
	must(err)
	if len(ret.Refunds) != 1 || ret.Refunds[0].Method != pos.MethodStoreCredit || ret.Refunds[0].Ref == "" {
		t.Fatalf("refunds %+v, want store credit with its code", ret.Refunds)
	}
	e := escpos.NewEncoder(escpos.TMT20, escpos.Options{})
	must(n.returnReceipt(ctx, ret, false).Encode(e))
	txt, err := escpos.Decode(e.Bytes())
	must(err)
	if lang := receipt.LangEnglish; !strings.Contains(stripCommands(txt), receipt.T(lang, "voucher_code")+" "+ret.Refunds[0].Ref) {
		t.Errorf("refund receipt lacks the store credit's code %s:\n%s", ret.Refunds[0].Ref, stripCommands(txt))
	}
}
