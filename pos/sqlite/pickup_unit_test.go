package sqlite_test

import (
	"testing"

	"github.com/posnode/posnode/pos"
)

// TestPickupWeighedLineBeforeItsCatalogPage: an order for a weighed item
// that arrives before the catalog page naming the item (orders come as
// the node connects, pages a few at a time after) is shown, picked and
// charged by weight once the catalog knows the item: a scale label over
// the weight ordered is taken within the tolerance, and the amount due
// is that of the grams picked, not of as many pieces.
func TestPickupWeighedLineBeforeItsCatalogPage(t *testing.T) {
	e := newPickupEnv(t, nil)
	o := e.order(1, pos.OrderPayAtPickup)
	o.Lines = []pos.OrderLine{{LineID: "1", SKU: "300100", Name: "Apples", Qty: 500, UnitPrice: 2990}}
	o.Payment.Amount = 1495
	e.apply(o)
	e.must(e.db.PutItems(e.ctx, []pos.Item{{SKU: "300100", Active: true, Names: map[string]string{"en": "Apples"},
		Barcodes: []string{"2300100000008"}, Unit: pos.UnitKg, Price: 2990, TaxRateBP: 1200}}, pos.Sweden))
	v, err := e.svc.Order(e.ctx, o.ID)
	e.must(err)
	if v.Lines[0].Unit != pos.UnitKg {
		t.Errorf("the line's unit once the catalog knows the item: %q", v.Lines[0].Unit)
	}
	label := "230010000512"
	label += string(pos.GTINCheckDigit(label))
	if _, _, err := e.svc.PickScan(e.ctx, e.a, o.ID, label); err != nil {
		t.Fatalf("512 g picked for 500 g ordered: %v", err)
	}
	_, slip, err := e.svc.MarkReady(e.ctx, e.a, o.ID, "P-1", 1)
	e.must(err)
	if slip.Due != 1531 { // 512 g at 29.90 a kg
		t.Fatalf("due at pickup %d, want 15.31 for 512 g at 29.90/kg", slip.Due)
	}
}
