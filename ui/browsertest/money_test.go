package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// Screens write money exactly as the receipt prints it, in every language
// and currency: the customer sees one amount on the screen, the pole
// display and the paper.
func TestMoneyAsOnReceipt(t *testing.T) {
	t.Parallel()
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

// A store in another currency than the demo's shows amounts in it from
// the start: the pickup queue's amounts due before any order or cart is
// opened, and the till's own default.
func TestStoreCurrencyFromStart(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNodeWith(t, func(db *sqlite.DB) {
		set := pos.DefaultSettings()
		set.Version, set.Currency = 1, "EUR"
		if _, err := db.PutSettings(context.Background(), set); err != nil {
			t.Fatal(err)
		}
	})
	raw := []byte(`{"order_id":"W-EUR-1","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-1","name":"Jana Kováčová","phone":"","language":"sk"},
		"pickup_code":"111111","payment":{"status":"pay_at_pickup","amount":19900,"currency":"EUR"},
		"lines":[{"line_id":"1","sku":"100236","name":"Dáždnik","qty":1,"unit_price":19900}],"arrival":null}`)
	o := placeOrder(t, pickup, raw)
	ctx := context.Background()
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	if _, err := pickup.StartPicking(ctx, staff, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := pickup.PickScan(ctx, staff, o.ID, umbrella); err != nil {
		t.Fatal(err)
	}
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "the amount due is in euros", hasText(`[data-order="W-EUR-1"] .due`, "€199.00"))
	cur := value(t, counter, "the screens' currency", chromedp.Poll[string](`import('/js/format.js').then((f) => f.currency())`))
	if cur != "EUR" {
		t.Errorf("currency after login = %q, want EUR", cur)
	}
}

// Screens write a rate as the receipt prints it, in every language (the
// screens' no-break space is the paper's space): "25 %" in Swedish,
// Slovak and Romanian, "25%" in English and Chinese.
func TestPercentAsOnReceipt(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	ctx := browser(t)
	langs := []string{"en", "sv", "sk", "ro", "zh-Hant"}
	rates := []int64{0, 550, 600, 1000, 1250, 1905, 2500}
	run(t, ctx, "open the app", chromedp.Navigate(base+"/"), visible(`[data-station]`))
	run(t, ctx, "format every rate in every language", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(async () => {
		const i18n = await import('/js/i18n.js');
		const format = await import('/js/format.js');
		const out = {};
		for (const lang of %s) {
			await i18n.setLanguage(lang);
			for (const bp of %s) out[lang + ' ' + bp] = format.percent(bp);
		}
		window.__percent = out;
	})()`, js(langs), js(rates))))
	got := value(t, ctx, "formatted rates", chromedp.Poll[map[string]string](`window.__percent`))
	space := strings.NewReplacer("\u00a0", " ", "\u202f", " ")
	for _, lang := range langs {
		for _, bp := range rates {
			key := fmt.Sprintf("%s %d", lang, bp)
			if want := receipt.Percent(bp, lang); space.Replace(got[key]) != want {
				t.Errorf("%s: screen %q, receipt %q", key, got[key], want)
			}
		}
	}
}
