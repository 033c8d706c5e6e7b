package sqlite_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
)

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openDBAt is openDB on the clock *now, which the test moves.
func openDBAt(t *testing.T, now *time.Time) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sellBackpack rings up one backpack at a's station, paid in cash, and
// completes the sale.
func sellBackpack(t *testing.T, svc *pos.Service, a pos.Actor) *pos.Sale {
	t.Helper()
	ctx := context.Background()
	v, err := svc.OpenCart(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if v, _, err = svc.Scan(ctx, a, v.ID, "7310865004703"); err != nil {
		t.Fatal(err)
	}
	if v, err = svc.PayCash(ctx, a, v.ID, 50000); err != nil {
		t.Fatal(err)
	}
	s, err := svc.Complete(ctx, a, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func demoItems() []pos.Item {
	return []pos.Item{
		{SKU: "100234", Active: true, Names: map[string]string{"en": "Backpack", "sv": "Ryggsäck"}, Barcodes: []string{"7310865004703"}, Unit: pos.UnitEach, Price: 49900, TaxRateBP: 2500},
		{SKU: "300100", Active: true, Names: map[string]string{"en": "Apples", "sv": "Äpplen"}, Barcodes: []string{"23001000"}, Unit: pos.UnitKg, Price: 2990, TaxRateBP: 1200},
	}
}

func TestCompleteSaleIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	hash, _ := pos.HashPIN("1234")
	if err := db.PutStaff(ctx, pos.Staff{ID: "1", Name: "Anna", Role: pos.RoleCashier, PINHash: hash, Active: true}); err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}, Policy: pos.DefaultPolicy()})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	if _, err := svc.Login(ctx, "1", "1234", "test"); err != nil {
		t.Fatal(err)
	}
	v, err := svc.OpenCart(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	// 1.234 kg of apples: a weight code with prefix 23 (grams).
	weighed := "230010001234"
	weighed += string(pos.GTINCheckDigit(weighed))
	for _, code := range []string{"7310865004703", "7310865004703", weighed} {
		if v, _, err = svc.Scan(ctx, a, v.ID, code); err != nil {
			t.Fatalf("scan %s: %v", code, err)
		}
	}
	if len(v.Lines) != 2 || v.Lines[0].Qty != 2 || v.Lines[1].Qty != 1234 {
		t.Fatalf("lines = %+v", v.Lines)
	}
	// 2 × 499.00 + 1.234 kg × 29.90 = 998.00 + 36.90 (36.8966 rounded)
	if want := int64(99800 + 3690); v.Balance.Total != want {
		t.Fatalf("total = %d, want %d", v.Balance.Total, want)
	}
	if v, err = svc.PayCard(ctx, a, v.ID, 50000); err != nil {
		t.Fatal(err)
	}
	if v, err = svc.PayCash(ctx, a, v.ID, 60000); err != nil {
		t.Fatal(err)
	}
	// Cash due 534.90 rounds to 535.00: rounding +0.10, change 65.00.
	if v.Balance.Rounding != 10 || v.Balance.Change != 6500 || !v.Balance.Settled {
		t.Fatalf("balance = %+v", v.Balance)
	}
	sale, err := svc.Complete(ctx, a, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sale.ReceiptNo != 1 {
		t.Fatalf("receipt = %d", sale.ReceiptNo)
	}
	got, err := db.SaleByReceipt(ctx, 1)
	if err != nil || got.ID != sale.ID {
		t.Fatalf("sale by receipt: %v %+v", err, got)
	}
	evs, err := db.EventsAfter(ctx, 0, 10)
	if err != nil || len(evs) != 1 || evs[0].Seq != 1 || evs[0].Type != pos.EventSaleCompleted {
		t.Fatalf("events = %+v, %v", evs, err)
	}
	var data map[string]any
	if err := json.Unmarshal(evs[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	if data["total"].(float64) != float64(sale.Balance.Total) || data["receipt_no"].(float64) != 1 {
		t.Fatalf("event data = %v", data)
	}
	st, err := db.Stock(ctx, "100234")
	if err != nil || st.OnHand != -2 || !st.Negative {
		t.Fatalf("stock = %+v, %v", st, err)
	}
	if _, err := db.Cart(ctx, v.ID); err == nil {
		t.Fatal("cart still open after sale")
	}
	_ = time.Now
}

// TestOpenCartIsTheOneChangedLast: with two open carts at a station (one
// resumed), the station works on the one changed last.
func TestOpenCartIsTheOneChangedLast(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	svc := pos.NewService(pos.Options{Store: db, Now: func() time.Time { return now }})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	first := pos.Cart{ID: "a", Station: "till-1", CreatedAt: now, UpdatedAt: now}
	second := pos.Cart{ID: "b", Station: "till-1", CreatedAt: now, UpdatedAt: now.Add(time.Minute)}
	for _, c := range []*pos.Cart{&first, &second} {
		if err := db.SaveCart(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := svc.OpenCart(ctx, a); err != nil || v.ID != "b" {
		t.Fatalf("open cart = %v, %v; want b", v, err)
	}
	now = now.Add(2 * time.Minute)
	if _, _, err := svc.Scan(ctx, a, "a", "7310865004703"); err != nil {
		t.Fatal(err)
	}
	if v, err := svc.OpenCart(ctx, a); err != nil || v.ID != "a" {
		t.Fatalf("open cart = %v, %v; want a after it changed", v.ID, err)
	}
}

// TestCartAmountBounded: no cart can reach amounts whose arithmetic could
// overflow.
func TestCartAmountBounded(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db})
	a := pos.Actor{Staff: "2", Role: pos.RoleSupervisor, Station: "till-1"}
	v, err := svc.OpenCart(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if v, err = svc.AddItem(ctx, a, v.ID, "100234", 1); err != nil {
		t.Fatal(err)
	}
	if v, err = svc.OverridePrice(ctx, a, v.ID, v.Lines[0].ID, pos.MaxPrice, "test", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetQuantity(ctx, a, v.ID, v.Lines[0].ID, pos.MaxQuantity); !errors.Is(err, pos.ErrBadQuantity) {
		t.Fatalf("a cart of %d × %d: %v", pos.MaxQuantity, pos.MaxPrice, err)
	}
	if v, err = svc.SetQuantity(ctx, a, v.ID, v.Lines[0].ID, 9000); err != nil || v.Balance.Total != 9000*pos.MaxPrice {
		t.Fatalf("9000 × MaxPrice: %v %v", v, err)
	}
}

// cashierCart is a cashier's open cart at till-1 on a database holding
// items.
func cashierCart(t *testing.T, items []pos.Item) (context.Context, *pos.Service, pos.Actor, *pos.CartView) {
	t.Helper()
	ctx := context.Background()
	db := openDB(t)
	if err := db.PutItems(ctx, items, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	v, err := svc.OpenCart(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, svc, a, v
}

func TestScannedWeightIsBounded(t *testing.T) {
	ctx, svc, a, v := cashierCart(t, []pos.Item{
		{SKU: "300200", Active: true, Names: map[string]string{"en": "Potatoes"}, Barcodes: []string{"25002000"}, Unit: pos.UnitKg, Price: 1990, TaxRateBP: 1200},
		{SKU: "300300", Active: true, Names: map[string]string{"en": "Sawdust"}, Barcodes: []string{"20003000", "22003000"}, Unit: pos.UnitKg, Price: 1, TaxRateBP: 2500},
	})
	var err error
	for _, tc := range []struct{ name, body string }{
		{"99.99 for 1 öre a kg: 9 999 kg", "200030009999"},
		{"9 999 kronor for 1 öre a kg: 999 900 kg", "220030009999"},
	} {
		if _, _, err := svc.Scan(ctx, a, v.ID, ean(tc.body)); !errors.Is(err, pos.ErrBadQuantity) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if v, _, err = svc.Scan(ctx, a, v.ID, ean("250020000015")); err != nil || len(v.Lines) != 1 || v.Lines[0].Qty != 1500 {
		t.Fatalf("1.5 kg on a weight label: %+v, %v", v, err)
	}
}

// An item central withdraws from sale (a recall) after it was scanned takes
// no tender of any kind until its line is removed; the rest of the cart
// sells.
func TestItemWithdrawnAfterItWasScannedTakesNoTender(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	credit, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodStoreCredit, 200000, "goodwill")
	e.must(err)
	v, err := e.till.OpenCart(e.ctx, e.cashier)
	e.must(err)
	v, err = e.till.AddItem(e.ctx, e.cashier, v.ID, jacketSKU, 1)
	e.must(err)
	jacket := v.Lines[0].ID
	v, err = e.till.AddItem(e.ctx, e.cashier, v.ID, bookSKU, 1)
	e.must(err)
	e.must(e.db.PutItems(e.ctx, []pos.Item{{SKU: jacketSKU, Active: false, Names: map[string]string{"en": "Jacket"},
		Unit: pos.UnitEach, Price: 129900, TaxRateBP: 2500}}, pos.Sweden))

	if _, err := e.till.PayCash(e.ctx, e.cashier, v.ID, 200000); !errors.Is(err, pos.ErrInactiveItem) {
		t.Errorf("cash for a cart with a withdrawn item: %v", err)
	}
	if _, err := e.till.PayCard(e.ctx, e.cashier, v.ID, 10000); !errors.Is(err, pos.ErrInactiveItem) {
		t.Errorf("card for a cart with a withdrawn item: %v", err)
	}
	if _, err := e.as.PayVoucher(e.ctx, e.cashier, v.ID, pos.MethodStoreCredit, credit.Code, 10000); !errors.Is(err, pos.ErrInactiveItem) {
		t.Errorf("store credit for a cart with a withdrawn item: %v", err)
	}
	if got, err := e.till.Cart(e.ctx, v.ID); err != nil || len(got.Payments) != 0 || got.Pending != nil {
		t.Fatalf("cart after refused tenders: %+v, %v", got, err)
	}
	_, err = e.till.RemoveLine(e.ctx, e.cashier, v.ID, jacket)
	e.must(err)
	_, err = e.till.PayCash(e.ctx, e.cashier, v.ID, 20000)
	e.must(err)
	s, err := e.till.Complete(e.ctx, e.cashier, v.ID)
	e.must(err)
	if len(s.Lines) != 1 || s.Lines[0].SKU != bookSKU {
		t.Fatalf("sale lines %+v", s.Lines)
	}
}

// A GS1 DataBar label on weighed goods gives the till the item, the net
// weight and the price to pay; one with the weight alone is priced by
// the kilo. A store's own long code that begins like one stays its own.
func TestScanGS1DataBar(t *testing.T) {
	ctx, svc, a, v := cashierCart(t, []pos.Item{
		{SKU: "400100", Active: true, Names: map[string]string{"en": "Salmon"}, Barcodes: []string{"7310865004703"}, Unit: pos.UnitKg, Price: 24900, TaxRateBP: 1200},
		{SKU: "400200", Active: true, Names: map[string]string{"en": "Voucher book"}, Barcodes: []string{"0107310865004703999"}, Unit: pos.UnitEach, Price: 5000, TaxRateBP: 0},
	})
	var err error
	// 1.250 kg, 311.25 to pay, as the scanner sends it (AIM identifier
	// stripped, GS after the weight).
	if v, _, err = svc.Scan(ctx, a, v.ID, "0107310865004703"+"3103001250\x1d"+"392231125"); err != nil {
		t.Fatal(err)
	}
	l := v.Lines[0]
	if l.SKU != "400100" || l.Qty != 1250 || l.FixedAmount != 31125 || l.Gross() != 31125 || strings.ContainsRune(l.Barcode, 0x1d) {
		t.Fatalf("line %+v", l)
	}
	// The weight alone: 0.480 kg at 249.00 a kilo.
	if v, _, err = svc.Scan(ctx, a, v.ID, "(01)07310865004703(3103)000480"); err != nil {
		t.Fatal(err)
	}
	if l := v.Lines[1]; l.Qty != 480 || l.FixedAmount != 0 || l.Gross() != 11952 {
		t.Fatalf("line %+v, gross %d", l, l.Gross())
	}
	// No weight: a weighed item still needs one.
	if _, _, err := svc.Scan(ctx, a, v.ID, "(01)07310865004703"); !errors.Is(err, pos.ErrBadQuantity) {
		t.Fatalf("weighed item without a weight: %v", err)
	}
	if v, _, err = svc.Scan(ctx, a, v.ID, "0107310865004703999"); err != nil || v.Lines[2].SKU != "400200" {
		t.Fatalf("the store's own code: %+v, %v", v, err)
	}
}

// An exchange is a tender too: the value of the goods brought back does
// not pay for an item withdrawn from sale after it was scanned, and
// nothing is returned or refunded while it is in the cart.
func TestItemWithdrawnAfterItWasScannedTakesNoExchange(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCash, amount: 130000})
	v := e.cart(e.cashier, []buy{{bookSKU, 1, nil}}, nil)
	e.must(e.db.PutItems(e.ctx, []pos.Item{{SKU: bookSKU, Active: false, Names: map[string]string{"en": "Book"},
		Unit: pos.UnitEach, Price: 18950, TaxRateBP: 600}}, pos.Sweden))
	req := pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "exchange"}
	if _, _, err := e.as.Exchange(e.ctx, e.cashier, req, v.ID); !errors.Is(err, pos.ErrInactiveItem) {
		t.Fatalf("exchange for a cart with a withdrawn item: %v", err)
	}
	done, err := e.db.Returned(e.ctx, "sale:"+s.ID)
	e.must(err)
	if len(done.Lines) != 0 || done.Refunded != 0 {
		t.Fatalf("returned after a refused exchange: %+v", done)
	}
	if got, err := e.till.Cart(e.ctx, v.ID); err != nil || len(got.Payments) != 0 {
		t.Fatalf("cart after a refused exchange: %+v, %v", got, err)
	}
}

// An item whose SKU is another item's barcode is judged by its own state
// at the tender: the other item withdrawn does not stop its sale.
func TestTenderJudgesAnItemByItsOwnSKU(t *testing.T) {
	ctx, svc, a, v := cashierCart(t, []pos.Item{
		{SKU: "100", Active: true, Names: map[string]string{"en": "Tea"}, Barcodes: []string{"7310865004703"}, Unit: pos.UnitEach, Price: 2500, TaxRateBP: 1200},
		{SKU: "200", Active: false, Names: map[string]string{"en": "Old mug"}, Barcodes: []string{"100"}, Unit: pos.UnitEach, Price: 9900, TaxRateBP: 2500},
	})
	var err error
	if v, _, err = svc.Scan(ctx, a, v.ID, "7310865004703"); err != nil || v.Lines[0].SKU != "100" {
		t.Fatalf("scan: %+v, %v", v, err)
	}
	if _, err := svc.PayCash(ctx, a, v.ID, 2500); err != nil {
		t.Fatalf("cash for tea whose SKU is a withdrawn mug's barcode: %v", err)
	}
}
