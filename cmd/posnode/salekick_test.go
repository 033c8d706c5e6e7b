package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
)

// heldKick is a printer busy with a long job: a drawer kick waits until
// release, and tells the deadline it was given.
type heldKick struct {
	printer.Printer
	deadline chan time.Time
	release  chan struct{}
}

func (p *heldKick) Print(context.Context, receipt.Document) (int64, error) { return 1, nil }

func (p *heldKick) KickDrawer(ctx context.Context) error {
	dl, _ := ctx.Deadline()
	p.deadline <- dl
	select {
	case <-p.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The kick of a cash sale waits for the job the printer is printing (a
// Chinese receipt printed as an image takes about 10 s at 38,400 baud):
// it is given time for that, and the receipts of the sales after it are
// not held up meanwhile.
func TestCashSaleKickWaitsForALongJob(t *testing.T) {
	db := emptyDB(t)
	p := &heldKick{deadline: make(chan time.Time, 1), release: make(chan struct{})}
	defer close(p.release)
	n := &node{log: slog.New(slog.DiscardHandler), db: db,
		stations: map[string]*station{"till-1": {cfg: StationConfig{ID: "till-1"}, printer: p}}}
	done := make(chan struct{})
	go func() {
		n.onSale(&pos.Sale{ID: "s-1", ReceiptNo: 1, Station: "till-1", Payments: []pos.Payment{{Method: pos.MethodCash, Amount: 10000}}})
		close(done)
	}()
	dl := <-p.deadline
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the next sale's receipt waits while this sale's kick waits for the printer")
	}
	if left := time.Until(dl); left < 20*time.Second {
		t.Errorf("the kick may wait %v for the job ahead of it; want it to outlast a long receipt", left.Round(time.Second))
	}
}
