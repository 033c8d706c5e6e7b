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
