package browsertest

import (
	"testing"
)

// A supervisor parks the till's sale from another device: the till
// leaves it for a new cart, and the next scan goes there instead of being
// refused as parked. A parked sale taken up for the till from another
// device shows at the till at once, in place of its empty cart.
func TestCartParkedElsewhere(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "scan the backpack", visible(`#scan`), scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`))
	tok := apiCall(t, base, "", "POST", "/login", map[string]string{"staff": "2", "pin": "2222", "station": tillStation})["token"].(string)
	cart := apiCall(t, base, tok, "GET", "/cart", nil)
	apiCall(t, base, tok, "POST", "/carts/"+cart["id"].(string)+"/park", nil)
	run(t, till, "the parked sale leaves the till; the next scan starts a new one",
		gone(`.line[data-sku="`+backpackSKU+`"]`),
		scan(umbrella),
		visible(`.line[data-sku="`+umbrellaSKU+`"]`))

	second := apiCall(t, base, tok, "GET", "/cart", nil)
	apiCall(t, base, tok, "POST", "/carts/"+second["id"].(string)+"/park", nil)
	run(t, till, "the second sale parked too", gone(`.line[data-sku="`+umbrellaSKU+`"]`))
	apiCall(t, base, tok, "POST", "/carts/"+cart["id"].(string)+"/resume", nil)
	run(t, till, "the first sale, taken up again, is on the till", visible(`.line[data-sku="`+backpackSKU+`"]`))
}
