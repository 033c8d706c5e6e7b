package pos

import (
	"context"
	"errors"
	"fmt"
)

// PaymentTerminal is a card payment terminal. Purchase and Refund block
// until the terminal answers, the context ends, or Abort is called for the
// same reference. They return ErrDeclined when the card was declined,
// ErrTerminalTimeout when the terminal did not answer in time and
// ErrAborted when the transaction was aborted; each of these leaves no money
// moved. Any other error is transient: the outcome is unknown and Status
// tells it later.
type PaymentTerminal interface {
	Purchase(ctx context.Context, ref string, amount int64, currency string) (TerminalResult, error)
	Refund(ctx context.Context, ref string, amount int64, currency string) (TerminalResult, error)
	Abort(ref string) error
	// Status reports the outcome of a transaction by reference:
	// ErrNotFound if the terminal never saw it.
	Status(ctx context.Context, ref string) (TerminalResult, error)
}

// TerminalResult is a terminal's answer to an approved transaction.
type TerminalResult struct {
	Approved bool   `json:"approved"`
	AuthCode string `json:"auth_code"`
	Masked   string `json:"masked_pan"` // e.g. "**** 1234"; never the full number
}

// Errors of card tenders.
var (
	ErrDeclined        = errors.New("pos: card declined")
	ErrTerminalTimeout = errors.New("pos: payment terminal did not answer")
	ErrAborted         = errors.New("pos: card payment aborted")
	ErrNoTerminal      = errors.New("pos: no payment terminal configured")
)

// PayCard charges amount to a card through the payment terminal. The
// payment reference is stored in the cart before the terminal is asked, so
// that a crash during the payment can be resolved with ResolvePending. A
// declined, aborted or timed-out card leaves the cart as it was, open.
// A training cart is refused with ErrTrainingTender: training moves no
// real money.
func (s *Service) PayCard(ctx context.Context, a Actor, cartID string, amount int64) (*CartView, error) {
	if err := s.refuseTraining(ctx, cartID, ErrTrainingTender); err != nil {
		return nil, err
	}
	if s.opt.Terminal == nil {
		return nil, ErrNoTerminal
	}
	if amount <= 0 {
		return nil, ErrBadTender
	}
	var ref, currency string
	_, err := s.update(ctx, cartID, func(c *Cart, set Settings) error {
		if len(c.Lines) == 0 {
			return ErrEmptyCart
		}
		if err := c.noPending(); err != nil {
			return err
		}
		b := c.Balance(set)
		if b.Settled {
			return ErrSettled
		}
		if due := b.Total - b.NonCash - b.Cash; amount > due {
			return fmt.Errorf("%w: %d is more than the %d due", ErrOverTender, amount, due)
		}
		ref, currency = s.opt.NewID(), set.Currency
		c.Pending = &Payment{ID: ref, Method: MethodCard, Amount: amount, At: s.opt.Now()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res, err := s.opt.Terminal.Purchase(ctx, ref, amount, currency)
	return s.settlePending(ctx, cartID, ref, res, err)
}

// AbortCard asks the terminal to abort the card payment in progress on the
// cart.
func (s *Service) AbortCard(ctx context.Context, cartID string) error {
	if s.opt.Terminal == nil {
		return ErrNoTerminal
	}
	c, err := s.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return err
	}
	if c.Pending == nil {
		return fmt.Errorf("pos: no card payment in progress: %w", ErrNotFound)
	}
	return s.opt.Terminal.Abort(c.Pending.ID)
}

// ResolvePending asks the terminal how a card payment left pending by a
// crash ended and records it. Carts without a pending payment are returned
// as they are.
func (s *Service) ResolvePending(ctx context.Context, cartID string) (*CartView, error) {
	c, err := s.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return nil, err
	}
	if c.Pending == nil || s.opt.Terminal == nil {
		return s.View(ctx, c)
	}
	res, err := s.opt.Terminal.Status(ctx, c.Pending.ID)
	if errors.Is(err, ErrNotFound) {
		err = ErrAborted
	}
	return s.settlePending(ctx, cartID, c.Pending.ID, res, err)
}

// settlePending turns the pending payment ref into a payment when res
// approves it and clears it when the terminal said no. An unknown outcome
// (a transient error) keeps it pending.
func (s *Service) settlePending(ctx context.Context, cartID, ref string, res TerminalResult, terr error) (*CartView, error) {
	final := terr == nil || errors.Is(terr, ErrDeclined) || errors.Is(terr, ErrAborted) || errors.Is(terr, ErrTerminalTimeout)
	if !final {
		return nil, fmt.Errorf("card payment %s: outcome unknown, check the terminal: %w", ref, terr)
	}
	if terr == nil && !res.Approved {
		terr = ErrDeclined
	}
	v, err := s.update(ctx, cartID, func(c *Cart, _ Settings) error {
		if c.Pending == nil || c.Pending.ID != ref {
			return fmt.Errorf("card payment %s: %w", ref, ErrNotFound)
		}
		p := *c.Pending
		c.Pending = nil
		if terr == nil {
			p.Ref = res.AuthCode
			if res.Masked != "" {
				p.Ref += " " + res.Masked
			}
			c.Payments = append(c.Payments, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if terr != nil {
		return v, terr
	}
	return v, nil
}

// RefundCard refunds a card payment of an open cart through the terminal
// and removes it from the cart. It holds the cart throughout, and a refund
// the terminal approved already (a second tap, a retry after a crash) is
// not sent again.
func (s *Service) RefundCard(ctx context.Context, a Actor, cartID, paymentID string) (*CartView, error) {
	if s.opt.Terminal == nil {
		return nil, ErrNoTerminal
	}
	defer s.lock(cartID)()
	return s.updateLocked(ctx, cartID, func(c *Cart, set Settings) error {
		for i, p := range c.Payments {
			if p.ID != paymentID || p.Method != MethodCard {
				continue
			}
			if _, err := refundOnce(ctx, s.opt.Terminal, "refund-"+p.ID, p.Amount, set.Currency); err != nil {
				return err
			}
			c.Payments = append(c.Payments[:i], c.Payments[i+1:]...)
			return nil
		}
		return fmt.Errorf("card payment %s: %w", paymentID, ErrNotFound)
	})
}

// refundOnce refunds amount to a card under ref, once: a refund that the
// terminal already approved under ref is not sent again.
func refundOnce(ctx context.Context, t PaymentTerminal, ref string, amount int64, currency string) (TerminalResult, error) {
	res, err := t.Status(ctx, ref)
	if err == nil && res.Approved {
		return res, nil
	}
	res, err = t.Refund(ctx, ref, amount, currency)
	if err != nil {
		return res, fmt.Errorf("card refund %s: %w", ref, err)
	}
	if !res.Approved {
		return res, fmt.Errorf("card refund %s: %w", ref, ErrDeclined)
	}
	return res, nil
}

// noPending refuses a tender while a card payment is at the terminal: its
// outcome is not known yet, and the customer must not pay twice.
func (c *Cart) noPending() error {
	if c.Pending != nil {
		return fmt.Errorf("%w: a card payment is in progress at the terminal", ErrCartLocked)
	}
	return nil
}
