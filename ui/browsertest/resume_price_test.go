package browsertest

import (
	"context"
	"testing"

	"github.com/posnode/posnode/pos"
)

// A sale parked before central lowered a price is taken up at today's
// price, and the till says prices changed.
func TestResumedSaleAtTodaysPrice(t *testing.T) {
	t.Parallel()
	n := inProcessNode(t, nil)
	en := loadStrings(t, "en")
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	line := `.line[data-sku="` + backpackSKU + `"]`
	run(t, till, "a backpack, parked",
		visible(`#scan`),
		scan(backpack),
		visible(line),
		click(`[data-test=park]`),
		gone(line))
	it, err := n.db.ItemByCode(context.Background(), backpackSKU)
	if err != nil {
		t.Fatal(err)
	}
	it.Price = 44900
	if err := n.db.PutItems(context.Background(), []pos.Item{it}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	run(t, till, "taken up again",
		click(`[data-test=parked]`),
		click(`[data-cart]`),
		visible(line),
		hasText(`[data-test=till-msg]`, en["till.repriced"]),
		hasText(`[data-test=total]`, "449.00"))
}
