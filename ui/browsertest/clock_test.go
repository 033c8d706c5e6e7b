package browsertest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// A node whose clock is behind its newest sale (a board without a
// real-time clock, started offline on the time it last saved) says so in
// every screen's status bar, in the screen's language. A cashier who
// types the manager screen's address stays on the till.
func TestClockBehindShownAndManagerScreenKeptFromCashiers(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	launch(t, data, "127.0.0.1:0").stop() // the demo store

	// A sale recorded by a clock three hours ahead of this one.
	ctx := context.Background()
	ahead := func() time.Time { return time.Now().Add(3 * time.Hour) }
	db, err := sqlite.Open(ctx, filepath.Join(data, "posnode.db"), sqlite.Options{Now: ahead})
	if err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db, Now: ahead})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: tillStation}
	v, err := svc.OpenCart(ctx, a)
	if err == nil {
		v, _, err = svc.Scan(ctx, a, v.ID, "7310865004703")
	}
	if err == nil {
		v, err = svc.PayCash(ctx, a, v.ID, v.Balance.Total)
	}
	if err == nil {
		_, err = svc.Complete(ctx, a, v.ID)
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	n := launch(t, data, "127.0.0.1:0")
	b := browser(t)
	login(t, b, n.base, tillStation, "1", "1111")
	run(t, b, "the till", visible(`.screen-till [data-test=live]`))
	// A clock the kernel reports synchronised to a time source is right,
	// and the sale was made ahead of time: the node logs that instead.
	if strings.Contains(n.out.String(), "the clock is synchronised and behind the newest record") {
		t.Log("this machine's clock is synchronised: the node takes it as right")
		if text(t, b, `#statusbar`) == "" || value(t, b, "clock warning", chromedp.Evaluate[bool](`!!document.querySelector('[data-test=clock]')`)) {
			t.Fatal("a synchronised clock is reported wrong")
		}
	} else {
		run(t, b, "the clock's warning on the till", visible(`.screen-till [data-test=clock].bad`),
			hasText(`[data-test=clock]`, "Clock is behind"))
		shot(t, b, "till-clock-behind")
		run(t, b, "the warning in Swedish",
			click(`header [data-test=lang]`),
			click(`[data-lang=sv]`),
			hasText(`[data-test=clock]`, "Klockan går efter"))
	}

	run(t, b, "a cashier types #manager",
		chromedp.Evaluate[chromedp.Void](`location.hash = '#manager'`),
		chromedp.Poll[chromedp.Void](`location.hash === '#till' && document.getElementById('app').className === 'screen-till'`),
		visible(`.screen-till [data-test=live]`))
}
