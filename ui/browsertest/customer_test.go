package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
)

// ana is central's loyalty profile of the tests' customer.
var ana = map[string]any{"id": "C-88412", "name": "Ana Popescu", "language": "ro", "points": 1250,
	"recent": []any{map[string]any{"channel": "web", "at": "2026-11-20T18:02:00+02:00", "total": 129800, "order_id": "W-2026-000101"}}}

// loyaltyTill is a till with a serial scanner, beside a tablet station,
// on a node that reaches central over a real broker: central answers
// customer.lookup with answer (nil: never, and each lookup runs into the
// node's 3 s rpc timeout) and keeps the sales it applies.
type loyaltyTill struct {
	ctx    context.Context // the till's browser
	serial func(code string) chromedp.Action[chromedp.Void]
	base   string
	tok    string // an API session of the till's cashier
	epoch  string
	c      *centraltest.Central
}

func newLoyaltyTill(t *testing.T, answer func(query any) (any, string)) *loyaltyTill {
	t.Helper()
	br := brokertest.Start(t, brokertest.Options{})
	const store, nodeID = "s1", "till-1"
	lt := &loyaltyTill{c: centraltest.New(t, br.URL(), store, nodeID)}
	lt.c.KeepEvents()
	if answer != nil {
		lt.c.SetAnswer(func(method string, p map[string]any) (any, string) {
			if method == "customer.lookup" {
				return answer(p["query"])
			}
			return nil, "not_found"
		})
	}
	lt.c.Listening(20 * time.Second)
	lt.ctx, lt.serial = serialTill(t, "[[stations]]\nid = \"tablet\"\nkind = \"tablet\"\nname = \"Tablets\"\n",
		"--mqtt", br.URL(), "--store", store, "--node", nodeID)
	run(t, lt.ctx, "the node reaches central", hasText(`[data-test=sync]`, "online"))
	lt.base = value(t, lt.ctx, "the node's address", chromedp.Evaluate[string](`location.origin`))
	lt.tok = apiCall(t, lt.base, "", "POST", "/login", map[string]string{"staff": cashierStaff, "pin": "1111", "station": tillStation})["token"].(string)
	lt.epoch = apiCall(t, lt.base, lt.tok, "GET", "/status", nil)["epoch"].(string)
	return lt
}

// sale waits for central to apply the node's only sale, and returns its
// customer_id.
func (lt *loyaltyTill) sale(t *testing.T) any {
	t.Helper()
	var sales []centraltest.Event
	centraltest.Eventually(t, 15*time.Second, "central gets the sale", func() bool {
		sales = sales[:0]
		for _, e := range lt.c.Log(lt.epoch).Applied {
			if e.Type == "pos.sale.completed" {
				sales = append(sales, e)
			}
		}
		return len(sales) == 1
	})
	return sales[0].Data["customer_id"]
}

// A loyalty customer at the till, central answering: a card typed that
// central does not know is said in the dialog; the card read by the
// station's serial scanner while the dialog is open brings Ana, her
// points and her purchase online onto the sale, and the customer display
// greets her. Taken off, she is scanned back in with the keyboard-wedge
// scanner. Once payment has started she can be neither changed nor
// taken off; the receipt names her by her card's number masked, and the
// sale's event carries her id. A cart a tablet sent with her on it shows
// her at the till as well.
func TestTillLoyaltyCustomer(t *testing.T) {
	t.Parallel()
	lt := newLoyaltyTill(t, func(q any) (any, string) {
		if q == "C-88412" || q == "+40712345678" {
			return ana, ""
		}
		return nil, "not_found"
	})
	till, serial, base := lt.ctx, lt.serial, lt.base
	en := loadStrings(t, "en")
	display := browser(t)
	login(t, display, base, tillStation, cashierStaff, "1111")
	run(t, display, "the customer display", visible(`#scan`), chromedp.Navigate(base+"/?display="+tillStation), visible(`.display-welcome`))

	run(t, till, "a backpack, no customer yet",
		serial(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		hasText(`[data-test=customer]`, en["cust.none"]))
	run(t, till, "a card central does not know, typed: said in the dialog",
		click(`[data-test=cust-attach]`),
		visible(`[data-test=cust-query]`),
		chromedp.SendKeys(`[data-test=cust-query]`, "C-99999\r"),
		hasText(`.modal .form-error`, en["cust.unknown"]))
	run(t, till, "Ana's card on the serial scanner: her name, points and purchase online on the sale",
		serial("C-88412"),
		gone(`.backdrop`),
		hasText(`[data-test=customer]`, "Ana Popescu"),
		hasText(`[data-test=customer] b`, "1,250"),
		hasText(`[data-test=customer] .hint`, "web"),
		hasText(`[data-test=customer] .hint`, "1,298.00"),
		visible(`.line[data-sku="`+backpackSKU+`"]`))
	if n := value(t, till, "lines", chromedp.Evaluate[int](`document.querySelectorAll('.line[data-sku]').length`)); n != 1 {
		t.Fatalf("%d lines after the card was scanned, want the backpack alone", n)
	}
	shot(t, till, "till-customer")
	run(t, display, "the display greets her by her first name", hasText(`[data-test=display-hello]`, "Ana!"))
	if got := text(t, display, `.display`); strings.Contains(got, "Popescu") || strings.Contains(got, "1,250") {
		t.Fatalf("the customer display shows more than her first name:\n%s", got)
	}
	run(t, till, "taken off, and scanned back in with the wedge scanner",
		click(`[data-test=cust-remove]`),
		hasText(`[data-test=customer]`, en["cust.none"]),
		click(`[data-test=cust-attach]`),
		visible(`[data-test=cust-query]`),
		scan("C-88412"),
		gone(`.backdrop`),
		hasText(`[data-test=customer]`, "Ana Popescu"))

	// Payment starts: the customer stays as she is.
	cart := apiCall(t, base, lt.tok, "GET", "/cart", nil)["id"].(string)
	apiCall(t, base, lt.tok, "POST", "/carts/"+cart+"/payments", map[string]any{"method": "cash", "amount": 10000})
	run(t, till, "payment started: no change of customer offered",
		visible(`[data-test=due]`),
		gone(`[data-test=cust-attach]`),
		gone(`[data-test=cust-remove]`),
		hasText(`[data-test=customer]`, "Ana Popescu"))
	run(t, till, "paid: the receipt names her card, masked",
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="39900"]`),
		visible(`[data-test=receipt]`))
	wantContains(t, "receipt", text(t, till, `[data-test=receipt]`), "****412")
	if got := text(t, till, `[data-test=receipt]`); strings.Contains(got, "C-88412") || strings.Contains(got, "Popescu") {
		t.Fatalf("the receipt names the customer in full:\n%s", got)
	}
	if got := lt.sale(t); got != "C-88412" {
		t.Fatalf("pos.sale.completed customer_id %v, want C-88412", got)
	}

	// A cart built on a tablet for Ana and sent to the tills.
	tab := apiCall(t, base, "", "POST", "/login", map[string]string{"staff": cashierStaff, "pin": "1111", "station": "tablet"})["token"].(string)
	sent := apiCall(t, base, tab, "GET", "/cart", nil)["id"].(string)
	apiCall(t, base, tab, "POST", "/carts/"+sent+"/scan", map[string]string{"code": umbrella})
	apiCall(t, base, tab, "POST", "/carts/"+sent+"/customer/lookup", map[string]string{"query": "+40712345678"})
	apiCall(t, base, tab, "POST", "/carts/"+sent+"/park", nil)
	run(t, till, "taken up at the till, the tablet's cart shows her",
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`),
		click(`[data-test=parked]`),
		click(`[data-cart="`+sent+`"]`),
		visible(`.line[data-sku="`+umbrellaSKU+`"]`),
		hasText(`[data-test=customer]`, "Ana Popescu"),
		hasText(`[data-test=customer] b`, "1,250"))
}

// Central silent: each lookup runs into the 3 s rpc timeout. A phone
// number is refused, with what to do; a card's number is kept as typed,
// the till says the points are counted later, and the sale's event
// carries it for central to count them.
func TestTillLoyaltyCustomerOffline(t *testing.T) {
	t.Parallel()
	lt := newLoyaltyTill(t, nil)
	till, serial := lt.ctx, lt.serial
	en := loadStrings(t, "en")
	run(t, till, "a backpack", serial(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`))
	run(t, till, "a phone number, central silent: refused, with the card as the way",
		click(`[data-test=cust-attach]`),
		visible(`[data-test=cust-query]`),
		chromedp.SendKeys(`[data-test=cust-query]`, "+40712345678\r"),
		hasText(`.modal .form-error`, en["err.customer_offline"]))
	run(t, till, "the card's number typed on the screen's keyboard: kept, points counted later",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-test=cust-query]').value = ''`),
		click(`.modal .osk [data-ch="C"]`),
		click(`.modal .osk [data-ch="-"]`),
		click(`.modal .osk [data-ch="1"]`),
		click(`.modal .osk [data-ch="0"]`),
		click(`.modal .osk [data-ch="0"]`),
		click(`.modal .osk [data-ch="0"]`),
		click(`.modal .osk [data-ch="1"]`),
		click(`[data-test=cust-ok]`),
		gone(`.backdrop`),
		hasText(`#toast`, en["cust.offline"]),
		hasText(`[data-test=customer]`, "C-10001"),
		hasText(`[data-test=customer]`, en["cust.later"]))
	shot(t, till, "till-customer-offline")
	run(t, till, "paid in cash",
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="49900"]`),
		visible(`[data-test=receipt]`))
	wantContains(t, "receipt", text(t, till, `[data-test=receipt]`), "****001")
	if got := lt.sale(t); got != "C-10001" {
		t.Fatalf("pos.sale.completed customer_id %v, want C-10001 as typed", got)
	}
}

// The customer display greets a customer whose name is in Chinese
// characters, family name first with no space, by the family name with
// the rest masked, as Taiwan shows names in public; it showed the whole
// name, taken as a first name.
func TestDisplayGreetsChineseName(t *testing.T) {
	t.Parallel()
	chen := map[string]any{"id": "C-20001", "name": "陳美玲", "language": "zh-Hant", "points": 300, "recent": []any{}}
	lt := newLoyaltyTill(t, func(q any) (any, string) {
		if q == "0912345678" {
			return chen, ""
		}
		return nil, "not_found"
	})
	display := browser(t)
	login(t, display, lt.base, tillStation, cashierStaff, "1111")
	run(t, display, "the customer display", visible(`#scan`), chromedp.Navigate(lt.base+"/?display="+tillStation), visible(`.display-welcome`))
	run(t, lt.ctx, "an item and the customer by her phone",
		lt.serial(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=cust-attach]`),
		visible(`[data-test=cust-query]`),
		chromedp.SendKeys(`[data-test=cust-query]`, "0912345678\r"),
		gone(`.backdrop`),
		hasText(`[data-test=customer]`, "陳美玲"))
	run(t, display, "the display greets her", hasText(`[data-test=display-hello]`, "陳○○"))
	if got := text(t, display, `.display`); strings.Contains(got, "美") || strings.Contains(got, "玲") {
		t.Fatalf("the customer display shows her given name:\n%s", got)
	}
}

// On a tablet screen, as on the till's, a loyalty card read by the
// station's serial scanner while the customer dialog is open is the
// customer's: it went to the price check behind the dialog.
func TestTabletSerialScanIntoCustomerDialog(t *testing.T) {
	t.Parallel()
	lt := newLoyaltyTill(t, func(q any) (any, string) {
		if q == "C-88412" {
			return ana, ""
		}
		return nil, "not_found"
	})
	run(t, lt.ctx, "the tablet screen, its cart's customer dialog",
		chromedp.Evaluate[chromedp.Void](`location.hash = '#tablet'`),
		visible(`.screen-tablet`),
		click(`[data-test=tablet-cart]`),
		click(`[data-test=cust-attach]`),
		visible(`[data-test=cust-query]`))
	run(t, lt.ctx, "Ana's card on the serial scanner",
		lt.serial("C-88412"),
		hasText(`[data-test=customer]`, "Ana Popescu"))
	if n := value(t, lt.ctx, "dialogs", chromedp.Evaluate[int](`document.querySelectorAll('[data-test=cust-query]').length`)); n != 0 {
		t.Fatalf("the customer dialog is still open")
	}
}
