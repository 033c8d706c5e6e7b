package browsertest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// The node goes down while a card payment is at the terminal. The till
// that reconnects shows the payment as unknown rather than waiting for it
// for good; checking the terminal finds the card was not taken, and the
// customer pays cash.
func TestCardLeftPendingByARestart(t *testing.T) {
	data := t.TempDir()
	n := launch(t, data, "127.0.0.1:0")
	addr := strings.TrimPrefix(n.base, "http://")
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "scan the backpack",
		visible(`#scan`), visible(`[data-test=live].ok`),
		click(`[data-test=totals]`),
		scan(backpack),
		visible(`.line[data-sku="`+backpackSKU+`"]`))
	tok := apiCall(t, n.base, "", "POST", "/login", map[string]string{"staff": "2", "pin": "2222", "station": tillStation})["token"].(string)
	id := apiCall(t, n.base, tok, "GET", "/cart", nil)["id"].(string)

	// The node stops as power fails during the payment: the cart keeps
	// the payment pending, and no one is left waiting for its answer.
	n.stop()
	run(t, till, "offline shown", visible(`[data-test=live].bad`))
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(data, "posnode.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.Cart(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c.Pending = &pos.Payment{ID: "card-at-power-cut", Method: pos.MethodCard, Amount: 49900, At: time.Now()}
	if err := db.SaveCart(ctx, &c); err != nil {
		t.Fatal(err)
	}
	db.Close()

	n = launch(t, data, addr)
	run(t, till, "the payment shown unknown",
		visible(`[data-test=live].ok`),
		visible(`[data-test=card-unknown]`),
		hasText(`[data-test=card-unknown]`, "499.00"))
	shot(t, till, "card-unknown")
	run(t, till, "check the terminal",
		click(`[data-test=card-check]`),
		hasText(`[data-test=till-msg]`, "did not take"),
		gone(`[data-test=card-unknown]`))
	run(t, till, "cash instead",
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount]`),
		visible(`[data-test=receipt]`))
}
