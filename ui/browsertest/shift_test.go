package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// A paid-out asks the cashier why the drawer is opened: an empty reason
// is refused on the screen, and the reason given is what the shift
// records.
func TestCashOperationReason(t *testing.T) {
	t.Parallel()
	var db *sqlite.DB
	base, _ := pickupNodeWith(t, func(d *sqlite.DB) { db = d })
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "open the shift",
		visible(`#scan`),
		click(`[data-test=shift]`),
		click(`[data-test=shift-open]`),
		keypad("1000", `[data-test=pad-ok]`),
		gone(`.backdrop`))
	run(t, till, "pay out 25 with no reason",
		click(`[data-test=shift]`),
		click(`[data-op=paid_out]`),
		keypad("25", `[data-test=pad-ok]`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=text-input]`), "   "),
		click(`[data-test=text-ok]`),
		hasText(`[data-test=text-error]`, "Say why"))
	run(t, till, "give the reason",
		chromedp.SendKeys(chromedp.CSS(`[data-test=text-input]`), "Window cleaner "),
		click(`[data-test=text-ok]`),
		hasText(`#toast .toast.ok`, "Cash out: recorded"))
	ctx := context.Background()
	sh, err := db.CurrentShift(ctx, tillStation)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.ShiftData(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.CashOps) != 1 || d.CashOps[0].Kind != pos.CashPaidOut || d.CashOps[0].Amount != 2500 || d.CashOps[0].Reason != "Window cleaner" {
		t.Fatalf("cash operations = %+v, want one paid-out of 2500 for the window cleaner", d.CashOps)
	}
}

// A till without an open shift says so above the scan field, and the
// cashier opens one from there; the banner goes once it is open.
func TestNoShiftBanner(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "the till says no shift is open",
		visible(`#scan`),
		hasText(`[data-test=no-shift]`, "No shift is open at this till"))
	shot(t, till, "till-no-shift")
	run(t, till, "open one from the banner",
		click(`[data-test=no-shift-open]`),
		click(`[data-test=shift-open]`),
		keypad("500", `[data-test=pad-ok]`),
		gone(`.backdrop`),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-test=no-shift]').hidden`))
}

// The X report on screen names every amount the expected cash is made of,
// as the printed one does: a gift card sold for cash is among them, and
// what left the drawer (paid out, dropped) is shown taken away. Added up
// line by line, the screen comes to its own expected cash. The drawer's
// alarms are counted beside its no-sale openings.
func TestShiftReportOnScreenAddsUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	base, _ := pickupNodeWith(t, func(db *sqlite.DB) {
		sh := &pos.Shift{ID: "sh-1", Station: tillStation, OpenedBy: "2", OpenedAt: at, Float: 100000}
		if err := db.OpenShift(ctx, sh); err != nil {
			t.Fatal(err)
		}
		if err := db.AddCashOp(ctx, &pos.CashOp{ID: "op-1", ShiftID: sh.ID, Station: tillStation, Kind: pos.CashPaidOut,
			Amount: 2500, Reason: "window cleaner", Staff: "2", At: at}); err != nil {
			t.Fatal(err)
		}
		if err := db.IssueVoucher(ctx, &pos.Voucher{Code: "GC-1", Kind: pos.MethodGiftCard, Issued: 10000, Balance: 10000,
			CreatedAt: at, Ref: "birthday", IssuedBy: "2", Station: tillStation, ShiftID: sh.ID, Cash: 10000}); err != nil {
			t.Fatal(err)
		}
		for _, alarm := range []string{pos.DrawerOpenedUnasked, pos.DrawerLeftOpen, pos.DrawerOpenedUnasked} {
			if err := db.AddDrawerAlarm(ctx, &pos.DrawerAlarm{Station: tillStation, Alarm: alarm, At: at}); err != nil {
				t.Fatal(err)
			}
		}
	})
	till := browser(t)
	login(t, till, base, tillStation, "2", "2222")
	run(t, till, "read the X report",
		visible(`#scan`),
		click(`[data-test=shift]`),
		click(`[data-test=shift-x]`),
		hasText(`[data-test=shift-report]`, "SEK 1,075.00"))
	got := text(t, till, `[data-test=shift-report]`)
	wantContains(t, "X report", got, "Gift cards sold", "SEK 100.00", "-SEK 25.00",
		"Openings not by the till\n2", "Drawer left open\n1")
}
