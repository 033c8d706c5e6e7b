package browsertest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A till whose device runs in UTC, at a store in Taipei, shows the time
// its shift opened as the store's clock (and the receipt) reads it, not
// as the device's.
func TestTimesInStoreZone(t *testing.T) {
	t.Parallel()
	taipei, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte("time_zone = \"Asia/Taipei\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--config", cfgPath)

	till := browser(t, chromedp.Env("TZ=UTC"))
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	if zone := value(t, till, "the device's zone", chromedp.Evaluate[string](`Intl.DateTimeFormat().resolvedOptions().timeZone`)); zone != "UTC" {
		t.Fatalf("the browser runs in %s, want UTC", zone)
	}
	run(t, till, "open a shift",
		visible(`#scan`),
		click(`[data-test=no-shift-open]`),
		click(`[data-test=shift-open]`),
		keypad("500", `[data-test=pad-ok]`),
		gone(`.backdrop`))
	raw := value(t, till, "the shift's opening", chromedp.Poll[string](`import('/js/api.js').then((a) => a.get('/shift')).then((s) => s.opened_at)`))
	opened, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		t.Fatalf("opened_at %q: %v", raw, err)
	}
	run(t, till, "the shift screen", click(`[data-test=shift]`), visible(`[data-op=paid_out]`))
	// The English screens write dates as en-GB does: 07/12/2026, 04:05.
	want := opened.In(taipei).Format("02/01/2006, 15:04")
	run(t, till, "the opening shows in Taipei's time", hasText(`.modal`, want))
}
