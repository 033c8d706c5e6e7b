package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos/sqlite"
)

// A supervisor at the tablet writes off damaged stock and then records a
// shelf count from the item's details; a cashier is not offered either.
func TestStockAdjustment(t *testing.T) {
	t.Parallel()
	n := launch(t, t.TempDir(), "127.0.0.1:0")
	tok := apiCall(t, n.base, "", "POST", "/login", map[string]string{"staff": "2", "pin": "2222", "station": tillStation})["token"].(string)
	onHand := func() float64 { return apiCall(t, n.base, tok, "GET", "/stock/"+backpackSKU, nil)["on_hand"].(float64) }
	before := onHand()

	sup := browser(t)
	login(t, sup, n.base, "tablet", "2", "2222")
	run(t, sup, "the backpack's details",
		click(`.tablet .cards .card[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=stock-adjust]`))
	run(t, sup, "two damaged",
		click(`.modal [data-choice="damage"]`),
		keypad("2", `[data-test=adjust-save]`),
		gone(`[data-test=adjust-save]`),
		visible(`[data-test=stock-adjust]`))
	if got := onHand(); got != before-2 {
		t.Fatalf("on hand %v after two damaged, want %v", got, before-2)
	}
	run(t, sup, "a count of 30 on the shelf",
		click(`[data-test=stock-adjust]`),
		keypad("30", `[data-test=adjust-save]`),
		gone(`[data-test=adjust-save]`))
	if got := onHand(); got != 30 {
		t.Fatalf("on hand %v after a count of 30", got)
	}
	run(t, sup, "a damage of nothing is refused",
		click(`[data-test=stock-adjust]`),
		click(`.modal [data-choice="damage"]`),
		click(`[data-test=adjust-save]`),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-test=adjust-error]').textContent.trim() !== ''`))
	shot(t, sup, "stock-adjust")

	cashier := browser(t)
	login(t, cashier, n.base, "tablet", cashierStaff, "1111")
	run(t, cashier, "the details without the adjustment",
		click(`.tablet .cards .card[data-sku="`+backpackSKU+`"]`),
		visible(`[data-test=tablet-add]`))
	if k := value(t, cashier, "adjust buttons", chromedp.Evaluate[int](`document.querySelectorAll('[data-test=stock-adjust]').length`)); k != 0 {
		t.Fatal("a cashier is offered a stock adjustment")
	}
}

// applesSKU is the demo catalog's apples, sold by weight.
const applesSKU = "300100"

// A damage saved with two quick taps is recorded once, and a weighed item
// is counted in kilograms, as its stock is shown, with the node keeping
// grams.
func TestStockAdjustOnceAndInKilograms(t *testing.T) {
	t.Parallel()
	n := launch(t, t.TempDir(), "127.0.0.1:0")
	tok := apiCall(t, n.base, "", "POST", "/login", map[string]string{"staff": "2", "pin": "2222", "station": tillStation})["token"].(string)
	onHand := func(sku string) float64 {
		return apiCall(t, n.base, tok, "GET", "/stock/"+sku, nil)["on_hand"].(float64)
	}
	before := onHand(backpackSKU)

	sup := browser(t)
	login(t, sup, n.base, "tablet", "2", "2222")
	run(t, sup, "two damaged, saved with a double tap",
		click(`.tablet .cards .card[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=stock-adjust]`),
		click(`.modal [data-choice="damage"]`),
		click(`.modal .pad [data-key="2"]`),
		tapTwice(`[data-test=adjust-save]`),
		gone(`[data-test=adjust-save]`))
	if got := onHand(backpackSKU); got != before-2 {
		t.Fatalf("on hand %v after two damaged saved with a double tap, want %v", got, before-2)
	}

	run(t, sup, "apples counted: 2.5 kg",
		click(`.modal .btn.ghost`),
		gone(`.modal`),
		click(`.tablet .cards .card[data-sku="`+applesSKU+`"]`),
		click(`[data-test=stock-adjust]`),
		keypad("2.5", `[data-test=adjust-save]`),
		gone(`[data-test=adjust-save]`))
	if got := onHand(applesSKU); got != 2500 {
		t.Fatalf("apples on hand %v g after a count of 2.5 kg, want 2500", got)
	}
}

// A weight label scanned on the tablet shows what the till charges for
// it, and Add puts that label in the tablet's cart.
func TestTabletPriceCheckOfALabel(t *testing.T) {
	t.Parallel()
	base := startNode(t)
	ctx := browser(t)
	login(t, ctx, base, "tablet", cashierStaff, "1111")
	run(t, ctx, "scan 1,234 g of apples",
		visible(`[data-test=search-input]`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-test=search-input]").focus()`),
		scan("2300100012346"),
		visible(`[data-test=price-check]`))
	// 1.234 kg at 29.90 a kilogram, as the till charges it.
	wantAny(t, "price check", text(t, ctx, `[data-test=price-check]`), "36.90", "36,90")
	run(t, ctx, "add the label",
		click(`[data-test=tablet-add]`),
		gone(`[data-test=price-check]`),
		hasText(`[data-test=tablet-cart]`, "36"))

	// A GS1 label with the price to pay on an item sold by the piece: the
	// label's price, not the shelf price, as the till charges it (the
	// cart's total goes from 36.90 to 56.80).
	run(t, ctx, "scan a GS1 label priced 19.90",
		chromedp.Evaluate[chromedp.Void](`(i => { i.value = ''; i.focus(); })(document.querySelector("[data-test=search-input]"))`),
		scan("(01)07310865004703(3922)1990"),
		visible(`[data-test=price-check]`))
	wantAny(t, "GS1 price check", text(t, ctx, `[data-test=price-check]`), "19.90", "19,90")
	run(t, ctx, "add the GS1 label",
		click(`[data-test=tablet-add]`),
		gone(`[data-test=price-check]`),
		hasText(`[data-test=tablet-cart]`, "56"))
}

// centralCount sets the stock central counted of sku to onHand.
func centralCount(t *testing.T, db *sqlite.DB, sku string, onHand int64) {
	t.Helper()
	if err := db.Update(context.Background(), func(tx *sqlite.Tx) error {
		return tx.SetCentralStock(sku, onHand, "", 0, "")
	}); err != nil {
		t.Fatal(err)
	}
}

// The tablet's stock follows click-and-collect: an order that arrives
// holds its items, and the cards show what is left to sell at once. It
// follows central's counts as well, in the cards and in an item's open
// details alike.
func TestTabletStockFollowsPickupOrders(t *testing.T) {
	t.Parallel()
	n := inProcessNode(t, func(db *sqlite.DB) { centralCount(t, db, backpackSKU, 10) })
	base, pickup := n.base, n.pickup
	ctx := browser(t)
	login(t, ctx, base, tillStation, cashierStaff, "1111")
	card := `.tablet .cards .card[data-sku="` + backpackSKU + `"] .stock`
	run(t, ctx, "the tablet's catalog",
		visible(`.scan-input`),
		chromedp.Evaluate[chromedp.Void](`location.hash = 'tablet'`),
		hasText(card, "10"))
	placeOrder(t, pickup, []byte(`{"order_id":"W-TAB","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-7","name":"Eva Berg","phone":"","language":"sv"},
		"pickup_code":"777777","payment":{"status":"paid","amount":99800,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"`+backpackSKU+`","name":"Backpack","qty":2,"unit_price":49900}],"arrival":null}`))
	run(t, ctx, "two held for the order", hasText(card, "8"))

	run(t, ctx, "the backpack's details",
		click(`.tablet .cards .card[data-sku="`+backpackSKU+`"]`),
		hasText(`[data-test=stock-here]`, "8"))
	// A stock page from central counts 30, and the order still holds two.
	centralCount(t, n.db, backpackSKU, 30)
	n.hub.StockChanged([]string{"100200", backpackSKU})
	run(t, ctx, "central's count, less the two held",
		hasText(`[data-test=stock-here]`, "28"),
		hasText(card, "28"))
}

// Add to cart tapped twice while the first tap is on its way adds one
// piece, not two.
func TestTabletAddOnce(t *testing.T) {
	t.Parallel()
	base := startNode(t)
	ctx := browser(t)
	login(t, ctx, base, "tablet", cashierStaff, "1111")
	run(t, ctx, "add the backpack with a double tap",
		click(`.tablet .cards .card[data-sku="`+backpackSKU+`"]`),
		visible(`[data-test=tablet-add]`),
		tapTwice(`[data-test=tablet-add]`),
		gone(`[data-test=tablet-add]`))
	tok := apiCall(t, base, "", "POST", "/login", map[string]string{"staff": cashierStaff, "pin": "1111", "station": "tablet"})["token"].(string)
	lines := apiCall(t, base, tok, "GET", "/cart", nil)["lines"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["qty"].(float64) != 1 {
		t.Fatalf("the tablet's cart after a double tap on Add: %v", lines)
	}
}

// A name searched for with Enter in letters beyond ASCII (äpple, 雨傘)
// cannot be a code: the tablet searches for it, and neither looks it up
// as a code nor says it is not a valid one.
func TestTabletSearchBeyondASCII(t *testing.T) {
	t.Parallel()
	base := startNode(t)
	ctx := browser(t)
	login(t, ctx, base, "tablet", cashierStaff, "1111")
	run(t, ctx, "the tablet, its code lookups counted",
		visible(`[data-test=search-input]`),
		chromedp.Evaluate[chromedp.Void](`(() => {
			window.__lookups = 0;
			const f = window.fetch;
			window.fetch = (url, opt) => (String(url).includes('/api/v1/items/') && window.__lookups++, f(url, opt));
		})()`))
	for _, c := range []struct{ query, sku string }{{"äpple", applesSKU}, {"雨傘", umbrellaSKU}} {
		run(t, ctx, "search "+c.query+" with Enter",
			chromedp.Evaluate[chromedp.Void](`(i => { i.value = ''; i.focus(); })(document.querySelector("[data-test=search-input]"))`),
			chromedp.SendKeys(`[data-test=search-input]`, c.query+"\r"),
			visible(`.tablet .cards .card[data-sku="`+c.sku+`"]`))
	}
	if n := value(t, ctx, "code lookups", chromedp.Evaluate[int](`window.__lookups`)); n != 0 {
		t.Errorf("%d names looked up as codes, want none", n)
	}
	if got := value(t, ctx, "error shown", chromedp.Evaluate[string](`document.querySelector('#toast .toast.error')?.textContent || ''`)); got != "" {
		t.Errorf("the tablet says %q", got)
	}
}

// A keyboard types into the stock adjustment's keypad, as into every
// other keypad, but not what is typed into the note.
func TestStockAdjustFromTheKeyboard(t *testing.T) {
	t.Parallel()
	n := launch(t, t.TempDir(), "127.0.0.1:0")
	tok := apiCall(t, n.base, "", "POST", "/login", map[string]string{"staff": "2", "pin": "2222", "station": tillStation})["token"].(string)
	sup := browser(t)
	login(t, sup, n.base, "tablet", "2", "2222")
	run(t, sup, "a count of 42 typed on the keyboard, a note with a digit",
		click(`.tablet .cards .card[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=stock-adjust]`),
		visible(`[data-test=adjust-note]`),
		chromedp.KeyEvent("42"),
		hasText(`.modal [data-test=pad-value]`, "42"),
		chromedp.SendKeys(`[data-test=adjust-note]`, "shelf 3"))
	if pad, note := text(t, sup, `.modal [data-test=pad-value]`), value(t, sup, "the note", chromedp.Evaluate[string](`document.querySelector('[data-test=adjust-note]').value`)); pad != "42" || note != "shelf 3" {
		t.Fatalf("keypad %q and note %q, want 42 and shelf 3", pad, note)
	}
	run(t, sup, "save", click(`[data-test=adjust-save]`), gone(`[data-test=adjust-save]`))
	if got := apiCall(t, n.base, tok, "GET", "/stock/"+backpackSKU, nil)["on_hand"].(float64); got != 42 {
		t.Fatalf("on hand %v after a count of 42 typed on the keyboard", got)
	}
}
