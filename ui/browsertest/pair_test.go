package browsertest

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A new tablet asks for pairing, a manager approves its code, the tablet
// works as a paired device, and once revoked it is cut off at once.
func TestPairTablet(t *testing.T) {
	t.Parallel()
	base := startNode(t)

	tablet := browser(t)
	run(t, tablet, "ask for a pairing code",
		chromedp.Navigate(base+"/#pair"),
		click(`[data-test=pair-start]`))
	code := text(t, tablet, `[data-test=pair-code]`)
	if len(code) != 6 {
		t.Fatalf("pairing code %q, want 6 digits", code)
	}
	shot(t, tablet, "pair-code")

	manager := browser(t)
	login(t, manager, base, tillStation, "3", "3333")
	run(t, manager, "manager screen", click(`[data-test=nav-manager]`), visible(`.manager`))
	run(t, manager, "devices", click(`[data-tab=devices]`), visible(`[data-test=approve]`))
	if got := text(t, manager, `[data-test=devices] td.code`); got != code {
		t.Fatalf("manager sees code %q, tablet shows %q", got, code)
	}
	shot(t, manager, "manager-devices")
	// Approve tapped twice approves once: a second request would find
	// the pairing gone and show an error.
	run(t, manager, "approve as a cashier device for the tablet station, tapped twice",
		click(`[data-test=approve]`),
		visible(`[data-test=approve-ok]`),
		chromedp.Evaluate[chromedp.Void](`(() => {
			window.__approvals = 0;
			const f = window.fetch;
			window.fetch = (url, opt) => {
				if (String(url).endsWith('/approve') && opt && opt.method === 'POST') window.__approvals++;
				return f(url, opt);
			};
			const b = document.querySelector('[data-test=approve-ok]');
			b.click();
			b.click();
		})()`),
		visible(`[data-test=revoke]`))
	if n := value(t, manager, "approvals sent", chromedp.Evaluate[int](`window.__approvals`)); n != 1 {
		t.Fatalf("approve tapped twice sent %d approvals", n)
	}

	// The tablet collects its token on its next poll and opens assisted
	// selling for its station.
	run(t, tablet, "search the catalog in Swedish",
		visible(`.tablet [data-test=search-input]`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=search-input]`), "ryggsäck"),
		visible(`.tablet .cards .card[data-sku="`+backpackSKU+`"] .stock.ok`))
	run(t, tablet, "add an item to the customer's cart",
		click(`.cards .card[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=tablet-add]`))
	run(t, tablet, "one item in the cart", hasText(`[data-test=tablet-cart]`, "(1)"))
	shot(t, tablet, "tablet")
	run(t, tablet, "a 10-inch tablet upright", chromedp.EmulateViewport(800, 1280))
	shot(t, tablet, "tablet-portrait")
	run(t, tablet, "back to landscape", chromedp.EmulateViewport(1024, 768))

	run(t, manager, "revoke the tablet",
		click(`[data-test=revoke]`),
		click(`[data-test=confirm-yes]`))
	run(t, tablet, "the revoked tablet is back at the login", visible(`[data-test=login-step]`))
}

// A double tap on Pair this device asks for one code, and the pairing
// outlives polls that fail on the way (the node out of reach, then too
// busy): the device waits on with its code until it is approved.
func TestPairThroughFailedPolls(t *testing.T) {
	t.Parallel()
	base := startNode(t)
	tablet := browser(t)
	run(t, tablet, "the pairing screen, two polls to fail",
		chromedp.Navigate(base+"/#pair"),
		visible(`[data-test=pair-start]`),
		countPosts("/pair"),
		chromedp.Evaluate[chromedp.Void](`(() => {
			window.__fail = 2;
			const f = window.fetch;
			window.fetch = (url, opt) => {
				if (!String(url).endsWith('/poll') || window.__fail === 0) return f(url, opt);
				return window.__fail-- === 2 ? Promise.reject(new TypeError('Failed to fetch'))
					: Promise.resolve(new Response('{"error":{"code":"rate_limited","message":"too many requests"}}', { status: 429 }));
			};
			const b = document.querySelector('[data-test=pair-start]');
			b.click();
			b.click();
		})()`),
		visible(`[data-test=pair-code]`),
		chromedp.Poll[chromedp.Void](`window.__fail === 0`))
	if n := value(t, tablet, "pairings asked for", chromedp.Evaluate[int](`window.__posts.sent`)); n != 1 {
		t.Errorf("Pair this device tapped twice asked for %d pairings, want 1", n)
	}
	code := text(t, tablet, `[data-test=pair-code]`)
	id := value(t, tablet, "the pairing", chromedp.Evaluate[string](`JSON.parse(sessionStorage.getItem('posnode.pairing') || '{}').device_id || ''`))
	if id == "" {
		t.Fatal("the failed polls ended the pairing")
	}
	tok := apiCall(t, base, "", "POST", "/login", map[string]string{"staff": "3", "pin": "3333", "station": tillStation})["token"].(string)
	apiCall(t, base, tok, "POST", "/devices/"+id+"/approve", map[string]string{"code": code, "role": "cashier", "station": "tablet"})
	run(t, tablet, "paired", visible(`.tablet [data-test=search-input]`))
}
