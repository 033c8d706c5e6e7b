package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A till left signed in goes back to the login by itself once its idle
// time has passed, and the sale it had open is there again for the next
// to sign in.
func TestIdleTillLocks(t *testing.T) {
	t.Parallel()
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte("idle_lock = \"2s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--config", cfgPath)
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "scan the backpack", visible(`#scan`), click(`[data-test=totals]`),
		scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`))
	// Left alone, the till sees its session end at its socket's next
	// ping (every 20 s), longer than a step of run may wait.
	c, cancel := context.WithTimeout(till, time.Minute)
	defer cancel()
	if err := chromedp.Do(c, visible(`[data-test=login-step]`), gone(`#scan`)); err != nil {
		t.Fatalf("the till left alone: %v\npage text:\n%s", err, pageText(till))
	}
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "the sale is there again", visible(`.line[data-sku="`+backpackSKU+`"]`))
}

// A till typed on is in use, though what it asks the node only reads: it
// stays signed in past its idle time while keys are typed, and the parked
// sales read after are shown, not the login.
func TestIdleTillTypedOnStays(t *testing.T) {
	t.Parallel()
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte("idle_lock = \"8s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--config", cfgPath)
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "the till", visible(`#scan`))
	for range 12 { // a key a second, half again the idle time
		time.Sleep(time.Second)
		run(t, till, "a key typed", chromedp.SendKeys(`#scan`, "1"))
	}
	run(t, till, "the parked sales", click(`[data-test=parked]`),
		chromedp.Poll[chromedp.Void](`!!document.querySelector('.modal, [data-test=login-step]')`))
	run(t, till, "still signed in", visible(`.modal`), visible(`#scan`))
}
