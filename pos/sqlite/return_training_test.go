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
	req := pos.ReturnRequest{Receipt: pos.ReceiptBarcode("", s.ReceiptNo), Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "practice"}
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

// A training receipt is copied at the station where it was rung up, as
// that station alone lists it: another station asking for its number is
// told there is none, and no copy is journalled. The copy used to be
// journalled at, and printed by, whichever station named the number.
func TestTrainingReceiptCopiedOnlyAtItsStation(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	trainee := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-2"}
	v, err := e.as.OpenTraining(e.ctx, trainee, e.sup)
	e.must(err)
	e.must1(e.till.AddItem(e.ctx, trainee, v.ID, bookSKU, 1))
	e.pay(trainee, v.ID, tender{method: pos.MethodCash})
	tr, err := e.as.CompleteTraining(e.ctx, trainee, v.ID)
	e.must(err)
	before, err := e.db.Journal(e.ctx, 0, 1000)
	e.must(err)
	for _, a := range []pos.Actor{e.cashier, e.boss} { // till-1
		if c, err := e.as.RecordCopy(e.ctx, a, "training", "1"); !errors.Is(err, pos.ErrNotFound) {
			t.Fatalf("%s at %s copied training receipt %d of %s: %+v, %v", a.Staff, a.Station, tr.No, trainee.Station, c, err)
		}
	}
	after, err := e.db.Journal(e.ctx, 0, 1000)
	e.must(err)
	if len(after) != len(before) {
		t.Fatalf("refused copies journalled %d entries", len(after)-len(before))
	}
	c, err := e.as.RecordCopy(e.ctx, trainee, "training", "1")
	e.must(err)
	if c.No != tr.No || c.CopyNo != 1 || c.Station != trainee.Station {
		t.Fatalf("copy at the training receipt's station: %+v", c)
	}
}

// A void at a till in training mode is refused as a return is: it gives
// real money back.
func TestVoidRefusedWhileTheTillIsInTraining(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.boss, []buy{{bookSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	tr, err := e.as.OpenTraining(e.ctx, e.boss, nil)
	e.must(err)
	if _, err := e.as.VoidLastSale(e.ctx, e.boss, s.ID, "practice", nil); !errors.Is(err, pos.ErrTrainingReturn) {
		t.Fatalf("void at a till in training: err = %v, want ErrTrainingReturn", err)
	}
	if evs := e.events(pos.EventSaleVoided); len(evs) != 0 {
		t.Fatalf("%d void events from a till in training", len(evs))
	}
	e.must(e.till.Cancel(e.ctx, e.boss, tr.ID))
	v, err := e.as.VoidLastSale(e.ctx, e.boss, s.ID, "mistake", nil)
	e.must(err)
	if len(v.Refunds) != 1 || v.Refunds[0].Method != pos.MethodCard || v.Refunds[0].Amount != 18950 {
		t.Fatalf("void after training refunds %+v", v.Refunds)
	}
}
