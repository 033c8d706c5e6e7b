package sqlite_test

import (
	"errors"
	"testing"

	"github.com/posnode/posnode/pos"
)

// A till in training mode moves no real money: a return made there while
// its training cart is open is refused before anything is refunded, and
// goes through once the training receipt is closed. It used to refund the
// real sale in real money while the screen said nothing rung up was real.
func TestReturnRefusedWhileTheTillIsInTraining(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.cashier, []buy{{bookSKU, 1, nil}}, nil, tender{method: pos.MethodCash, amount: 20000})
	tr, err := e.as.OpenTraining(e.ctx, e.boss, nil)
	e.must(err)
	req := pos.ReturnRequest{Receipt: pos.ReceiptBarcode(s.ReceiptNo), Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "practice"}
	if _, err := e.as.PrepareReturn(e.ctx, e.boss, req); !errors.Is(err, pos.ErrTrainingReturn) {
		t.Fatalf("return prepared at a till in training: err = %v, want ErrTrainingReturn", err)
	}
	if _, err := e.as.Return(e.ctx, e.boss, req); !errors.Is(err, pos.ErrTrainingReturn) {
		t.Fatalf("return at a till in training: err = %v, want ErrTrainingReturn", err)
	}
	if evs := e.events(pos.EventReturnCompleted); len(evs) != 0 {
		t.Fatalf("%d return events from a till in training", len(evs))
	}
	// Another till is not in training.
	other := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"}
	if _, err := e.as.PrepareReturn(e.ctx, other, req); err != nil {
		t.Fatalf("return prepared at a till beside one in training: %v", err)
	}
	// The training receipt closed, the till takes the book back for real.
	e.must1(e.till.AddItem(e.ctx, e.boss, tr.ID, sockSKU, 1))
	e.must1(e.till.PayCash(e.ctx, e.boss, tr.ID, 10000))
	e.must1(e.as.CompleteTraining(e.ctx, e.boss, tr.ID))
	r, err := e.as.Return(e.ctx, e.boss, req)
	e.must(err)
	if refundOf(r, pos.MethodCash) != 19000 {
		t.Fatalf("return after training refunds %+v", r.Refunds)
	}
}
