package browsertest

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Goods without receipt are scanned or searched into the return, with
// what the customer says of the purchase; the return waits for a
// supervisor: without one none is made, with one it is.
func TestReturnWithoutReceipt(t *testing.T) {
	t.Parallel()
	n := inProcessNode(t, nil)
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "open a return without receipt",
		visible(`#scan`),
		click(`[data-test=return]`),
		click(`[data-test=ask-none]`),
		visible(`.modal [data-test=search-input]`))
	run(t, till, "scan a backpack and search an umbrella",
		click(`.modal [data-test=search-input]`),
		scan(backpack),
		visible(`.modal .line[data-line="`+backpackSKU+`"]`),
		chromedp.SendKeys(chromedp.CSS(`.modal [data-test=search-input]`), "umbrella"),
		click(`.modal .result[data-sku="`+umbrellaSKU+`"]`),
		visible(`.modal .line[data-line="`+umbrellaSKU+`"]`),
		click(`.modal [data-reason=wrong_item]`),
		hasText(`[data-test=return-total]`, "698.00"))
	run(t, till, "the customer's reference",
		click(`[data-test=return-ref]`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=text-input]`), "bought last week"),
		click(`[data-test=text-ok]`),
		hasText(`[data-test=return-ref]`, "bought last week"))
	shot(t, till, "return-no-receipt")
	run(t, till, "no supervisor: no return",
		click(`[data-test=return-ok]`),
		visible(`[data-test=pad-ok]`),
		click(`#modal-root .backdrop:last-child .ghost`),
		visible(`[data-test=return-ok]`))
	run(t, till, "a supervisor approves it",
		click(`[data-test=return-ok]`),
		supervisorApproves(),
		hasText(`[data-test=credit-code]`, "698.00"))
	run(t, till, "the return is made, the first one, as store credit",
		hasText(`#toast`, "Return 1 made"), hasText(`#toast`, "698.00"),
		click(`.modal .primary`), gone(`.backdrop`))
}
