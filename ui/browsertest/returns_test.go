package browsertest

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A receipt brought back a second time offers only what is left of it:
// one of two backpacks was returned on the first visit, so the return
// dialog says so and takes at most the other one; once both are back it
// takes none. It offered the two sold every time, and the cashier learnt
// only from the refused preview that it was too many.
func TestReturnOverSeveralVisitsOffersWhatIsLeft(t *testing.T) {
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
