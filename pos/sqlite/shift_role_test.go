package sqlite_test

import (
	"errors"
	"testing"

	"github.com/posnode/posnode/pos"
)

// Closing a shift needs a supervisor, in the domain as in the API: a
// cashier's close is refused and leaves the shift open.
func TestCloseShiftNeedsASupervisor(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	_, err := e.as.OpenShift(e.ctx, e.cashier, 10000)
	e.must(err)
	if _, err := e.as.CloseShift(e.ctx, e.cashier, 10000); !errors.Is(err, pos.ErrForbidden) {
		t.Fatalf("a cashier closes the shift: %v", err)
	}
	if _, err := e.db.CurrentShift(e.ctx, "till-1"); err != nil {
		t.Fatalf("the shift was closed by a cashier: %v", err)
	}
	e.must1(e.as.CloseShift(e.ctx, e.boss, 10000))
}

// The X report needs a supervisor too: a cashier's is refused.
func TestXReportNeedsASupervisor(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	_, err := e.as.OpenShift(e.ctx, e.cashier, 10000)
	e.must(err)
	if _, err := e.as.XReport(e.ctx, e.cashier, "till-1"); !errors.Is(err, pos.ErrForbidden) {
		t.Fatalf("a cashier reads the X report: %v", err)
	}
	e.must1(e.as.XReport(e.ctx, e.boss, "till-1"))
}
