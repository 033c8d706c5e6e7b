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

// pendingAfterRestart rings up a backpack on a till, stops the node as a
// power cut during the card payment would, with the payment pending in
// the cart and no one left waiting for its answer, and starts it again.
// It returns the till once it shows the payment as unknown.
func pendingAfterRestart(t *testing.T) context.Context {
	t.Helper()
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

	launch(t, data, addr)
	run(t, till, "the payment shown unknown",
		visible(`[data-test=live].ok`),
		visible(`[data-test=card-unknown]`),
		hasText(`[data-test=card-unknown]`, "499.00"))
	return till
}

// The node goes down while a card payment is at the terminal. The till
// that reconnects shows the payment as unknown rather than waiting for it
// for good; checking the terminal finds the card was not taken, and the
// customer pays cash.
func TestCardLeftPendingByARestart(t *testing.T) {
	t.Parallel()
	till := pendingAfterRestart(t)
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

// A supervisor enters what the terminal's own slip says of a payment left
// unknown: approved, with its code. The payment is recorded and the sale
// completes.
func TestCardDeclaredFromTheSlip(t *testing.T) {
	t.Parallel()
	till := pendingAfterRestart(t)
	run(t, till, "enter the slip's answer",
		click(`[data-test=card-declare]`),
		click(`.osk button[data-ch="4"]`), click(`.osk button[data-ch="8"]`), click(`.osk button[data-ch="a"]`),
		click(`[data-test=declare-taken]`),
		visible(`[data-test=pad-ok]`))
	run(t, till, "supervisor staff and PIN",
		supervisorApproves(),
		gone(`[data-test=card-unknown]`),
		hasText(`[data-test=till-msg]`, "took"))
	run(t, till, "complete", click(`[data-test=complete]`), visible(`[data-test=receipt]`))
	wantAny(t, "receipt paid by card", text(t, till, `[data-test=receipt]`), "Kort", "Card")
}
