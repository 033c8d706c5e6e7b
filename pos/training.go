package pos

import (
	"context"
	"errors"
	"fmt"
)

// ErrTrainingTender reports a tender that training mode does not take:
// training moves no real money, so only (play) cash is accepted.
var ErrTrainingTender = errors.New("pos: training mode takes cash only")

// TrainingReceipt is a sale made in training mode. It is journalled
// (marked MarkTraining) and printed marked TRAINING, and nothing else:
// it has a number of its own sequence, not a receipt number, moves no
// stock, sends no event to central and is on no shift report.
type TrainingReceipt struct {
	No   int64 `json:"no"`
	Sale Sale  `json:"sale"`
}

// CompleteTraining closes a settled cart as a training receipt and
// removes the cart.
func (as *AfterSales) CompleteTraining(ctx context.Context, a Actor, cartID string) (*TrainingReceipt, error) {
	defer as.till.lock(cartID)()
	c, err := as.till.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return nil, err
	}
	set, err := as.till.opt.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if len(c.Lines) == 0 {
		return nil, ErrEmptyCart
	}
	if c.Pending != nil {
		return nil, ErrTrainingTender
	}
	for _, p := range c.Payments {
		if p.Method != MethodCash {
			return nil, fmt.Errorf("%w: the cart has a %s payment", ErrTrainingTender, p.Method)
		}
	}
	b := c.Balance(set)
	if !b.Settled {
		return nil, fmt.Errorf("%w: %d still due", ErrTenderShort, b.Due)
	}
	tr := &TrainingReceipt{Sale: Sale{ID: c.ID, Station: c.Station, Cashier: c.Cashier, CompletedAt: as.now(),
		Lines: c.Lines, Discount: c.Discount, Balance: b, Payments: c.Payments, CustomerID: c.CustomerID,
		Currency: set.Currency}}
	if a.Staff != "" {
		tr.Sale.Cashier = a.Staff
	}
	if err := as.opt.Store.RecordTraining(ctx, tr); err != nil {
		return nil, err
	}
	as.till.opt.Notify(Change{Kind: "cart", Station: c.Station, ID: c.ID, Value: nil})
	return tr, nil
}
