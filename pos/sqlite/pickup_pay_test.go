package sqlite_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
)

// paidPickupCart makes the till cart of a ready order paid at pickup.
func (e *pickupEnv) paidPickupCart() *pos.Cart {
	e.t.Helper()
	o := e.order(1, pos.OrderPayAtPickup)
	e.apply(o)
	e.ready(o.ID)
	e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
	c, err := e.svc.ToCart(e.ctx, e.a, o.ID, nil)
	e.must(err)
	return c
}

func TestExchangeRefusesTheCartOfAnOrder(t *testing.T) {
	e := newPickupEnv(t, nil)
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: e.db})
	v, err := e.till.OpenCart(e.ctx, pos.Actor{Staff: "7", Role: pos.RoleCashier, Station: "till-1"})
	e.must(err)
	_, err = e.till.AddItem(e.ctx, e.a, v.ID, juiceSKU, 1)
	e.must(err)
	_, err = e.till.PayCash(e.ctx, e.a, v.ID, 32000)
	e.must(err)
	s, err := e.till.Complete(e.ctx, e.a, v.ID)
	e.must(err)

	c := e.paidPickupCart()
	_, err = e.till.PayCash(e.ctx, e.a, c.ID, 100000) // with the juice's 320.00, enough
	e.must(err)
	req := pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "swap"}
	if _, _, err := as.Exchange(e.ctx, e.a, req, c.ID); !errors.Is(err, pos.ErrPickupCart) {
		t.Fatalf("exchange into the cart of an order: %v", err)
	}
	if v, _ := e.svc.Order(e.ctx, c.OrderID); v.State != pos.PickupReady {
		t.Fatalf("order %s after a refused exchange", v.State)
	}
	if done, err := e.db.Returned(e.ctx, "sale:"+s.ID); err != nil || len(done.Lines) != 0 {
		t.Fatalf("returned %+v, %v", done, err)
	}
}

func TestSaleOfACartChangedSinceItWasSettledIsRefused(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	v, err := e.till.PayCash(e.ctx, e.a, c.ID, 200000)
	e.must(err)
	// The pickup counter settles the cart as it stands now ...
	stale := v.Cart
	// ... while the till takes the cash back.
	_, err = e.till.RemovePayment(e.ctx, e.a, c.ID, v.Payments[0].ID)
	e.must(err)
	set, err := e.db.Settings(e.ctx)
	e.must(err)
	b := stale.Balance(set)
	sale := &pos.Sale{ID: stale.ID, Station: stale.Station, Cashier: "7", CompletedAt: e.now, Lines: stale.Lines,
		Balance: b, Payments: stale.Payments, OrderID: stale.OrderID, Currency: set.Currency, EventID: "ev-stale",
		CartRev: stale.Rev}
	if err := e.db.CompleteSale(e.ctx, sale); !errors.Is(err, pos.ErrConflict) {
		t.Fatalf("sale of a cart whose cash was taken back: %v", err)
	}
	if _, err := e.db.Sale(e.ctx, stale.ID); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("the stale sale was recorded: %v", err)
	}
	// Paid again, the handover goes through.
	_, err = e.till.PayCash(e.ctx, e.a, c.ID, 200000)
	e.must(err)
	got, err := e.svc.CompletePaidPickup(e.ctx, e.a, c.ID)
	e.must(err)
	if got.Balance.Cash != 200000 {
		t.Fatalf("sale %+v", got.Balance)
	}
}

func TestPaidPickupWaitsForAVoidUnderWay(t *testing.T) {
	e := newPickupEnv(t, nil)
	term := &saleDuringRefund{T: &simterminal.T{}, t: t}
	till := pos.NewService(pos.Options{Store: e.db, Terminal: term})
	svc := pos.NewPickupService(pos.PickupOptions{Store: e.db, Till: till})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: till, Store: e.db})
	v, err := till.OpenCart(e.ctx, e.a)
	e.must(err)
	e.must1(till.AddItem(e.ctx, e.a, v.ID, juiceSKU, 1))
	e.must1(till.PayCard(e.ctx, e.a, v.ID, 32000))
	s, err := till.Complete(e.ctx, e.a, v.ID)
	e.must(err)
	c := e.paidPickupCart()
	e.must1(e.till.PayCash(e.ctx, e.a, c.ID, 200000))
	term.sell = func() (*pos.Sale, error) { return svc.CompletePaidPickup(e.ctx, e.a, c.ID) }

	boss := pos.Actor{Staff: "9", Role: pos.RoleSupervisor, Station: e.a.Station}
	if _, err := as.VoidLastSale(e.ctx, boss, s.ID, "mistake", nil); err != nil {
		t.Fatalf("void while an order paid at pickup was handed over: %v", err)
	}
	<-term.done
	if term.err != nil {
		t.Fatalf("the handover: %v", term.err)
	}
	got, err := e.db.Sale(e.ctx, s.ID)
	e.must(err)
	next, err := e.db.Sale(e.ctx, term.sale.ID)
	e.must(err)
	if !got.Voided || next.Voided || next.ReceiptNo <= got.ReceiptNo || next.OrderID != c.OrderID {
		t.Fatalf("voided receipt %d (voided %v), handover receipt %d (voided %v, order %q)",
			got.ReceiptNo, got.Voided, next.ReceiptNo, next.Voided, next.OrderID)
	}
}

// The cart of an order paid at pickup, asked for again at another station
// (the customer sent to the next counter), moves there while nothing is
// paid on it; once money is on it, it stays with its drawer.
func TestOrderCartMovesToTheStationThatAsks(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart() // at pickup-1
	b := pos.Actor{Staff: "9", Role: pos.RoleCashier, Station: "pickup-2"}
	moved, err := e.svc.ToCart(e.ctx, b, c.OrderID, nil)
	e.must(err)
	stored, err := e.db.Cart(e.ctx, c.ID)
	e.must(err)
	if moved.ID != c.ID || moved.Station != "pickup-2" || stored.Station != "pickup-2" || stored.Cashier != "9" {
		t.Fatalf("cart %s at %s (stored at %s, cashier %s), want %s at pickup-2", moved.ID, moved.Station, stored.Station, stored.Cashier, c.ID)
	}
	e.must1(e.till.PayCash(e.ctx, b, c.ID, 1000))
	if _, err := e.svc.ToCart(e.ctx, e.a, c.OrderID, nil); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("the cart of an order with cash on it asked for at pickup-1: %v", err)
	}
	stored, err = e.db.Cart(e.ctx, c.ID)
	e.must(err)
	if stored.Station != "pickup-2" || len(stored.Payments) != 1 {
		t.Fatalf("cart at %s with %d payments", stored.Station, len(stored.Payments))
	}
	// Asked again where it is, it is the same cart.
	same, err := e.svc.ToCart(e.ctx, b, c.OrderID, nil)
	e.must(err)
	if same.ID != c.ID {
		t.Fatalf("cart %s, want %s", same.ID, c.ID)
	}
}

// A request for the cart that is refused (the customer's verification has
// run out) leaves the cart with the station using it.
func TestRefusedOrderCartStaysWhereItIs(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart() // at pickup-1
	e.now = e.now.Add(time.Hour)
	b := pos.Actor{Staff: "9", Role: pos.RoleCashier, Station: "pickup-2"}
	if _, err := e.svc.ToCart(e.ctx, b, c.OrderID, nil); !errors.Is(err, pos.ErrNotVerified) {
		t.Fatalf("the cart asked for at pickup-2 an hour after the customer was verified: %v", err)
	}
	stored, err := e.db.Cart(e.ctx, c.ID)
	e.must(err)
	if stored.Station != c.Station || stored.Cashier != c.Cashier {
		t.Fatalf("cart at %s with cashier %s after a refused request, want %s with %s",
			stored.Station, stored.Cashier, c.Station, c.Cashier)
	}
}

// An order whose customer is paying for it at a till is neither expired
// nor rejected under them: the payment is finished or taken back first.
func TestOrderBeingPaidIsNotEnded(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	e.must1(e.till.PayCash(e.ctx, e.a, c.ID, 50000))
	o, err := e.svc.Order(e.ctx, c.OrderID)
	e.must(err)
	e.now = o.Order.CollectBy.Add(time.Hour)
	if _, err := e.svc.Expire(e.ctx, e.a, c.OrderID); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("expire while paid at a till: %v", err)
	}
	if _, err := e.svc.Reject(e.ctx, e.a, c.OrderID, "damaged", "2"); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("reject while paid at a till: %v", err)
	}
	if v, _ := e.svc.Order(e.ctx, c.OrderID); v.State != pos.PickupReady {
		t.Fatalf("order %s", v.State)
	}
	// With the payment taken back, the order can go back to the shelf.
	v, err := e.till.Cart(e.ctx, c.ID)
	e.must(err)
	e.must1(e.till.RemovePayment(e.ctx, e.a, c.ID, v.Payments[0].ID))
	if _, err := e.svc.Expire(e.ctx, e.a, c.OrderID); err != nil {
		t.Fatalf("expire once the payment was taken back: %v", err)
	}
}

// A cart made for an order that central then changes (the customer asked
// for a third backpack) is made again from the order's new lines once it
// is ready and verified again, rather than charging and handing over the
// old ones; a cart with money on it is not completed for the old lines.
func TestOrderCartFollowsTheOrdersChanges(t *testing.T) {
	for _, paid := range []bool{false, true} {
		e := newPickupEnv(t, nil)
		c := e.paidPickupCart() // two backpacks and water, version 1
		if paid {
			e.must1(e.till.PayCash(e.ctx, e.a, c.ID, 129800))
		}
		o := e.order(2, pos.OrderPayAtPickup)
		o.Lines[0].Qty = 3
		o.Payment.Amount = 179700 // central prices the order again
		e.apply(o)
		e.scan(o.ID, bagEAN)
		_, _, err := e.svc.MarkReady(e.ctx, e.a, o.ID, "Shelf P-4", 2)
		e.must(err)
		e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
		got, err := e.svc.ToCart(e.ctx, e.a, o.ID, nil)
		if paid {
			if !errors.Is(err, pos.ErrCartLocked) {
				t.Fatalf("the paid cart of a changed order made again: %v", err)
			}
			if _, err := e.svc.CompletePaidPickup(e.ctx, e.a, c.ID); !errors.Is(err, pos.ErrStale) {
				t.Fatalf("the paid cart of a changed order completed: %v", err)
			}
			continue
		}
		e.must(err)
		if got.ID != c.ID || got.OrderVersion != 2 || len(got.Lines) != 2 || got.Lines[0].Qty != 3 {
			t.Fatalf("cart %s version %d lines %+v, want %s made again for 3 backpacks", got.ID, got.OrderVersion, got.Lines, c.ID)
		}
		log, err := e.db.PickupLog(e.ctx, o.ID)
		e.must(err)
		if last := log[len(log)-1]; last.Action != "to_cart" || last.Detail != "cart "+c.ID+" made again for order version 2" {
			t.Fatalf("the order's last log entry %+v, want its cart made again", last)
		}
		e.must1(e.till.PayCash(e.ctx, e.a, c.ID, 179700))
		s, err := e.svc.CompletePaidPickup(e.ctx, e.a, c.ID)
		e.must(err)
		if s.Balance.Total != 179700 {
			t.Fatalf("sale of %d, want 179700", s.Balance.Total)
		}
	}
}

// payDuringLookup is a pickup store that, at its first item lookup (which
// making an order's cart does between reading the cart and saving it),
// has the till take a payment on that cart.
type payDuringLookup struct {
	*sqlite.DB
	once sync.Once
	pay  func() error
	err  error
}

func (p *payDuringLookup) ItemByCode(ctx context.Context, key string) (pos.Item, error) {
	p.once.Do(func() { p.err = p.pay() })
	return p.DB.ItemByCode(ctx, key)
}

// A cart made again after the order changed never wipes a payment the
// till took on it meanwhile: the remade cart is refused instead.
func TestOrderCartRemadeKeepsAPaymentTakenMeanwhile(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	o := e.order(2, pos.OrderPayAtPickup)
	o.Lines[0].Qty = 3
	e.apply(o)
	e.scan(o.ID, bagEAN)
	_, _, err := e.svc.MarkReady(e.ctx, e.a, o.ID, "Shelf P-4", 2)
	e.must(err)
	e.must1(e.svc.OpenByCode(e.ctx, e.a, o.ID, "483920"))
	store := &payDuringLookup{DB: e.db, pay: func() error {
		_, err := e.till.PayCash(e.ctx, e.a, c.ID, 5000)
		return err
	}}
	svc := pos.NewPickupService(pos.PickupOptions{Store: store, Till: e.till, Now: func() time.Time { return e.now }})
	if _, err := svc.ToCart(e.ctx, e.a, o.ID, nil); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("remade a cart paid on meanwhile: %v", err)
	}
	e.must(store.err)
	got, err := e.db.Cart(e.ctx, c.ID)
	e.must(err)
	if len(got.Payments) != 1 || got.Payments[0].Amount != 5000 {
		t.Fatalf("payments after the remake: %+v", got.Payments)
	}
}

// readHooks is a store that runs a hook, once, right after a read: cart
// in a goroutine of its own after a cart is read, a request arriving at
// that instant; order in place after an order is read, as at the till
// the check, under the cart's lock, that the order still takes a tender,
// with central's word arriving at that instant; shift in place after a
// shift's data is gathered for its report.
type readHooks struct {
	*sqlite.DB
	cart, order, shift func()
}

func (s *readHooks) Cart(ctx context.Context, id string) (pos.Cart, error) {
	c, err := s.DB.Cart(ctx, id)
	if h := s.cart; h != nil {
		s.cart = nil
		go h()
	}
	return c, err
}

func (s *readHooks) PickupOrder(ctx context.Context, id string) (pos.PickupOrder, error) {
	p, err := s.DB.PickupOrder(ctx, id)
	runOnce(&s.order)
	return p, err
}

func (s *readHooks) ShiftData(ctx context.Context, id string) (pos.ShiftData, error) {
	d, err := s.DB.ShiftData(ctx, id)
	runOnce(&s.shift)
	return d, err
}

// runOnce runs *h, if set, and clears it.
func runOnce(h *func()) {
	if f := *h; f != nil {
		*h = nil
		f()
	}
}

// Cash handed over at the till at the instant the order is expired or
// rejected never lands on the cart of an order that has just ended: the
// end, which found no money on the cart, is recorded first, and the
// payment is then refused before any money is taken.
func TestPaymentAtTheInstantAnOrderEnds(t *testing.T) {
	for _, step := range []string{"expire", "reject"} {
		t.Run(step, func(t *testing.T) {
			e := newPickupEnv(t, nil)
			c := e.paidPickupCart()
			o, err := e.svc.Order(e.ctx, c.OrderID)
			e.must(err)
			e.now = o.Order.CollectBy.Add(time.Hour)
			store := &readHooks{DB: e.db}
			svc := pos.NewPickupService(pos.PickupOptions{Store: store, Till: e.till, Now: func() time.Time { return e.now }})
			paid := make(chan error, 1)
			store.cart = func() {
				_, err := e.till.PayCash(e.ctx, e.a, c.ID, 200000)
				paid <- err
			}
			if step == "expire" {
				_, err = svc.Expire(e.ctx, e.a, c.OrderID)
			} else {
				_, err = svc.Reject(e.ctx, e.a, c.OrderID, "damaged", "2")
			}
			if err != nil {
				t.Fatalf("%s of an order whose cart holds no money: %v", step, err)
			}
			if err := <-paid; !errors.Is(err, pos.ErrPickupState) {
				t.Fatalf("cash paid into the cart of an order that has ended: %v, want ErrPickupState", err)
			}
			if got, err := e.db.Cart(e.ctx, c.ID); err != nil || len(got.Payments) != 0 {
				t.Fatalf("the cart of the ended order: %+v, %v; want no payments", got, err)
			}
		})
	}
}

// Central cancels or closes an order at the instant cash for it is handed
// over at the till, after the till found the order open. Central's word
// is applied at once: it comes on the MQTT path, which a payment at the
// till must not hold up (here the till holds the cart's lock until the
// cancellation returns, so one that waited for it would never return).
// The cash lands, having come first; the cancellation then finds it on
// the cart, under the cart's lock, and tells staff to give it back; and
// the handover is refused with ErrOrderEnded, which tells the cashier so.
func TestCentralEndsAnOrderAtTheInstantCashIsHandedOver(t *testing.T) {
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			e := newPickupEnv(t, nil)
			c := e.paidPickupCart()
			store := &readHooks{DB: e.db}
			clock := func() time.Time { return e.now }
			till := pos.NewService(pos.Options{Store: store, Now: clock})
			svc := pos.NewPickupService(pos.PickupOptions{Store: store, Till: till, Now: clock})
			var ended error
			store.order = func() {
				if how == "cancel" {
					ended = svc.ApplyOrder(e.ctx, nil, pos.Order{ID: c.OrderID, Version: 2, Status: pos.OrderCancelled})
				} else {
					ended = svc.CloseOrder(e.ctx, c.OrderID)
				}
			}
			_, err := till.PayCash(e.ctx, e.a, c.ID, 200000)
			if ended != nil {
				t.Fatalf("central's %s: %v", how, ended)
			}
			if err != nil {
				t.Fatalf("cash for an order found open: %v", err)
			}
			v, err := svc.Order(e.ctx, c.OrderID)
			e.must(err)
			told := false
			for _, n := range v.Notices {
				told = told || n.Kind == pos.NoticeGiveBack && n.Amount == 200000 && n.Station == e.a.Station
			}
			if v.State != pos.PickupCancelled || !told {
				t.Fatalf("order %s, notices %+v; want cancelled, and 200000 to give back at %s", v.State, v.Notices, e.a.Station)
			}
			_, err = svc.CompletePaidPickup(e.ctx, e.a, c.ID)
			if !errors.Is(err, pos.ErrOrderEnded) || !errors.Is(err, pos.ErrPickupState) {
				t.Fatalf("handover of a cancelled order with cash on its cart: %v, want ErrOrderEnded", err)
			}
		})
	}
}

// Cash handed over after central has cancelled or closed the order is
// refused before it is taken, and there is nothing to give back.
func TestCashAfterCentralEndsAnOrderIsRefused(t *testing.T) {
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			e := newPickupEnv(t, nil)
			c := e.paidPickupCart()
			if how == "cancel" {
				e.apply(pos.Order{ID: c.OrderID, Version: 2, Status: pos.OrderCancelled})
			} else {
				e.must(e.svc.CloseOrder(e.ctx, c.OrderID))
			}
			if _, err := e.till.PayCash(e.ctx, e.a, c.ID, 200000); !errors.Is(err, pos.ErrPickupState) {
				t.Fatalf("cash for a cancelled order: %v, want ErrPickupState", err)
			}
			got, err := e.db.Cart(e.ctx, c.ID)
			e.must(err)
			v, err := e.svc.Order(e.ctx, c.OrderID)
			e.must(err)
			for _, n := range v.Notices {
				if n.Kind == pos.NoticeGiveBack {
					t.Fatalf("a notice to give back money never taken: %+v", n)
				}
			}
			if len(got.Payments) != 0 {
				t.Fatalf("payments on the cart of a cancelled order: %+v", got.Payments)
			}
		})
	}
}

// terminalHook is a payment terminal that runs a hook, once, while a card
// is at it: purchase while it is being paid, refund while it is being
// refunded.
type terminalHook struct {
	*simterminal.T
	purchase, refund func()
}

func (h *terminalHook) Purchase(ctx context.Context, ref string, amount int64, currency string) (pos.TerminalResult, error) {
	runOnce(&h.purchase)
	return h.T.Purchase(ctx, ref, amount, currency)
}

func (h *terminalHook) Refund(ctx context.Context, ref string, amount int64, currency string) (pos.TerminalResult, error) {
	runOnce(&h.refund)
	return h.T.Refund(ctx, ref, amount, currency)
}

// Central cancels an order while a card is at the terminal for it, being
// paid or refunded. Its word is applied without waiting for the terminal:
// a refund holds the cart's lock until the terminal answers, which here is
// only after the cancellation has returned. What is on the cart once the
// terminal is done, the card just paid or the cash left after the refund,
// is to be given back.
func TestCentralCancelsWhileACardIsAtTheTerminal(t *testing.T) {
	for _, at := range []string{"purchase", "refund"} {
		t.Run(at, func(t *testing.T) {
			e := newPickupEnv(t, nil)
			c := e.paidPickupCart()
			clock := func() time.Time { return e.now }
			term := &terminalHook{T: &simterminal.T{}}
			till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Now: clock})
			svc := pos.NewPickupService(pos.PickupOptions{Store: e.db, Till: till, Now: clock})
			var ended error
			cancel := func() {
				ended = svc.ApplyOrder(e.ctx, nil, pos.Order{ID: c.OrderID, Version: 2, Status: pos.OrderCancelled})
			}
			give := int64(50000)
			if at == "purchase" {
				term.purchase = cancel
				e.must1(till.PayCard(e.ctx, e.a, c.ID, 50000))
			} else {
				e.must1(till.PayCash(e.ctx, e.a, c.ID, 30000))
				v, err := till.PayCard(e.ctx, e.a, c.ID, 50000)
				e.must(err)
				term.refund = cancel
				e.must1(till.RefundCard(e.ctx, e.a, c.ID, v.Payments[1].ID))
				give = 30000
			}
			if ended != nil {
				t.Fatalf("central's cancellation: %v", ended)
			}
			v, err := svc.Order(e.ctx, c.OrderID)
			e.must(err)
			var told []int64
			for _, n := range v.Notices {
				if n.Kind == pos.NoticeGiveBack {
					told = append(told, n.Amount)
				}
			}
			if v.State != pos.PickupCancelled || len(told) != 1 || told[0] != give {
				t.Fatalf("order %s, to give back %v; want cancelled, and %d to give back", v.State, told, give)
			}
			if _, err := svc.CompletePaidPickup(e.ctx, e.a, c.ID); !errors.Is(err, pos.ErrOrderEnded) {
				t.Fatalf("handover of a cancelled order with money on its cart: %v, want ErrOrderEnded", err)
			}
		})
	}
}

// Central cancels an order while a card for it is at the terminal, and
// the card is declined: nothing was paid, and staff are told to give back
// nothing. The look for money on the cart waits for the terminal's
// answer, as a refund's does.
func TestCentralCancelsWhileACardIsDeclinedAtTheTerminal(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	clock := func() time.Time { return e.now }
	term := &terminalHook{T: &simterminal.T{}}
	term.Script(simterminal.Decline)
	till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Now: clock})
	svc := pos.NewPickupService(pos.PickupOptions{Store: e.db, Till: till, Now: clock})
	var ended error
	term.purchase = func() {
		ended = svc.ApplyOrder(e.ctx, nil, pos.Order{ID: c.OrderID, Version: 2, Status: pos.OrderCancelled})
	}
	if _, err := till.PayCard(e.ctx, e.a, c.ID, 50000); !errors.Is(err, pos.ErrDeclined) {
		t.Fatalf("card: %v, want declined", err)
	}
	if ended != nil {
		t.Fatalf("central's cancellation: %v", ended)
	}
	v, err := svc.Order(e.ctx, c.OrderID)
	e.must(err)
	for _, n := range v.Notices {
		if n.Kind == pos.NoticeGiveBack {
			t.Fatalf("order %s: told to give back %d, but the card was declined", v.State, n.Amount)
		}
	}
	if v.State != pos.PickupCancelled {
		t.Fatalf("order %s, want cancelled", v.State)
	}
}

// Central cancels an order while a card paid for it at the till has an
// outcome the terminal cannot tell (its answer was lost), or while the
// card is at the terminal and its answer is then lost. Staff are told to
// give back the cash on the cart, not the card, which may never have been
// taken; once the terminal answers, a card it approved is to be given
// back too, and one it declined is not.
func TestCentralCancelsWhileACardIsUnknown(t *testing.T) {
	for _, tc := range []struct {
		name    string
		outcome simterminal.Outcome
		during  bool // central cancels while the card is at the terminal
		told    []int64
	}{
		{"approved", simterminal.Approve, false, []int64{30000, 50000}},
		{"declined", simterminal.Decline, false, []int64{30000}},
		{"approved at the terminal", simterminal.Approve, true, []int64{30000, 50000}},
		{"declined at the terminal", simterminal.Decline, true, []int64{30000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPickupEnv(t, nil)
			c := e.paidPickupCart()
			clock := func() time.Time { return e.now }
			sim := &simterminal.T{}
			term := newLinkTerminal(sim)
			term.lose, term.offline = true, true
			till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Now: clock})
			svc := pos.NewPickupService(pos.PickupOptions{Store: e.db, Till: till, Now: clock})
			e.must1(till.PayCash(e.ctx, e.a, c.ID, 30000))
			sim.Script(tc.outcome)
			cancel := func() {
				t.Helper()
				e.must(svc.ApplyOrder(e.ctx, nil, pos.Order{ID: c.OrderID, Version: 2, Status: pos.OrderCancelled}))
			}
			if tc.during {
				term.held = make(chan struct{})
			}
			paid := make(chan error, 1)
			go func() {
				_, err := till.PayCard(e.ctx, e.a, c.ID, 50000)
				paid <- err
			}()
			<-term.heard
			if tc.during {
				cancel()
				close(term.held)
			}
			if err := <-paid; !errors.Is(err, pos.ErrCardUnknown) {
				t.Fatalf("card with a lost answer: %v", err)
			}
			if !tc.during {
				cancel()
			}
			told := func() []int64 {
				t.Helper()
				v, err := svc.Order(e.ctx, c.OrderID)
				e.must(err)
				var told []int64
				for _, n := range v.Notices {
					if n.Kind == pos.NoticeGiveBack {
						told = append(told, n.Amount)
					}
				}
				return told
			}
			if got := told(); !slices.Equal(got, []int64{30000}) {
				t.Fatalf("told to give back %v while the card's outcome is unknown, want [30000]", got)
			}
			term.set(func(l *linkTerminal) { l.offline = false })
			e.must1(till.ResolvePending(e.ctx, c.ID))
			if got := told(); !slices.Equal(got, tc.told) {
				t.Fatalf("told to give back %v once the terminal answered, want %v", got, tc.told)
			}
		})
	}
}

// At the till, an order's line can be lowered (the customer leaves some
// of it) but not raised above what was picked for it: the sale would be
// paid and then refused at handover, with no goods picked for it. More
// of the item is sold as a line of its own.
func TestOrderLineAtTheTillStaysWithinWhatWasPicked(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	var bag pos.Line
	for _, l := range c.Lines {
		if l.OrderLineID == "1" {
			bag = l
		}
	}
	if _, err := e.till.SetQuantity(e.ctx, e.a, c.ID, bag.ID, 3); !errors.Is(err, pos.ErrBadQuantity) {
		t.Fatalf("3 of an order line with 2 picked: %v, want ErrBadQuantity", err)
	}
	e.must1(e.till.SetQuantity(e.ctx, e.a, c.ID, bag.ID, 1))
	e.must1(e.till.SetQuantity(e.ctx, e.a, c.ID, bag.ID, 2))
	v, err := e.till.AddItem(e.ctx, e.a, c.ID, bagSKU, 1)
	e.must(err)
	e.must1(e.till.PayCash(e.ctx, e.a, c.ID, v.Balance.Due))
	sale, err := e.svc.CompletePaidPickup(e.ctx, e.a, c.ID)
	if err != nil || len(sale.Lines) != 3 {
		t.Fatalf("handover with a third backpack sold beside the order: %v, %+v", err, sale)
	}
}

// A card of unknown outcome on the cart of an order central cancelled is
// found approved after the node restarted: staff are told to give it back
// then, by the services made at the start, which remember nothing of it.
func TestCardOfACancelledOrderApprovedAfterARestart(t *testing.T) {
	e := newPickupEnv(t, nil)
	c := e.paidPickupCart()
	clock := func() time.Time { return e.now }
	sim := &simterminal.T{}
	term := newLinkTerminal(sim)
	term.lose, term.offline = true, true
	till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Now: clock})
	svc := pos.NewPickupService(pos.PickupOptions{Store: e.db, Till: till, Now: clock})
	if _, err := till.PayCard(e.ctx, e.a, c.ID, 50000); !errors.Is(err, pos.ErrCardUnknown) {
		t.Fatalf("card with a lost answer: %v", err)
	}
	<-term.heard
	e.must(svc.ApplyOrder(e.ctx, nil, pos.Order{ID: c.OrderID, Version: 2, Status: pos.OrderCancelled}))

	term.set(func(l *linkTerminal) { l.offline = false })
	till = pos.NewService(pos.Options{Store: e.db, Terminal: term, Now: clock})
	svc = pos.NewPickupService(pos.PickupOptions{Store: e.db, Till: till, Now: clock})
	v, err := till.OpenCart(e.ctx, e.a) // the till resolves the card as it opens its cart
	e.must(err)
	if v.ID != c.ID || v.Pending != nil || len(v.Payments) != 1 {
		t.Fatalf("cart after the restart: %s, pending %+v, payments %+v", v.ID, v.Pending, v.Payments)
	}
	o, err := svc.Order(e.ctx, c.OrderID)
	e.must(err)
	var told []int64
	for _, n := range o.Notices {
		if n.Kind == pos.NoticeGiveBack {
			told = append(told, n.Amount)
		}
	}
	if !slices.Equal(told, []int64{50000}) {
		t.Fatalf("told to give back %v after the restart, want [50000]", told)
	}
}

// Central cancels an order while a card paid for it at the till has an
// outcome the terminal cannot tell. The till's refusal of the handover
// and of a tender asks to give back the money known to be paid, not the
// card, which may never have been taken; with only such a card on the
// cart, it asks for the card's outcome first.
func TestOrderEndedRefusalLeavesOutACardOfUnknownOutcome(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cash  int64
		ended bool // refused with ErrOrderEnded (give back what was paid)
	}{
		{"cash and a card of unknown outcome", 30000, true},
		{"only a card of unknown outcome", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPickupEnv(t, nil)
			c := e.paidPickupCart()
			clock := func() time.Time { return e.now }
			term := newLinkTerminal(&simterminal.T{})
			term.lose, term.offline = true, true
			till := pos.NewService(pos.Options{Store: e.db, Terminal: term, Now: clock})
			svc := pos.NewPickupService(pos.PickupOptions{Store: e.db, Till: till, Now: clock})
			if tc.cash > 0 {
				e.must1(till.PayCash(e.ctx, e.a, c.ID, tc.cash))
			}
			if _, err := till.PayCard(e.ctx, e.a, c.ID, 50000); !errors.Is(err, pos.ErrCardUnknown) {
				t.Fatalf("card with a lost answer: %v", err)
			}
			<-term.heard
			e.must(svc.ApplyOrder(e.ctx, nil, pos.Order{ID: c.OrderID, Version: 2, Status: pos.OrderCancelled}))

			_, handover := svc.CompletePaidPickup(e.ctx, e.a, c.ID)
			_, tender := till.PayCash(e.ctx, e.a, c.ID, 1000)
			for what, err := range map[string]error{"handover": handover, "tender": tender} {
				if !errors.Is(err, pos.ErrPickupState) || errors.Is(err, pos.ErrOrderEnded) != tc.ended {
					t.Fatalf("%s refused with %v; want ErrOrderEnded %v", what, err, tc.ended)
				}
				if tc.ended && (!strings.Contains(err.Error(), "give back the 30000 paid") || strings.Contains(err.Error(), "80000")) {
					t.Fatalf("%s refused with %q; want the 30000 paid in cash given back, not the card", what, err)
				}
				if !tc.ended && !errors.Is(err, pos.ErrCardUnknown) {
					t.Fatalf("%s refused with %v; want the card's outcome asked for (ErrCardUnknown)", what, err)
				}
			}
		})
	}
}
