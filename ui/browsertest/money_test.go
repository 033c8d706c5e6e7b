package browsertest

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/hardware/receipt"
)

// Screens write money exactly as the receipt prints it, in every language
// and currency: the customer sees one amount on the screen, the pole
// display and the paper.
func TestMoneyAsOnReceipt(t *testing.T) {
	base, _ := pickupNode(t)
	ctx := browser(t)
	langs := []string{"en", "sv", "sk", "ro", "zh-Hant"}
	currencies := []string{"SEK", "EUR", "RON", "TWD", "GBP", "USD"}
	amounts := []int64{0, 5, 4990, 49900, 49950, 149900, 123456789, -4990, -149900}
	run(t, ctx, "open the app", chromedp.Navigate(base+"/"), visible(`[data-station]`))
	run(t, ctx, "format every amount in every language", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(async () => {
		const i18n = await import('/js/i18n.js');
		const format = await import('/js/format.js');
		const out = {};
		for (const lang of %s) {
			await i18n.setLanguage(lang);
			for (const cur of %s) for (const n of %s) out[lang + ' ' + cur + ' ' + n] = format.money(n, cur);
		}
		window.__money = out;
	})()`, js(langs), js(currencies), js(amounts))))
	got := value(t, ctx, "formatted amounts", chromedp.Poll[map[string]string](`window.__money`))
	for _, lang := range langs {
		for _, cur := range currencies {
			for _, n := range amounts {
				key := fmt.Sprintf("%s %s %d", lang, cur, n)
				if want := receipt.Money(n, cur, lang); got[key] != want {
					t.Errorf("%s: screen %q, receipt %q", key, got[key], want)
				}
			}
		}
	}
}

// js writes v as a JavaScript literal.
func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
