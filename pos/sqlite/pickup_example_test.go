package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// An order from central is picked, made ready, verified by the customer's
// QR code and handed over; each step's event waits in the outbox.
func Example_pickup() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "pickup")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "pos.db"), sqlite.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	_ = db.PutItems(ctx, []pos.Item{{SKU: "100234", Active: true, Names: map[string]string{"en": "Backpack"},
		Barcodes: []string{"7310865004703"}, Unit: pos.UnitEach, Price: 49900, TaxRateBP: 2500, Location: "C-10"}}, pos.Sweden)

	svc := pos.NewPickupService(pos.PickupOptions{Store: db})
	staff := pos.Actor{Staff: "7", Role: pos.RoleCashier, Station: "pickup-1"}

	// What syncqueue does with a retained orders/{order_id} payload.
	payload := `{"order_id": "W-1", "version": 1, "status": "placed",
		"placed_at": "2026-11-22T10:15:00+01:00", "collect_by": "2099-11-29T20:00:00+01:00",
		"customer": {"id": "C-1", "name": "Ana", "phone": "+40712345678", "language": "ro"},
		"pickup_code": "483920", "payment": {"status": "paid", "amount": 49900, "currency": "RON"},
		"lines": [{"line_id": "1", "sku": "100234", "name": "Rucsac", "qty": 1, "unit_price": 49900}],
		"arrival": null}`
	o, err := pos.ParseOrder([]byte(payload))
	if err == nil {
		err = svc.ApplyOrder(ctx, []byte(payload), o)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _, _ = svc.PickScan(ctx, staff, "W-1", "7310865004703")
	_, slip, _ := svc.MarkReady(ctx, staff, "W-1", "P-4", 1)
	_, _ = svc.OpenByQR(ctx, staff, "PICKUP:W-1:483920")
	v, err := svc.Collect(ctx, staff, "W-1", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.State, "from", slip.Location, "with", len(slip.Labels), "label")
	evs, _ := db.EventsAfter(ctx, 0, 10)
	for _, ev := range evs {
		fmt.Println(ev.Seq, ev.Type, string(ev.Data))
	}
	// Output:
	// collected from P-4 with 1 label
	// 1 pos.pickup.accepted {"order_id":"W-1","version":1}
	// 2 pos.pickup.ready {"order_id":"W-1","lines":[{"line_id":"1","qty_picked":1,"substitute_sku":null}],"location":"P-4"}
	// 3 pos.pickup.collected {"order_id":"W-1","verified_by":"qr","staff":"7","lines":[{"line_id":"1","qty":1}]}
}
