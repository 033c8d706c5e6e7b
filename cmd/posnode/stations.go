package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/posnode/posnode/hardware/display"
	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/hardware/serialdev"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/ui"
)

// station is a till, pickup counter or tablet station with its devices.
type station struct {
	cfg     StationConfig
	profile escpos.Profile
	printer printer.Printer         // a driver on a serial port, or virtual
	virtual *printer.VirtualPrinter // set when there is no printer device
	// display is the customer display, nil when there is none; displayQ
	// feeds it from runDisplay.
	display  *display.Display
	displayQ chan screen
	// drawer follows the cash drawer; nil when its state cannot be known
	// (see setupDrawer).
	drawer *drawerWatch

	mu      sync.Mutex // guards devices
	devices map[string]any
}

// deviceState is what screens show about one device of a station.
func (st *station) setDevice(name string, v any) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.devices == nil {
		st.devices = map[string]any{}
	}
	st.devices[name] = v
}

func (st *station) deviceStates() map[string]any {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make(map[string]any, len(st.devices)+1)
	for k, v := range st.devices {
		out[k] = v
	}
	return out
}

// parseSerial reads "baud,data bits,parity,stop bits"; empty parts take
// the defaults.
func parseSerial(s, def string) (serialdev.Config, error) {
	if s == "" {
		s = def
	}
	p := strings.Split(s, ",")
	for len(p) < 4 {
		p = append(p, "")
	}
	if len(p) > 4 {
		return serialdev.Config{}, fmt.Errorf("serial settings %q: want baud,data bits,parity,stop bits", s)
	}
	return serialdev.ParseConfig(strings.TrimSpace(p[0]), strings.TrimSpace(p[1]), strings.TrimSpace(p[2]), strings.TrimSpace(p[3]))
}

// serialDevice makes the device of a station's serial port, named in the
// config by a path or by USB identity (checked by Config.Validate); either
// is looked up again at every (re)open, so a device replugged on another
// node is found there.
func (n *node) serialDevice(name, target string, cfg serialdev.Config, onState func(serialdev.State)) (*serialdev.Device, error) {
	path, usb, err := serialdev.ParseTarget(target)
	if err != nil {
		return nil, err
	}
	return serialdev.New(serialdev.Options{Name: name, Path: path, USB: usb, Config: cfg, Logger: n.log, OnState: onState})
}

// Device problem codes, sent to the screens as "code" beside the English
// detail in "error": the screens say each in their language (the string
// device.problem.<code>), and the detail stays for IT.
const (
	problemNotConnected = "not_connected" // no port, or the device does not answer
	problemCoverOpen    = "cover_open"
	problemPaperOut     = "paper_out"
	problemPrinterError = "printer_error" // cutter jam, overheating or a fault that needs service
	problemOffline      = "offline"       // the printer answers but does not print
	problemStuck        = "stuck"         // a print job never finishes, so the jobs after it wait
	problemQueue        = "queue_error"   // the print queue cannot be read

	problemDrawerNotOpened     = "drawer_not_opened"     // a kick did not open the cash drawer
	problemDrawerLeftOpen      = "drawer_left_open"      // the drawer is open longer than the station allows
	problemDrawerOpenedUnasked = "drawer_opened_unasked" // the drawer opened without a kick
)

// deviceProblems are all the codes the node sends.
var deviceProblems = []string{problemNotConnected, problemCoverOpen, problemPaperOut, problemPrinterError,
	problemOffline, problemStuck, problemQueue, problemDrawerNotOpened, problemDrawerLeftOpen, problemDrawerOpenedUnasked}

// printerState is a printer's state as screens see it.
type printerState struct {
	Name      string `json:"name"`
	Virtual   bool   `json:"virtual"`
	Connected bool   `json:"connected"`
	Ready     bool   `json:"ready"`
	PaperOut  bool   `json:"paper_out"`
	PaperLow  bool   `json:"paper_low"`
	CoverOpen bool   `json:"cover_open"`
	Drawer    string `json:"drawer"` // open, closed or unknown
	Queued    int    `json:"queued"`
	// Code is the printer's problem, one of deviceProblems; "" when it
	// has none. Error is the English detail.
	Code  string `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

func viewPrinter(s printer.State, virtual bool) printerState {
	v := printerState{Name: s.Name, Virtual: virtual, Connected: s.Connected, Ready: s.Ready() || virtual,
		Queued: s.Queued, Error: s.Err, Drawer: "unknown", Code: printerProblem(s, virtual)}
	if v.Error == "" {
		v.Error = s.Stuck // a job that never finishes holds up the queue
	}
	if s.Connected {
		st := s.Status
		v.PaperOut, v.PaperLow, v.CoverOpen = st.PaperOut, st.PaperNearEnd, st.CoverOpen
		if st.DrawerKnown {
			v.Drawer = map[bool]string{true: "open", false: "closed"}[st.DrawerOpen]
		}
	}
	return v
}

// printerProblem is the code of what keeps a printer from printing, the
// cause staff can act on first (paper out before the job it stopped), or
// "" when nothing does.
func printerProblem(s printer.State, virtual bool) string {
	st := s.Status
	switch {
	case virtual:
		return ""
	case !s.Connected:
		return problemNotConnected
	case st.CoverOpen:
		return problemCoverOpen
	case st.PaperOut:
		return problemPaperOut
	case st.Error():
		return problemPrinterError
	case !st.Online:
		return problemOffline
	case s.Stuck != "":
		return problemStuck
	case s.Err != "":
		return problemQueue
	}
	return ""
}

// setupStations builds every station's devices and adds their Run to the
// node's parts.
func (n *node) setupStations() error {
	font, err := escpos.OpenDefaultFont()
	if err != nil {
		n.log.Warn("no bitmap font: Chinese text prints only on printers with Big5", "err", err)
	}
	n.stations = map[string]*station{}
	for _, sc := range n.cfg.Stations {
		st := &station{cfg: sc}
		name := sc.PrinterProfile
		if name == "" {
			name = "tm-t20"
		}
		prof, ok := escpos.ProfileByName(name)
		if !ok {
			return fmt.Errorf("station %s: unknown printer_profile %q", sc.ID, name)
		}
		st.profile = prof
		publish := func(kind string, v any) {
			st.setDevice(kind, v)
			if n.web != nil {
				n.web.Hub().Publish(ui.Message{Type: "device", Station: sc.ID, Data: map[string]any{kind: v}})
			}
		}
		if sc.Printer == "" {
			st.virtual = printer.NewVirtual(printer.VirtualOptions{Name: sc.ID + " virtual printer", Profile: prof, Font: font})
			st.printer = st.virtual
			st.setDevice("printer", viewPrinter(st.virtual.State(), true))
		} else {
			cfg, err := parseSerial(sc.PrinterSerial, "38400,8,none,1")
			if err != nil {
				return fmt.Errorf("station %s printer: %w", sc.ID, err)
			}
			dev, err := n.serialDevice(sc.ID+" printer", sc.Printer, cfg, nil)
			if err != nil {
				return fmt.Errorf("station %s printer: %w", sc.ID, err)
			}
			drv, err := printer.New(printer.Options{Name: sc.ID, Profile: prof, Font: font, Open: printer.SharedPort(dev), Baud: cfg.Baud,
				Store: n.db, Logger: n.log, Status: escpos.StatusOptions{DrawerOpenHigh: sc.DrawerOpenHigh, NoDrawerSensor: sc.DrawerNoSensor},
				OnStatus: func(s printer.State) { publish("printer", viewPrinter(s, false)) },
				OnPoll:   n.setupDrawer(st)})
			if err != nil {
				return fmt.Errorf("station %s printer: %w", sc.ID, err)
			}
			st.printer = drv
			st.setDevice("printer", viewPrinter(drv.State(), false))
			n.parts = append(n.parts, dev.Run, drv.Run)
		}
		if sc.Scanner != "" {
			if err := n.setupScanner(st); err != nil {
				return err
			}
		}
		if sc.Display != "" {
			if err := n.setupDisplay(st); err != nil {
				return err
			}
		}
		n.stations[sc.ID] = st
	}
	return nil
}

// storeHeading is the heading of printed documents, from central's
// settings.
func (n *node) storeHeading(ctx context.Context) receipt.Store {
	set, err := n.db.Settings(ctx)
	if err != nil {
		set = pos.DefaultSettings()
	}
	s := receipt.Store{Name: "posnode", Currency: set.Currency, Lang: "en", TimeZone: n.cfg.receiptZone(), ReceiptTag: n.receiptTag}
	if len(set.ReceiptHeader) > 0 {
		s.Name, s.Address = set.ReceiptHeader[0], set.ReceiptHeader[1:]
	}
	if len(set.Languages) > 0 {
		s.Lang = set.Languages[0]
	}
	s.Footer = strings.Join(set.ReceiptFooter, " · ")
	return s
}

// saleReceipt lays out a sale's receipt.
func (n *node) saleReceipt(ctx context.Context, s *pos.Sale, copy bool) receipt.Receipt {
	r := receipt.FromSale(s, n.storeHeading(ctx), "")
	r.Copy = copy
	return r
}

var commandToken = regexp.MustCompile(`\[[A-Z][A-Z0-9 ]*(?: [^\]]*)?\]`)

// previewText renders a sale's receipt for the station's printer model and
// reads it back as plain text for the screen.
func (n *node) previewText(ctx context.Context, s *pos.Sale, copy bool) (string, error) {
	prof := escpos.TMT20
	if st := n.stations[s.Station]; st != nil {
		prof = st.profile
	}
	e := escpos.NewEncoder(prof, escpos.Options{})
	if err := n.saleReceipt(ctx, s, copy).Encode(e); err != nil {
		return "", err
	}
	txt, err := escpos.Decode(e.Bytes())
	if err != nil {
		return "", err
	}
	txt = commandToken.ReplaceAllStringFunc(txt, func(tok string) string {
		if b, ok := strings.CutPrefix(tok, "[BARCODE CODE128 "); ok {
			return "||| " + strings.TrimSuffix(b, "]") + " |||"
		}
		return ""
	})
	return strings.TrimRight(txt, "\n "), nil
}

// missedReceiptWindow is how far back, at start, the node looks for sales
// whose receipt was never queued: the customer of such a sale may still
// be at the till.
const missedReceiptWindow = 15 * time.Minute

// printMissedReceipts queues, at start, the receipt of each sale and
// return of the last missedReceiptWindow that a crash or a power cut
// caught between its commit and its receipt being queued: it was never
// printed, so it prints as the original. No drawer opens. Virtual
// printers keep no jobs across a restart and are left alone.
func (n *node) printMissedReceipts(ctx context.Context) {
	since := time.Now().Add(-missedReceiptWindow)
	for id, st := range n.stations {
		if st.virtual != nil {
			continue
		}
		var missed []receipt.Receipt // oldest first: sales, then returns
		sales, err := n.db.SalesWithoutReceipt(ctx, id, id, since)
		for _, s := range sales {
			missed = append(missed, n.saleReceipt(ctx, &s, false))
		}
		if err == nil {
			var rets []pos.Return
			rets, err = n.db.ReturnsWithoutReceipt(ctx, id, id, since)
			for _, r := range rets {
				missed = append(missed, n.returnReceipt(ctx, &r, false))
			}
		}
		if err != nil {
			n.log.Error("look for receipts not printed", "station", id, "err", err)
		}
		for _, r := range missed {
			n.log.Warn("a receipt made just before the node stopped was not printed; printing it now",
				"station", id, "receipt", r.ReceiptNo, "return", r.Refund)
			if _, err := st.printer.Print(ctx, r); err != nil {
				n.log.Error("queue receipt", "station", id, "receipt", r.ReceiptNo, "return", r.Refund, "err", err)
			}
		}
	}
}

// onSale prints the receipt of a completed sale at its station and opens
// the drawer when cash changed hands. Printing is queued durably and never
// holds up the till.
func (n *node) onSale(s *pos.Sale) {
	st := n.stations[s.Station]
	if st == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := st.printer.Print(ctx, n.saleReceipt(ctx, s, false)); err != nil {
		n.log.Error("queue receipt", "sale", s.ID, "receipt", s.ReceiptNo, "err", err)
	}
	for _, p := range s.Payments {
		if p.Method == pos.MethodCash {
			go n.kickForSale(st, s)
			break
		}
	}
}

// kickForSaleWait is how long a cash sale's kick may wait for the job the
// printer is printing: a receipt printed as an image (Chinese without a
// font in the printer) takes about 10 s at 38,400 baud. A drawer that
// opens late is better than one that does not open for a cash sale.
const kickForSaleWait = 30 * time.Second

// kickForSale opens the drawer for cash sale s, on its own: the receipts
// of the sales after it are queued meanwhile.
func (n *node) kickForSale(st *station, s *pos.Sale) {
	ctx, cancel := context.WithTimeout(context.Background(), kickForSaleWait)
	defer cancel()
	if err := n.kickDrawer(ctx, st); err != nil {
		n.log.Warn("open drawer", "station", s.Station, "receipt", s.ReceiptNo, "err", err)
	}
}
