package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// The X report on screen shows the tax of the shift by rate, with the
// amount net of tax it is on, as the printed report's tax table does.
func TestShiftReportOnScreenShowsTax(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base, _ := pickupNodeWith(t, func(db *sqlite.DB) {
		sh := &pos.Shift{ID: "sh-1", Station: tillStation, OpenedBy: "2", OpenedAt: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC), Float: 100000}
		if err := db.OpenShift(ctx, sh); err != nil {
			t.Fatal(err)
		}
	})
	tok := apiCall(t, base, "", "POST", "/login", map[string]string{"staff": "2", "pin": "2222", "station": tillStation})["token"].(string)
	cart := apiCall(t, base, tok, "GET", "/cart", nil)["id"].(string)
	apiCall(t, base, tok, "POST", "/carts/"+cart+"/scan", map[string]string{"code": umbrella})
	apiCall(t, base, tok, "POST", "/carts/"+cart+"/payments", map[string]any{"method": "cash", "amount": 20000})
	apiCall(t, base, tok, "POST", "/carts/"+cart+"/complete", nil)

	till := browser(t)
	login(t, till, base, tillStation, "2", "2222")
	run(t, till, "read the X report",
		visible(`#scan`),
		click(`[data-test=shift]`),
		click(`[data-test=shift-x]`),
		visible(`[data-test=shift-report]`))
	// The umbrella, 199.00 with 25 % VAT included: 39.80 of tax on 159.20.
	wantContains(t, "X report", text(t, till, `[data-test=shift-report]`), "VAT 25%\nSEK 39.80 on net SEK 159.20")
}
