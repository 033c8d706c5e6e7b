package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// countPosts makes the page count its POSTs to the API path p, sent and
// answered, in window.__posts.
func countPosts(p string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => {
		window.__posts = { sent: 0, done: 0 };
		const f = window.fetch;
		window.fetch = (url, opt) => {
			if (String(url).endsWith('/api/v1' + ` + js(p) + `) && opt && opt.method === 'POST') {
				window.__posts.sent++;
				return f(url, opt).finally(() => window.__posts.done++);
			}
			return f(url, opt);
		};
	})()`)
}

// A double tap on the return's button returns the goods once: one of two
// backpacks comes back, and the other can still be returned.
func TestReturnTappedTwice(t *testing.T) {
	t.Parallel()
	var db *sqlite.DB
	base, _ := pickupNodeWith(t, func(d *sqlite.DB) { db = d })
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	line := `.line[data-sku="` + backpackSKU + `"]`
	run(t, till, "sell two backpacks",
		visible(`#scan`),
		scan(backpack), visible(line),
		click(line+` [data-test=qty-more]`),
		hasText(`[data-test=total]`, "998.00"),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="99800"]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`))
	run(t, till, "return one of them, tapping twice",
		scan("R0000000001"),
		click(`[data-test=return-more]`),
		click(`.modal [data-reason=changed_mind]`),
		hasText(`[data-test=return-total]`, "499.00"),
		countPosts("/returns"),
		tapTwice(`[data-test=return-ok]`),
		gone(`.backdrop`),
		chromedp.Poll[chromedp.Void](`window.__posts.sent > 0 && window.__posts.sent === window.__posts.done`))
	ctx := context.Background()
	sale, err := db.SaleByReceipt(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	done, err := db.Returned(ctx, "sale:"+sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := done.Lines["1"].Qty; n != 1 {
		t.Fatalf("backpacks returned = %d, want 1", n)
	}
}

// A tap on Complete while the sale completes already, and a scan at the
// same moment: one receipt, and the scanned item goes to the next sale,
// not to the one being completed.
func TestCompleteTappedTwiceWithAScan(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "scan the backpack", visible(`#scan`), scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`))
	// A supervisor's screen takes the cash, so that the till's Complete
	// is the cashier's to tap.
	tok := apiCall(t, base, "", "POST", "/login", map[string]string{"staff": "2", "pin": "2222", "station": tillStation})["token"].(string)
	cart := apiCall(t, base, tok, "GET", "/cart", nil)
	apiCall(t, base, tok, "POST", "/carts/"+cart["id"].(string)+"/payments", map[string]any{"method": "cash", "amount": 50000})
	run(t, till, "complete twice and scan the umbrella at once",
		chromedp.WaitVisible(`[data-test=complete]:not([disabled])`),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const b = document.querySelector('[data-test=complete]');
			b.click();
			b.click();
			const s = document.getElementById('scan');
			s.value = `+js(umbrella)+`;
			s.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
		})()`),
		visible(`[data-test=receipt]`),
		visible(`.line[data-sku="`+umbrellaSKU+`"]`))
	receipts := value(t, till, "receipts shown", chromedp.Evaluate[int](`document.querySelectorAll('.receipt-modal').length`))
	if receipts != 1 {
		t.Errorf("%d receipts shown, want 1", receipts)
	}
	backpacks := value(t, till, "backpacks in the next cart", chromedp.Evaluate[int](`document.querySelectorAll('.line[data-sku="`+backpackSKU+`"]').length`))
	if backpacks != 0 {
		t.Errorf("the next cart has the sold backpack")
	}
	if msg := value(t, till, "message", chromedp.Evaluate[string](`document.querySelector('[data-test=till-msg]').className`)); msg == "msg error" {
		t.Errorf("the till shows an error: %s", text(t, till, `[data-test=till-msg]`))
	}
}

// A code scanned while a dialog is open does not go into the cart behind
// it, nor does its Enter press the dialog's button in focus: the item the
// customer brings back, scanned in the return dialog, is not sold, a scan
// with Yes to cancel the sale in focus does not cancel it, and the cashier
// is told to close the dialog, then scan. A field that asks for a scan
// takes it: the receipt's barcode scanned into the return's receipt
// number opens its return. Tab, from a keyboard or a scanner that ends
// its codes with one, goes round the dialog's controls and never to the
// sale behind it; closing the dialog gives the focus back to the scan
// field.
func TestScanBehindADialog(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "sell the backpack", sellBackpack())
	refused := loadStrings(t, "en")["common.scan_in_dialog"]
	run(t, till, "the receipt's barcode scanned into the return's receipt number",
		click(`[data-test=return]`),
		visible(`[data-test=pad-ok]`),
		scan("R0000000001"),
		visible(`[data-test=return-more]`))
	run(t, till, "the backpack scanned in the return dialog",
		scan(backpack),
		hasText(`#toast .toast.error`, refused))
	run(t, till, "Tab and Shift+Tab in the dialog",
		chromedp.Evaluate[chromedp.Void](`window.__focus = { behind: 0, seen: new Set() };
			document.addEventListener('focusin', (e) => e.target.closest('.modal') ? window.__focus.seen.add(e.target) : window.__focus.behind++)`),
		chromedp.KeyEvent(strings.Repeat("\t", 25)),
		chromedp.KeyEvent(strings.Repeat("\t", 25), chromedp.KeyModifiers(chromedp.ModifierShift)))
	if behind := value(t, till, "focus behind the dialog", chromedp.Evaluate[int](`window.__focus.behind`)); behind != 0 {
		t.Errorf("Tab moved the focus behind the dialog %d times", behind)
	}
	if seen := value(t, till, "controls focused in the dialog", chromedp.Evaluate[int](`window.__focus.seen.size`)); seen < 3 {
		t.Errorf("Tab went to %d of the dialog's controls, want it to go round them", seen)
	}
	// Before the till puts the focus back on a click of its own.
	if got := value(t, till, "focus after closing", chromedp.Evaluate[string](`document.querySelector('.modal header button').click(), document.activeElement.id`)); got != "scan" {
		t.Errorf("closing the dialog left the focus on %q, want the scan field", got)
	}
	run(t, till, "scan the umbrella",
		gone(`.backdrop`),
		scan(umbrella),
		visible(`.line[data-sku="`+umbrellaSKU+`"]`))
	run(t, till, "cancel the sale? the backpack scanned with the focus on Yes",
		click(`[data-test=cancel-sale]`),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('toast').replaceChildren(), document.querySelector('[data-test=confirm-yes]').focus()`),
		scan(backpack),
		hasText(`#toast .toast.error`, refused),
		click(`.modal footer .ghost`),
		gone(`.backdrop`))
	if n := value(t, till, "umbrellas in the cart", chromedp.Evaluate[int](`document.querySelectorAll('.line[data-sku="`+umbrellaSKU+`"]').length`)); n != 1 {
		t.Errorf("%d umbrellas in the sale after a scan at its cancel's Yes, want 1", n)
	}
	backpacks := value(t, till, "backpacks in the cart", chromedp.Evaluate[int](`document.querySelectorAll('.line[data-sku="`+backpackSKU+`"]').length`))
	if backpacks != 0 {
		t.Errorf("a backpack scanned in a dialog went into the sale")
	}
}

// The next customer's first item is scanned while the last sale's
// receipt is still shown: the receipt makes way and the item is in the
// next sale, whether the last was paid by card or in cash.
func TestScanWithTheReceiptShown(t *testing.T) {
	t.Parallel()
	base := startNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "a card sale",
		visible(`#scan`),
		scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-card]`),
		visible(`[data-test=receipt]`),
		gone(`.line[data-sku="`+backpackSKU+`"]`))
	run(t, till, "scan with the receipt shown",
		scan(umbrella),
		visible(`.line[data-sku="`+umbrellaSKU+`"]`),
		gone(`.backdrop`))
	run(t, till, "a cash sale",
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="19900"]`),
		visible(`[data-test=receipt]`),
		gone(`.line[data-sku="`+umbrellaSKU+`"]`))
	run(t, till, "scan with the receipt shown",
		scan(backpack),
		visible(`.line[data-sku="`+backpackSKU+`"]`),
		gone(`.backdrop`))
}

// A double tap on the banner's Open shift opens one dialog: once the
// shift is open no second one is left asking to open it again.
func TestOpenShiftTappedTwice(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "tap Open shift twice and open it",
		visible(`[data-test=no-shift-open]`),
		tapTwice(`[data-test=no-shift-open]`),
		click(`[data-test=shift-open]`),
		keypad("500", `[data-test=pad-ok]`),
		gone(`.backdrop`),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-test=no-shift]').hidden`))
	if n := value(t, till, "dialogs", chromedp.Evaluate[int](`document.querySelectorAll('#modal-root .backdrop').length`)); n != 0 {
		t.Errorf("%d dialogs left open", n)
	}
}

// The customer shows the QR while staff have the code dialog open: the
// scan opens the order as a QR does, and its digits are not taken as a
// wrong code (five of which lock the order).
func TestPickupQRWhileCodeDialogOpen(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	ctx := context.Background()
	raw := []byte(`{"order_id":"W-2026-000300","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-1","name":"Jan Novák","phone":"","language":"sk"},
		"pickup_code":"111111","payment":{"status":"pay_at_pickup","amount":19900,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"100236","name":"Dáždnik","qty":1,"unit_price":19900}],"arrival":null}`)
	o := placeOrder(t, pickup, raw)
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	if _, _, err := pickup.PickScan(ctx, staff, o.ID, umbrella); err != nil {
		t.Fatal(err)
	}
	if _, _, err := pickup.MarkReady(ctx, staff, o.ID, "C1", 1); err != nil {
		t.Fatal(err)
	}
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "open the code dialog and scan the QR",
		click(`[data-order="`+o.ID+`"]`),
		click(`[data-test=pickup-code]`),
		visible(`[data-test=pad-ok]`),
		scan("PICKUP:"+o.ID+":111111"),
		visible(`[data-test=pickup-pay]`),
		gone(`.backdrop`))
	v, err := pickup.Order(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.CodeFailures != 0 || v.Verified == nil {
		t.Errorf("order after the QR: %d wrong codes, verified %+v", v.CodeFailures, v.Verified)
	}
}

// A double tap on a cash quick amount pays it once: the second tap finds
// the dialog still there, its amounts no longer to be tapped, until the
// payment is in. An item scanned while the node is slow to answer the
// payment is kept, the cashier told so, and goes to the next sale once
// the payment has completed this one: with the cash dialog in front, and
// with none (another amount typed on the keypad).
func TestCashQuickAmountTappedTwice(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "scan the backpack and tap 500 twice",
		visible(`#scan`),
		scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		visible(`.quick [data-amount="50000"]`),
		chromedp.Evaluate[chromedp.Void](`(() => {
			window.__payments = 0;
			// Payments are held until the test lets them go, as by a node
			// slow to answer.
			window.__held = new Promise((r) => (window.__release = r));
			const f = window.fetch;
			window.fetch = (url, opt) => {
				if (String(url).endsWith('/payments') && opt && opt.method === 'POST') {
					window.__payments++;
					return window.__held.then(() => f(url, opt));
				}
				return f(url, opt);
			};
			const b = document.querySelector('.quick [data-amount="50000"]');
			b.click();
			b.click();
		})()`),
		chromedp.Poll[chromedp.Void](`window.__payments > 0`))
	run(t, till, "the umbrella scanned while the payment is on its way",
		scan(umbrella),
		visible(`#toast .toast`),
		visible(`.quick [data-amount="50000"][disabled]`))
	wantContains(t, "the cashier is told", text(t, till, `[data-test=till-msg]`), loadStrings(t, "en")["till.scan_held"])
	run(t, till, "the node answers",
		chromedp.Evaluate[chromedp.Void](`window.__release()`),
		visible(`[data-test=receipt]`),
		visible(`.line[data-sku="`+umbrellaSKU+`"]`))
	if n := value(t, till, "payments sent", chromedp.Evaluate[int](`window.__payments`)); n != 1 {
		t.Errorf("%d cash payments sent, want 1", n)
	}
	if n := value(t, till, "backpacks in the next cart", chromedp.Evaluate[int](`document.querySelectorAll('.line[data-sku="`+backpackSKU+`"]').length`)); n != 0 {
		t.Errorf("the next cart has the sold backpack")
	}
	if msg := value(t, till, "message", chromedp.Evaluate[string](`document.querySelector('[data-test=till-msg]').className`)); msg == "msg error" {
		t.Errorf("the till shows an error: %s", text(t, till, `[data-test=till-msg]`))
	}
	run(t, till, "the umbrella paid with another amount, held",
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`),
		chromedp.Evaluate[chromedp.Void](`window.__held = new Promise((r) => (window.__release = r))`),
		click(`[data-test=pay-cash]`),
		click(`[data-test=cash-other]`),
		keypad("200", `[data-test=pad-ok]`),
		gone(`.backdrop`),
		chromedp.Poll[chromedp.Void](`window.__payments === 2`))
	run(t, till, "the backpack scanned while it is on its way",
		scan(backpack),
		hasText(`[data-test=till-msg]`, loadStrings(t, "en")["till.scan_held"]),
		chromedp.Evaluate[chromedp.Void](`window.__release()`),
		visible(`[data-test=receipt]`),
		visible(`.line[data-sku="`+backpackSKU+`"]`))
	if n := value(t, till, "umbrellas in the next cart", chromedp.Evaluate[int](`document.querySelectorAll('.line[data-sku="`+umbrellaSKU+`"]').length`)); n != 0 {
		t.Errorf("the next cart has the sold umbrella")
	}
}

// A double tap on Last receipt opens one receipt, and one on its Print
// copy prints one copy: the journal is not to record a second.
func TestLastReceiptAndCopyTappedTwice(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "sell the backpack", sellBackpack())
	run(t, till, "tap Last receipt twice",
		tapTwice(`[data-test=last-receipt]`),
		visible(`[data-test=reprint]`))
	if n := value(t, till, "receipts shown", chromedp.Evaluate[int](`document.querySelectorAll('#modal-root .backdrop').length`)); n != 1 {
		t.Errorf("Last receipt tapped twice opened %d dialogs, want 1", n)
	}
	run(t, till, "tap Print copy twice",
		countPosts("/receipts/copies"),
		tapTwice(`[data-test=reprint]`),
		chromedp.Poll[chromedp.Void](`window.__posts.sent > 0 && window.__posts.sent === window.__posts.done`),
		visible(`#toast .toast.ok`))
	if n := value(t, till, "copies asked for", chromedp.Evaluate[int](`window.__posts.sent`)); n != 1 {
		t.Errorf("Print copy tapped twice printed %d copies, want 1", n)
	}
}

// sellBackpack sells the demo backpack for cash at the till shown and
// closes its receipt.
func sellBackpack() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		visible(`#scan`),
		scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="49900"]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`))
}

// tapTwice clicks the element sel twice at once, as a double tap does,
// before the page can answer the first.
func tapTwice(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const b = document.querySelector('` + sel + `'); b.click(); b.click() })()`)
}
