package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// In a store whose prices do not include tax, the tax is added to the
// lines' prices: the till called it "of which VAT", as if it were in
// them, and the customer display showed lines that did not add up to
// the total, with no tax between them, and so did the tablet's cart.
func TestTaxAddedShownAsAdded(t *testing.T) {
	t.Parallel()
	base, _ := pickupNodeWith(t, func(db *sqlite.DB) {
		set := pos.DefaultSettings()
		set.Version, set.Currency, set.PricesIncludeTax, set.CashRounding, set.Languages = 2, "USD", false, 1, []string{"en"}
		if _, err := db.PutSettings(context.Background(), set); err != nil {
			t.Fatal(err)
		}
	})
	en := loadStrings(t, "en")
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	display := browser(t)
	login(t, display, base, tillStation, cashierStaff, "1111")
	run(t, display, "the customer display", visible(`#scan`),
		chromedp.Navigate(base+"/?display="+tillStation), visible(`.display-welcome`))
	run(t, till, "a backpack at 499.00 and 25 % tax",
		visible(`#scan`),
		scan(backpack),
		visible(`.line[data-sku="`+backpackSKU+`"]`),
		hasText(`[data-test=total]`, "623.75"))
	wantContains(t, "till", text(t, till, `[data-test=totals]`), en["till.tax_added"], "124.75")
	if got := text(t, till, `[data-test=totals]`); strings.Contains(got, en["till.tax"]) {
		t.Errorf("the till calls tax added %q:\n%s", en["till.tax"], got)
	}
	run(t, display, "the display", hasText(`[data-test=display-total]`, "623.75"))
	wantContains(t, "display", text(t, display, `.display-total`), en["till.tax_added"], "124.75")
	run(t, till, "the sale on the till's tablet screen",
		chromedp.Evaluate[chromedp.Void](`location.hash = "#tablet"`),
		visible(`[data-test=tablet-cart]`),
		click(`[data-test=tablet-cart]`),
		visible(`.modal .line.total`))
	wantContains(t, "tablet cart", text(t, till, `.modal`), en["till.tax_added"], "124.75", "623.75")
}
