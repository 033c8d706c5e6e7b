package printer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/hardware/printer/printertest"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/hardware/serialdev"
	"github.com/posnode/posnode/pos/sqlite"
)

var _ printer.JobStore = (*sqlite.DB)(nil)

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "node.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ports hands the driver whatever pty is plugged in now.
type ports struct {
	mu   sync.Mutex
	path string
}

func (p *ports) plug(path string) { p.mu.Lock(); p.path = path; p.mu.Unlock() }

func (p *ports) open() (io.ReadWriteCloser, error) {
	p.mu.Lock()
	path := p.path
	p.mu.Unlock()
	if path == "" {
		return nil, errors.New("no printer plugged in")
	}
	return os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
}

func testReceipt(no int64) receipt.Receipt {
	return receipt.Receipt{
		Store:     receipt.Store{Name: "Butik Norr", Lang: "sv", Currency: "SEK"},
		ReceiptNo: no, Barcode: fmt.Sprintf("R%010d", no), Station: "T1", Cashier: "Anna",
		Time:  time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC),
		Lines: []receipt.Line{{Name: "Räksmörgås", Qty: 1, UnitPrice: 4900, Amount: 4900}},
		Total: 4900, Subtotal: 4900, Payments: []receipt.Payment{{Method: "card", Amount: 4900}},
	}
}

type harness struct {
	drv    *printer.Driver
	db     *sqlite.DB
	ports  *ports
	states chan printer.State
	polls  chan printer.State // what OnPoll heard
	cancel context.CancelFunc
	runErr chan error
}

func start(t *testing.T, path string) *harness {
	t.Helper()
	db := openDB(t)
	before := runtime.NumGoroutine()
	h := &harness{db: db, ports: &ports{}, states: make(chan printer.State, 1024), polls: make(chan printer.State, 1024), runErr: make(chan error, 1)}
	h.ports.plug(path)
	drv, err := printer.New(printer.Options{
		Name: "till-1", Profile: escpos.TMT88, Open: h.ports.open, Store: h.db,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: 20 * time.Millisecond, StatusTimeout: 300 * time.Millisecond,
		WriteTimeout: 2 * time.Second, ReopenDelay: 20 * time.Millisecond,
		OnStatus: func(s printer.State) {
			select {
			case h.states <- s:
			default:
			}
		},
		OnPoll: func(s printer.State) {
			select {
			case h.polls <- s:
			default:
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.drv = drv
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.runErr <- drv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-h.runErr; err != nil {
			t.Errorf("Run: %v", err)
		}
		// Run's goroutines are gone once it has returned.
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
	return h
}

// waitFor polls cond until it holds or a generous limit passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func receiptNos(jobs []string) map[int64]int {
	m := map[int64]int{}
	for _, j := range jobs {
		var no int64
		if i := strings.Index(j, "[BARCODE CODE128 R"); i >= 0 {
			fmt.Sscanf(j[i+len("[BARCODE CODE128 R"):], "%d", &no)
		}
		m[no]++
	}
	return m
}

func TestReceiptsSurviveUnplug(t *testing.T) {
	const total = 12
	first := printertest.New(t, printertest.Options{CloseAfter: 4}) // unplugged after the 4th receipt
	h := start(t, first.Path())
	ctx := context.Background()
	for i := int64(1); i <= 6; i++ {
		if _, err := h.drv.Print(ctx, testReceipt(i)); err != nil {
			t.Fatal(err)
		}
	}
	<-first.Unplugged()
	h.ports.plug("")
	waitFor(t, "the driver to see the printer gone", func() bool { return !h.drv.State().Connected })
	// Sales go on while the printer is away: Print still just queues.
	for i := int64(7); i <= total; i++ {
		if _, err := h.drv.Print(ctx, testReceipt(i)); err != nil {
			t.Fatal(err)
		}
	}
	second := printertest.New(t, printertest.Options{})
	h.ports.plug(second.Path())
	waitFor(t, "all receipts", func() bool {
		a := first.Jobs()
		b := second.Jobs()
		return len(a)+len(b) >= total && h.drv.State().Queued == 0
	})
	a := first.Jobs()
	b := second.Jobs()
	if len(a) != 4 {
		t.Errorf("first printer printed %d receipts, want 4", len(a))
	}
	got := receiptNos(append(a, b...))
	for i := int64(1); i <= total; i++ {
		if got[i] != 1 {
			t.Errorf("receipt %d printed %d times, want once", i, got[i])
		}
	}
	if len(got) != total {
		t.Errorf("printed receipts %v", got)
	}
	for _, j := range append(a, b...) {
		if !strings.Contains(j, "[INIT][KANJI off][CODEPAGE 19]") || !strings.Contains(j, "Räksmörgås") || !strings.Contains(j, "[CUT partial]") {
			t.Errorf("receipt garbled:\n%s", j)
		}
	}
}

func TestPaperOutHoldsQueue(t *testing.T) {
	sim := printertest.New(t, printertest.Options{})
	sim.SetStatus(escpos.Status{PaperOut: true, PaperNearEnd: true, DrawerKnown: true})
	h := start(t, sim.Path())
	ctx := context.Background()
	id, err := h.drv.Print(ctx, testReceipt(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.drv.Print(ctx, testReceipt(2)); err != nil {
		t.Fatal(err)
	}
	var seen printer.State
	waitFor(t, "paper out to be reported", func() bool {
		for {
			select {
			case s := <-h.states:
				seen = s
				if s.Connected && s.Status.PaperOut {
					return true
				}
			default:
				return false
			}
		}
	})
	if seen.Ready() || seen.Status.Online {
		t.Errorf("state with paper out: %+v", seen)
	}
	polls := sim.Polls()
	waitFor(t, "more status polls", func() bool { p := sim.Polls(); return p >= polls+8 })
	if jobs := sim.Jobs(); len(jobs) != 0 {
		t.Fatalf("printed %d jobs with paper out", len(jobs))
	}
	if q := h.drv.State().Queued; q != 2 {
		t.Errorf("queued = %d, want 2", q)
	}
	// The drawer opens now, by the real-time pulse, and not again when
	// the paper is back.
	if err := h.drv.KickDrawer(ctx); err != nil {
		t.Errorf("drawer kick while offline: %v", err)
	}
	waitFor(t, "the kick", func() bool { return sim.RealTimeKicks() == 1 })
	sim.SetStatus(escpos.Status{Online: true, DrawerKnown: true})
	waitFor(t, "queue to drain", func() bool { j := sim.Jobs(); return len(j) == 2 && h.drv.State().Queued == 0 })
	if n := sim.Kicks(); n != 1 {
		t.Errorf("%d drawer kicks, want the one made while offline", n)
	}
	if got := receiptNos(func() []string { j := sim.Jobs(); return j }()); got[1] != 1 || got[2] != 1 {
		t.Errorf("printed %v", got)
	}

	// A reprint is a copy.
	if _, err := h.drv.Reprint(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the copy", func() bool { j := sim.Jobs(); return len(j) == 3 })
	jobs := sim.Jobs()
	if !strings.Contains(jobs[2], "KOPIA") || strings.Contains(jobs[0], "KOPIA") {
		t.Errorf("copy not marked:\n%s", jobs[2])
	}
	if err := h.drv.KickDrawer(ctx); err != nil {
		t.Errorf("drawer kick: %v", err)
	}
}

func TestReprintUnknownJob(t *testing.T) {
	h := start(t, "")
	if _, err := h.drv.Reprint(context.Background(), 999); err == nil {
		t.Error("reprint of a missing job succeeded")
	}
}

// A write that blocks (the port takes no more bytes) is given up after
// WriteTimeout: the port is closed and reopened and the job printed then,
// once.
func TestBlockedWriteTimesOut(t *testing.T) {
	jammed, jammedPort := printertest.NewPipe(t, printertest.Options{Stall: true})
	good, goodPort := printertest.NewPipe(t, printertest.Options{})
	var mu sync.Mutex
	opened := 0
	open := func() (io.ReadWriteCloser, error) {
		mu.Lock()
		defer mu.Unlock()
		opened++
		switch opened {
		case 1:
			return jammedPort, nil
		case 2:
			return goodPort, nil
		}
		return nil, errors.New("no more ports")
	}
	db := openDB(t)
	drv, err := printer.New(printer.Options{
		Name: "till-2", Open: open, Store: db,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: 20 * time.Millisecond, StatusTimeout: 300 * time.Millisecond,
		WriteTimeout: 100 * time.Millisecond, ReopenDelay: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- drv.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	if _, err := drv.Print(ctx, testReceipt(7)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the receipt on the second port", func() bool {
		j := good.Jobs()
		return len(j) == 1 && drv.State().Queued == 0
	})
	if j := jammed.Jobs(); len(j) != 0 {
		t.Errorf("jammed port printed %d jobs", len(j))
	}
	j := good.Jobs()
	if got := receiptNos(j); got[7] != 1 {
		t.Errorf("printed %v", got)
	}
}

// pipeDevice is a device that outlives connections: it reads the printer
// side of a net.Pipe in its own goroutine and serves ReadContext.
type pipeDevice struct {
	conn net.Conn
	data chan []byte
	mu   sync.Mutex
	rest []byte
}

func newPipeDevice(conn net.Conn) *pipeDevice {
	d := &pipeDevice{conn: conn, data: make(chan []byte, 16)}
	go func() {
		defer close(d.data)
		for {
			b := make([]byte, 256)
			n, err := conn.Read(b)
			if n > 0 {
				d.data <- b[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	return d
}

func (d *pipeDevice) ReadContext(ctx context.Context, p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.rest) == 0 {
		select {
		case b, ok := <-d.data:
			if !ok {
				return 0, io.EOF
			}
			d.rest = b
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	n := copy(p, d.rest)
	d.rest = d.rest[n:]
	return n, nil
}

func (d *pipeDevice) Write(p []byte) (int, error) { return d.conn.Write(p) }

func TestSharedPort(t *testing.T) {
	sim, port := printertest.NewPipe(t, printertest.Options{})
	dev := newPipeDevice(port.(net.Conn))
	db := openDB(t)
	before := runtime.NumGoroutine()
	drv, err := printer.New(printer.Options{
		Name: "till-3", Open: printer.SharedPort(dev), Store: db,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: 20 * time.Millisecond, StatusTimeout: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- drv.Run(ctx) }()
	if _, err := drv.Print(ctx, testReceipt(3)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the receipt", func() bool { j := sim.Jobs(); return len(j) == 1 && drv.State().Queued == 0 })
	cancel()
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
	// Closing the shared port cancelled the driver's read: nothing of the
	// driver is left running, and the device is still open.
	waitFor(t, "the driver's goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
	if _, err := dev.Write(escpos.StatusPoll()[:3]); err != nil {
		t.Errorf("device closed with the port: %v", err)
	}
}

// longReceipt is a receipt of n lines, about 80 bytes each on paper.
func longReceipt(no int64, n int) receipt.Receipt {
	r := testReceipt(no)
	r.Lines, r.Total, r.Subtotal = nil, 0, 0
	for i := range n {
		r.Lines = append(r.Lines, receipt.Line{Name: fmt.Sprintf("Räksmörgås med ägg nr %d", i+1), Qty: 1, UnitPrice: 4900, Amount: 4900})
		r.Total += 4900
	}
	r.Subtotal = r.Total
	r.Payments = []receipt.Payment{{Method: "card", Amount: r.Total}}
	return r
}

// startDevice runs a serial device on path at baud and a driver on it, as
// the node does; the status timeout is the default.
func startDevice(t *testing.T, path string, baud int, writeTimeout time.Duration) *printer.Driver {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dev, err := serialdev.New(serialdev.Options{Name: "till-4 printer", Path: path,
		Config: serialdev.Config{Baud: baud}, Logger: quiet, WriteTimeout: writeTimeout})
	if err != nil {
		t.Fatal(err)
	}
	drv, err := printer.New(printer.Options{Name: "till-4", Open: printer.SharedPort(dev), Store: openDB(t),
		Logger: quiet, Baud: baud, PollInterval: 20 * time.Millisecond, ReopenDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runWithDevice(t, drv, dev)
	return drv
}

// runWithDevice runs drv and the serial device it prints on until the
// test ends.
func runWithDevice(t *testing.T, drv *printer.Driver, dev *serialdev.Device) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); dev.Run(ctx) }()
	go func() {
		defer wg.Done()
		if err := drv.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// A receipt takes longer on the line than a status reply is given: the
// status request after it waits behind it, and the driver waits for the
// reply as long as the receipt's bytes take, so the receipt prints once.
func TestSlowLinePrintsOnce(t *testing.T) {
	sim := printertest.New(t, printertest.Options{Rate: 3840}) // 38400 baud
	drv := startDevice(t, sim.Path(), 38400, 0)
	r := longReceipt(11, 40)
	if data, _ := drv.Render(r); len(data) < 2000 {
		t.Fatalf("receipt is %d bytes, want one that takes over half a second at 38400 baud", len(data))
	}
	if _, err := drv.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the receipt", func() bool { return len(sim.Jobs()) >= 1 && drv.State().Queued == 0 })
	polls := sim.Polls()
	waitFor(t, "more status polls", func() bool { return sim.Polls() >= polls+8 })
	if got := receiptNos(sim.Jobs()); got[11] != 1 || len(got) != 1 {
		t.Errorf("printed %v, want receipt 11 once", got)
	}
}

// A status reply that comes after its request gave up is not taken for
// the reply to the next request, so a job is not marked printed on a
// status read before it was sent. Here the paper runs out with the first
// receipt, which is sent while every reply comes late, and then at once.
func TestLateStatusReplyNotTakenForNext(t *testing.T) {
	sim := printertest.New(t, printertest.Options{PaperOutAt: 1})
	h := start(t, sim.Path()) // StatusTimeout 300 ms
	waitFor(t, "the printer to answer", func() bool { return h.drv.State().Connected })
	sim.SetReplyDelay(400 * time.Millisecond)
	if _, err := h.drv.Print(context.Background(), testReceipt(21)); err != nil {
		t.Fatal(err)
	}
	polls := sim.Polls()
	waitFor(t, "more status polls", func() bool { return sim.Polls() >= polls+10 })
	sim.SetReplyDelay(0)
	waitFor(t, "paper out", func() bool { return h.drv.State().Status.PaperOut })
	if q := h.drv.State().Queued; q != 1 {
		t.Fatalf("queued = %d with the receipt lost to paper out, want it still queued", q)
	}
	sim.SetStatus(escpos.Status{Online: true, DrawerKnown: true})
	waitFor(t, "the receipt", func() bool { return len(sim.Jobs()) == 1 && h.drv.State().Queued == 0 })
	if got := receiptNos(sim.Jobs()); got[21] != 1 {
		t.Errorf("printed %v", got)
	}
}

// A job that never finishes is retried, and after a few attempts the
// state names it, so staff see why the jobs after it wait.
func TestJobThatNeverFinishesIsNamed(t *testing.T) {
	open := func() (io.ReadWriteCloser, error) {
		_, port := printertest.NewPipe(t, printertest.Options{Stall: true})
		return port, nil
	}
	drv, err := printer.New(printer.Options{
		Name: "till-5", Open: open, Store: openDB(t),
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: 20 * time.Millisecond, StatusTimeout: 300 * time.Millisecond,
		WriteTimeout: 50 * time.Millisecond, Baud: 115200, ReopenDelay: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- drv.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	id, err := drv.Print(ctx, testReceipt(31))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job to be named stuck", func() bool { return drv.State().Stuck != "" })
	if s := drv.State(); !strings.Contains(s.Stuck, fmt.Sprintf("print job %d was sent", id)) || s.Queued != 1 {
		t.Errorf("state %+v", s)
	}
}

// A job that takes several seconds on the line, such as a long receipt
// sent as raster images, finishes and prints once: neither the device's
// nor the driver's write limit cuts it off, and the jobs after it print.
func TestLongJobOnSlowLinePrintsOnce(t *testing.T) {
	sim := printertest.New(t, printertest.Options{Rate: 46080}) // 460800 baud
	drv := startDevice(t, sim.Path(), 460800, 0)
	ctx := context.Background()
	long := longReceipt(41, 3000)
	if data, _ := drv.Render(long); len(data) < 120<<10 {
		t.Fatalf("receipt is %d bytes, want one that takes well over the device's 2 s write limit", len(data))
	}
	if _, err := drv.Print(ctx, long); err != nil {
		t.Fatal(err)
	}
	if _, err := drv.Print(ctx, testReceipt(42)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both receipts", func() bool { return len(sim.Jobs()) >= 2 && drv.State().Queued == 0 })
	if got := receiptNos(sim.Jobs()); got[41] != 1 || got[42] != 1 || len(got) != 2 {
		t.Errorf("printed %v, want receipts 41 and 42 once each", got)
	}
	if s := drv.State(); s.Stuck != "" {
		t.Errorf("stuck: %s", s.Stuck)
	}
}

// A drawer kick asked for while a backlog prints goes out between two
// jobs, not after the whole backlog.
func TestDrawerKickNotBehindBacklog(t *testing.T) {
	sim := printertest.New(t, printertest.Options{Rate: 3840}) // 38400 baud
	drv := startDevice(t, sim.Path(), 38400, 0)
	ctx := context.Background()
	const backlog = 6
	for i := int64(1); i <= backlog; i++ {
		if _, err := drv.Print(ctx, longReceipt(50+i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the first receipt", func() bool { return len(sim.Jobs()) >= 1 })
	if err := drv.KickDrawer(ctx); err != nil {
		t.Fatalf("kick drawer: %v", err)
	}
	waitFor(t, "the kick", func() bool { return sim.Kicks() == 1 })
	if n := len(sim.Jobs()); n >= backlog {
		t.Errorf("the drawer opened after all %d receipts, want it between two", n)
	}
	waitFor(t, "the backlog", func() bool { return len(sim.Jobs()) >= backlog && drv.State().Queued == 0 })
}

// A printer that reports a problem after a job, while still online (its
// cover opened), gets no more jobs until it is ready again: the jobs
// behind stay queued instead of being sent to it and counted printed.
func TestNoJobsAfterTheCoverOpens(t *testing.T) {
	h := start(t, "") // unplugged: the receipts queue up first
	ctx := context.Background()
	for i := int64(1); i <= 3; i++ {
		if _, err := h.drv.Print(ctx, testReceipt(40+i)); err != nil {
			t.Fatal(err)
		}
	}
	sim := printertest.New(t, printertest.Options{CoverOpenAfter: 1})
	h.ports.plug(sim.Path())
	waitFor(t, "the cover open", func() bool { return h.drv.State().Status.CoverOpen })
	polls := sim.Polls()
	waitFor(t, "more status polls", func() bool { return sim.Polls() >= polls+5 })
	if n, q := len(sim.Jobs()), h.drv.State().Queued; n != 1 || q != 2 {
		t.Fatalf("printed %d and queued %d with the cover open after the first, want 1 and 2", n, q)
	}
	sim.SetStatus(escpos.Status{Online: true, DrawerKnown: true})
	waitFor(t, "the rest", func() bool { return len(sim.Jobs()) == 3 && h.drv.State().Queued == 0 })
	if got := receiptNos(sim.Jobs()); got[41] != 1 || got[42] != 1 || got[43] != 1 {
		t.Errorf("printed %v", got)
	}
}

// OnPoll hears every status poll, also when nothing changed (a drawer left
// open is timed by them), and the loss of the printer.
func TestOnPollHearsEveryPoll(t *testing.T) {
	sim := printertest.New(t, printertest.Options{})
	sim.SetStatus(escpos.Status{Online: true, DrawerKnown: true, DrawerOpen: true})
	h := start(t, sim.Path())
	// hear waits for n polls for which ok holds.
	hear := func(what string, n int, ok func(printer.State) bool) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for heard := 0; heard < n; {
			select {
			case s := <-h.polls:
				if ok(s) {
					heard++
				}
			case <-timeout:
				t.Fatalf("OnPoll heard %d polls of %s, want %d", heard, what, n)
			}
		}
	}
	hear("an open drawer", 5, func(s printer.State) bool { return s.Connected && s.Status.DrawerKnown && s.Status.DrawerOpen })
	h.ports.plug("")
	sim.Close()
	hear("a printer gone", 2, func(s printer.State) bool { return !s.Connected })
}

// The barcode of receipt 160401, R0000160401, must not carry DLE EOT 1
// (digit pairs 16 04 01 in code set C): the printer answers it wherever it
// comes, and the extra byte, read with the reply to the next status
// request, makes the printer seem gone or its cover open.
func TestBarcodeLeavesStatusAlone(t *testing.T) {
	// At 38400 baud the barcode reaches the printer after the driver's
	// status request has gone out, so a reply to it would be taken for
	// that request's.
	sim := printertest.New(t, printertest.Options{Rate: 3840})
	h := start(t, sim.Path())
	waitFor(t, "the printer to answer", func() bool { return h.drv.State().Connected })
	for len(h.polls) > 0 {
		<-h.polls
	}
	if _, err := h.drv.Print(context.Background(), testReceipt(160401)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the receipt", func() bool { return len(sim.Jobs()) == 1 && h.drv.State().Queued == 0 })
	polls := sim.Polls()
	waitFor(t, "more status polls", func() bool { return sim.Polls() >= polls+5 })
	want := escpos.Status{Online: true, DrawerKnown: true}
	for len(h.polls) > 0 {
		if s := <-h.polls; !s.Connected || s.Status != want {
			t.Errorf("status after receipt 160401: connected %t, %v (%s); want %v", s.Connected, s.Status, s.Err, want)
		}
	}
	if got := receiptNos(sim.Jobs()); got[160401] != 1 {
		t.Errorf("printed %v", got)
	}
}

// The drawer opens while the printer is out of paper or its cover is
// open: the cashier still gives change. The kick is the real-time pulse
// (DLE DC4), which the printer obeys offline, where it would hold ESC p
// until it is back.
func TestDrawerKickWhilePrinterOffline(t *testing.T) {
	sim := printertest.New(t, printertest.Options{})
	h := start(t, sim.Path())
	ctx := context.Background()
	for i, st := range []escpos.Status{
		{PaperOut: true, DrawerKnown: true},
		{CoverOpen: true, DrawerKnown: true},
	} {
		sim.SetStatus(st)
		waitFor(t, "the printer offline", func() bool { s := h.drv.State(); return s.Connected && !s.Status.Online })
		if err := h.drv.KickDrawer(ctx); err != nil {
			t.Fatalf("kick drawer with %+v: %v", st, err)
		}
		waitFor(t, "the kick", func() bool { return sim.Kicks() == i+1 && sim.RealTimeKicks() == i+1 })
	}
	sim.SetStatus(escpos.Status{Online: true, DrawerKnown: true})
	waitFor(t, "the printer online", func() bool { return h.drv.State().Status.Online })
	if err := h.drv.KickDrawer(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the kick online", func() bool { return sim.Kicks() == 3 })
	if n := sim.RealTimeKicks(); n != 2 {
		t.Errorf("%d real-time kicks, want 2: online, the kick is ESC p in line with the jobs", n)
	}
}
