package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
)

// A manager adds a cashier on the staff page; the cashier logs in in the
// language chosen for them; once deactivated, their screen returns to the
// login at once and their next login is refused. The settings page shows
// what central sent.
func TestManagerStaff(t *testing.T) {
	t.Parallel()
	base := startNode(t)

	manager := browser(t)
	login(t, manager, base, tillStation, "3", "3333")
	run(t, manager, "staff page",
		click(`[data-test=nav-manager]`), visible(`.manager`),
		click(`[data-tab=staff]`), visible(`[data-test=staff] tr[data-staff="3"]`))
	if n := value(t, manager, "own row", chromedp.Evaluate[int](`document.querySelectorAll('tr[data-staff="3"] [data-test=staff-deactivate]').length`)); n != 0 {
		t.Fatal("a manager is offered to deactivate themselves")
	}
	shot(t, manager, "manager-staff")

	run(t, manager, "add a cashier: staff number on the keypad",
		click(`[data-test=staff-add]`),
		click(`[data-test=staff-id]`),
		keypad("42", `[data-test=pad-ok]`),
		hasText(`[data-test=staff-id]`, "42"))
	run(t, manager, "name, language and first PIN",
		chromedp.SendKeys(chromedp.CSS(`[data-test=staff-name-input]`), "Ana Pop"),
		click(`.modal [data-choice="sv"]`),
		click(`[data-test=staff-first-pin]`),
		keypad("4242", `[data-test=pad-ok]`),
		hasText(`[data-test=staff-first-pin]`, "••••"))
	shot(t, manager, "manager-staff-add")
	run(t, manager, "save",
		click(`[data-test=staff-save]`),
		visible(`tr[data-staff="42"]`),
		hasText(`tr[data-staff="42"]`, "Ana Pop"))

	cashier := browser(t)
	login(t, cashier, base, tillStation, "42", "4242")
	run(t, cashier, "the new cashier is at the till in Swedish",
		visible(`.till`),
		hasText(`[data-test=staff-name]`, "Ana Pop"),
		chromedp.Poll[chromedp.Void](`document.documentElement.lang === 'sv'`))

	run(t, manager, "deactivate the cashier",
		click(`tr[data-staff="42"] [data-test=staff-deactivate]`),
		click(`[data-test=confirm-yes]`),
		visible(`tr[data-staff="42"].inactive`))
	run(t, cashier, "the deactivated cashier is back at the login", visible(`[data-test=login-step]`))
	run(t, cashier, "their login is refused",
		click(`[data-station="`+tillStation+`"]`),
		keypad("42", `[data-test=login-next]`),
		keypad("4242", `[data-test=login-next]`),
		visible(`[data-test=login-error]`),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-test=login-error]').textContent.trim() !== ''`))
	if got := text(t, cashier, `[data-test=login-error]`); strings.TrimSpace(got) == "" {
		t.Fatal("no reason shown for the refused login")
	}

	run(t, manager, "reactivate the cashier with a new PIN",
		click(`tr[data-staff="42"] [data-test=staff-activate]`),
		visible(`tr[data-staff="42"]:not(.inactive) [data-test=staff-deactivate]`),
		click(`tr[data-staff="42"] [data-test=staff-pin]`),
		keypad("1234", `[data-test=pad-ok]`),
		hasText(`#toast .toast.error`, loadStrings(t, "en")["err.guessable_pin"]),
		click(`tr[data-staff="42"] [data-test=staff-pin]`),
		keypad("5151", `[data-test=pad-ok]`),
		gone(`.backdrop`))
	login(t, cashier, base, tillStation, "42", "5151")
	run(t, cashier, "the new PIN works", visible(`.till`), hasText(`[data-test=staff-name]`, "Ana Pop"))

	run(t, manager, "settings from central",
		click(`[data-tab=settings]`),
		visible(`[data-test=settings]`),
		hasText(`[data-test=set-currency]`, "SEK"),
		visible(`[data-test=sync-catalog]`))
	shot(t, manager, "manager-settings")
}

// On a tablet the catalog shows without a search; a cart built for a
// customer is saved to them for finishing online, and the tablet starts a
// new cart. A customer added while central could not be reached is only
// what was typed: saving the cart to them waits until central has named
// them. A loyalty card scanned into the customer's field goes in, as one
// typed does.
func TestTabletSaveToCustomer(t *testing.T) {
	t.Parallel()
	br := brokertest.New(t, brokertest.Options{}) // central out of reach at first
	const store, nodeID = "s1", "till-1"
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--mqtt", br.URL(), "--store", store, "--node", nodeID)
	tablet := browser(t)
	login(t, tablet, n.base, "tablet", cashierStaff, "1111")
	run(t, tablet, "the catalog shows without a search",
		visible(`.tablet .cards .card[data-sku="`+backpackSKU+`"]`),
		visible(`.tablet .cards .card[data-sku="`+umbrellaSKU+`"]`))
	shot(t, tablet, "tablet-browse")
	run(t, tablet, "add the backpack",
		click(`.cards .card[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=tablet-add]`),
		hasText(`[data-test=tablet-cart]`, "(1)"))
	// attach opens the cart's customer dialog and enters the card there. A
	// typed card is then confirmed with OK; a scanned one ends with the
	// scanner's Enter, which looks it up at once.
	attach := func(what string, enter chromedp.Action[chromedp.Void], scanned bool, shown string) {
		steps := []chromedp.Action[chromedp.Void]{
			gone(`.backdrop`),
			click(`[data-test=tablet-cart]`),
			click(`[data-test=cust-attach]`),
			visible(`[data-test=cust-query]`),
			enter,
		}
		if !scanned {
			steps = append(steps,
				chromedp.Poll[chromedp.Void](`document.querySelector('[data-test=cust-query]').value === 'C-88412'`),
				click(`[data-test=cust-ok]`))
		}
		run(t, tablet, what, append(steps,
			hasText(`[data-test=customer]`, shown),
			visible(`[data-test=cust-save]`))...)
	}
	attach("offline, add the customer by loyalty card as typed", chromedp.SendKeys(chromedp.CSS(`[data-test=cust-query]`), "C-88412"), false, "C-88412")
	run(t, tablet, "saving the cart to a customer central has not named is refused",
		click(`[data-test=cust-save]`),
		hasText(`body`, loadStrings(t, "en")["err.customer_unchecked"]),
		hasText(`[data-test=tablet-cart]`, "(1)"),
		click(`.backdrop header button.icon`))

	br.Start()
	central := centraltest.New(t, br.URL(), store, nodeID)
	central.SetAnswer(func(method string, p map[string]any) (any, string) {
		if method == "customer.lookup" && p["query"] == "C-88412" {
			return map[string]any{"id": "C-88412", "name": "Ana Popescu", "language": "ro", "points": 120, "recent": []any{}}, ""
		}
		return nil, "not_found"
	})
	central.Listening(20 * time.Second)
	run(t, tablet, "the node reaches central", hasText(`[data-test=sync]`, "online"))
	attach("online, add the customer again, the card scanned", scan("C-88412"), true, "Ana Popescu")
	shot(t, tablet, "tablet-save-customer")
	run(t, tablet, "save the cart to the customer",
		click(`[data-test=cust-save]`),
		gone(`.backdrop`),
		hasText(`[data-test=tablet-cart]`, "(0)"))
	log := n.out.String()
	if !strings.Contains(log, `"msg":"cart saved to customer"`) || !strings.Contains(log, `"customer":"C-88412"`) {
		t.Fatalf("the node did not record the saved cart:\n%s", log)
	}
}
