package main

import (
	"context"
	"time"

	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
)

// stationOf returns the station with id, or else the first station of
// kind, or else any station; nil when there are none.
func (n *node) stationOf(id, kind string) *station {
	if st := n.stations[id]; st != nil {
		return st
	}
	for _, sc := range n.cfg.Stations {
		if sc.Kind == kind {
			return n.stations[sc.ID]
		}
	}
	for _, st := range n.stations {
		return st
	}
	return nil
}

// printSlip queues an order's pickup slip and one label per bag at the
// pickup counter's printer.
func (n *node) printSlip(ctx context.Context, slip *pos.PickupSlip) {
	st := n.stationOf("", "pickup")
	if st == nil {
		return
	}
	head := n.storeHeading(ctx)
	items := make([]receipt.Line, 0, len(slip.Lines))
	for _, l := range slip.Lines {
		items = append(items, receipt.Line{Name: l.Name, Qty: l.Picked, ByWeight: l.Unit == pos.UnitKg})
	}
	bags := max(slip.Bags, 1)
	docs := []receipt.Document{receipt.PickupSlip{Store: head, OrderID: slip.OrderID, Customer: slip.Customer,
		Bag: 1, Bags: bags, Items: items, Time: slip.ReadyAt}}
	for _, l := range slip.Labels {
		docs = append(docs, receipt.BagLabel{Store: head, OrderID: l.OrderID, Customer: l.Customer, Bag: l.Bag, Bags: l.Bags})
	}
	for _, d := range docs {
		if _, err := st.printer.Print(ctx, d); err != nil {
			n.log.Error("queue pickup slip", "order", slip.OrderID, "err", err)
			return
		}
	}
}

// printReport queues an X or Z report at its station's printer.
func (n *node) printReport(ctx context.Context, rep *pos.ShiftReport) {
	st := n.stationOf(rep.Station, "till")
	if st == nil {
		return
	}
	r := receipt.FromShiftReport(rep, n.storeHeading(ctx), time.Now())
	if _, err := st.printer.Print(ctx, r); err != nil {
		n.log.Error("queue shift report", "shift", rep.ShiftID, "err", err)
	}
}

// openDrawer opens a station's cash drawer for a cash operation; the
// domain has recorded it (audited) before this is called.
func (n *node) openDrawer(ctx context.Context, station, reason string) {
	st := n.stationOf(station, "till")
	if st == nil {
		return
	}
	if err := n.kickDrawer(ctx, st); err != nil {
		n.log.Warn("open drawer", "station", station, "reason", reason, "err", err)
	}
}

// returnReceipt lays out a return's refund receipt.
func (n *node) returnReceipt(ctx context.Context, r *pos.Return, copy bool) receipt.Receipt {
	head := n.storeHeading(ctx)
	if r.Currency != "" {
		head.Currency = r.Currency
	}
	rc := receipt.Receipt{Store: head, ReceiptNo: r.ReturnNo, Station: r.Station, Cashier: r.Staff, Time: r.At,
		Total: r.Total, Rounding: r.Rounding, Refund: true, Original: r.ReceiptNo, OrderID: r.OrderID, Copy: copy}
	for _, l := range r.Lines {
		name := pos.Item{SKU: l.SKU, Names: l.Names}.Name(head.Lang)
		line := receipt.Line{Name: name, Qty: l.Qty, ByWeight: l.Unit == pos.UnitKg, UnitPrice: l.UnitPrice, Amount: l.Amount}
		if l.Gross > l.Amount {
			line.Discount = l.Gross - l.Amount // the share of the discounts given back
		}
		rc.Lines = append(rc.Lines, line)
		rc.Subtotal += l.Amount
	}
	for _, t := range r.Tax {
		rc.Tax = append(rc.Tax, receipt.Tax{RateBP: t.RateBP, Base: t.Base, Tax: t.Tax})
	}
	for _, f := range r.Refunds {
		pay := receipt.Payment{Method: f.Method, Amount: f.Amount}
		if f.Method == pos.MethodStoreCredit {
			pay.Ref = f.Ref // the customer's only way to the credit
		}
		rc.Payments = append(rc.Payments, pay)
	}
	return rc
}

// printReturn queues a return's refund receipt at its station.
func (n *node) printReturn(ctx context.Context, r *pos.Return, copy bool) {
	st := n.stationOf(r.Station, "till")
	if st == nil {
		return
	}
	if _, err := st.printer.Print(ctx, n.returnReceipt(ctx, r, copy)); err != nil {
		n.log.Error("queue refund receipt", "return", r.ID, "err", err)
	}
}

// printCopy queues a copy of a sale's, a return's or a training receipt
// at station. A training receipt's copy is marked as training as its
// original was, and its print job's ref is "training:N", never a sale's.
func (n *node) printCopy(ctx context.Context, station string, s *pos.Sale, r *pos.Return, tr *pos.TrainingReceipt) {
	st := n.stationOf(station, "till")
	if st == nil {
		return
	}
	var doc receipt.Document
	switch {
	case s != nil:
		doc = n.saleReceipt(ctx, s, true)
	case r != nil:
		doc = n.returnReceipt(ctx, r, true)
	case tr != nil:
		rc := receipt.FromTraining(tr, n.storeHeading(ctx), "")
		rc.Copy = true
		doc = rc
	default:
		return
	}
	if _, err := st.printer.Print(ctx, doc); err != nil {
		n.log.Error("queue receipt copy", "station", station, "err", err)
	}
}

// printSalesReport queues a sales report at station.
func (n *node) printSalesReport(ctx context.Context, station, by string, from, to time.Time, rows []pos.ReportRow) {
	st := n.stationOf(station, "till")
	if st == nil {
		return
	}
	r := receipt.SalesReport{Store: n.storeHeading(ctx), By: by, From: from, To: to, Printed: time.Now()}
	for _, row := range rows {
		r.Rows = append(r.Rows, receipt.SalesRow{Key: row.Key, Count: row.Count, Amount: row.Amount, Tax: row.Tax})
	}
	if _, err := st.printer.Print(ctx, r); err != nil {
		n.log.Error("queue sales report", "station", station, "err", err)
	}
}

// printTraining queues a training receipt at its station's printer,
// marked as not a receipt. The drawer stays shut: training takes only
// play cash, and a drawer that opens for it would invite real money in.
func (n *node) printTraining(ctx context.Context, tr *pos.TrainingReceipt) {
	st := n.stations[tr.Sale.Station]
	if st == nil {
		return
	}
	if _, err := st.printer.Print(ctx, receipt.FromTraining(tr, n.storeHeading(ctx), "")); err != nil {
		n.log.Error("queue training receipt", "cart", tr.Sale.ID, "training", tr.No, "err", err)
	}
}

// printJobsKept is how long printed jobs stay in the database. A copy of a
// receipt is made from its sale or return, not from the job; the jobs are
// the record of what went to paper, and a receipt printed as an image (a
// Traditional Chinese receipt without a Big5 font, 35 KB and more) would
// otherwise grow the database by gigabytes a year.
const printJobsKept = 31 * 24 * time.Hour

// erasePersonalData erases the customers' personal data of the
// click-and-collect orders ended longer than [privacy] pickup_customer ago.
func (n *node) erasePersonalData(ctx context.Context) error {
	keep := n.cfg.Privacy.PickupCustomer.Duration
	if keep == 0 {
		keep = defaultPickupCustomer
	}
	return housekeep(ctx, func() {
		erased, err := n.db.ErasePersonalData(ctx, time.Now().Add(-keep), 200, 100*time.Millisecond)
		switch {
		case err != nil && ctx.Err() == nil:
			n.log.Warn("erase customers' personal data", "err", err, "erased", erased)
		case erased > 0:
			n.log.Info("erased customers' personal data of ended orders", "orders", erased, "ended_before", keep.String())
		}
	})
}

// prunePrintJobs deletes printed jobs older than printJobsKept.
func (n *node) prunePrintJobs(ctx context.Context) error {
	return housekeep(ctx, func() {
		pruned, err := n.db.PrunePrintJobs(ctx, time.Now().Add(-printJobsKept), 200, 100*time.Millisecond)
		switch {
		case err != nil && ctx.Err() == nil:
			n.log.Warn("prune printed jobs", "err", err, "pruned", pruned)
		case pruned > 0:
			n.log.Info("pruned printed jobs", "pruned", pruned, "older_than", printJobsKept.String())
		}
	})
}

// housekeep runs a clean-up a minute after start and then every six
// hours until ctx ends; the clean-ups work in small batches between the
// tills' writes.
func housekeep(ctx context.Context, run func()) error {
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = 6 * time.Hour
		run()
	}
}
