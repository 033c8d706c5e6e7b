package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// typeSlowly types keys one at a time with a person's pause between them.
func typeSlowly(keys string) chromedp.Action[chromedp.Void] {
	var steps []chromedp.Action[chromedp.Void]
	for i, k := range keys {
		if i > 0 {
			steps = append(steps, chromedp.Sleep(150*time.Millisecond))
		}
		steps = append(steps, chromedp.KeyEvent(string(k)))
	}
	return chromedp.Steps(steps...)
}

// An item scanned with a keyboard-wedge scanner while the cash amount is
// being typed is not taken as the amount: its digits leave the keypad,
// the cashier is told to close the dialog before scanning, and an amount
// typed by hand on the keyboard is still taken. A badge scanned at the
// login's PIN pad is refused as no staff number or PIN: there is no
// dialog there to close.
func TestWedgeScanIntoKeypad(t *testing.T) {
	base, _ := pickupNode(t)
	till := browser(t)
	run(t, till, "a badge scanned at the login",
		chromedp.Navigate(base+"/"),
		visible(`[data-test=login-step]`),
		scan("C-88412"),
		visible(`#toast .toast.error`))
	if got, want := text(t, till, `#toast .toast.error`), loadStrings(t, "en")["login.scan"]; got != want {
		t.Errorf("a scan at the login says %q, want %q", got, want)
	}
	if v := text(t, till, `[data-test=pad-value]`); v != "" {
		t.Errorf("the login's pad holds %q after the scan, want nothing", v)
	}
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "scan the backpack and ask for another cash amount",
		visible(`#scan`),
		scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		click(`[data-test=cash-other]`),
		visible(`[data-test=pad-ok]`),
		typeSlowly("5"))
	run(t, till, "the umbrella's EAN-8 scanned into the amount",
		chromedp.Sleep(150*time.Millisecond),
		scan(umbrella),
		visible(`#toast .toast.error`),
		visible(`[data-test=pad-ok]`))
	if v := text(t, till, `[data-test=pad-value]`); v != "5" {
		t.Fatalf("amount after the scan = %q, want the 5 typed before it", v)
	}
	run(t, till, "the rest typed by hand, and Enter",
		typeSlowly("00\r"),
		visible(`[data-test=receipt]`))
	wantContains(t, "change", text(t, till, `[data-test=change]`), "1.00")
}
