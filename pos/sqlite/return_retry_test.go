package sqlite_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// refundCounter is a terminal that adds up the refunds it made.
type refundCounter struct {
	pos.PaymentTerminal
	mu      sync.Mutex
	refunds int64
}

func (c *refundCounter) Refund(ctx context.Context, ref string, amount int64, currency string) (pos.TerminalResult, error) {
	r, err := c.PaymentTerminal.Refund(ctx, ref, amount, currency)
	if err == nil && r.Approved {
		c.mu.Lock()
		c.refunds += amount
		c.mu.Unlock()
	}
	return r, err
}

// returnFailsOnce fails recording the first return, as a full disk would,
// after its card was refunded.
type returnFailsOnce struct {
	*sqlite.DB
	failed bool
}

func (f *returnFailsOnce) CompleteReturn(ctx context.Context, r *pos.Return, s *pos.Sale) error {
	if !f.failed {
		f.failed = true
		return errors.New("disk I/O error")
	}
	return f.DB.CompleteReturn(ctx, r, s)
}

// TestReturnAskedAgainWithOtherGoods: a return whose card refund was made
// but not recorded, asked again under its id with fewer goods, is
// refused (the terminal would take the first, larger refund for it, and
// the goods not recorded could be refunded again); asked again with the
// same goods, it is recorded without a second refund. The cards get back
// what the sale took, no more.
func TestReturnAskedAgainWithOtherGoods(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	term := &refundCounter{PaymentTerminal: e.term}
	e.till = pos.NewService(pos.Options{Store: e.db, Terminal: term, Policy: pos.DefaultPolicy(), Now: func() time.Time {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.now = e.now.Add(time.Second)
		return e.now
	}})
	e.as = pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: &returnFailsOnce{DB: e.db}, Lookup: e.lookup})
	s := e.sell(e.cashier, []buy{{jacketSKU, 2, nil}}, nil, tender{method: pos.MethodCard})
	req := pos.ReturnRequest{ID: "ret-1", SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 2}}, Reason: "too big"}
	if _, err := e.as.Return(e.ctx, e.cashier, req); err == nil {
		t.Fatal("the first return was recorded on a failing disk")
	}
	fewer := req
	fewer.Items = []pos.ReturnItem{{Line: "1", Qty: 1}}
	if _, err := e.as.Return(e.ctx, e.cashier, fewer); !errors.Is(err, pos.ErrConflict) {
		t.Fatalf("asked again with one jacket of two: %v, want ErrConflict", err)
	}
	r, err := e.as.Return(e.ctx, e.cashier, req)
	e.must(err)
	if r.Total != s.Balance.Total || term.refunds != s.Balance.Total {
		t.Fatalf("return %d; cards refunded %d; the sale took %d", r.Total, term.refunds, s.Balance.Total)
	}
	if _, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1}}, Reason: "again"}); !errors.Is(err, pos.ErrOverReturn) {
		t.Fatalf("a third jacket returned: %v", err)
	}
}
