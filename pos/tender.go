package pos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
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
	// ErrNotFound if the terminal never saw it, ErrDeclined or ErrAborted
	// if it moved no money. Any other error, ErrTerminalTimeout included,
	// and a transaction still in progress leave the outcome unknown.
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
	// ErrCardUnknown reports a card payment whose outcome the terminal
	// could not tell (it is offline, or its answer was lost). The payment
	// stays pending and holds the cart until the terminal is asked again
	// (ResolvePending) or a supervisor declares its outcome (DeclareCard).
	// It is transient: the same request may succeed once the terminal
	// answers.
	ErrCardUnknown = errors.New("pos: the card payment's outcome is unknown; check the terminal")
)

// statusWait bounds how long ResolvePending waits for the terminal's
// Status, so that a till opening its cart is not held by a terminal that
// does not answer: the payment then stays pending, as unknown.
const statusWait = 10 * time.Second

// inFlight is the set of card payments this process is waiting on the
// terminal for: sent by PayCard and not yet recorded, or being asked
// about by ResolvePending or declared by DeclareCard. A pending payment
// that is not in it was left by a crash or a restart, or its outcome was
// unknown; only such a payment is resolved, and only by one caller at a
// time. The zero value is ready to use.
type inFlight struct {
	mu   sync.Mutex // guards refs
	refs map[string]bool
}

// claim adds ref and reports whether it was not in flight already.
func (f *inFlight) claim(ref string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refs[ref] {
		return false
	}
	if f.refs == nil {
		f.refs = map[string]bool{}
	}
	f.refs[ref] = true
	return true
}

// release removes ref.
func (f *inFlight) release(ref string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.refs, ref)
}

// has reports whether ref is in flight.
func (f *inFlight) has(ref string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refs[ref]
}

// PayCard charges amount to a card through the payment terminal. The
// payment reference is stored in the cart, pending, before the terminal is
// asked, so that a crash during the payment can be resolved with
// ResolvePending; while PayCard waits for the terminal the payment is in
// flight, and nothing else resolves it. A declined, aborted or timed-out
// card leaves the cart as it was, open. When the terminal's answer is not
// final, PayCard returns ErrCardUnknown and the payment stays pending,
// no longer in flight, for ResolvePending or DeclareCard.
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
	unflight := func() {}
	defer func() {
		if ref != "" {
			s.cards.release(ref) // also when the store or the terminal fails or panics
		}
		unflight()
	}()
	_, err := s.update(ctx, cartID, func(c *Cart, set Settings) error {
		if len(c.Lines) == 0 {
			return ErrEmptyCart
		}
		if err := s.takesTender(ctx, c); err != nil {
			return err
		}
		b := c.Balance(set)
		if b.Settled {
			return ErrSettled
		}
		if amount > b.CardDue {
			return fmt.Errorf("%w: %d is more than the %d due", ErrOverTender, amount, b.CardDue)
		}
		if err := s.forSale(ctx, c); err != nil {
			return err
		}
		ref, currency = s.opt.NewID(), set.Currency
		s.cards.claim(ref) // before the cart shows it pending
		unflight = s.flights.lock(cartID)
		c.Pending = &Payment{ID: ref, Method: MethodCard, Amount: amount, At: s.opt.Now()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res, terr := s.opt.Terminal.Purchase(ctx, ref, amount, currency)
	v, err := s.settlePending(ctx, cartID, ref, res, terr, final(terr))
	if errors.Is(err, ErrCardUnknown) {
		s.cards.release(ref)
		s.notifyCart(ctx, cartID) // the screens show it unknown now, no longer at the terminal
	}
	return v, err
}

// final reports whether a terminal's answer to a purchase is final: an
// approval, or an error that leaves no money moved.
func final(terr error) bool {
	return terr == nil || errors.Is(terr, ErrDeclined) || errors.Is(terr, ErrAborted) || errors.Is(terr, ErrTerminalTimeout)
}

// AbortCard stops the card payment pending on the cart. A payment in
// flight is aborted at the terminal, and its PayCard returns ErrAborted.
// A payment left pending by a crash, a restart or an unknown outcome has
// no PayCard waiting for it: it is aborted at the terminal, which may
// still hold it, and then resolved as ResolvePending does, so that a card
// taken after all is recorded and one not taken is cleared. AbortCard
// returns ErrCardUnknown when the terminal cannot tell which.
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
	if s.cards.has(c.Pending.ID) {
		return s.opt.Terminal.Abort(c.Pending.ID)
	}
	// The terminal may never have seen it, or be done with it: only its
	// Status says.
	_ = s.opt.Terminal.Abort(c.Pending.ID)
	_, err = s.ResolvePending(ctx, cartID)
	return err
}

// ResolvePending asks the terminal how the card payment pending on the
// cart ended and records the answer, when no one in this process waits
// for it: a crash, a restart or an unknown outcome left it pending. An
// approved payment becomes a payment of the cart; one the terminal
// declined, aborted or never saw is cleared, and the cart takes other
// tenders again. Either way ResolvePending returns the cart as it is then.
// A payment in flight is left to the PayCard waiting for it, and a cart
// without a pending payment is returned as it is. When the terminal
// cannot tell (it does not answer within statusWait, or its error is not
// final), the payment stays pending and ErrCardUnknown is returned.
func (s *Service) ResolvePending(ctx context.Context, cartID string) (*CartView, error) {
	c, err := s.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return nil, err
	}
	if c.Pending == nil || s.opt.Terminal == nil || !s.cards.claim(c.Pending.ID) {
		return s.View(ctx, c)
	}
	ref := c.Pending.ID
	defer s.cards.release(ref)
	// A PayCard that held ref may have recorded its answer before ref
	// was claimed: read the cart again.
	if c, err = s.opt.Store.Cart(ctx, cartID); err != nil {
		return nil, err
	}
	if c.Pending == nil || c.Pending.ID != ref {
		return s.View(ctx, c)
	}
	sctx, cancel := context.WithTimeout(ctx, statusWait)
	res, terr := s.opt.Terminal.Status(sctx, ref)
	cancel()
	if errors.Is(terr, ErrNotFound) {
		terr = ErrAborted
	}
	// A Status that timed out says nothing of the payment.
	known := terr == nil || errors.Is(terr, ErrDeclined) || errors.Is(terr, ErrAborted)
	v, err := s.settlePending(ctx, cartID, ref, res, terr, known)
	switch {
	case errors.Is(err, ErrCardUnknown):
		return nil, err
	case errors.Is(err, ErrNotFound):
		return s.Cart(ctx, cartID) // recorded meanwhile by the process that sent it
	}
	if errors.Is(err, ErrDeclined) || errors.Is(err, ErrAborted) {
		return v, nil // cleared: the card was not taken
	}
	return v, err
}

// CardOutcome is a card payment's outcome as a supervisor reads it from
// the terminal's own records (its slip or its journal), for DeclareCard.
type CardOutcome struct {
	Approved bool   `json:"approved"`
	AuthCode string `json:"auth_code"` // the authorisation code on the slip; required when Approved
}

// DeclareCard records by hand the outcome of the card payment pending on
// the cart, for when the terminal cannot tell it (ErrCardUnknown: it is
// offline, broken or replaced) and a supervisor has read it from the
// terminal's own records. Approved, with the slip's authorisation code,
// makes it a payment of the cart; not approved clears it. A supervisor's
// staff number and PIN are needed whoever asks, and the approval is
// recorded ("card_declared") with the payment and its outcome. A payment
// in flight is refused with ErrCartLocked: the terminal is answering it.
func (s *Service) DeclareCard(ctx context.Context, a Actor, cartID string, o CardOutcome, sup *Supervisor) (*CartView, error) {
	code := strings.TrimSpace(o.AuthCode)
	if o.Approved && (code == "" || len(code) > 32) {
		return nil, fmt.Errorf("%w: an approved card payment needs the authorisation code on the terminal's slip (up to 32 characters)", ErrInvalidRequest)
	}
	if err := checkText("authorisation code", code, 0, 32); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	c, err := s.opt.Store.Cart(ctx, cartID)
	if err != nil {
		return nil, err
	}
	if c.Pending == nil {
		return nil, fmt.Errorf("pos: no card payment pending: %w", ErrNotFound)
	}
	ref, amount := c.Pending.ID, c.Pending.Amount
	if !s.cards.claim(ref) {
		return nil, fmt.Errorf("%w: the card payment is at the terminal; wait for its answer", ErrCartLocked)
	}
	defer s.cards.release(ref)
	detail := fmt.Sprintf("card payment %s of %d: not taken", ref, amount)
	if o.Approved {
		detail = fmt.Sprintf("card payment %s of %d: approved, code %s", ref, amount, code)
	}
	if _, err := s.approve(ctx, true, a, sup, "card_declared", c.ID, detail); err != nil {
		return nil, err
	}
	var terr error
	if !o.Approved {
		terr = ErrDeclined
	}
	v, err := s.settlePending(ctx, cartID, ref, TerminalResult{Approved: o.Approved, AuthCode: code}, terr, true)
	if errors.Is(err, ErrDeclined) {
		return v, nil
	}
	return v, err
}

// notifyCart tells the screens how cart id is now after a change that is
// not stored in the cart: a card payment no longer in flight. It is told
// on a best-effort basis: a screen that misses it reads the cart again on
// its next change or reconnection.
func (s *Service) notifyCart(ctx context.Context, id string) {
	c, err := s.opt.Store.Cart(ctx, id)
	if err != nil {
		return
	}
	v, err := s.View(ctx, c)
	if err != nil {
		return
	}
	s.opt.Notify(Change{Kind: "cart", Station: c.Station, ID: c.ID, Value: v})
}

// settlePending turns the pending payment ref into a payment when res
// approves it and clears it when the terminal said no. An answer that is
// not known to be final (known unset) keeps it pending, with
// ErrCardUnknown.
func (s *Service) settlePending(ctx context.Context, cartID, ref string, res TerminalResult, terr error, known bool) (*CartView, error) {
	if !known {
		return nil, fmt.Errorf("card payment %s: %w (%v)", ref, ErrCardUnknown, terr)
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
	if p := s.pickups.Load(); p != nil && v.OrderID != "" {
		p.cardApproved(ctx, v.OrderID, cartID)
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

// paid is what the customer has handed over on the cart: its payments,
// and a card payment at the terminal or of unknown outcome.
func (c *Cart) paid() int64 {
	var n int64
	for _, p := range c.Payments {
		n += p.Amount
	}
	if c.Pending != nil {
		n += c.Pending.Amount
	}
	return n
}

// takesTender refuses a tender on a parked cart (ErrParked), which holds
// no payment while it waits to be taken up again; on the cart of a
// click-and-collect order that has ended (ErrPickupState; with
// ErrOrderEnded when money is on it already), which can no longer be
// handed over; and, as noPending does, while a card payment is at the
// terminal. The caller holds the cart's lock, which the store's end of an
// order takes too (PickupService.Expire, Reject): the order read here
// does not end before the tender is recorded. Central's end (a
// cancellation, a close) is recorded at once, without that lock, and
// looks for money on the cart under it afterwards
// (PickupService.ApplyOrder): a tender that read the order open before
// is recorded, and then found and given back.
func (s *Service) takesTender(ctx context.Context, c *Cart) error {
	if c.Parked {
		return fmt.Errorf("%w (cart %s)", ErrParked, c.ID)
	}
	if c.OrderID != "" {
		p, err := s.opt.Store.PickupOrder(ctx, c.OrderID)
		if err != nil {
			return err
		}
		if !p.State.Open() {
			return orderEnded(&p, c)
		}
	}
	return c.noPending()
}

// orderEnded is the refusal of a tender or a handover on cart c of order
// p, which has ended. What is given back is the money known to be paid: a
// card of unknown outcome may never have been taken, and is told to
// staff once it is found approved (PickupService.cardApproved); with
// nothing else on the cart, its outcome is asked for first
// (ErrCardUnknown).
func orderEnded(p *PickupOrder, c *Cart) error {
	var paid int64
	for _, pay := range c.Payments {
		paid += pay.Amount
	}
	card := ""
	if c.Pending != nil {
		card = fmt.Sprintf("; the card payment of %d has no known outcome yet: give it back too if it is found approved", c.Pending.Amount)
	}
	switch {
	case paid > 0:
		return fmt.Errorf("%w: %w: order %s is %s; give back the %d paid on cart %s and cancel it%s", ErrOrderEnded, ErrPickupState, p.Order.ID, p.State, paid, c.ID, card)
	case c.Pending != nil:
		return fmt.Errorf("%w: %w: order %s is %s; the card payment of %d on cart %s has no known outcome yet: find it, give its money back if it was approved, and cancel the cart", ErrCardUnknown, ErrPickupState, p.Order.ID, p.State, c.Pending.Amount, c.ID)
	}
	return fmt.Errorf("%w: order %s is %s and is no longer paid for at the till; cancel cart %s", ErrPickupState, p.Order.ID, p.State, c.ID)
}

// forSale refuses, with ErrInactiveItem, a tender on a cart holding an item
// central has withdrawn from sale since it was scanned (a recall, an item
// taken off the range): it is sold no more than it could be scanned now.
// The cashier removes its line. Lines of a click-and-collect order were
// sold when the order was placed, and stay.
func (s *Service) forSale(ctx context.Context, c *Cart) error {
	for _, l := range c.Lines {
		if l.OrderLineID != "" {
			continue
		}
		it, err := s.opt.Store.ItemByCode(ctx, l.SKU)
		if errors.Is(err, ErrNotFound) || err == nil && it.SKU != l.SKU {
			continue // not known by its SKU now: nothing says it was withdrawn
		}
		if err != nil {
			return err
		}
		if !it.Active {
			return fmt.Errorf("%w: %s was withdrawn after it was scanned; remove its line", ErrInactiveItem, l.SKU)
		}
	}
	return nil
}
