package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos/sqlite"
)

// A receipt brought back a second time offers only what is left of it:
// one of two backpacks was returned on the first visit, so the return
// dialog says so and takes at most the other one; once both are back it
// takes none. It offered the two sold every time, and the cashier learnt
// only from the refused preview that it was too many.
func TestReturnOverSeveralVisitsOffersWhatIsLeft(t *testing.T) {
	t.Parallel()
	base, _ := pickupNodeWith(t, nil)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	line := `.line[data-sku="` + backpackSKU + `"]`
	more := `.modal [data-test=return-more]`
	run(t, till, "sell two backpacks",
		visible(`#scan`),
		scan(backpack), visible(line),
		click(line+` [data-test=qty-more]`),
		hasText(`[data-test=total]`, "998.00"),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="99800"]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`))
	run(t, till, "the first visit: one backpack back",
		scan("R0000000001"),
		click(more),
		click(`.modal [data-reason=changed_mind]`),
		hasText(`[data-test=return-total]`, "499.00"),
		click(`[data-test=return-ok]`),
		gone(`.backdrop`))
	run(t, till, "the second visit: one is left to return",
		scan("R0000000001"),
		hasText(`.modal .line[data-line="1"] .meta`, "1"),
		click(more),
		hasText(`.modal [data-test=return-qty]`, "1"),
		chromedp.Poll[chromedp.Void](`document.querySelector(`+js(more)+`).disabled`),
		click(`.modal [data-reason=changed_mind]`),
		hasText(`[data-test=return-total]`, "499.00"),
		click(`[data-test=return-ok]`),
		gone(`.backdrop`))
	run(t, till, "the third visit: nothing is left",
		scan("R0000000001"),
		visible(`.modal .line[data-line="1"]`),
		chromedp.Poll[chromedp.Void](`document.querySelector(`+js(more)+`).disabled`))
}

// The customer may take the refund as store credit instead of back to
// what paid (a card refund, say, while the terminal is down): the return
// dialog offers it, shows it in the refund and makes the return so. It
// could only refund the way the sale was paid.
func TestReturnAsStoreCredit(t *testing.T) {
	t.Parallel()
	var db *sqlite.DB
	base, _ := pickupNodeWith(t, func(d *sqlite.DB) { db = d })
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	line := `.line[data-sku="` + backpackSKU + `"]`
	run(t, till, "sell a backpack",
		visible(`#scan`),
		scan(backpack), visible(line),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="49900"]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`))
	run(t, till, "return it as store credit",
		scan("R0000000001"),
		click(`.modal [data-test=return-more]`),
		click(`.modal [data-reason=changed_mind]`),
		click(`.modal [data-test=return-credit]`),
		hasText(`[data-test=return-preview]`, "Store credit"),
		hasText(`[data-test=return-total]`, "499.00"),
		click(`[data-test=return-ok]`),
		hasText(`[data-test=credit-code]`, "499.00"))
	// The credit's code is on the screen, for a customer whose refund
	// receipt does not print: it was only on the paper.
	ctx := context.Background()
	shown := text(t, till, `[data-test=credit-code]`)
	code, _, _ := strings.Cut(shown, " ")
	if v, err := db.Voucher(ctx, code); err != nil || v.Balance != 49900 {
		t.Errorf("the screen shows %q; its code's voucher = %+v, %v; want 499.00 of store credit", shown, v, err)
	}
	run(t, till, "close the credit's code", click(`.modal .primary`), gone(`.backdrop`))
	sale, err := db.SaleByReceipt(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	done, err := db.Returned(ctx, "sale:"+sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Refunded != 49900 || done.Cash != 0 {
		t.Fatalf("refunded %d, %d of it in cash; want 49900 as store credit", done.Refunded, done.Cash)
	}
}

// The return dialog's store credit choice names the tender as the refund
// it shows does (till.store_credit), in each language: the cashier chose
// "Ako dobropis" (a credit note) and saw "Kredit obchodu" refunded.
func TestStoreCreditChoiceNamesTheTender(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "sv", "sk", "ro", "zh-Hant"} {
		m := loadStrings(t, lang)
		choice, tender := m["return.credit"], m["till.store_credit"]
		if tender == "" || !strings.Contains(strings.ToLower(choice), strings.ToLower(tender)) {
			t.Errorf("%s.json: return.credit %q does not name store credit as till.store_credit %q does", lang, choice, tender)
		}
	}
}
