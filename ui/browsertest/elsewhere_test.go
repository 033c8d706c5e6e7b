package browsertest

import (
	"testing"
)

// A supervisor parks the till's sale from another device: the till
// leaves it for a new cart, and the next scan goes there instead of being
// refused as parked.
func TestCartParkedElsewhere(t *testing.T) {
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
}
