package browsertest

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// Two tablets of one station each keep their own cart: a tablet whose
// cart could not be fetched (the node out of reach a moment) does not
// take up the cart of a colleague's tablet that the node pushes, to add
// its customer's items to it. It took up any cart of the station.
func TestTabletKeepsToItsOwnCart(t *testing.T) {
	t.Parallel()
	base := startNode(t)
	ana := browser(t)
	login(t, ana, base, "tablet", cashierStaff, "1111")
	card := `.tablet .cards .card[data-sku="` + backpackSKU + `"] .stock`
	run(t, ana, "the tablet shown again while its cart cannot be fetched",
		visible(card),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const f = window.fetch;
			window.fetch = (u, o) => u === '/api/v1/cart' ? ((window.fetch = f), (window.__failed = true), Promise.reject(new TypeError('down'))) : f(u, o);
			import('./js/main.js').then((m) => m.go('tablet'));
		})()`),
		chromedp.Poll[chromedp.Void](`window.__failed === true`),
		visible(`#toast .toast`))
	empty := text(t, ana, `[data-test=tablet-cart]`)

	// A colleague on another tablet of the station fills a cart of their own.
	eva := apiCall(t, base, "", "POST", "/login", map[string]string{"staff": "2", "pin": "2222", "station": "tablet"})["token"].(string)
	id := apiCall(t, base, eva, "GET", "/cart", nil)["id"].(string)
	apiCall(t, base, eva, "POST", "/carts/"+id+"/items", map[string]any{"sku": backpackSKU, "qty": 1})
	// A delivery after it: once the tablet shows it, the cart came first.
	st := apiCall(t, base, eva, "POST", "/stock/"+backpackSKU+"/adjustments", map[string]any{"reason": "delivery", "delta": 7})
	run(t, ana, "the delivery shown", hasText(card, fmt.Sprint(st["on_hand"])))
	if got := text(t, ana, `[data-test=tablet-cart]`); got != empty {
		t.Fatalf("the tablet's cart button says %q after a colleague's cart changed, want %q as before", got, empty)
	}
}
