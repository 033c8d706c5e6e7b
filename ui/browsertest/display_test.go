package browsertest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// ean13 completes twelve digits with their check digit.
func ean13(d12 string) string {
	sum := 0
	for i, c := range d12 {
		n := int(c - '0')
		if i%2 == 1 {
			n *= 3
		}
		sum += n
	}
	return d12 + strconv.Itoa((10-sum%10)%10)
}

// A cart of more lines than the customer display holds: the line just
// scanned, with its price, is in sight on the display, however many
// came before it.
func TestCustomerDisplayShowsTheNewestLine(t *testing.T) {
	t.Parallel()
	const lines = 16
	var codes []string
	base, _ := pickupNodeWith(t, func(db *sqlite.DB) {
		var items []pos.Item
		for i := range lines {
			code := ean13(fmt.Sprintf("73999990%04d", i))
			codes = append(codes, code)
			items = append(items, pos.Item{SKU: fmt.Sprintf("9700%02d", i), Active: true, Names: map[string]string{"en": fmt.Sprintf("Item number %d", i)},
				Barcodes: []string{code}, Unit: pos.UnitEach, Price: 1000 + int64(i), TaxRateBP: 2500})
		}
		if err := db.PutItems(context.Background(), items, pos.Sweden); err != nil {
			t.Fatal(err)
		}
	})
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	display := browser(t)
	login(t, display, base, tillStation, cashierStaff, "1111")
	run(t, display, "the customer display", chromedp.EmulateViewport(1024, 600), visible(`#scan`),
		chromedp.Navigate(base+"/?display="+tillStation), visible(`.display-welcome`))
	run(t, till, "the till", visible(`#scan`), click(`[data-test=totals]`))
	for i, code := range codes {
		run(t, till, "scan "+code, scan(code), visible(fmt.Sprintf(`.line[data-sku="9700%02d"]`, i)))
	}
	run(t, display, "every line on the display", chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelectorAll('.display-lines li').length === %d`, lines)))
	where := value(t, display, "where the newest line is", chromedp.Evaluate[string](`(() => {
  const ol = document.querySelector('.display-lines').getBoundingClientRect();
  const li = [...document.querySelectorAll('.display-lines li')].pop();
  const r = li.getBoundingClientRect();
  return li.textContent + ': ' + (r.top >= ol.top - 1 && r.bottom <= ol.bottom + 1 && r.bottom <= innerHeight + 1 ? 'in sight' :
    'out of sight (' + Math.round(r.top) + '..' + Math.round(r.bottom) + ' in ' + Math.round(ol.top) + '..' + Math.round(ol.bottom) + ')');
})()`))
	if want := fmt.Sprintf("Item number %d", lines-1); !strings.Contains(where, want) || !strings.Contains(where, "in sight") {
		t.Errorf("the newest line on the display: %s", where)
	}
	if first := text(t, display, `.display-lines li:first-child`); !strings.Contains(first, "Item number 0") {
		t.Errorf("the display's first line %q, want the first scanned", first)
	}
}

// The customer display speaks the store's language, as the receipt and
// the pole display do, not the language of the member of staff who
// signed its screen in, nor one they chose on this device for themselves.
func TestCustomerDisplaySpeaksTheStoreLanguage(t *testing.T) {
	t.Parallel()
	base, _ := pickupNodeWith(t, func(db *sqlite.DB) {
		ctx := context.Background()
		set := pos.DefaultSettings()
		set.Version, set.Currency, set.Languages = 1, "RON", []string{"ro", "en"}
		if _, err := db.PutSettings(ctx, set); err != nil {
			t.Fatal(err)
		}
		h, err := pos.HashPIN("5555")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PutStaff(ctx, pos.Staff{ID: "5", Name: "Cashier English", Role: pos.RoleCashier, PINHash: h, Active: true, Language: "en"}); err != nil {
			t.Fatal(err)
		}
	})
	display := browser(t)
	login(t, display, base, tillStation, "5", "5555")
	run(t, display, "the customer display", visible(`#scan`),
		chromedp.Navigate(base+"/?display="+tillStation), visible(`.display-welcome`))
	if got, want := text(t, display, `.display-welcome h1`), "Bun venit!"; got != want {
		t.Errorf("the display of a Romanian store, signed in by a member of staff speaking English, says %q, want %q", got, want)
	}
	run(t, display, "the member of staff chooses Swedish for their screens, then opens the display",
		chromedp.Navigate(base+"/"), visible(`#scan`),
		click(`header [data-test=lang]`), click(`[data-lang=sv]`), chromedp.Poll[chromedp.Void](`document.documentElement.lang === 'sv'`),
		chromedp.Navigate(base+"/?display="+tillStation), visible(`.display-welcome`))
	if got, want := text(t, display, `.display-welcome h1`), "Bun venit!"; got != want {
		t.Errorf("the display of a Romanian store, opened after Swedish was chosen on the device, says %q, want %q", got, want)
	}
}

// A parked sale leaves the customer display: the next customer is
// welcomed, not shown the last one's items and total. The till's next
// cart comes without a push, so the park's own push must clear it.
func TestCustomerDisplayForgetsAParkedSale(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	display := browser(t)
	login(t, display, base, tillStation, cashierStaff, "1111")
	run(t, display, "the customer display", visible(`#scan`),
		chromedp.Navigate(base+"/?display="+tillStation), visible(`.display-welcome`))
	run(t, till, "scan the backpack", visible(`#scan`), scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`))
	run(t, display, "the backpack on the display", visible(`.display-lines li`))
	run(t, till, "park the sale", click(`[data-test=park]`), gone(`.line[data-sku="`+backpackSKU+`"]`))
	run(t, display, "the welcome", visible(`.display-welcome`))
	if got := text(t, display, `.display`); strings.Contains(got, "499") {
		t.Errorf("the display after the park shows %q, want no trace of the parked backpack", got)
	}
}
