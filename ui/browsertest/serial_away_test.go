package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A code read by a till's serial scanner while the till shows another of
// its screens (the manager's; its pickup and tablet screens take codes
// themselves) and its sale has a payment in goes into no sale: the node
// holds it for the till screen, which is not there to add it. The
// manager is told there that it was not added, to scan it again at the
// till; nothing was said, and the item was taken for scanned.
func TestSerialScanAwayWhilePaid(t *testing.T) {
	t.Parallel()
	till, serial := serialTillAs(t, "3", "3333", "")
	run(t, till, "the backpack, 100.00 of it paid in cash",
		serial(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		click(`[data-test=cash-other]`),
		keypad("100", `[data-test=pad-ok]`),
		gone(`.backdrop`))
	run(t, till, "the manager's screen, the umbrella scanned",
		chromedp.Evaluate[chromedp.Void](`location.hash = '#manager'`),
		visible(`.screen-manager`),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('toast').replaceChildren()`),
		serial(umbrella),
		visible(`#toast .toast`))
	notAdded, _, _ := strings.Cut(loadStrings(t, "en")["till.held_away"], "{code}")
	if notAdded == "" {
		t.Fatal("en.json has no till.held_away")
	}
	wantContains(t, "warning", text(t, till, `#toast`), notAdded, umbrella)
}
