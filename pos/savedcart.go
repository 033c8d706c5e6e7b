package pos

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoCustomer reports a cart saved to a customer without one attached.
// It is permanent until a customer is attached.
var ErrNoCustomer = errors.New("pos: attach a customer to the cart first")

// ErrCustomerUnchecked reports a cart saved to a customer added while
// central could not be asked: the card number typed or scanned is one
// central has not confirmed (it may be mistyped), and the cart would wait
// online for no one. It is transient: the customer is added again once
// central answers.
var ErrCustomerUnchecked = errors.New("pos: the customer was added while central could not be asked; add them again once online")

// CartSaver is the storage a cart saved to a customer needs. A Store
// that implements it lets Service.SaveToCustomer work; *sqlite.DB does.
type CartSaver interface {
	// SaveCartToCustomer records ev (a pos.cart.saved event) and removes
	// cart id, at revision rev, in one durable transaction. It fails with
	// ErrNotFound (wrapped) when the cart is gone and with ErrConflict
	// when it changed since rev.
	SaveCartToCustomer(ctx context.Context, id string, rev int64, ev *Event) error
}

// SavedCart is the data of a pos.cart.saved event: a cart built in the
// store for a customer to finish online later. Only items and quantities
// travel: the customer pays central's prices online, so discounts and
// price overrides given in the store do not.
type SavedCart struct {
	CustomerID string          `json:"customer_id"`
	Lines      []SavedCartLine `json:"lines"`
}

// SavedCartLine is one item of a saved cart: pieces, or grams for items
// sold by weight.
type SavedCartLine struct {
	SKU string `json:"sku"`
	Qty int64  `json:"qty"`
}

// errNoCartSaver reports a Store that cannot save carts to customers.
var errNoCartSaver = errors.New("pos: this store cannot save carts to customers")

// savedCart makes the event data of cart c, or the reason it cannot be
// saved. Lines of the same item are summed, in the order first seen.
func savedCart(c Cart) (SavedCart, error) {
	switch {
	case len(c.Lines) == 0:
		return SavedCart{}, ErrEmptyCart
	case c.CustomerID == "":
		return SavedCart{}, ErrNoCustomer
	case c.CustomerUnchecked:
		return SavedCart{}, ErrCustomerUnchecked
	case len(c.Payments) > 0 || c.Pending != nil:
		return SavedCart{}, ErrCartLocked
	case c.Parked:
		return SavedCart{}, ErrParked
	case c.OrderID != "":
		return SavedCart{}, fmt.Errorf("%w (cart %s, order %s)", ErrPickupCart, c.ID, c.OrderID)
	}
	sc := SavedCart{CustomerID: c.CustomerID, Lines: []SavedCartLine{}}
	at := map[string]int{}
	for _, l := range c.Lines {
		if i, ok := at[l.SKU]; ok {
			sc.Lines[i].Qty += l.Qty
			continue
		}
		at[l.SKU] = len(sc.Lines)
		sc.Lines = append(sc.Lines, SavedCartLine{SKU: l.SKU, Qty: l.Qty})
	}
	return sc, nil
}

// SaveToCustomer saves an open cart to its customer for finishing online
// later: the pos.cart.saved event and the removal of the cart are one
// transaction, so central hears of the cart exactly when it leaves the
// store. The cart must have a customer central has named (not one added
// offline: ErrCustomerUnchecked), lines, and no payments; a parked
// cart is resumed first. The station's next cart is a new, empty one. A
// training cart is refused with ErrTrainingCart: it closes only as a
// training receipt.
func (s *Service) SaveToCustomer(ctx context.Context, a Actor, cartID string) (SavedCart, error) {
	saver, ok := s.opt.Store.(CartSaver)
	if !ok {
		return SavedCart{}, errNoCartSaver
	}
	defer s.lock(cartID)()
	c, err := s.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return SavedCart{}, err
	}
	if err := c.refuseTraining(ErrTrainingCart); err != nil {
		return SavedCart{}, err
	}
	sc, err := savedCart(c)
	if err != nil {
		return SavedCart{}, err
	}
	ev, err := NewEvent(s.opt.NewID(), EventCartSaved, s.opt.Now(), sc)
	if err != nil {
		return SavedCart{}, err
	}
	if err := saver.SaveCartToCustomer(ctx, c.ID, c.Rev, &ev); err != nil {
		return SavedCart{}, err
	}
	s.opt.Notify(Change{Kind: "cart_saved", Station: c.Station, ID: c.ID, Value: map[string]any{
		"cart_id": c.ID, "customer_id": sc.CustomerID, "lines": len(sc.Lines)}})
	return sc, nil
}
