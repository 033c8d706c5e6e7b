package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/posnode/posnode/hardware/display"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/hardware/scanner"
	"github.com/posnode/posnode/hardware/serialdev"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/ui"
)

// scanResult is what a hardware scan did, pushed to the station's screens
// as a "scan" message so that they can show it or act on it (a pickup
// screen uses the code for the order in front of it).
type scanResult struct {
	Code      string `json:"code"`
	Symbology string `json:"symbology,omitempty"`
	// Route says what the code is for: "cart" (added to the till's cart),
	// "return" (a receipt of this node: start a return; another node's
	// comes with Error other_receipt and no route), "pickup" (an order's QR;
	// with Error pickup_state when the order is not ready),
	// "held" (not added: the till's sale is being paid, and the till
	// screen takes the code as it takes a wedge scanner's, for after the
	// payment), or "" (the screen takes it as a wedge scanner's, at pickup
	// counters, tablets, and tills showing their pickup or tablet screen).
	Route     string          `json:"route,omitempty"`
	ReceiptNo int64           `json:"receipt_no,omitempty"`
	OrderID   string          `json:"order_id,omitempty"`
	Error     *ui.APIError    `json:"error,omitempty"`
	Cart      *pos.CartView   `json:"-"`
	Order     *pos.PickupView `json:"order,omitempty"`
}

// setupScanner opens a station's scanner and routes its scans.
func (n *node) setupScanner(st *station) error {
	sc := st.cfg
	cfg, err := parseSerial(sc.ScannerSerial, "9600,8,none,1")
	if err != nil {
		return fmt.Errorf("station %s scanner: %w", sc.ID, err)
	}
	term, err := scanner.ParseTerminator(sc.ScannerTerminator)
	if err != nil {
		return fmt.Errorf("station %s scanner_terminator: %w", sc.ID, err)
	}
	dev, err := n.serialDevice(sc.ID+" scanner", sc.Scanner, cfg,
		func(s serialdev.State) { n.publishDevice(st, "scanner", deviceView(s)) })
	if err != nil {
		return fmt.Errorf("station %s scanner: %w", sc.ID, err)
	}
	scn, err := scanner.New(dev, scanner.Options{Station: sc.ID, Logger: n.log,
		Framing: scanner.FramingOptions{Terminator: term, Prefix: sc.ScannerPrefix, Suffix: sc.ScannerSuffix,
			RepeatWindow: sc.ScannerRepeatWindow.Duration},
		Handler:  func(ctx context.Context, s scanner.Scan) { n.onScan(ctx, st, s) },
		OnReject: func(_ context.Context, err error) { n.scanUnread(st, err) }})
	if err != nil {
		return fmt.Errorf("station %s scanner: %w", sc.ID, err)
	}
	st.setDevice("scanner", deviceView(dev.State()))
	n.parts = append(n.parts, dev.Run, scn.Run)
	return nil
}

// deviceView is a serial device's state as screens see it.
func deviceView(s serialdev.State) map[string]any {
	v := map[string]any{"name": s.Name, "connected": s.Connected}
	if !s.Connected {
		v["code"] = problemNotConnected
	}
	if s.Reason != nil {
		v["error"] = s.Reason.Error()
	}
	return v
}

func (n *node) publishDevice(st *station, kind string, v any) {
	st.setDevice(kind, v)
	if n.web != nil {
		n.web.Hub().Publish(ui.Message{Type: "device", Station: st.cfg.ID, Data: map[string]any{kind: v}})
	}
}

// onScan handles one code from a station's scanner. At a till an item goes
// straight into the station's open cart, so a scan shows even before the
// screen asks, unless the cart is being paid (the till's screen then holds
// the code for after the payment), no one is signed in at the till (the
// code is refused) or the till shows its pickup or tablet screen (the
// screen takes it). Receipt and pickup codes are routed. At a pickup
// counter a pickup QR opens its order; any other code there, and every
// code at a tablet, is for the screen to use as a wedge scanner's. At
// every station a code read while no one is signed in there is refused.
func (n *node) onScan(ctx context.Context, st *station, s scanner.Scan) {
	res := scanResult{Code: s.Code, Symbology: s.Symbology}
	defer func() {
		n.web.Hub().Publish(ui.Message{Type: "scan", Station: st.cfg.ID, Data: res})
	}()
	// The code is a use of the sessions signed in at the station: the
	// cashier scanning goods into the sale is not left idle (and locked
	// mid-sale) for not touching the screen; one idle already is ended
	// first, and the code refused.
	n.web.UsedAt(ctx, st.cfg.ID)
	// With no one signed in at the station (a break, a presentation
	// scanner reading a label or a customer's QR held in front of it) a
	// code would go unseen into the sale the next cashier finds, or verify
	// a customer no one saw.
	if in, err := n.db.SignedIn(ctx, st.cfg.ID); err == nil && !in {
		why := "no one is signed in at the " + map[string]string{"till": "till", "pickup": "pickup counter", "tablet": "tablet station"}[st.cfg.Kind]
		res.Error = &ui.APIError{Code: "not_authorized", Message: why}
		n.log.Info("scan refused", "station", st.cfg.ID, "code", s.Code, "err", why)
		return
	}
	if st.cfg.Kind != "till" {
		// A tablet takes a pickup QR as it takes any code, for a price
		// check: it shows no order to open, nor verify the customer of.
		if code, err := pos.ParseCode(s.Code, n.svc.Market()); err == nil && code.Kind == pos.CodePickup && st.cfg.Kind == "pickup" {
			n.openPickup(ctx, st, s.Code, &res)
		}
		return
	}
	// A till showing its pickup or tablet screen takes the code there, as
	// a wedge scanner's: an item picked, a price checked, not sold.
	if n.web.Hub().ScanAway(st.cfg.ID) {
		return
	}
	a := pos.Actor{Role: pos.RoleCashier, Station: st.cfg.ID}
	cart, err := n.svc.OpenCart(ctx, a)
	if err == nil {
		a.Staff = cart.Cashier
		var sr pos.ScanResult
		cart, sr, err = n.svc.Scan(ctx, a, cart.ID, s.Code)
		if sr.Code.Kind == pos.CodeGS1 || sr.Code.Kind == pos.CodeVariable {
			res.Code = sr.Code.Raw // a GS1 code as on its label, without group separators
		}
		switch {
		case err == nil:
			res.Route, res.Cart = "cart", cart
			return
		case errors.Is(err, pos.ErrUnknownCode) && sr.Code.Kind == pos.CodeReceipt:
			res.Route, res.ReceiptNo = "return", sr.Code.ReceiptNo
			return
		case errors.Is(err, pos.ErrUnknownCode) && sr.Code.Kind == pos.CodePickup:
			n.openPickup(ctx, st, s.Code, &res)
			return
		case errors.Is(err, pos.ErrCartLocked):
			// A payment is at the terminal or taken, the sale not yet
			// complete: the code is neither refused (and lost) nor put
			// into the sale being paid. The screen holds it until its
			// payment is through, then adds it, to the next sale if the
			// payment completed this one.
			res.Route, res.Code = "held", s.Code
			return
		}
	}
	e, _ := n.web.Classify(err)
	res.Error = &e
	n.log.Info("scan refused", "station", st.cfg.ID, "code", s.Code, "err", err)
}

// scanUnread tells a station's screens that its scanner sent bytes that
// are no code (noise of a wrong baud rate, a code too long or cut off, the
// wrong terminator), so that the cashier scans again instead of missing an
// item. The scanner calls it at most once per burst.
func (n *node) scanUnread(st *station, err error) {
	res := scanResult{Error: &ui.APIError{Code: "scan_unread", Message: err.Error()}}
	n.web.Hub().Publish(ui.Message{Type: "scan", Station: st.cfg.ID, Data: res})
}

// openPickup opens the order of a customer's QR for handover. The right
// code of an order not ready (still picked, or ended) opens it as it
// stands, with why it cannot be handed over, as the QR typed in does.
func (n *node) openPickup(ctx context.Context, st *station, code string, res *scanResult) {
	v, err := n.pickup.OpenByQR(ctx, pos.Actor{Role: pos.RoleCashier, Station: st.cfg.ID}, code)
	if errors.Is(err, pos.ErrPickupState) {
		if c, perr := pos.ParseCode(code, n.svc.Market()); perr == nil {
			v, _ = n.pickup.Order(ctx, c.OrderID)
		}
	}
	if err != nil {
		e, _ := n.web.Classify(err)
		res.Error = &e
	}
	if v != nil {
		res.Route, res.OrderID, res.Order = "pickup", v.Order.ID, v
	}
}

// setupDisplay opens a station's customer display.
func (n *node) setupDisplay(st *station) error {
	sc := st.cfg
	cfg, err := parseSerial(sc.DisplaySerial, "9600,8,none,1")
	if err != nil {
		return fmt.Errorf("station %s display: %w", sc.ID, err)
	}
	dev, err := n.serialDevice(sc.ID+" display", sc.Display, cfg, func(s serialdev.State) {
		n.publishDevice(st, "display", deviceView(s))
		if s.Connected && st.display != nil {
			st.feedDisplay(func(d *display.Display) error { return d.Refresh() })
		}
	})
	if err != nil {
		return fmt.Errorf("station %s display: %w", sc.ID, err)
	}
	head := n.storeHeading(context.Background())
	d, err := display.New(dev, display.Options{Language: head.Lang, Greeting: head.Name,
		CodePages: []display.CodePage{display.PC858, display.PC852}})
	if err != nil {
		return fmt.Errorf("station %s display: %w", sc.ID, err)
	}
	st.display = d
	st.displayQ = make(chan screen, 16)
	st.setDevice("display", deviceView(dev.State()))
	n.parts = append(n.parts, dev.Run, st.runDisplay)
	return nil
}

// screen is one picture for the customer display.
type screen struct {
	show func(*display.Display) error
	// idle is set for the change screen: the display returns to its
	// welcome screen after a while if nothing else comes.
	idle bool
}

// feedDisplay queues a screen for the customer display; when the display
// falls behind, the oldest screens are dropped, never the till.
func (st *station) feedDisplay(f func(*display.Display) error) { st.feed(screen{show: f}) }

func (st *station) feed(sc screen) {
	if st.displayQ == nil {
		return
	}
	for {
		select {
		case st.displayQ <- sc:
			return
		default:
			select {
			case <-st.displayQ:
			default:
			}
		}
	}
}

// displayIdle is how long the change stays on the customer display.
const displayIdle = 15 * time.Second

func (st *station) runDisplay(ctx context.Context) error {
	_ = st.display.Welcome()
	idle := time.NewTimer(displayIdle)
	idle.Stop()
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-idle.C:
			_ = st.display.Welcome()
		case sc := <-st.displayQ:
			idle.Stop()
			_ = sc.show(st.display) // a disconnected display shows on screen through its device state
			if sc.idle {
				idle.Reset(displayIdle)
			}
		}
	}
}

// showOnDisplay mirrors a till's cart and sales on its customer display:
// the last item and its price on each scan, the total while paying, the
// change at the end.
func (n *node) showOnDisplay(c pos.Change) {
	st := n.stations[c.Station]
	if st == nil || st.displayQ == nil {
		return
	}
	lang, cur := "en", "SEK"
	if set, err := n.db.Settings(context.Background()); err == nil {
		cur = set.Currency
		if len(set.Languages) > 0 {
			lang = set.Languages[0]
		}
	}
	money := func(v int64) string { return receipt.Money(v, cur, lang) }
	switch v := c.Value.(type) {
	case *pos.CartView:
		switch {
		case v == nil || len(v.Lines) == 0:
			st.feedDisplay(func(d *display.Display) error { return d.Welcome() })
		case len(v.Payments) > 0:
			due := v.Balance.Due
			st.feedDisplay(func(d *display.Display) error { return d.ShowTotal(money(due)) })
		default:
			l, lt := v.Lines[len(v.Lines)-1], v.Balance.Lines[len(v.Lines)-1]
			name, amount := l.Name(lang), lt.Amount
			st.feedDisplay(func(d *display.Display) error { return d.ShowItem(name, money(amount)) })
		}
	case *pos.Sale:
		var paid int64
		for _, p := range v.Payments {
			paid += p.Amount
		}
		change := v.Balance.Change
		st.feed(screen{show: func(d *display.Display) error { return d.ShowChange(money(paid), money(change)) }, idle: true})
	}
}
