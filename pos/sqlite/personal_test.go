package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
)

// TestErasePersonalDataOfEndedOrders: the customer's name, phone, the
// arrival's note and the pickup code of an order collected before the
// cutoff are erased, from the order, its search and central's record;
// an open order, one ended after the cutoff and one whose notices wait
// keep theirs. The erased order cannot be found by name or phone any
// more, keeps its lines and states, and a step based on the order as
// read before the erasure is refused rather than writing the data back.
func TestErasePersonalDataOfEndedOrders(t *testing.T) {
	e := newPickupEnv(t, nil)
	mk := func(id string) pos.Order {
		o := e.order(1, pos.OrderPaid)
		o.ID = id
		o.Lines = o.Lines[1:] // one water bottle
		return o
	}
	collect := func(id string) {
		e.apply(mk(id))
		e.scan(id, ean("731000000001"))
		_, _, err := e.svc.MarkReady(e.ctx, e.a, id, "Shelf P-4", 1)
		e.must(err)
		_, _, err = e.svc.Arrive(e.ctx, e.a, id, pos.Arrival{Bay: "3", Note: "red Volvo ABC 123"})
		e.must(err)
		e.must1(e.svc.OpenByQR(e.ctx, e.a, pos.PickupQR(id, "483920")))
		e.must1(e.svc.Collect(e.ctx, e.a, id, nil))
	}
	records := e.db.OrderRecords()
	raw := `{"order_id":"%s","version":1,"customer":{"id":"C-88412","name":"Ana Popescu","phone":"+40712345678","email":"ana@example.ro","language":"ro"},"pickup_code":"483920","arrival":{"bay":"3","note":"red Volvo"}}`
	record := func(id string, closed bool) {
		e.must(records.ApplyOrder(e.ctx, []byte(strings.Replace(raw, "%s", id, 1)), pos.Order{ID: id, Version: 1}))
		if closed {
			e.must(records.CloseOrder(e.ctx, id))
		}
	}

	slip := func(id string) int64 {
		job, err := e.db.AddPrintJob(e.ctx, "pickup", "pickup_slip", id, []byte(`{"customer":"Ana Popescu","phone":"+40712345678"}`),
			[]byte("\x1b@ANA POPESCU +40712345678"))
		e.must(err)
		e.must(e.db.PrintJobDone(e.ctx, job))
		return job
	}
	collect("W-OLD")
	record("W-OLD", true)
	oldSlip := slip("W-OLD")
	record("W-OPEN-REC", false)
	e.apply(mk("W-OPEN")) // placed long ago, never collected
	e.now = e.now.Add(40 * 24 * time.Hour)
	cutoff := e.now.Add(-30 * 24 * time.Hour)
	collect("W-NEW")
	record("W-NEW", true)
	newSlip := slip("W-NEW")
	stale, err := e.db.PickupOrder(e.ctx, "W-OLD")
	e.must(err)

	n, err := e.db.ErasePersonalData(e.ctx, cutoff, 1, 0)
	e.must(err)
	if n != 1 {
		t.Fatalf("erased %d orders, want 1", n)
	}
	old, err := e.db.PickupOrder(e.ctx, "W-OLD")
	e.must(err)
	c := old.Order.Customer
	if c.Name != "" || c.Phone != "" || old.Order.PickupCode != "" || old.Arrival == nil || old.Arrival.Note != "" ||
		old.PersonalErasedAt.IsZero() {
		t.Fatalf("ended order keeps personal data: customer %+v, code %q, arrival %+v, erased %v",
			c, old.Order.PickupCode, old.Arrival, old.PersonalErasedAt)
	}
	if c.ID != "C-88412" || old.State != pos.PickupCollected || len(old.Lines) != 1 || old.Arrival.Bay != "3" {
		t.Fatalf("erasure took more than personal data: %+v", old)
	}
	for _, id := range []string{"W-OPEN", "W-NEW"} {
		p, err := e.db.PickupOrder(e.ctx, id)
		e.must(err)
		if p.Order.Customer.Name != "Ana Popescu" || !p.PersonalErasedAt.IsZero() {
			t.Fatalf("order %s lost its customer: %+v", id, p.Order.Customer)
		}
	}
	for _, q := range []string{"popescu", "0712345678"} {
		found, err := e.db.PickupOrders(e.ctx, pos.PickupQuery{Search: q})
		e.must(err)
		for _, p := range found {
			if p.Order.ID == "W-OLD" {
				t.Fatalf("search %q still finds the erased order", q)
			}
		}
		if len(found) != 2 {
			t.Fatalf("search %q found %d orders, want the 2 not erased", q, len(found))
		}
	}
	stale.Order.Customer.Name = "written back"
	if err := e.db.SavePickup(e.ctx, &pos.PickupUpdate{Order: &stale, Action: "note"}); !errors.Is(err, pos.ErrStale) {
		t.Fatalf("a step on the order read before the erasure: %v, want ErrStale", err)
	}
	for id, erased := range map[string]bool{"W-OLD": true, "W-OPEN-REC": false, "W-NEW": false} {
		_, doc, _, err := records.Get(e.ctx, id)
		e.must(err)
		for _, s := range []string{"Ana Popescu", "+40712345678", "ana@example.ro", "red Volvo", "483920"} {
			if strings.Contains(string(doc), s) == erased {
				t.Fatalf("central's record of %s (erased %v): %s", id, erased, doc)
			}
		}
		if !strings.Contains(string(doc), "C-88412") {
			t.Fatalf("central's record of %s lost the customer id: %s", id, doc)
		}
	}
	for job, erased := range map[int64]bool{oldSlip: true, newSlip: false} {
		var doc, data []byte
		e.must(e.db.Read().QueryRowContext(e.ctx, "SELECT doc, data FROM print_jobs WHERE id = ?", job).Scan(&doc, &data))
		if kept := strings.Contains(string(doc), "Popescu") || strings.Contains(strings.ToLower(string(data)), "popescu"); kept == erased {
			t.Fatalf("print job %d (erased %v): doc %q, data %q", job, erased, doc, data)
		}
	}
	if n, err := e.db.ErasePersonalData(e.ctx, cutoff, 1, 0); err != nil || n != 0 {
		t.Fatalf("erasing again: %d, %v; want 0", n, err)
	}
}

// TestErasePersonalDataSlipGoesWithItsOrder: a pickup slip printed before
// the cutoff keeps its contents while its order keeps its data: an order
// still open (its customer given more time) and one collected after the
// cutoff. The slip of an order erased loses them.
func TestErasePersonalDataSlipGoesWithItsOrder(t *testing.T) {
	e := newPickupEnv(t, nil)
	ready := func(id string) int64 {
		o := e.order(1, pos.OrderPaid)
		o.ID = id
		o.Lines = o.Lines[1:]
		e.apply(o)
		e.scan(id, ean("731000000001"))
		_, _, err := e.svc.MarkReady(e.ctx, e.a, id, "Shelf P-4", 1)
		e.must(err)
		job, err := e.db.AddPrintJob(e.ctx, "pickup", "pickup_slip", id, []byte(`{"customer":"Ana Popescu"}`), []byte("\x1b@ANA POPESCU"))
		e.must(err)
		e.must(e.db.PrintJobDone(e.ctx, job))
		return job
	}
	collect := func(id string) {
		e.must1(e.svc.OpenByQR(e.ctx, e.a, pos.PickupQR(id, "483920")))
		e.must1(e.svc.Collect(e.ctx, e.a, id, nil))
	}
	slips := map[string]int64{"W-GONE": ready("W-GONE"), "W-WAITING": ready("W-WAITING"), "W-LATE": ready("W-LATE")}
	collect("W-GONE")
	e.now = e.now.Add(35 * 24 * time.Hour)
	collect("W-LATE")
	e.now = e.now.Add(5 * 24 * time.Hour)
	n, err := e.db.ErasePersonalData(e.ctx, e.now.Add(-31*24*time.Hour), 10, 0)
	e.must(err)
	if n != 1 {
		t.Fatalf("erased %d orders, want 1", n)
	}
	for id, erased := range map[string]bool{"W-GONE": true, "W-WAITING": false, "W-LATE": false} {
		var doc, data []byte
		e.must(e.db.Read().QueryRowContext(e.ctx, "SELECT doc, data FROM print_jobs WHERE id = ?", slips[id]).Scan(&doc, &data))
		if kept := strings.Contains(string(doc), "Popescu") && strings.Contains(string(data), "POPESCU"); kept == erased {
			t.Fatalf("slip of %s (order erased %v): doc %q, data %q", id, erased, doc, data)
		}
	}
}

// TestErasePersonalDataOfCentralRecordsInBatches: central's records are
// erased batch records per transaction with the pause between, as the
// orders are, not all in one transaction that holds the tills' writes.
func TestErasePersonalDataOfCentralRecordsInBatches(t *testing.T) {
	e := newPickupEnv(t, nil)
	records := e.db.OrderRecords()
	raw := `{"order_id":"%s","version":1,"customer":{"id":"C-88412","name":"Ana Popescu","phone":"+40712345678"},"pickup_code":"483920"}`
	var ids []string
	for i := range 5 {
		id := fmt.Sprintf("W-%d", i)
		ids = append(ids, id)
		e.must(records.ApplyOrder(e.ctx, []byte(strings.Replace(raw, "%s", id, 1)), pos.Order{ID: id, Version: 1}))
		e.must(records.CloseOrder(e.ctx, id))
	}
	erased := func() int {
		n := 0
		for _, id := range ids {
			_, doc, _, err := records.Get(e.ctx, id)
			e.must(err)
			if !strings.Contains(string(doc), "Popescu") {
				n++
			}
		}
		return n
	}
	cutoff := e.now.Add(time.Hour)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() {
		_, err := e.db.ErasePersonalData(ctx, cutoff, 2, time.Hour)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for erased() < 2 {
		select {
		case err := <-done:
			t.Fatalf("erasure ended (%v) with %d records erased, before its pause", err, erased())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("%d records erased, want the first batch of 2", erased())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := erased(); n != 2 {
		cancel()
		<-done
		t.Fatalf("%d records erased before the first pause, want a batch of 2", n)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("erasure cancelled in its pause: %v", err)
	}
	if _, err := e.db.ErasePersonalData(e.ctx, cutoff, 2, 0); err != nil {
		t.Fatal(err)
	}
	if n := erased(); n != len(ids) {
		t.Fatalf("%d records erased, want all %d", n, len(ids))
	}
}
