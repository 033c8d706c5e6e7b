package sqlite_test

import (
	"context"
	"errors"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// A cash operation recorded after a Z report was computed makes the
// store refuse the close, as a receipt does: the report would miss cash
// that is in the drawer.
func TestCloseShiftRefusesAReportMissingACashOp(t *testing.T) {
	for _, op := range []struct {
		kind   string
		amount int64
	}{{pos.CashPaidIn, 5000}, {pos.CashPaidOut, 1200}, {pos.CashDrop, 50000}, {pos.CashNoSale, 0}} {
		t.Run(op.kind, func(t *testing.T) {
			e := newASEnv(t, pos.ReturnPolicy{})
			_, err := e.as.OpenShift(e.ctx, e.cashier, 100000)
			e.must(err)
			sh, err := e.db.CurrentShift(e.ctx, "till-1")
			e.must(err)
			d, err := e.db.ShiftData(e.ctx, sh.ID)
			e.must(err)
			rep := pos.BuildShiftReport("Z", d, e.now, "SEK")
			e.must(e.db.AddCashOp(e.ctx, &pos.CashOp{ID: "op-1", ShiftID: sh.ID, Station: "till-1", Kind: op.kind,
				Amount: op.amount, Reason: "late", Staff: "1", At: e.now}))
			sh.ClosedAt = e.now
			if err := e.db.CloseShift(e.ctx, &sh, rep); !errors.Is(err, pos.ErrConflict) {
				t.Fatalf("close with a report missing a %s: %v", op.kind, err)
			}
		})
	}
}

// hookedStore calls beforeData before the shift data is read for the
// first time: a write there lands between a close's report and its
// record, as one by another writer of the database would.
type hookedStore struct {
	*sqlite.DB
	beforeData func()
}

func (s *hookedStore) ShiftData(ctx context.Context, id string) (pos.ShiftData, error) {
	d, err := s.DB.ShiftData(ctx, id)
	if f := s.beforeData; f != nil {
		s.beforeData = nil
		f()
	}
	return d, err
}

// A paid-in recorded while CloseShift computes the Z report is in the
// report: the close is tried again with it, and the drawer's expected
// cash counts it.
func TestCloseShiftCountsACashOpRecordedWhileClosing(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	store := &hookedStore{DB: e.db}
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: store, Lookup: e.lookup})
	sh, err := as.OpenShift(e.ctx, e.boss, 100000)
	e.must(err)
	store.beforeData = func() {
		e.must(e.db.AddCashOp(e.ctx, &pos.CashOp{ID: "op-1", ShiftID: sh.ID, Station: "till-1", Kind: pos.CashPaidIn,
			Amount: 5000, Reason: "change from the bank", Staff: "1", At: e.now}))
	}
	z, err := as.CloseShift(e.ctx, e.boss, 105000)
	e.must(err)
	if z.PaidIn != 5000 || z.ExpectedCash != 105000 || z.Difference != 0 {
		t.Fatalf("Z report paid in %d, expected cash %d, difference %d; want 5000, 105000, 0", z.PaidIn, z.ExpectedCash, z.Difference)
	}
	stored, err := e.db.ZReport(e.ctx, sh.ID)
	e.must(err)
	if stored.PaidIn != 5000 {
		t.Fatalf("stored Z report paid in %d, want 5000", stored.PaidIn)
	}
}
