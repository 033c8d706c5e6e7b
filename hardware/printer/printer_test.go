package printer_test

import (
	"bytes"
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

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/hardware/receipt"
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

// makeRaw puts a terminal in raw mode: no echo, no line editing, no
// translation of CR/LF, 8-bit clean.
func makeRaw(t *testing.T, f *os.File) {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag &^= unix.CSIZE | unix.PARENB
	tio.Cflag |= unix.CS8
	tio.Cc[unix.VMIN] = 1
	tio.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}
}

// simPrinter plays an ESC/POS printer on the master side of a pty: it
// answers DLE EOT with its status and collects jobs (everything up to a
// cut), decoded.
type simPrinter struct {
	t      *testing.T
	master io.ReadWriteCloser
	slave  io.Closer

	mu         sync.Mutex
	status     escpos.Status
	jobs       []string // decoded jobs, in order
	polls      int      // status requests answered
	closeAfter int      // close the pty after this many jobs (0: never)
	stall      bool     // stop reading when a job starts, like a jammed port
	closed     chan struct{}
	done       chan struct{}
}

func newSim(t *testing.T, closeAfter int) *simPrinter {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	makeRaw(t, slave)
	makeRaw(t, master)
	s := &simPrinter{t: t, master: master, slave: slave, closeAfter: closeAfter,
		status: escpos.Status{Online: true, DrawerKnown: true},
		closed: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	t.Cleanup(s.close)
	return s
}

// newPipeSim is a simulated printer on one end of a net.Pipe, whose
// writes block until the other side reads.
func newPipeSim(t *testing.T, stall bool) (*simPrinter, io.ReadWriteCloser) {
	here, there := net.Pipe()
	s := &simPrinter{t: t, master: here, slave: there, stall: stall,
		status: escpos.Status{Online: true, DrawerKnown: true},
		closed: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	t.Cleanup(s.close)
	return s, there
}

func (s *simPrinter) path() string { return s.slave.(*os.File).Name() }

func (s *simPrinter) setStatus(st escpos.Status) {
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
}

func (s *simPrinter) snapshot() (jobs []string, polls int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.jobs...), s.polls
}

// close unplugs the printer: both ends of the pty go away.
func (s *simPrinter) close() {
	select {
	case <-s.closed:
	default:
		close(s.closed)
		s.master.Close()
		s.slave.Close()
	}
	<-s.done
}

var cut = []byte{escpos.GS, 'V', 66, 3}

func (s *simPrinter) run() {
	defer close(s.done)
	var buf, job []byte
	b := make([]byte, 4096)
	jobsSeen := 0
	for {
		n, err := s.master.Read(b)
		if err != nil {
			return
		}
		buf = append(buf, b[:n]...)
		for len(buf) > 0 {
			if len(job) == 0 && buf[0] == escpos.DLE {
				if len(buf) < 3 {
					break
				}
				s.mu.Lock()
				reply := escpos.EncodeStatus(s.status, escpos.StatusOptions{})[buf[2]-1]
				s.polls++
				s.mu.Unlock()
				buf = buf[3:]
				if _, err := s.master.Write([]byte{reply}); err != nil {
					return
				}
				continue
			}
			if len(job) == 0 && s.stall {
				<-s.closed // never read again
				return
			}
			if len(job) == 0 && s.closeAfter > 0 && jobsSeen >= s.closeAfter {
				// The next job starts arriving: the cable is pulled before
				// any of it prints.
				go s.close()
				return
			}
			i := bytes.Index(buf, cut)
			if i < 0 {
				job = append(job, buf...)
				buf = buf[:0]
				break
			}
			job = append(job, buf[:i+len(cut)]...)
			buf = buf[i+len(cut):]
			text, err := escpos.Decode(job)
			if err != nil {
				s.t.Errorf("printer got a malformed job: %v\n%s", err, text)
			}
			job = job[:0]
			s.mu.Lock()
			s.jobs = append(s.jobs, text)
			s.mu.Unlock()
			jobsSeen++
		}
	}
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
	cancel context.CancelFunc
	runErr chan error
}

func start(t *testing.T, path string) *harness {
	t.Helper()
	db := openDB(t)
	before := runtime.NumGoroutine()
	h := &harness{db: db, ports: &ports{}, states: make(chan printer.State, 1024), runErr: make(chan error, 1)}
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
	first := newSim(t, 4) // unplugged after the 4th receipt
	h := start(t, first.path())
	ctx := context.Background()
	for i := int64(1); i <= 6; i++ {
		if _, err := h.drv.Print(ctx, testReceipt(i)); err != nil {
			t.Fatal(err)
		}
	}
	<-first.done
	h.ports.plug("")
	waitFor(t, "the driver to see the printer gone", func() bool { return !h.drv.State().Connected })
	// Sales go on while the printer is away: Print still just queues.
	for i := int64(7); i <= total; i++ {
		if _, err := h.drv.Print(ctx, testReceipt(i)); err != nil {
			t.Fatal(err)
		}
	}
	second := newSim(t, 0)
	h.ports.plug(second.path())
	waitFor(t, "all receipts", func() bool {
		a, _ := first.snapshot()
		b, _ := second.snapshot()
		return len(a)+len(b) >= total && h.drv.State().Queued == 0
	})
	a, _ := first.snapshot()
	b, _ := second.snapshot()
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
		if !strings.Contains(j, "[INIT][CODEPAGE 19]") || !strings.Contains(j, "Räksmörgås") || !strings.Contains(j, "[CUT partial]") {
			t.Errorf("receipt garbled:\n%s", j)
		}
	}
}

func TestPaperOutHoldsQueue(t *testing.T) {
	sim := newSim(t, 0)
	sim.setStatus(escpos.Status{PaperOut: true, PaperNearEnd: true, DrawerKnown: true})
	h := start(t, sim.path())
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
	_, polls := sim.snapshot()
	waitFor(t, "more status polls", func() bool { _, p := sim.snapshot(); return p >= polls+8 })
	if jobs, _ := sim.snapshot(); len(jobs) != 0 {
		t.Fatalf("printed %d jobs with paper out", len(jobs))
	}
	if q := h.drv.State().Queued; q != 2 {
		t.Errorf("queued = %d, want 2", q)
	}
	if err := h.drv.KickDrawer(ctx); !errors.Is(err, printer.ErrNotReady) {
		t.Errorf("drawer kick while offline: %v", err)
	}
	sim.setStatus(escpos.Status{Online: true, DrawerKnown: true})
	waitFor(t, "queue to drain", func() bool { j, _ := sim.snapshot(); return len(j) == 2 && h.drv.State().Queued == 0 })
	if got := receiptNos(func() []string { j, _ := sim.snapshot(); return j }()); got[1] != 1 || got[2] != 1 {
		t.Errorf("printed %v", got)
	}

	// A reprint is a copy.
	if _, err := h.drv.Reprint(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the copy", func() bool { j, _ := sim.snapshot(); return len(j) == 3 })
	jobs, _ := sim.snapshot()
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
	jammed, jammedPort := newPipeSim(t, true)
	good, goodPort := newPipeSim(t, false)
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
		j, _ := good.snapshot()
		return len(j) == 1 && drv.State().Queued == 0
	})
	if j, _ := jammed.snapshot(); len(j) != 0 {
		t.Errorf("jammed port printed %d jobs", len(j))
	}
	j, _ := good.snapshot()
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
	sim, port := newPipeSim(t, false)
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
	waitFor(t, "the receipt", func() bool { j, _ := sim.snapshot(); return len(j) == 1 && drv.State().Queued == 0 })
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
