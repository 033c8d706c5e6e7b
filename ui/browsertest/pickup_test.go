package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/ui"
)

// pickupNode serves the web app with click-and-collect and after-sales
// from this process: the demo catalog, a cashier, the pickup and
// after-sales services over SQLite in a temporary directory.
func pickupNode(t *testing.T) (string, *pos.PickupService) {
	t.Helper()
	return pickupNodeWith(t, nil)
}

// pickupNodeWith is pickupNode with setup run on its database (store
// settings from central, say) before it serves; nil runs nothing.
func pickupNodeWith(t *testing.T, setup func(*sqlite.DB)) (string, *pos.PickupService) {
	t.Helper()
	n := inProcessNode(t, setup)
	return n.base, n.pickup
}

// inProcess is a node served from the test's process (see pickupNode).
type inProcess struct {
	base   string
	db     *sqlite.DB
	hub    *ui.Hub
	pickup *pos.PickupService
}

// inProcessNode is pickupNodeWith, with the node's database and
// websocket hub at hand.
func inProcessNode(t *testing.T, setup func(*sqlite.DB)) inProcess {
	t.Helper()
	return inProcessNodeOpts(t, setup, nil)
}

// inProcessNodeOpts is inProcessNode with opts run on the pickup
// service's options (its clock, say) before it is made; nil runs nothing.
func inProcessNodeOpts(t *testing.T, setup func(*sqlite.DB), opts func(*pos.PickupOptions)) inProcess {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if setup != nil {
		setup(db)
	}
	csv, err := os.ReadFile("../../cmd/posnode/demo_catalog.csv")
	if err != nil {
		t.Fatal(err)
	}
	items, err := pos.ParseCatalogCSV(bytes.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutItems(ctx, items, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	h, err := pos.HashPIN("1111")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutStaff(ctx, pos.Staff{ID: "1", Name: "Cashier Demo", Role: pos.RoleCashier, PINHash: h, Active: true}); err != nil {
		t.Fatal(err)
	}
	h2, err := pos.HashPIN("2222")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutStaff(ctx, pos.Staff{ID: "2", Name: "Supervisor Demo", Role: pos.RoleSupervisor, PINHash: h2, Active: true}); err != nil {
		t.Fatal(err)
	}
	var hub *ui.Hub
	notify := func(c pos.Change) {
		if hub != nil {
			hub.Notify(c)
		}
	}
	app, err := ui.App()
	if err != nil {
		t.Fatal(err)
	}
	popt := pos.PickupOptions{Store: db, Notify: notify}
	if opts != nil {
		opts(&popt)
	}
	pickup := pos.NewPickupService(popt)
	till := pos.NewService(pos.Options{Store: db, Notify: notify, Policy: pos.DefaultPolicy()})
	s := ui.NewServer(ui.Options{
		Service: till, Store: db, Sessions: db, Static: app, Pickup: pickup,
		AfterSales: pos.NewAfterSales(pos.AfterSalesOptions{Till: till, Store: db}), Reports: db,
		Stations: map[string]ui.Station{
			"pickup": {ID: "pickup", Kind: "pickup", Name: "Pickup counter"},
			"till-1": {ID: "till-1", Kind: "till", Name: "Till 1"},
		},
	})
	hub = s.Hub()
	srv := httptest.NewServer(s)
	t.Cleanup(func() { s.Shutdown(); srv.Close() })
	return inProcess{base: srv.URL, db: db, hub: hub, pickup: pickup}
}

// An order paid online is picked by scanning, bagged, and handed over
// after the customer's pickup code is checked.
func TestPickupHandover(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	raw := []byte(`{"order_id":"W-2026-000123","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-88412","name":"Ana Popescu","phone":"+40712345678","language":"ro"},
		"pickup_code":"483920","payment":{"status":"paid","amount":99800,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"100234","name":"Rucsac 20 l","qty":2,"unit_price":49900}],"arrival":null}`)
	o, err := pos.ParseOrder(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := pickup.ApplyOrder(context.Background(), raw, o); err != nil {
		t.Fatal(err)
	}

	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	order := `[data-order="W-2026-000123"]`
	run(t, counter, "the order is in the queue", visible(`.pickup `+order))
	run(t, counter, "open it and start picking",
		click(order),
		click(`[data-test=pickup-start]`),
		hasText(`[data-test=order-state]`, "Picking"))
	run(t, counter, "pick both backpacks by scanning",
		scan(backpack), hasText(`[data-line="1"] [data-test=picked]`, "1"),
		scan(backpack), hasText(`[data-line="1"] [data-test=picked]`, "2"))
	shot(t, counter, "pickup-picking")
	run(t, counter, "bagged: where and how many bags",
		click(`[data-test=pickup-ready]`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=text-input]`), "B2"),
		click(`[data-test=text-ok]`),
		keypad("", `[data-test=pad-ok]`), // one bag, as proposed
		hasText(`[data-test=order-state]`, "Ready"))
	run(t, counter, "the customer's code opens the order for handover",
		click(`[data-test=pickup-code]`),
		keypad("483920", `[data-test=pad-ok]`),
		visible(`[data-test=pickup-handover]`))
	shot(t, counter, "pickup-ready")
	run(t, counter, "hand over all that was picked",
		click(`[data-test=pickup-handover]`),
		hasText(`[data-take="1"] [data-test=take-qty]`, "2"),
		click(`[data-test=handover-ok]`),
		hasText(`[data-test=order-state]`, "Collected"))
	v, err := pickup.Order(context.Background(), "W-2026-000123")
	if err != nil || v.State != pos.PickupCollected || v.Lines[0].Collected != 2 {
		t.Fatalf("order after handover: %+v, %v", v, err)
	}
}

// The customer of an order paid online leaves part of it at the counter:
// staff set what they take, and the rest goes back with a notice.
func TestPickupPartialHandover(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	ctx := context.Background()
	raw := []byte(`{"order_id":"W-PART","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-7","name":"Ana Popescu","phone":"","language":"ro"},
		"pickup_code":"777777","payment":{"status":"paid","amount":119700,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"100234","name":"Rucsac 20 l","qty":2,"unit_price":49900},
			{"line_id":"2","sku":"100236","name":"Umbrelă","qty":1,"unit_price":19900}],"arrival":null}`)
	o := placeOrder(t, pickup, raw)
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	if _, err := pickup.StartPicking(ctx, staff, o.ID); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{backpack, backpack, umbrella} {
		if _, _, err := pickup.PickScan(ctx, staff, o.ID, code); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := pickup.MarkReady(ctx, staff, o.ID, "B3", 1); err != nil {
		t.Fatal(err)
	}
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "the customer's code opens the order for handover",
		click(`[data-order="W-PART"]`),
		click(`[data-test=pickup-code]`),
		keypad("777777", `[data-test=pad-ok]`),
		click(`[data-test=pickup-handover]`))
	run(t, counter, "nothing taken is refused",
		click(`[data-take="1"] [data-test=take-less]`),
		click(`[data-take="1"] [data-test=take-less]`),
		click(`[data-take="1"] [data-test=take-less]`), // not below none
		click(`[data-take="2"] [data-test=take-less]`),
		hasText(`[data-take="1"] [data-test=take-qty]`, "0"),
		click(`[data-test=handover-ok]`),
		hasText(`.modal .form-error`, "takes nothing"))
	shot(t, counter, "pickup-partial")
	run(t, counter, "one backpack and the umbrella",
		click(`[data-take="1"] [data-test=take-more]`),
		click(`[data-take="2"] [data-test=take-more]`),
		click(`[data-take="2"] [data-test=take-more]`), // not above what was picked
		hasText(`[data-take="2"] [data-test=take-qty]`, "1"),
		click(`[data-test=handover-ok]`),
		hasText(`[data-test=order-state]`, "Collected"))
	v, err := pickup.Order(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != pos.PickupCollected || v.Lines[0].Collected != 1 || v.Lines[1].Collected != 1 {
		t.Fatalf("order after a partial handover: state %s lines %+v", v.State, v.Lines)
	}
}

// An order paid at pickup: the customer's QR scanned at the till opens it,
// the counter hands it to the till as a cart, the cashier takes cash and
// completing the sale collects the order.
func TestPayAtPickup(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	ctx := context.Background()
	raw := []byte(`{"order_id":"W-2026-000200","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-1","name":"Jan Novák","phone":"+421900000000","language":"sk"},
		"pickup_code":"111111","payment":{"status":"pay_at_pickup","amount":19900,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"100236","name":"Dáždnik","qty":1,"unit_price":19900}],"arrival":null}`)
	o := placeOrder(t, pickup, raw)
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	if _, err := pickup.StartPicking(ctx, staff, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := pickup.PickScan(ctx, staff, o.ID, umbrella); err != nil {
		t.Fatal(err)
	}
	if _, _, err := pickup.MarkReady(ctx, staff, o.ID, "C1", 1); err != nil {
		t.Fatal(err)
	}

	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "the customer's QR at the till opens the order",
		visible(`#scan`),
		scan("PICKUP:"+o.ID+":111111"),
		visible(`[data-test=pickup-pay]`))
	shot(t, till, "pickup-pay")
	run(t, till, "the order becomes the till's cart",
		click(`[data-test=pickup-pay]`),
		visible(`.till .line[data-sku="`+umbrellaSKU+`"]`),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="20000"]`))
	wantContains(t, "change", text(t, till, `[data-test=change]`), "1.00")
	v, err := pickup.Order(ctx, o.ID)
	if err != nil || v.State != pos.PickupCollected || v.SaleID == "" {
		t.Fatalf("order after payment: state %s sale %q, %v", v.State, v.SaleID, err)
	}
}

// A sale is parked at one till and taken up again from the parked list;
// a copy of the last receipt is recorded; the goods come back with the
// receipt.
func TestParkResumeAndCopy(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	run(t, till, "scan and park",
		visible(`#scan`),
		scan(backpack),
		visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=park]`),
		gone(`.line[data-sku="`+backpackSKU+`"]`))
	run(t, till, "resume from the parked sales",
		click(`[data-test=parked]`),
		click(`[data-cart]`),
		visible(`.line[data-sku="`+backpackSKU+`"]`))
	run(t, till, "pay exact cash, then a copy of the receipt",
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="49900"]`),
		visible(`[data-test=receipt-close]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`),
		click(`[data-test=last-receipt]`),
		click(`[data-test=reprint]`))
	wantContains(t, "copy recorded", text(t, till, `#toast .toast.ok`), "1")

	// The customer brings the backpack back: the receipt's barcode,
	// scanned at the till, opens the return.
	run(t, till, "return with the receipt",
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`),
		scan("R0000000001"),
		click(`[data-test=return-more]`),
		click(`.modal [data-reason=changed_mind]`),
		hasText(`[data-test=return-total]`, "499.00"))
	shot(t, till, "return")
	run(t, till, "make the return", click(`[data-test=return-ok]`), gone(`.backdrop`))
	wantContains(t, "return made", text(t, till, `#toast .toast.ok`), "499.00")
}

// A supervisor opens the till's shift with a float, sells, reads the X
// report and closes the shift with the counted cash.
func TestShift(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, "2", "2222")
	run(t, till, "open the shift with 1000 in the drawer",
		visible(`#scan`),
		click(`[data-test=shift]`),
		click(`[data-test=shift-open]`),
		keypad("1000", `[data-test=pad-ok]`),
		gone(`.backdrop`))
	run(t, till, "a cash sale",
		scan(backpack),
		visible(`.line[data-sku="`+backpackSKU+`"]`),
		click(`[data-test=pay-cash]`),
		click(`.quick [data-amount="49900"]`),
		click(`[data-test=receipt-close]`),
		gone(`.backdrop`))
	run(t, till, "X report", click(`[data-test=shift]`), click(`[data-test=shift-x]`))
	x := text(t, till, `[data-test=shift-report]`)
	wantContains(t, "X report", x, "499.00", "1,499.00")
	if strings.Contains(x, "Counted") {
		t.Errorf("X report shows counted cash: %q", x)
	}
	shot(t, till, "shift-x")
	run(t, till, "close with the counted cash",
		click(`[data-test=shift-close]`),
		keypad("1499", `[data-test=pad-ok]`),
		hasText(`.shift h3`, "Z"))
	wantContains(t, "Z report", text(t, till, `[data-test=shift-report]`), "Counted cash", "1,499.00", "Difference")
}

// A cashier changes a line's price and gives a basket discount within the
// store's policy: no supervisor is asked.
func TestPriceOverrideAndBasketDiscount(t *testing.T) {
	t.Parallel()
	base, _ := pickupNode(t)
	till := browser(t)
	login(t, till, base, tillStation, cashierStaff, "1111")
	line := `.line[data-sku="` + backpackSKU + `"]`
	run(t, till, "scan, then a new price",
		visible(`#scan`),
		scan(backpack),
		visible(line),
		click(line+` [data-test=line-menu]`),
		click(`[data-test=line-price]`),
		click(`.modal [data-reason=price_match]`),
		keypad("450", `[data-test=price-ok]`),
		hasText(line+` .note`, "price changed from"))
	run(t, till, "5 % off the basket",
		click(`[data-test=basket-discount]`),
		click(`.modal [data-mode=percent]`),
		click(`.modal [data-reason=loyalty]`),
		keypad("5", `[data-test=discount-ok]`),
		hasText(`[data-test=total]`, "427.50"))
	wantContains(t, "line", text(t, till, line), "450.00")
}

// An order not collected in time shows as overdue; staff expire it, and a
// customer announced at the counter moves to the top as arrived.
func TestPickupOverdueAndArrival(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	for _, raw := range [][]byte{
		[]byte(`{"order_id":"W-OLD","version":1,"status":"placed","placed_at":"2020-01-01T10:00:00Z","collect_by":"2020-01-08T20:00:00Z",
			"customer":{"id":"C-2","name":"Li Wei","phone":"","language":"zh-Hant"},"pickup_code":"222222",
			"payment":{"status":"paid","amount":14900,"currency":"SEK"},"lines":[{"line_id":"1","sku":"100235","name":"水瓶","qty":1,"unit_price":14900}],"arrival":null}`),
		[]byte(`{"order_id":"W-NEW","version":1,"status":"placed","placed_at":"2026-11-22T10:00:00Z","collect_by":"2099-01-08T20:00:00Z",
			"customer":{"id":"C-3","name":"Eva Berg","phone":"","language":"sv"},"pickup_code":"333333",
			"payment":{"status":"paid","amount":14900,"currency":"SEK"},"lines":[{"line_id":"1","sku":"100235","name":"Vattenflaska","qty":1,"unit_price":14900}],"arrival":null}`),
	} {
		placeOrder(t, pickup, raw)
	}
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "the overdue order",
		hasText(`[data-bucket=overdue]`, "1"),
		click(`[data-order="W-OLD"]`),
		hasText(`[data-test=order-state]`, "Overdue"),
		click(`[data-test=pickup-expire]`),
		click(`[data-test=confirm-yes]`),
		hasText(`[data-test=order-state]`, "Expired"))
	run(t, counter, "the customer of the other order is here",
		click(`[data-order="W-NEW"]`),
		click(`[data-test=pickup-arrive]`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=text-input]`), "3"),
		click(`[data-test=text-ok]`),
		hasText(`[data-test=order-state]`, "Arrived"),
		hasText(`[data-bucket=arrived]`, "1"),
		hasText(`[data-test=orders] .order-row:first-child`, "W-NEW"))
	shot(t, counter, "pickup-arrived")
}

// A cashier at the counter rejects an order the store cannot fulfil with
// a supervisor's staff number and PIN, asked for once the reason is given.
func TestPickupRejectApprovedBySupervisor(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	placeOrder(t, pickup, []byte(`{"order_id":"W-REJ","version":1,"status":"placed","placed_at":"2026-11-22T10:00:00Z","collect_by":"2099-01-08T20:00:00Z",
		"customer":{"id":"C-3","name":"Eva Berg","phone":"","language":"sv"},"pickup_code":"333333",
		"payment":{"status":"paid","amount":14900,"currency":"SEK"},"lines":[{"line_id":"1","sku":"100235","name":"Vattenflaska","qty":1,"unit_price":14900}],"arrival":null}`))
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "reject, with a reason",
		click(`[data-order="W-REJ"]`),
		click(`[data-test=pickup-reject]`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=text-input]`), "water bottles broken"),
		click(`[data-test=text-ok]`),
		visible(`[data-test=pad-ok]`))
	run(t, counter, "a supervisor approves",
		supervisorApproves(),
		hasText(`[data-test=order-state]`, "Rejected"))
	o, err := pickup.Order(context.Background(), "W-REJ")
	if err != nil {
		t.Fatal(err)
	}
	if o.State != pos.PickupRejected || o.Reason != "water bottles broken" {
		t.Errorf("the order is %s (%q), want rejected for the reason typed", o.State, o.Reason)
	}
}

// The notices of an order changed while it is picked are worded in the
// language of the screen, from their kind and fields.
func TestPickupNoticesTranslated(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	ctx := context.Background()
	order := func(version, n int) []byte {
		return []byte(fmt.Sprintf(`{"order_id":"W-NOTE","version":%d,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
			"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-5","name":"Eva Berg","phone":"","language":"sv"},
			"pickup_code":"555555","payment":{"status":"paid","amount":%d,"currency":"SEK"},
			"lines":[{"line_id":"1","sku":"100234","name":"Ryggsäck 20 l","qty":%d,"unit_price":49900}],"arrival":null}`, version, 49900*n, n))
	}
	apply := func(raw []byte) { t.Helper(); placeOrder(t, pickup, raw) }
	apply(order(1, 2))
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	if _, err := pickup.StartPicking(ctx, staff, "W-NOTE"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := pickup.PickScan(ctx, staff, "W-NOTE", backpack); err != nil {
			t.Fatal(err)
		}
	}
	apply(order(2, 1)) // the customer wants one backpack only

	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "switch the screen to Swedish",
		visible(`[data-order="W-NOTE"]`), // signed in: the login has a language button too
		click(`header [data-test=lang]`),
		click(`[data-lang=sv]`),
		// The screen is made again in Swedish once its words have come: a
		// tap before that is on the screen about to go, which may show
		// Swedish already, but its header still names English.
		hasText(`header [data-test=lang]`, "Svenska"),
		hasText(`[data-order="W-NOTE"]`, "Plockas"),
		click(`[data-order="W-NOTE"]`))
	// The notices are written once the order and the language are in:
	// wait for the words rather than read the first text shown.
	run(t, counter, "the notices in Swedish",
		hasText(`[data-notice=put_back]`, "Ställ tillbaka 1 × Ryggsäck 20 l (100234)"),
		hasText(`[data-notice=lines_changed]`, "Kunden har ändrat beställningen"))
	shot(t, counter, "pickup-notices")
}

// Taking a weighed line back out of the bag takes the grams staff confirm,
// all that was picked unless they type less, not one gram.
func TestPickupUnpickWeighed(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	ctx := context.Background()
	raw := []byte(`{"order_id":"W-KG","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-6","name":"Eva Berg","phone":"","language":"sv"},
		"pickup_code":"666666","payment":{"status":"paid","amount":3588,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"300100","name":"Apples","qty":1200,"unit_price":2990}],"arrival":null}`)
	o := placeOrder(t, pickup, raw)
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	if _, err := pickup.StartPicking(ctx, staff, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := pickup.PickScan(ctx, staff, o.ID, "2300100012346"); err != nil { // 1,234 g
		t.Fatal(err)
	}
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "the picked weight is shown in kilograms",
		click(`[data-order="W-KG"]`),
		hasText(`[data-line="1"] [data-test=picked]`, "1.234 kg"))
	run(t, counter, "take the apples back out",
		click(`[data-line="1"] [data-test=unpick]`),
		click(`[data-test=pad-ok]`),
		gone(`[data-line="1"] [data-test=unpick]`))
	v, err := pickup.Order(ctx, o.ID)
	if err != nil || v.Lines[0].Picked != 0 {
		t.Fatalf("line after taking it out: %+v, %v", v.Lines, err)
	}
}

// A weighed line of 12 kg, 1,234 g of it picked: the rest that cannot be
// supplied is marked short in grams, as the dialog says, and 10,500 g can
// be typed. The dialog took four digits, so that a short of 10 kg or
// more could not be typed (10,500 became 1,050), and did not say grams
// beside a line shown in kilograms.
func TestPickupShortWeighed(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	ctx := context.Background()
	o := placeOrder(t, pickup, []byte(`{"order_id":"W-KG12","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-6","name":"Eva Berg","phone":"","language":"sv"},
		"pickup_code":"666666","payment":{"status":"paid","amount":35880,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"300100","name":"Apples","qty":12000,"unit_price":2990}],"arrival":null}`))
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	if _, _, err := pickup.PickScan(ctx, staff, o.ID, "2300100012346"); err != nil { // 1,234 g
		t.Fatal(err)
	}
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	grams := loadStrings(t, "en")["till.weight"]
	run(t, counter, "mark 10,500 g short",
		click(`[data-order="W-KG12"]`),
		click(`[data-line="1"] button:not([data-test])`),
		hasText(`.modal .hint`, grams),
		click(`#modal-root .backdrop:last-child .pad [data-key="back"]`),
		click(`#modal-root .backdrop:last-child .pad [data-key="back"]`),
		click(`#modal-root .backdrop:last-child .pad [data-key="back"]`),
		click(`#modal-root .backdrop:last-child .pad [data-key="back"]`),
		click(`#modal-root .backdrop:last-child .pad [data-key="back"]`),
		keypad("10500", `[data-test=pad-ok]`),
		gone(`.backdrop`))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		v, err := pickup.Order(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Lines[0].Short == 10500 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("line after marking 10,500 g short: %+v", v.Lines[0])
		}
	}
}

// placeOrder applies an order record, as central retains it, to the node's
// pickup service.
func placeOrder(t *testing.T, pickup *pos.PickupService, raw []byte) pos.Order {
	t.Helper()
	o, err := pos.ParseOrder(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := pickup.ApplyOrder(context.Background(), raw, o); err != nil {
		t.Fatal(err)
	}
	return o
}

// Two tablets at the counter show the same order. Central cancels it while
// its bags wait on the shelf: both follow, and show what to do with the
// bags until one of them says it is seen. An order handed over at one
// tablet no longer offers its handover at the other.
func TestPickupTwoTabletsFollowTheOrder(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	ctx := context.Background()
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	order := func(id, code string) pos.Order {
		t.Helper()
		o := placeOrder(t, pickup, []byte(`{"order_id":"`+id+`","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
			"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-8","name":"Ana Popescu","phone":"","language":"ro"},
			"pickup_code":"`+code+`","payment":{"status":"paid","amount":49900,"currency":"SEK"},
			"lines":[{"line_id":"1","sku":"100234","name":"Rucsac 20 l","qty":1,"unit_price":49900}],"arrival":null}`))
		if _, _, err := pickup.PickScan(ctx, staff, o.ID, backpack); err != nil {
			t.Fatal(err)
		}
		if _, _, err := pickup.MarkReady(ctx, staff, o.ID, "B2", 1); err != nil {
			t.Fatal(err)
		}
		return o
	}
	gone1, kept := order("W-GONE", "111111"), order("W-KEPT", "222222")

	a, b := browser(t), browser(t)
	for _, tab := range []context.Context{a, b} {
		login(t, tab, base, "pickup", cashierStaff, "1111")
		run(t, tab, "open the ready order", click(`[data-order="W-GONE"]`), hasText(`[data-test=order-state]`, "Ready"))
	}
	if err := pickup.ApplyOrder(ctx, nil, pos.Order{ID: gone1.ID, Version: 2, Status: pos.OrderCancelled}); err != nil {
		t.Fatal(err)
	}
	for _, tab := range []context.Context{a, b} {
		run(t, tab, "the cancellation and its bags on the shelf are shown",
			hasText(`[data-test=order-state]`, "Cancelled"),
			hasText(`[data-notice=fetch_bags]`, "Fetch the order's bags from B2."),
			gone(`[data-test=pickup-code]`))
	}
	run(t, a, "seen at one tablet", click(`[data-test=notices-seen]`), gone(`[data-notice]`))
	run(t, b, "the other follows", gone(`[data-notice]`), gone(`[data-order="W-GONE"]`))

	for _, tab := range []context.Context{a, b} {
		run(t, tab, "open the other order", click(`[data-order="W-KEPT"]`), hasText(`[data-test=order-state]`, "Ready"))
	}
	run(t, a, "hand it over at one tablet",
		click(`[data-test=pickup-code]`),
		keypad("222222", `[data-test=pad-ok]`),
		click(`[data-test=pickup-handover]`),
		click(`[data-test=handover-ok]`),
		hasText(`[data-test=order-state]`, "Collected"))
	run(t, b, "the other no longer offers it", hasText(`[data-test=order-state]`, "Collected"), gone(`[data-test=pickup-code]`))
	if v, err := pickup.Order(ctx, kept.ID); err != nil || v.State != pos.PickupCollected {
		t.Fatalf("order %s after handover: %v", kept.ID, err)
	}
}

// The customer taps "I'm here" in the app: central sends the order again
// with the arrival, and the counter shows where the customer waits and
// the car they describe.
func TestPickupCurbsideArrivalFromCentral(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	order := func(version int, arrival string) []byte {
		return []byte(fmt.Sprintf(`{"order_id":"W-CURB","version":%d,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
			"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-9","name":"Ana Popescu","phone":"","language":"ro"},
			"pickup_code":"999999","payment":{"status":"paid","amount":19900,"currency":"SEK"},
			"lines":[{"line_id":"1","sku":"100236","name":"Umbrelă","qty":1,"unit_price":19900}],"arrival":%s}`, version, arrival))
	}
	placeOrder(t, pickup, order(1, "null"))
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "open the order", click(`[data-order="W-CURB"]`), hasText(`[data-test=order-state]`, "New"))
	placeOrder(t, pickup, order(2, `{"at":"2026-11-22T11:00:00+01:00","bay":"3","note":"red Volvo"}`))
	run(t, counter, "the customer waits at bay 3 in a red Volvo",
		hasText(`[data-test=order-state]`, "Arrived"),
		hasText(`[data-test=arrival]`, "bay 3"),
		hasText(`[data-test=arrival]`, "red Volvo"),
		hasText(`[data-order="W-CURB"]`, "bay 3"))
}

// The ordered item is out of stock: staff pick another in its place,
// scanned into the line's substitute dialog, and the ready event names
// it as the line's substitute.
func TestPickupSubstitute(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	ctx := context.Background()
	o := placeOrder(t, pickup, []byte(`{"order_id":"W-SUB","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-10","name":"Ana Popescu","phone":"","language":"ro"},
		"pickup_code":"101010","payment":{"status":"paid","amount":49900,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"100234","name":"Rucsac 20 l","qty":1,"unit_price":49900}],"arrival":null}`))
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "start picking",
		click(`[data-order="W-SUB"]`),
		click(`[data-test=pickup-start]`),
		hasText(`[data-test=order-state]`, "Picking"))
	run(t, counter, "the umbrella scanned in place of the backpack",
		click(`[data-line="1"] [data-test=substitute]`),
		visible(`[data-test=text-input]`),
		scan(umbrella),
		hasText(`[data-line="1"]`, "Umbrella"),
		hasText(`[data-line="1"]`, "Rucsac 20 l"))
	run(t, counter, "pick the umbrella",
		scan(umbrella),
		hasText(`[data-line="1"] [data-test=picked]`, "1"))
	v, err := pickup.Order(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := v.ReadyData(); d.Lines[0].SubstituteSKU == nil || *d.Lines[0].SubstituteSKU != "100236" || d.Lines[0].QtyPicked != 1 {
		t.Fatalf("line after the substitute was picked: %+v", v.Lines[0])
	}
}

// The customer comes before the order is ready: their QR scanned at the
// counter opens the order, as it stands, and says it cannot be handed
// over yet.
func TestPickupQRBeforeReady(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	placeOrder(t, pickup, []byte(`{"order_id":"W-EARLY","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-11","name":"Eva Berg","phone":"","language":"sv"},
		"pickup_code":"121212","payment":{"status":"paid","amount":19900,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"100236","name":"Paraply","qty":1,"unit_price":19900}],"arrival":null}`))
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "the customer's QR opens the order being picked",
		visible(`[data-order="W-EARLY"]`),
		scan("PICKUP:W-EARLY:121212"),
		hasText(`[data-test=order] h2`, "W-EARLY"),
		hasText(`[data-test=order-state]`, "New"),
		hasText(`#toast`, "not in a state"))
}

// A customer verified at the counter waits longer than a verification
// lasts: the handover is refused, and the screen then offers to verify
// the customer again instead of still showing them verified with only a
// handover that is refused.
func TestPickupVerificationRunsOutOnScreen(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	n := inProcessNodeOpts(t, nil, func(o *pos.PickupOptions) { o.Now = clock })
	ctx := context.Background()
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	o := placeOrder(t, n.pickup, []byte(`{"order_id":"W-TTL","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-9","name":"Ana Popescu","phone":"","language":"ro"},
		"pickup_code":"333333","payment":{"status":"paid","amount":49900,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"100234","name":"Rucsac 20 l","qty":1,"unit_price":49900}],"arrival":null}`))
	if _, _, err := n.pickup.PickScan(ctx, staff, o.ID, backpack); err != nil {
		t.Fatal(err)
	}
	if _, _, err := n.pickup.MarkReady(ctx, staff, o.ID, "B3", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := n.pickup.OpenByCode(ctx, staff, o.ID, "333333"); err != nil {
		t.Fatal(err)
	}
	counter := browser(t)
	login(t, counter, n.base, "pickup", cashierStaff, "1111")
	// An order placed now reaches the screen through its socket: the
	// screen has read the queue since, with the customer verified.
	placeOrder(t, n.pickup, []byte(`{"order_id":"W-MARK","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-9","name":"Ana Popescu","phone":"","language":"ro"},
		"pickup_code":"444444","payment":{"status":"paid","amount":49900,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"100234","name":"Rucsac 20 l","qty":1,"unit_price":49900}],"arrival":null}`))
	run(t, counter, "the verified customer's order",
		visible(`[data-order="W-MARK"]`),
		click(`[data-order="W-TTL"]`),
		visible(`[data-test=pickup-handover]`),
		gone(`[data-test=pickup-code]`))
	mu.Lock()
	now = now.Add(31 * time.Minute)
	mu.Unlock()
	run(t, counter, "the handover is refused, and the code is asked again",
		click(`[data-test=pickup-handover]`),
		click(`[data-test=handover-ok]`),
		visible(`[data-test=pickup-code]`),
		gone(`[data-test=pickup-handover]`))
	if v, err := n.pickup.Order(ctx, o.ID); err != nil || v.State != pos.PickupReady {
		t.Fatalf("order after the refused handover: %v", err)
	}
}

// A weighed line is picked when its bag weighs nine tenths of the weight
// ordered, as the node counts it: 1,234 g of 1,300 g is done, with no
// short to mark.
func TestPickupWeighedLineDoneAsTheNodeCountsIt(t *testing.T) {
	t.Parallel()
	base, pickup := pickupNode(t)
	ctx := context.Background()
	o := placeOrder(t, pickup, []byte(`{"order_id":"W-KG13","version":1,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00",
		"collect_by":"2099-11-29T20:00:00+01:00","customer":{"id":"C-6","name":"Eva Berg","phone":"","language":"sv"},
		"pickup_code":"666666","payment":{"status":"paid","amount":3887,"currency":"SEK"},
		"lines":[{"line_id":"1","sku":"300100","name":"Apples","qty":1300,"unit_price":2990}],"arrival":null}`))
	staff := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "pickup"}
	if _, _, err := pickup.PickScan(ctx, staff, o.ID, "2300100012346"); err != nil { // 1,234 g
		t.Fatal(err)
	}
	counter := browser(t)
	login(t, counter, base, "pickup", cashierStaff, "1111")
	run(t, counter, "the order",
		click(`[data-order="W-KG13"]`),
		hasText(`[data-line="1"] [data-test=picked]`, "1.234 kg"),
		visible(`[data-line="1"].done`))
	if n := value(t, counter, "mark short offered", chromedp.Evaluate[int](`document.querySelectorAll('[data-line="1"] .line-actions button:not([data-test])').length`)); n != 0 {
		t.Errorf("a weighed line the node counts as picked offers to mark a short")
	}
}
