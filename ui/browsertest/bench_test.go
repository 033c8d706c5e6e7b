package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/hardware/printer/printertest"
)

// BenchmarkSerialScanToDOM measures a scan from the scanner's
// pseudo-terminal to the line's quantity changing in the till's DOM in
// Chromium: the node reads the code, adds it to the cart and pushes the
// cart over the websocket; the page renders it. Each iteration is one
// scan of the same item (the node keeps repeats here), so the line's quantity counts the scans. With
// POSNODE_BENCH_FULL set (make bench) it scans at least 1,000 times.
// Reported: p50, p95 and max latency in milliseconds.
func BenchmarkSerialScanToDOM(b *testing.B) {
	scanMaster, scanSlave := printertest.OpenPTY(b)
	defer scanMaster.Close()
	defer scanSlave.Close()
	// Repeats are not dropped here, so that one line counts every scan
	// (a cart holds at most 500 lines).
	cfg := fmt.Sprintf("[[stations]]\nid = %q\nkind = \"till\"\nscanner = %q\nscanner_repeat_window = \"-1ns\"\n", tillStation, scanSlave.Name())
	cfgPath := filepath.Join(b.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	n := launch(b, b.TempDir(), "127.0.0.1:0", "--config", cfgPath)
	till := browser(b)
	login(b, till, n.base, tillStation, cashierStaff, "1111")
	run(b, till, "till ready", visible(`#scan`), visible(`[data-device=scanner].ok`))
	// The page stamps the wall-clock time at which each quantity first
	// shows.
	run(b, till, "watch the line", chromedp.Evaluate[chromedp.Void](`(() => {
		window.__seen = {};
		const note = () => {
			let n = 0;
			for (const el of document.querySelectorAll('.line [data-test=qty]')) n += parseInt(el.textContent.replace(/\D/g, ''), 10) || 0;
			if (!n) return;
			if (!(n in window.__seen)) window.__seen[n] = performance.timeOrigin + performance.now();
		};
		new MutationObserver(note).observe(document.getElementById('app'), { subtree: true, childList: true, characterData: true });
	})()`))

	total := b.N
	if os.Getenv("POSNODE_BENCH_FULL") != "" {
		total = max(total, 1000)
	}
	lat := make([]float64, 0, total)
	start := time.Now()
	b.ResetTimer()
	for i := 1; i <= total; i++ {
		sent := float64(time.Now().UnixNano()) / 1e6
		if _, err := scanMaster.Write([]byte(backpack + "\r")); err != nil {
			b.Fatal(err)
		}
		seen := value(b, till, "quantity shown", chromedp.Poll[float64](fmt.Sprintf(`window.__seen[%q]`, fmt.Sprint(i))))
		lat = append(lat, seen-sent)
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(total), "ns/op")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(lat[len(lat)-1], "max-ms")
}

// BenchmarkFirstScreen measures loading the app in a fresh browser profile
// until the login keypad is shown: the HTML, the modules, the stylesheet,
// the translations and the station list.
func BenchmarkFirstScreen(b *testing.B) {
	base := startNode(b)
	ctx := browser(b)
	for b.Loop() {
		run(b, ctx, "first screen",
			chromedp.Navigate("about:blank"),
			chromedp.Navigate(base+"/"),
			visible(`.login-pad .pad [data-key="1"]`),
			visible(`[data-station]`))
	}
}
