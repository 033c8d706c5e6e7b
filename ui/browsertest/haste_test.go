package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos/sqlite"
)

// countPosts makes the page count its POSTs to the API path p, sent and
// answered, in window.__posts.
func countPosts(p string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => {
		window.__posts = { sent: 0, done: 0 };
		const f = window.fetch;
		window.fetch = (url, opt) => {
			if (String(url).endsWith('/api/v1' + ` + js(p) + `) && opt && opt.method === 'POST') {
				window.__posts.sent++;
				return f(url, opt).finally(() => window.__posts.done++);
			}
			return f(url, opt);
		};
	})()`)
}

// A double tap on the return's button returns the goods once: one of two
// backpacks comes back, and the other can still be returned.
func TestReturnTappedTwice(t *testing.T) {
	var db *sqlite.DB
	base, _ := pickupNodeWith(t, func(d *sqlite.DB) { db = d })
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	line := `.line[data-sku="` + backpackSKU + `"]`
	run(t, till, "sell two backpacks",
		visible(`#scan`),
		scan(backpack), visible(line),
		click(line+` [data-test=qty-more]`),
		hasText(`[data-test=total]`, "998.00"),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="99800"]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`))
	run(t, till, "return one of them, tapping twice",
		scan("R0000000001"),
		click(`[data-test=return-more]`),
		click(`.modal [data-reason=changed_mind]`),
		hasText(`[data-test=return-total]`, "499.00"),
		countPosts("/returns"),
		chromedp.Evaluate[chromedp.Void](`(() => { const b = document.querySelector('[data-test=return-ok]'); b.click(); b.click() })()`),
		gone(`.backdrop`),
		chromedp.Poll[chromedp.Void](`window.__posts.sent > 0 && window.__posts.sent === window.__posts.done`))
	ctx := context.Background()
	sale, err := db.SaleByReceipt(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	done, err := db.Returned(ctx, "sale:"+sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := done.Lines["1"].Qty; n != 1 {
		t.Fatalf("backpacks returned = %d, want 1", n)
	}
}
