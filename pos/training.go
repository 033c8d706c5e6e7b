package pos

import (
	"context"
	"errors"
	"fmt"
)

// Errors of training mode.
var (
	// ErrTrainingTender reports a tender that training mode does not
	// take: training moves no real money, so only (play) cash is accepted.
	ErrTrainingTender = errors.New("pos: training mode takes cash only")
	// ErrTrainingCart reports a real sale's step (completing, saving,
	// exchanging) asked of a cart opened in training mode.
	ErrTrainingCart = errors.New("pos: this cart is in training mode; close it as a training receipt")
	// ErrNotTraining reports a cart opened for real asked to close as a
	// training receipt: only a cart opened in training mode can.
	ErrNotTraining = errors.New("pos: this cart is not in training mode")
	// ErrTrainingReturn reports a return or a void asked at a station
	// whose cart is in training mode: either gives real money back, so
	// the training receipt is closed first.
	ErrTrainingReturn = errors.New("pos: the till is in training mode; close the training receipt before a real return or void")
)

// refuseTraining returns refusal (ErrTrainingCart or ErrTrainingTender),
// naming the cart, when cart id was opened in training mode, for the
// steps that would make it a real sale or move real money. A cart's
// training mode is fixed when it is opened, so the answer holds while
// the step runs without the cart's lock. A cart that cannot be read is
// left to the step, which reads it again and says why.
func (s *Service) refuseTraining(ctx context.Context, id string, refusal error) error {
	c, err := s.opt.Store.Cart(ctx, id)
	if err != nil {
		return nil
	}
	return c.refuseTraining(refusal)
}

// refuseTraining returns refusal, naming the cart, when c was opened in
// training mode.
func (c *Cart) refuseTraining(refusal error) error {
	if c.Training {
		return fmt.Errorf("%w (cart %s)", refusal, c.ID)
	}
	return nil
}

// TrainingReceipt is a sale made in training mode. It is journalled
// (marked MarkTraining) and printed marked TRAINING, and nothing else:
// it has a number of its own sequence, not a receipt number, moves no
// stock, sends no event to central and is on no shift report.
type TrainingReceipt struct {
	No   int64 `json:"no"`
	Sale Sale  `json:"sale"`
}

// OpenTraining opens a new, empty training cart at the actor's station,
// which becomes the station's cart until it is closed. Training mode is a
// property of the cart from its start, shown on screen and printed on its
// receipt; a cashier needs a supervisor's approval (sup) to start it.
func (as *AfterSales) OpenTraining(ctx context.Context, a Actor, sup *Supervisor) (*CartView, error) {
	if a.Station == "" {
		return nil, fmt.Errorf("%w: training needs a station", ErrInvalidRequest)
	}
	id := as.newID()
	if _, err := as.till.approve(ctx, a.Role < RoleSupervisor, a, sup, "training", id, "training mode at "+a.Station); err != nil {
		return nil, err
	}
	now := as.now()
	c := Cart{ID: id, Station: a.Station, Cashier: a.Staff, CreatedAt: now, UpdatedAt: now, Training: true}
	if err := as.till.opt.Store.SaveCart(ctx, &c); err != nil {
		return nil, err
	}
	v, err := as.till.View(ctx, c)
	if err != nil {
		return nil, err
	}
	as.till.opt.Notify(Change{Kind: "cart", Station: c.Station, ID: c.ID, Value: v})
	return v, nil
}

// CompleteTraining closes a settled training cart as a training receipt
// and removes the cart. A cart opened for real is refused with
// ErrNotTraining, whatever its tenders. The observer is told of the
// removed cart and then of the receipt, as a Change of kind "training"
// whose Value is the *TrainingReceipt, for its station to print it.
func (as *AfterSales) CompleteTraining(ctx context.Context, a Actor, cartID string) (*TrainingReceipt, error) {
	defer as.till.lock(cartID)()
	c, err := as.till.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return nil, err
	}
	if !c.Training {
		return nil, fmt.Errorf("%w (cart %s)", ErrNotTraining, c.ID)
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
	as.till.opt.Notify(Change{Kind: "training", Station: c.Station, ID: c.ID, Value: tr})
	return tr, nil
}
