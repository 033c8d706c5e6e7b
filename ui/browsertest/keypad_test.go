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

// tap taps the middle of the element sel as a finger does: pointer
// down, up and click.
func tap(sel string) string {
	return `(() => {
		const r = document.querySelector(` + js(sel) + `).getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
		const e = document.elementFromPoint(x, y), o = { bubbles: true, clientX: x, clientY: y };
		e.dispatchEvent(new PointerEvent('pointerdown', o));
		e.dispatchEvent(new PointerEvent('pointerup', o));
		e.click();
	})();`
}

// padKey is the selector of the open keypad's key k.
func padKey(k string) string { return `#modal-root .pad [data-key="` + k + `"]` }

// An item scanned with a keyboard-wedge scanner while the cash amount is
// being typed is not taken as the amount: its digits leave the keypad,
// the cashier is told to close the dialog before scanning, and an amount
// typed by hand on the keyboard is still taken. A double tap on Other
// amount opens the keypad without the second tap's key in it, and a tap
// a moment later is taken. A badge scanned at the login's PIN pad is
// refused as no staff number or PIN: there is no dialog there to close.
// A scan is told by when its keys were typed, not by when the page
// handles them, which a busy page does late.
func TestWedgeScanIntoKeypad(t *testing.T) {
	t.Parallel()
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
	run(t, till, "scan the backpack and pay cash",
		visible(`#scan`),
		scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		visible(`[data-test=cash-other]`))
	// The keypad opens under the finger at the first tap, and the second
	// lands on one of its keys (here 5, wherever a screen puts it).
	run(t, till, "a double tap on Other amount",
		chromedp.Evaluate[chromedp.Void](tap(`[data-test=cash-other]`)+tap(padKey("5"))))
	if v := text(t, till, `[data-test=pad-value]`); v != "" {
		t.Fatalf("a double tap on Other amount put %q in the amount, want nothing", v)
	}
	run(t, till, "a tap on 5 a moment later",
		chromedp.Sleep(400*time.Millisecond),
		chromedp.Evaluate[chromedp.Void](tap(padKey("5"))),
		hasText(`[data-test=pad-value]`, "5"))
	run(t, till, "the umbrella's EAN-8 scanned into the amount, its keys handled late",
		chromedp.Sleep(150*time.Millisecond),
		scanLate(umbrella, 80*time.Millisecond),
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
