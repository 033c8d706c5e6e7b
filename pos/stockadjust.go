package pos

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Reasons of a stock adjustment, as the contract names them.
const (
	AdjustCount    = "count"    // a count of the shelf: on-hand becomes what was counted and what orders have picked
	AdjustDamage   = "damage"   // written off as damaged
	AdjustDelivery = "delivery" // received outside central's counts
	AdjustTheft    = "theft"    // found missing
	AdjustOther    = "other"
)

// ErrInvalidAdjustment reports a stock adjustment that cannot be recorded;
// the error names what is wrong.
var ErrInvalidAdjustment = errors.New("pos: invalid stock adjustment")

// ErrAdjustmentsUnsupported reports a store that does not keep stock
// adjustments.
var ErrAdjustmentsUnsupported = errors.New("pos: this store does not record stock adjustments")

// StockAdjustment is a change of on-hand that no sale, return or pickup
// explains. A count gives Counted, the quantity found on the shelf, and
// the store sets Delta to what makes on-hand that quantity and what open
// click-and-collect orders have picked (in their bags, off the shelf, not
// yet taken) when it records it; every other reason gives Delta.
// Quantities are pieces, or grams for items sold by weight.
type StockAdjustment struct {
	ID      string    `json:"id"`
	SKU     string    `json:"sku"`
	Reason  string    `json:"reason"`
	Delta   int64     `json:"delta"`
	Counted *int64    `json:"counted,omitempty"`
	Note    string    `json:"note,omitempty"`
	Station string    `json:"station"`
	Staff   string    `json:"staff"`
	At      time.Time `json:"at"`
}

// EventData returns the data of the adjustment's pos.stock.adjusted event.
func (a *StockAdjustment) EventData() StockAdjustedData {
	return StockAdjustedData{SKU: a.SKU, Delta: a.Delta, Reason: a.Reason, Counted: a.Counted, Note: a.Note,
		AdjustmentID: a.ID, Station: a.Station, Staff: a.Staff}
}

// StockAdjustedData is the data of a pos.stock.adjusted event: the
// contract's sku, delta and reason, and what the node knows besides.
type StockAdjustedData struct {
	SKU          string `json:"sku"`
	Delta        int64  `json:"delta"`
	Reason       string `json:"reason"`
	Counted      *int64 `json:"counted,omitempty"`
	Note         string `json:"note,omitempty"`
	AdjustmentID string `json:"adjustment_id"`
	Station      string `json:"station"`
	Staff        string `json:"staff"`
}

// StockAdjuster is a store that records stock adjustments: the movement
// and its event in one durable transaction, a count's delta taken inside
// it. A count that finds on-hand as it is records nothing. It returns the
// stock level after the adjustment.
type StockAdjuster interface {
	AdjustStock(ctx context.Context, adj *StockAdjustment) (StockLevel, error)
}

// AdjustStock records a stock adjustment made by a supervisor or a
// manager at their station: the item (by SKU or barcode), the reason and
// either the quantity counted (a count) or the change (any other reason).
func (s *Service) AdjustStock(ctx context.Context, a Actor, req StockAdjustment) (StockLevel, error) {
	store, ok := s.opt.Store.(StockAdjuster)
	if !ok {
		return StockLevel{}, ErrAdjustmentsUnsupported
	}
	if a.Role < RoleSupervisor {
		return StockLevel{}, fmt.Errorf("%w: stock adjustments need a supervisor", ErrForbidden)
	}
	bad := func(format string, v ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidAdjustment, fmt.Sprintf(format, v...))
	}
	it, err := s.opt.Store.ItemByCode(ctx, req.SKU)
	if err != nil {
		return StockLevel{}, err
	}
	switch req.Reason {
	case AdjustCount:
		if req.Counted == nil || *req.Counted < 0 || *req.Counted > MaxQuantity || req.Delta != 0 {
			return StockLevel{}, bad("a count gives the quantity counted, 0 to %d, and no delta", MaxQuantity)
		}
	case AdjustDamage, AdjustDelivery, AdjustTheft, AdjustOther:
		if req.Counted != nil || req.Delta == 0 || req.Delta < -MaxQuantity || req.Delta > MaxQuantity {
			return StockLevel{}, bad("%s gives a change of on-hand, not zero, at most %d either way", req.Reason, MaxQuantity)
		}
	default:
		return StockLevel{}, bad("reason must be count, damage, delivery, theft or other, not %q", req.Reason)
	}
	if err := checkText("note", req.Note, 0, 200); err != nil {
		return StockLevel{}, bad("%v", err)
	}
	adj := StockAdjustment{ID: s.opt.NewID(), SKU: it.SKU, Reason: req.Reason, Delta: req.Delta, Counted: req.Counted,
		Note: req.Note, Station: a.Station, Staff: a.Staff, At: s.opt.Now()}
	st, err := store.AdjustStock(ctx, &adj)
	if err != nil {
		return StockLevel{}, err
	}
	s.opt.Notify(Change{Kind: "stock", Station: a.Station, ID: it.SKU, Value: st})
	return st, nil
}
