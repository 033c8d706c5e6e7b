package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
)

// An order bought online is returned at the till: its number typed in
// the return's dialog shows its lines as central answers them (apples
// by weight in kg), and the return goes through the same choice, reason,
// refund and confirmation as a receipt's, refunded to the online
// payment. Brought back again, its QR scanned, what was returned shows
// and no more can be taken. The till could only return receipts of this
// node.
func TestReturnOfOnlineOrder(t *testing.T) {
	t.Parallel()
	br := brokertest.Start(t, brokertest.Options{})
	const store, nodeID, order = "s1", "till-1", "W/2026/9"
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--mqtt", br.URL(), "--store", store, "--node", nodeID)
	central := centraltest.New(t, br.URL(), store, nodeID)
	central.SetAnswer(func(method string, p map[string]any) (any, string) {
		if method == "order.lookup" && p["order_id"] == order {
			return map[string]any{"order_id": order, "payment": map[string]any{"status": "paid", "amount": 103538, "currency": "SEK"}, // 2 × 499.00 and 1.250 kg at 29.90
				"lines": []any{
					map[string]any{"line_id": "L1", "sku": backpackSKU, "qty": 2, "unit_price": 49900, "tax_rate_bp": 2500},
					map[string]any{"line_id": "L2", "sku": "300100", "qty": 1250, "unit": "kg", "unit_price": 2990, "tax_rate_bp": 1200},
				}}, ""
		}
		return nil, "not_found"
	})
	central.Listening(20 * time.Second)
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "the node reaches central", hasText(`[data-test=sync]`, "online"))
	open := chromedp.Steps(
		click(`[data-test=return]`),
		click(`[data-test=ask-order]`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=text-input]`), order),
		click(`[data-test=text-ok]`))
	run(t, till, "the order's lines as central has them",
		open,
		hasText(`.modal header`, order),
		hasText(`.modal .line[data-line="L1"] .meta`, "2"),
		hasText(`.modal .line[data-line="L2"] .meta`, "1.25"),
		hasText(`.modal .line[data-line="L2"] .meta`, "kg"))
	shot(t, till, "return-online-order")
	run(t, till, "both backpacks back, to the online payment",
		click(`.modal .line[data-line="L1"] [data-test=return-more]`),
		click(`.modal .line[data-line="L1"] [data-test=return-more]`),
		chromedp.Poll[chromedp.Void](`document.querySelector('.modal .line[data-line="L1"] [data-test=return-more]').disabled`),
		click(`.modal [data-reason=defective]`),
		hasText(`[data-test=return-total]`, "998.00"),
		hasText(`[data-test=return-preview]`, loadStrings(t, "en")["till.online"]),
		click(`[data-test=return-ok]`),
		gone(`.backdrop`))
	run(t, till, "brought back again, the order's QR scanned: the backpacks are returned, none is left",
		click(`[data-test=return]`),
		visible(`[data-test=pad-ok]`),
		scan("PICKUP:"+order+":483920"),
		hasText(`.modal .line[data-line="L1"] .meta`, "returned: 2"),
		chromedp.Poll[chromedp.Void](`document.querySelector('.modal .line[data-line="L1"] [data-test=return-more]').disabled`))
}

// Central out of reach, an online order, its number typed on the
// screen's keyboard (capitals, digits, - and /), cannot be looked up:
// the till says so and offers the return without receipt, the order's
// number kept as what the customer says of the purchase, approved by a
// supervisor.
func TestReturnOfOnlineOrderCentralOffline(t *testing.T) {
	t.Parallel()
	br := brokertest.New(t, brokertest.Options{}) // never started: central out of reach
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--mqtt", br.URL(), "--store", "s1", "--node", "till-1")
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	en := loadStrings(t, "en")
	run(t, till, "the order cannot be looked up: said, with the way forward",
		click(`[data-test=return]`),
		click(`[data-test=ask-order]`),
		click(`.modal .osk [data-ch="W"]`), // typed on the screen's keyboard
		click(`.modal .osk [data-ch="-"]`),
		click(`.modal .osk [data-ch="7"]`),
		click(`.modal .osk [data-ch="7"]`),
		click(`[data-test=text-ok]`),
		hasText(`.modal header`, en["return.offline"]),
		click(`[data-test=confirm-yes]`),
		hasText(`.modal header`, en["return.none_title"]),
		hasText(`[data-test=return-ref]`, "W-77"))
	run(t, till, "the backpack back without receipt, with a supervisor",
		scan(backpack),
		visible(`.modal .line[data-line="`+backpackSKU+`"]`),
		click(`.modal [data-reason=defective]`),
		hasText(`[data-test=return-total]`, "499.00"),
		click(`[data-test=return-ok]`),
		supervisorApproves(),
		gone(`.backdrop`),
		hasText(`#toast`, "499.00"))
}
