package browsertest

import (
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos"
)

// A receipt's code names the node that printed it. Scanned at the Return
// button's receipt number, this node's code opens its return; it was not
// taken there (only R and ten digits were), and the cashier was told to
// close the dialog and scan. Another node's code, with this node's
// receipt number in it, is refused wherever it is scanned, saying the
// receipt is from another store or till and what to do instead.
func TestReceiptCodeOfAnotherNode(t *testing.T) {
	t.Parallel()
	till, serial := serialTill(t, "")
	run(t, till, "sell the umbrella",
		scan(umbrella), visible(`.line[data-sku="`+umbrellaSKU+`"]`),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="19900"]`),
		visible(`[data-test=receipt]`))
	m := regexp.MustCompile(`\|\|\| (R[0-9A-Z]{4}(\d{10})) \|\|\|`).FindStringSubmatch(text(t, till, `[data-test=receipt]`))
	if m == nil {
		t.Fatalf("the receipt shows no tagged code:\n%s", text(t, till, `[data-test=receipt]`))
	}
	own, number := m[1], m[2]
	other := pos.ReceiptBarcode(pos.ReceiptTag("S-002", "till-1", "2026-11-22T09:00:00Z"), 1)
	if other[:5] == own[:5] {
		other = pos.ReceiptBarcode(pos.ReceiptTag("S-003", "till-1", "2026-11-22T09:00:00Z"), 1)
	}
	if number != "0000000001" {
		t.Fatalf("the first sale's receipt code is %s", own)
	}
	refused := loadStrings(t, "en")["err.other_receipt"]
	if refused == "" {
		t.Fatal("en.json has no err.other_receipt")
	}
	clearMsg := chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-test=till-msg]').textContent = '', document.getElementById('toast').replaceChildren()`)
	run(t, till, "close the receipt", click(`[data-test=receipt-close]`), gone(`.backdrop`))
	for name, a := range map[string]chromedp.Action[chromedp.Void]{
		"on the serial scanner":         serial(other),
		"on the wedge scanner":          scan(other),
		"at the Return button's number": chromedp.Steps(click(`[data-test=return]`), visible(`[data-test=pad-ok]`), scan(other)),
	} {
		run(t, till, "another node's receipt "+name, clearMsg, a,
			hasText(`[data-test=till-msg]`, refused), gone(`.backdrop`))
	}
	if n := value(t, till, "return dialogs", chromedp.Evaluate[int](`document.querySelectorAll('[data-test=return-more]').length`)); n != 0 {
		t.Errorf("a return opened for another node's receipt")
	}
	run(t, till, "this node's receipt at the Return button's number",
		clearMsg, click(`[data-test=return]`), visible(`[data-test=pad-ok]`), scan(own),
		visible(`[data-test=return-more]`))
}
