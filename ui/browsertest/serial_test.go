package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/hardware/printer/printertest"
	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
)

// A till with a serial scanner and a receipt printer on pseudo-terminals:
// a code typed into the scanner's pty shows as a line in the browser, the
// cashier takes cash and sees the change while the receipt arrives at the
// printer's pty and the drawer is kicked open; the drawer stays open
// past drawer_open_alarm, and the till says so.
func TestTillSerialDevices(t *testing.T) {
	t.Parallel()
	prn := printertest.New(t, printertest.Options{DrawerOpenFor: time.Hour})
	till, serial := serialTill(t, fmt.Sprintf("printer = %q\nprinter_profile = \"tm-t20\"\ndrawer_open_alarm = \"2s\"\n", prn.Path()))
	run(t, till, "till with its devices", visible(`#scan`), visible(`[data-device=printer].ok`))
	run(t, till, "the serial scan shows as a line", serial(backpack),
		visible(`.line[data-sku="`+backpackSKU+`"]`),
		hasText(`[data-test=till-msg]`, "Backpack 20 L"))
	shot(t, till, "till-serial")
	run(t, till, "pay 500 cash", click(`[data-test=pay-cash]`), click(`.quick [data-amount="50000"]`))
	wantContains(t, "change", text(t, till, `[data-test=change]`), "1.00")

	var jobs []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if jobs = prn.Jobs(); len(jobs) > 0 && prn.Kicks() > 0 {
			break
		}
	}
	if len(jobs) != 1 || prn.Kicks() != 1 {
		t.Fatalf("printer got %d jobs and %d drawer kicks, want 1 and 1", len(jobs), prn.Kicks())
	}
	if !strings.Contains(jobs[0], "Ryggsäck 20 l") {
		t.Errorf("receipt lacks the item:\n%s", jobs[0])
	}
	// The kick opened the drawer and nobody shuts it: the till says it
	// was left open, at once and in its status bar.
	run(t, till, "the drawer left open", visible(`#toast .toast.error`), visible(`[data-device=drawer].bad`))
	wantContains(t, "drawer alarm", text(t, till, `#toast`), "Drawer", "left open")
	wantContains(t, "drawer pill", text(t, till, `[data-device=drawer]`), "left open")
}

// An item scanned on the serial scanner while the return dialog is open
// goes into the sale behind it, as every serial scan at a till does; the
// cashier is told so at once, over the dialog, and again on the till.
func TestSerialScanBehindADialog(t *testing.T) {
	t.Parallel()
	till, serial := serialTill(t, "")
	run(t, till, "sell the umbrella",
		serial(umbrella), visible(`.line[data-sku="`+umbrellaSKU+`"]`),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="19900"]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`))
	run(t, till, "the receipt scanned: the return dialog opens; the umbrella scanned in it",
		serial("R0000000001"),
		visible(`[data-test=return-more]`),
		serial(umbrella),
		visible(`#toast .toast.error`),
		visible(`[data-test=return-more]`))
	wantContains(t, "warning", text(t, till, `#toast`), "Umbrella", "behind")
	run(t, till, "close the return dialog", click(`.modal header button`), gone(`.backdrop`))
	wantContains(t, "till message", text(t, till, `[data-test=till-msg].warn`), "Umbrella", "behind")
}

// Noise from the till's serial scanner (a wrong baud rate, an over-long
// read) is no code: the till asks the cashier to scan again, and the next
// good scan goes into the sale.
func TestSerialScanNotRead(t *testing.T) {
	t.Parallel()
	till, serial := serialTill(t, "")
	run(t, till, "noise on the line", serial("\xff\xfe\x80\r"+strings.Repeat("7", 300)),
		hasText(`[data-test=till-msg].error`, "Scan not read. Scan again."))
	run(t, till, "the next scan goes in", serial(umbrella), visible(`.line[data-sku="`+umbrellaSKU+`"]`))
}

// serialTill runs a node whose till has a scanner on a pseudo-terminal,
// and the station settings more (args added to its command line), signs a cashier in at the till in a
// browser, waits for the scanner to connect, and returns the browser and
// an action that sends a code and a CR as the scanner does.
func serialTill(t *testing.T, more string, args ...string) (context.Context, func(code string) chromedp.Action[chromedp.Void]) {
	t.Helper()
	return serialTillAs(t, cashierStaff, "1111", more, args...)
}

// serialTillAs is serialTill with staff signed in with pin.
func serialTillAs(t *testing.T, staff, pin, more string, args ...string) (context.Context, func(code string) chromedp.Action[chromedp.Void]) {
	t.Helper()
	scanMaster, scanSlave := printertest.OpenPTY(t)
	t.Cleanup(func() { scanMaster.Close(); scanSlave.Close() })
	cfg := fmt.Sprintf("[[stations]]\nid = %q\nkind = \"till\"\nname = \"Till 1\"\nscanner = %q\n%s", tillStation, scanSlave.Name(), more)
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", append([]string{"--config", cfgPath}, args...)...)
	till := browser(t)
	login(t, till, n.base, tillStation, staff, pin)
	run(t, till, "the scanner connects", visible(`[data-device=scanner].ok`))
	return till, func(code string) chromedp.Action[chromedp.Void] {
		return func(context.Context, *chromedp.Target) (chromedp.Void, error) {
			_, err := scanMaster.Write([]byte(code + "\r"))
			return chromedp.Void{}, err
		}
	}
}

// holdPayments makes the till's payments wait, as on a node slow to
// answer: with answered, the node takes each payment and only its answer
// is held, else the request itself is. window.__release lets them go.
func holdPayments(answered bool) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const answered = %t;
		window.__payments = 0;
		window.__held = new Promise((r) => (window.__release = r));
		const f = window.fetch;
		window.fetch = (url, opt) => {
			if (!String(url).endsWith('/payments') || !opt || opt.method !== 'POST') return f(url, opt);
			window.__payments++;
			if (!answered) return window.__held.then(() => f(url, opt));
			return f(url, opt).then((r) => window.__held.then(() => r));
		};
	})()`, answered))
}

// An item scanned on the serial scanner while the till's payment is on
// its way is kept, as a wedge scan is, and goes into the next sale once
// the payment has completed this one: it is neither refused by the sale
// being paid (and lost) nor sold in it.
func TestSerialScanWhilePaying(t *testing.T) {
	t.Parallel()
	till, serial := serialTill(t, "")
	run(t, till, "the backpack paid with 500, the node slow to answer",
		serial(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		visible(`.quick [data-amount="50000"]`),
		holdPayments(true),
		click(`.quick [data-amount="50000"]`),
		chromedp.Poll[chromedp.Void](`window.__payments > 0`))
	// The node has taken the payment (its answer is held) once the cart
	// it keeps for the till has it.
	run(t, till, "the umbrella scanned once the node has the payment",
		chromedp.Evaluate[chromedp.Void](`(async function tick() {
			const c = await (await fetch('/api/v1/cart')).json();
			if ((c.payments || []).length) window.__atNode = true;
			else setTimeout(tick, 50);
		})()`),
		chromedp.Poll[chromedp.Void](`window.__atNode === true`),
		serial(umbrella),
		hasText(`[data-test=till-msg]`, loadStrings(t, "en")["till.scan_held"]),
		visible(`#toast .toast`))
	run(t, till, "the node answers",
		chromedp.Evaluate[chromedp.Void](`window.__release()`),
		visible(`[data-test=receipt]`),
		visible(`.line[data-sku="`+umbrellaSKU+`"]`))
	wantContains(t, "change", text(t, till, `[data-test=change]`), "1.00")
	if n := value(t, till, "backpacks in the next sale", chromedp.Evaluate[int](`document.querySelectorAll('.line[data-sku="`+backpackSKU+`"]').length`)); n != 0 {
		t.Errorf("the next sale has the sold backpack")
	}
}

// An item scanned on the serial scanner while the cash dialog offers the
// amounts of the total goes into the sale, and the dialog no longer
// offers them: a tap on one would pay a total that is not the sale's.
func TestSerialScanUnderTheCashDialog(t *testing.T) {
	t.Parallel()
	till, serial := serialTill(t, "")
	run(t, till, "the backpack, the cash dialog open, the umbrella scanned",
		serial(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		visible(`.quick [data-amount="49900"]`),
		serial(umbrella),
		visible(`#toast .toast`),
		visible(`.line[data-sku="`+umbrellaSKU+`"]`),
		visible(`.quick [data-amount="49900"][disabled]`),
		hasText(`.modal .due-line`, "698.00"))
	run(t, till, "the dialog closed, the cash dialog offers the new total",
		click(`.modal header button`), gone(`.backdrop`),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="69800"]`),
		visible(`[data-test=receipt]`))
}

// A code kept while a payment is on its way is given back once the node
// has not answered the payment for the till's bound on keeping it (here
// reached at once): it is not added, the cashier is told which code to
// scan again, and it never lands in the sale open when the node answers
// at last.
func TestScanHeldPastItsBound(t *testing.T) {
	t.Parallel()
	base := startNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "the backpack paid with 500, the node not answering",
		visible(`#scan`),
		scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		holdPayments(false),
		click(`.quick [data-amount="50000"]`),
		chromedp.Poll[chromedp.Void](`window.__payments > 0`),
		// The till's minute-long bound on a kept scan is reached at once.
		chromedp.Evaluate[chromedp.Void](`(() => {
			const st = window.setTimeout;
			window.setTimeout = (f, ms, ...a) => st(f, ms === 60000 ? 0 : ms, ...a);
		})()`))
	run(t, till, "the umbrella scanned is given back",
		scan(umbrella),
		hasText(`[data-test=till-msg].error`, umbrella),
		hasText(`#toast`, umbrella))
	wantContains(t, "message", text(t, till, `[data-test=till-msg]`), "Not added")
	run(t, till, "the node answers at last",
		chromedp.Evaluate[chromedp.Void](`window.__release()`),
		visible(`[data-test=receipt]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`),
		hasText(`[data-test=totals]`, "0.00"))
	if n := value(t, till, "lines in the next sale", chromedp.Evaluate[int](`document.querySelectorAll('.line').length`)); n != 0 {
		t.Errorf("the next sale has %d lines, want none", n)
	}
	run(t, till, "the next scan goes in", scan(umbrella), visible(`.line[data-sku="`+umbrellaSKU+`"]`))
}

// A receipt code no receipt has (R and ten zeros, or a number not sold
// yet), scanned on either scanner or typed into the return's receipt
// number, tells the cashier that no such receipt is here.
func TestReceiptCodeOfNoReceipt(t *testing.T) {
	t.Parallel()
	till, serial := serialTill(t, "")
	want := loadStrings(t, "en")["return.not_found"]
	if want == "" {
		t.Fatal("en.json has no return.not_found")
	}
	want = strings.ReplaceAll(want, "{code}", "R0000000000")
	for _, tc := range []struct {
		name string
		scan chromedp.Action[chromedp.Void]
	}{
		{"serial scanner", serial("R0000000000")},
		{"wedge scanner", scan("R0000000000")},
		{"typed", chromedp.Steps(click(`[data-test=return]`), keypad("0", `[data-test=pad-ok]`))},
	} {
		run(t, till, tc.name,
			chromedp.Evaluate[chromedp.Void](`document.getElementById('toast').replaceChildren()`),
			tc.scan,
			hasText(`#toast`, want), gone(`.backdrop`))
	}
	run(t, till, "a number not sold yet", click(`[data-test=return]`), keypad("42", `[data-test=pad-ok]`),
		hasText(`#toast`, "R0000000042"))
}

// An item scanned on a till's serial scanner while the till shows its
// tablet screen is for that screen, as a wedge scanner's code is: its
// price and stock show, and it goes into no sale. It went into the till's
// sale, with a warning. On the manager's screen it still goes into the
// sale, and the manager is told so there.
func TestSerialScanAwayFromTheTill(t *testing.T) {
	t.Parallel()
	till, serial := serialTillAs(t, "3", "3333", "")
	run(t, till, "the tablet screen, the umbrella scanned",
		chromedp.Evaluate[chromedp.Void](`location.hash = '#tablet'`),
		visible(`.screen-tablet`),
		serial(umbrella),
		visible(`[data-test=price-check]`),
		visible(`[data-test=stock-here]`),
		chromedp.Evaluate[chromedp.Void](`fetch('/api/v1/cart').then((r) => r.json()).then((c) => (window.__lines = c.lines.length))`),
		chromedp.Poll[chromedp.Void](`window.__lines !== undefined`))
	if n := value(t, till, "lines", chromedp.Evaluate[int](`window.__lines`)); n != 0 {
		t.Fatalf("the till's sale has %d lines after a price check on its tablet screen, want none", n)
	}
	run(t, till, "the manager's screen, the backpack scanned",
		chromedp.Evaluate[chromedp.Void](`location.hash = '#manager'`),
		visible(`.screen-manager`),
		serial(backpack),
		visible(`#toast .toast`))
	wantContains(t, "warning", text(t, till, `#toast`), backpack, "till")
}

// A code the serial scanner reads while a dialog is in front and the
// node refuses (an unknown code, noise) is told over the dialog, as an
// item put in behind it is: the till's message under the dialog goes
// unseen, and the cashier would take the item for scanned.
func TestSerialScanRefusedBehindADialog(t *testing.T) {
	t.Parallel()
	till, serial := serialTill(t, "")
	unknown := loadStrings(t, "en")["err.unknown_code"]
	if unknown == "" {
		t.Fatal("en.json has no err.unknown_code")
	}
	run(t, till, "the parked sales open, an unknown code scanned",
		click(`[data-test=parked]`), visible(`.backdrop`),
		serial("7310865999993"),
		visible(`#toast .toast.error`))
	wantContains(t, "warning", text(t, till, `#toast`), unknown)
	run(t, till, "noise scanned",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('toast').replaceChildren()`),
		serial("\xff\xfe\x80"),
		visible(`#toast .toast.error`))
	wantContains(t, "warning", text(t, till, `#toast`), "Scan again")
}

// A receipt scanned on the serial scanner while the till's payment is on
// its way waits for it, as a wedge scan does: the return opens once the
// sale is paid and its receipt shown, not over the payment.
func TestSerialReceiptScanWhilePaying(t *testing.T) {
	t.Parallel()
	till, serial := serialTill(t, "")
	run(t, till, "sell the umbrella",
		serial(umbrella), visible(`.line[data-sku="`+umbrellaSKU+`"]`),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="19900"]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`))
	run(t, till, "the backpack paid, the node slow to answer, the umbrella's receipt scanned",
		serial(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		visible(`.quick [data-amount="49900"]`),
		holdPayments(true),
		click(`.quick [data-amount="49900"]`),
		chromedp.Poll[chromedp.Void](`window.__payments > 0`),
		serial("R0000000001"),
		hasText(`[data-test=till-msg]`, loadStrings(t, "en")["till.scan_held"]))
	if n := value(t, till, "return dialogs", chromedp.Evaluate[int](`document.querySelectorAll('[data-test=return-more]').length`)); n != 0 {
		t.Errorf("the return opened over the payment")
	}
	run(t, till, "the node answers: the receipt, then the return",
		chromedp.Evaluate[chromedp.Void](`window.__release()`),
		visible(`[data-test=receipt]`),
		visible(`[data-test=return-more]`))
}

// Noise from the serial scanner while the last sale's receipt is shown,
// with the change to give, is told over the receipt and leaves it there:
// it put the receipt away as a code of the next customer's does, and the
// cashier lost the change to give back.
func TestSerialNoiseLeavesTheReceipt(t *testing.T) {
	t.Parallel()
	till, serial := serialTill(t, "")
	run(t, till, "the umbrella paid with 200, its receipt with 1.00 change",
		serial(umbrella), visible(`.line[data-sku="`+umbrellaSKU+`"]`),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="20000"]`),
		visible(`[data-test=receipt]`),
		hasText(`[data-test=change]`, "1.00"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('toast').replaceChildren()`),
		serial("\xff\xfe\x80"),
		visible(`#toast .toast.error`))
	wantContains(t, "warning", text(t, till, `#toast`), "Scan again")
	run(t, till, "the receipt is still shown", visible(`[data-test=receipt]`), hasText(`[data-test=change]`, "1.00"))
}

// A tablet station's serial scanner does there what a wedge scanner
// does: the code goes into the search and the item's price and stock
// show, a weight label's amount with them. It did nothing.
func TestSerialScanAtATablet(t *testing.T) {
	t.Parallel()
	scanMaster, scanSlave := printertest.OpenPTY(t)
	t.Cleanup(func() { scanMaster.Close(); scanSlave.Close() })
	cfg := fmt.Sprintf("[[stations]]\nid = \"tab\"\nkind = \"tablet\"\nname = \"Tablets\"\nscanner = %q\n", scanSlave.Name())
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--config", cfgPath)
	tab := browser(t)
	login(t, tab, n.base, "tab", cashierStaff, "1111")
	serial := func(code string) chromedp.Action[chromedp.Void] {
		return func(context.Context, *chromedp.Target) (chromedp.Void, error) {
			_, err := scanMaster.Write([]byte(code + "\r"))
			return chromedp.Void{}, err
		}
	}
	run(t, tab, "1,234 g of apples scanned",
		visible(`.screen-tablet [data-device=scanner].ok`),
		serial("2300100012346"),
		visible(`[data-test=price-check]`),
		visible(`[data-test=stock-here]`))
	wantAny(t, "price check", text(t, tab, `[data-test=price-check]`), "36.90", "36,90")
	if v := value(t, tab, "search", chromedp.Evaluate[string](`document.querySelector('[data-test=search-input]').value`)); v != "2300100012346" {
		t.Fatalf("search field %q after the scan, want the code", v)
	}
}

// The customer's QR read by the pickup counter's serial scanner before
// the order is ready opens the order as it stands and says why it cannot
// be handed over yet, as the QR from a wedge scanner does. The counter
// said why and showed no order.
func TestSerialPickupQRBeforeReady(t *testing.T) {
	t.Parallel()
	br := brokertest.Start(t, brokertest.Options{})
	scanMaster, scanSlave := printertest.OpenPTY(t)
	t.Cleanup(func() { scanMaster.Close(); scanSlave.Close() })
	cfg := fmt.Sprintf("[[stations]]\nid = \"pickup\"\nkind = \"pickup\"\nname = \"Pickup\"\nscanner = %q\n", scanSlave.Name())
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--config", cfgPath, "--mqtt", br.URL(), "--store", "s1", "--node", "till-1")
	central := centraltest.New(t, br.URL(), "s1", "till-1")
	counter := browser(t)
	login(t, counter, n.base, "pickup", cashierStaff, "1111")
	central.Publish(t, "orders/W-EARLY", true, `{"order_id":"W-EARLY","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-11","name":"Eva Berg","phone":"","language":"sv"},
		"pickup_code":"121212","payment":{"status":"paid","amount":19900,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"100236","name":"Paraply","qty":1,"unit_price":19900}],"arrival":null}`)
	run(t, counter, "the customer's QR read by the scanner opens the order being picked",
		visible(`[data-order="W-EARLY"]`),
		visible(`[data-device=scanner].ok`),
		func(context.Context, *chromedp.Target) (chromedp.Void, error) {
			_, err := scanMaster.Write([]byte("PICKUP:W-EARLY:121212\r"))
			return chromedp.Void{}, err
		},
		hasText(`[data-test=order] h2`, "W-EARLY"),
		hasText(`[data-test=order-state]`, "New"),
		hasText(`#toast`, "not in a state"))
}
