// Package printer drives an ESC/POS receipt printer on one serial port
// through a durable print queue.
//
// # Delivery guarantees
//
// Print renders a document and stores it as a job (a row of the JobStore)
// before it returns; it never waits for the printer, so a receipt never
// holds up or fails a sale. Run sends the queued jobs of its printer, one
// at a time and oldest first, when a status poll says the printer is
// ready (online, cover closed, paper present, no error). A job leaves the
// queue only when its bytes were written completely and the status poll
// after them still says online without paper out; otherwise it is sent
// again, whole, once the printer is ready again. So every job prints at
// least once; it prints twice only if the printer printed it and then
// lost contact before answering the poll that follows. A job sent
// several times in a row without being confirmed is named in
// State.Stuck, since the jobs after it wait.
//
// # Status
//
// Run polls the real-time status (DLE EOT 1..4) every PollInterval and
// calls OnStatus with every change: connected or not, online, cover open,
// paper near end, paper out, drawer open, errors. State returns the last
// one. OnPoll hears every poll, changed or not.
//
// The printer answers in order, behind every byte sent before the
// request, and the port takes a job long before the line has carried
// it. So a reply is waited for StatusTimeout plus the time the bytes not
// yet answered take on the line at Baud. A reply that still comes late
// is discarded by the next request rather than taken for its own, and
// after a job the status is polled up to three times before the job
// counts as not printed.
//
// # Ports
//
// The driver owns the write side of one port and its one reader. It gets
// the port from Options.Open, a factory, whenever it has none: at start,
// and after any read or write error or a write that did not finish within
// WriteTimeout plus its time on the line (the port is then closed, which
// also unblocks the write). A device manager or a pseudo-terminal can
// supply ports the same way.
//
// # Concurrency
//
// Print, Reprint, KickDrawer and State are safe for concurrent use, also
// while Run is running. Run must be called once; it returns when its
// context is cancelled, after its goroutines have stopped.
package printer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/receipt"
)

// Errors of the driver.
var (
	// ErrNotReady means the printer cannot take a command now (no port,
	// no status reply, offline). It is transient.
	ErrNotReady = errors.New("printer: not connected or not ready")
	// ErrWriteTimeout means a write did not complete in time; the port
	// was closed and will be reopened. It is transient.
	ErrWriteTimeout = errors.New("printer: write timed out")

	errClosed = errors.New("printer: port closed")
)

// JobStore keeps the print queue. Implementations are durable: a job
// added is not lost by a crash or restart. pos/sqlite implements it.
type JobStore interface {
	// AddPrintJob queues a job for printer and returns its id.
	AddPrintJob(ctx context.Context, printer, kind, ref string, doc, data []byte) (int64, error)
	// NextPrintJob returns the oldest job of printer not yet printed, id 0
	// when there is none.
	NextPrintJob(ctx context.Context, printer string) (id int64, data []byte, err error)
	// PrintJobDone marks a job printed; marking it again changes nothing.
	PrintJobDone(ctx context.Context, id int64) error
	// PrintJobDoc returns the kind and document of a job; the error wraps
	// pos.ErrNotFound when there is no such job.
	PrintJobDoc(ctx context.Context, id int64) (kind string, doc []byte, err error)
	// QueuedPrintJobs counts the jobs of printer not yet printed.
	QueuedPrintJobs(ctx context.Context, printer string) (int, error)
}

// Printer is what the rest of the node asks of a receipt printer; Driver
// and VirtualPrinter implement it.
type Printer interface {
	// Print queues a document and returns its job id without waiting
	// for the printer.
	Print(ctx context.Context, d receipt.Document) (int64, error)
	// Reprint queues a copy (marked COPY) of an earlier job.
	Reprint(ctx context.Context, jobID int64) (int64, error)
	// KickDrawer opens the cash drawer now, or fails with ErrNotReady.
	KickDrawer(ctx context.Context) error
	// State is the printer's last known state.
	State() State
}

var _ Printer = (*Driver)(nil)

// State is what staff see about a printer.
type State struct {
	Name string
	// Connected means the port is open and the printer answers status
	// requests.
	Connected bool
	// Status is the last status read; meaningful when Connected.
	Status escpos.Status
	// Queued is the number of jobs waiting.
	Queued int
	// Err describes the last port or store problem, "" when there is none.
	Err string
	// Stuck says that the oldest job was sent several times in a row and
	// never finished, so the jobs after it wait; "" when there is no such
	// job. It is cleared when a job is confirmed.
	Stuck string
}

// Ready reports whether the printer prints now.
func (s State) Ready() bool { return s.Connected && s.Status.Ready() }

// Drawer configures the drawer kick pulse.
type Drawer struct {
	// Pin is the kick connector pin; the zero value is pin 2.
	Pin escpos.DrawerPin
	// OnMS and OffMS are the pulse times; zero means 100 ms and 200 ms.
	OnMS, OffMS int
}

// Options configure a Driver.
type Options struct {
	// Name identifies the printer in the queue and in State; required.
	Name string
	// Profile is the printer model; the zero value means escpos.TMT88.
	Profile escpos.Profile
	// Font renders text the printer has no characters for; nil means
	// such text prints as '?'. See escpos.OpenDefaultFont.
	Font *escpos.Font
	// Open opens the printer's port; required. It is called again after
	// the port failed, after a wait (see ReopenDelay). Closing a
	// port must make its blocked Read and Write return; for a device that
	// stays open across connections use SharedPort.
	Open func() (io.ReadWriteCloser, error)
	// Store keeps the queue; required.
	Store JobStore
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// PollInterval is the time between status polls while idle; zero
	// means 1 s.
	PollInterval time.Duration
	// StatusTimeout is how long to wait for a status reply beyond the
	// time the bytes written before the request take on the line; zero
	// means 500 ms.
	StatusTimeout time.Duration
	// WriteTimeout bounds one write beyond the time its bytes take on the
	// line; zero means 5 s.
	WriteTimeout time.Duration
	// Baud is the line speed, which sets how long a job takes to go out;
	// zero means 9600, the slowest setting in common use.
	Baud int
	// ReopenDelay is the wait before opening the port again after it
	// failed; zero means 500 ms. While failures follow one another (the
	// port does not open, or fails within 10 s) the wait doubles with each,
	// up to ten times ReopenDelay. Each wait is cut by a random part of up
	// to half. Only the first failure in a row is logged above debug level.
	ReopenDelay time.Duration
	// Status says how to read the drawer switch.
	Status escpos.StatusOptions
	// Drawer configures KickDrawer.
	Drawer Drawer
	// OnStatus is called with every change of State, from Run or from
	// Print (a job queued). It must not block.
	OnStatus func(State)
	// OnPoll is called from Run with the State after every status poll,
	// answered or not, and after every failure to open the port or loss
	// of it; unlike OnStatus also when nothing changed, so that what the
	// status says can be timed (a drawer left open). While a job is being
	// sent there are no polls. It must not block; nil means none.
	OnPoll func(State)
}

// Driver drives one printer. Create it with New and start Run.
type Driver struct {
	o   Options
	log *slog.Logger

	wake chan struct{} // a job was queued
	kick chan kickReq

	// failedJob was sent failedSends times in a row without being
	// confirmed; Run's goroutine owns both.
	failedJob   int64
	failedSends int

	mu    sync.Mutex // guards state
	state State
}

type kickReq struct {
	done chan error
}

// New checks the options and returns a driver; nothing is opened until Run.
func New(o Options) (*Driver, error) {
	if o.Name == "" || o.Open == nil || o.Store == nil {
		return nil, errors.New("printer: Name, Open and Store are required")
	}
	if o.Profile.Columns == 0 {
		o.Profile = escpos.TMT88
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.StatusTimeout <= 0 {
		o.StatusTimeout = 500 * time.Millisecond
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.Baud <= 0 {
		o.Baud = 9600
	}
	if o.ReopenDelay <= 0 {
		o.ReopenDelay = 500 * time.Millisecond
	}
	if !o.Profile.DrawerStatus {
		o.Status.NoDrawerSensor = true
	}
	return &Driver{
		o:     o,
		log:   o.Logger.With("printer", o.Name),
		wake:  make(chan struct{}, 1),
		kick:  make(chan kickReq),
		state: State{Name: o.Name},
	}, nil
}

// Render encodes a document for this printer's profile.
func (d *Driver) Render(doc receipt.Document) ([]byte, error) {
	return render(d.o.Profile, d.o.Font, doc)
}

func render(p escpos.Profile, font *escpos.Font, doc receipt.Document) ([]byte, error) {
	e := escpos.NewEncoder(p, escpos.Options{Font: font})
	err := doc.Encode(e)
	if err != nil && !errors.Is(err, escpos.ErrUnprintable) {
		return nil, fmt.Errorf("render %s: %w", doc.Kind(), err)
	}
	return e.Bytes(), err
}

// Print renders d, queues it and returns the job id. Characters that
// cannot be printed are logged, not fatal: the job is queued with '?'.
func (d *Driver) Print(ctx context.Context, doc receipt.Document) (int64, error) {
	data, err := d.Render(doc)
	if data == nil {
		return 0, err
	}
	if err != nil {
		d.log.Warn("document has characters the printer cannot print", "kind", doc.Kind(), "err", err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return 0, fmt.Errorf("print %s: %w", doc.Kind(), err)
	}
	id, err := d.o.Store.AddPrintJob(ctx, d.o.Name, string(doc.Kind()), ref(doc), js, data)
	if err != nil {
		return 0, err
	}
	d.setState(func(s *State) { s.Queued++ })
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return id, nil
}

// Reprint queues a copy of job id, marked COPY.
func (d *Driver) Reprint(ctx context.Context, id int64) (int64, error) {
	doc, err := loadDoc(ctx, d.o.Store, id)
	if err != nil {
		return 0, err
	}
	return d.Print(ctx, receipt.AsCopy(doc))
}

func loadDoc(ctx context.Context, s JobStore, id int64) (receipt.Document, error) {
	kind, js, err := s.PrintJobDoc(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reprint job %d: %w", id, err)
	}
	doc, err := receipt.Decode(receipt.Kind(kind), js)
	if err != nil {
		return nil, fmt.Errorf("reprint job %d: %w", id, err)
	}
	return doc, nil
}

func ref(doc receipt.Document) string {
	switch v := doc.(type) {
	case receipt.Receipt:
		return receiptRef(v)
	case *receipt.Receipt:
		return receiptRef(*v)
	case receipt.PickupSlip:
		return v.OrderID
	case *receipt.PickupSlip:
		return v.OrderID
	case receipt.BagLabel:
		return v.OrderID
	case *receipt.BagLabel:
		return v.OrderID
	case receipt.Report:
		return strconv.FormatInt(v.Number, 10)
	case *receipt.Report:
		return strconv.FormatInt(v.Number, 10)
	}
	return ""
}

// receiptRef is a sale receipt's number; a return's and a training
// receipt's, numbered in sequences of their own, are prefixed "return:"
// and "training:", so that each ref names one receipt.
func receiptRef(r receipt.Receipt) string {
	n := strconv.FormatInt(r.ReceiptNo, 10)
	switch {
	case r.Training:
		return "training:" + n
	case r.Refund:
		return "return:" + n
	}
	return n
}

// KickDrawer pulses the drawer now. It is not queued: a drawer must never
// spring open minutes later when a printer comes back. While a backlog
// prints, the pulse goes out after the job being sent, before the next.
// A printer offline (out of paper, its cover open) is sent the real-time
// pulse, which it obeys at once or never. It fails with ErrNotReady when
// the printer is not connected.
func (d *Driver) KickDrawer(ctx context.Context) error {
	req := kickReq{done: make(chan error, 1)}
	select {
	case d.kick <- req:
	case <-ctx.Done():
		return fmt.Errorf("kick drawer: %w (%v)", ErrNotReady, ctx.Err())
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// State returns the last known state.
func (d *Driver) State() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state
}

// polled tells OnPoll the state after a poll or a failure of the port.
func (d *Driver) polled() {
	if d.o.OnPoll != nil {
		d.o.OnPoll(d.State())
	}
}

func (d *Driver) setState(f func(*State)) {
	d.mu.Lock()
	old := d.state
	f(&d.state)
	s := d.state
	d.mu.Unlock()
	if s != old && d.o.OnStatus != nil {
		d.o.OnStatus(s)
	}
}
