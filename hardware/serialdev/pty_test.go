package serialdev

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/posnode/posnode/internal/nodetest"
)

// testPTY is a pseudo-terminal standing in for a serial device. The test
// holds the master; the slave path is what a Device opens.
type testPTY struct {
	master *os.File
	slave  *os.File // held open so master reads never see a hangup
	path   string
}

func newPTY(t testing.TB) *testPTY {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	if err := MakeRaw(int(s.Fd())); err != nil {
		t.Fatalf("raw slave: %v", err)
	}
	if err := MakeRaw(int(m.Fd())); err != nil {
		t.Fatalf("raw master: %v", err)
	}
	p := &testPTY{master: m, slave: s, path: s.Name()}
	t.Cleanup(p.close)
	return p
}

// close unplugs the device: the slave node disappears.
func (p *testPTY) close() {
	p.master.Close()
	p.slave.Close()
}

// readN reads exactly n bytes from the master or fails after a generous
// timeout (which only a broken build hits). The master is in blocking mode
// (pty.Open calls Fd), so deadlines do not apply; the read runs in a
// goroutine that ends when the pty closes.
func (p *testPTY) readN(t testing.TB, n int) []byte {
	t.Helper()
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		buf := make([]byte, n)
		_, err := io.ReadFull(p.master, buf)
		ch <- result{buf, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("read pty master: %v", r.err)
		}
		return r.b
	case <-time.After(10 * time.Second):
		t.Fatalf("read pty master: nothing after 10s")
		return nil
	}
}

func TestOpenPTY(t *testing.T) {
	p := newPTY(t)
	port, err := Open(p.path, Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer port.Close()
	// Raw: CR and LF pass unchanged both ways.
	if _, err := p.master.Write([]byte("ab\r\n")); err != nil {
		t.Fatal(err)
	}
	port.SetReadTimeout(5 * time.Second)
	got := make([]byte, 0, 4)
	buf := make([]byte, 4)
	for len(got) < 4 {
		n, err := port.Read(buf)
		if err != nil || n == 0 {
			t.Fatalf("Read = %d, %v", n, err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != "ab\r\n" {
		t.Fatalf("read %q, want %q", got, "ab\r\n")
	}
	if _, err := port.Write([]byte("x\n")); err != nil {
		t.Fatal(err)
	}
	if got := p.readN(t, 2); string(got) != "x\n" {
		t.Fatalf("master read %q", got)
	}
}

func TestOpenTwiceRefused(t *testing.T) {
	p := newPTY(t)
	link := filepath.Join(t.TempDir(), "scanner")
	if err := os.Symlink(p.path, link); err != nil {
		t.Fatal(err)
	}
	port, err := Open(p.path, Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !IsOpen(link) {
		t.Error("IsOpen(link) = false while open")
	}
	if _, err := Open(link, Config{}); !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open via symlink = %v, want ErrInUse", err)
	}
	if err := port.Close(); err != nil {
		t.Fatal(err)
	}
	port.Close() // a second Close is harmless
	again, err := Open(link, Config{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nothing"), Config{})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open missing = %v, want ErrNotFound", err)
	}
	_, err = Open("/dev/null", Config{StopBits: StopBits1Half})
	if !errors.Is(err, ErrBadConfig) {
		t.Fatalf("Open with 1.5 stop bits = %v, want ErrBadConfig", err)
	}
}

// TestOpenPTYFallback exercises the os.OpenFile path used when the serial
// library refuses a pty.
func TestOpenPTYFallback(t *testing.T) {
	p := newPTY(t)
	if !isPTY(p.path) {
		t.Fatalf("isPTY(%s) = false", p.path)
	}
	if isPTY("/dev/null") {
		t.Fatal("isPTY(/dev/null) = true")
	}
	fp, err := openPTY(p.path)
	if err != nil {
		t.Fatalf("openPTY: %v", err)
	}
	defer fp.Close()
	fp.SetReadTimeout(50 * time.Millisecond)
	buf := make([]byte, 8)
	if n, err := fp.Read(buf); n != 0 || err != nil {
		t.Fatalf("Read with nothing sent = %d, %v; want 0, nil", n, err)
	}
	p.master.Write([]byte("\r\x00\xff"))
	fp.SetReadTimeout(5 * time.Second)
	var got []byte
	for len(got) < 3 {
		n, err := fp.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, []byte("\r\x00\xff")) {
		t.Fatalf("read %q", got)
	}
	if _, err := fp.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	if got := p.readN(t, 1); string(got) != "\n" {
		t.Fatalf("master read %q", got)
	}
	if err := fp.ResetOutputBuffer(); err != nil {
		t.Fatalf("ResetOutputBuffer: %v", err)
	}
}

// stateLog collects the states a Device reports.
type stateLog struct {
	mu     sync.Mutex
	states []State
	ch     chan State
}

func newStateLog() *stateLog { return &stateLog{ch: make(chan State, 100)} }

func (l *stateLog) add(s State) {
	l.mu.Lock()
	l.states = append(l.states, s)
	l.mu.Unlock()
	l.ch <- s
}

// wait returns the next state satisfying ok, failing after a generous
// timeout.
func (l *stateLog) wait(t testing.TB, what string, ok func(State) bool) State {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-l.ch:
			if ok(s) {
				return s
			}
		case <-timeout:
			t.Fatalf("no state %s", what)
		}
	}
}

func connected(s State) bool    { return s.Connected }
func disconnected(s State) bool { return !s.Connected }

// runDevice runs d until the test ends and checks that Run returned and
// left no goroutines behind.
func runDevice(t testing.TB, d *Device) context.CancelFunc {
	t.Helper()
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		checkGoroutines(t, before)
	})
	return cancel
}

func checkGoroutines(t testing.TB, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines left, want %d:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readString(t testing.TB, d *Device, n int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []byte
	buf := make([]byte, 64)
	for len(got) < n {
		k, err := d.ReadContext(ctx, buf)
		if err != nil {
			t.Fatalf("ReadContext after %q: %v", got, err)
		}
		got = append(got, buf[:k]...)
	}
	return string(got)
}

func TestDeviceReplug(t *testing.T) {
	first := newPTY(t)
	link := filepath.Join(t.TempDir(), "scanner")
	if err := os.Symlink(first.path, link); err != nil {
		t.Fatal(err)
	}
	states := newStateLog()
	d, err := New(Options{Name: "till-1 scanner", Path: link, OnState: states.add, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runDevice(t, d)

	s := states.wait(t, "connected", connected)
	if s.Path != first.path || s.Name != "till-1 scanner" {
		t.Fatalf("connected state = %+v", s)
	}
	first.master.Write([]byte("one"))
	if got := readString(t, d, 3); got != "one" {
		t.Fatalf("read %q", got)
	}
	if _, err := d.Write([]byte("hi")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if got := first.readN(t, 2); string(got) != "hi" {
		t.Fatalf("device wrote %q", got)
	}

	// A read is waiting when the device is unplugged; it carries on
	// across the reconnect.
	pending := make(chan string, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var got []byte
		buf := make([]byte, 8)
		for len(got) < 3 {
			n, err := d.ReadContext(ctx, buf)
			if err != nil {
				pending <- err.Error()
				return
			}
			got = append(got, buf[:n]...)
		}
		pending <- string(got)
	}()

	// Unplug: the node disappears.
	first.close()
	s = states.wait(t, "disconnected", disconnected)
	if !errors.Is(s.Reason, ErrRemoved) {
		t.Fatalf("disconnected because %v, want ErrRemoved", s.Reason)
	}
	if _, err := d.Write([]byte("lost")); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("Write while unplugged = %v, want ErrDisconnected", err)
	}

	// Replug at the same stable name, as udev does with by-id links.
	second := newPTY(t)
	tmp := link + ".new"
	if err := os.Symlink(second.path, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	s = states.wait(t, "reconnected", connected)
	if s.Path != second.path {
		t.Fatalf("reconnected to %s, want %s", s.Path, second.path)
	}
	second.master.Write([]byte("two"))
	if got := <-pending; got != "two" {
		t.Fatalf("read across replug: %q", got)
	}
}

func TestDeviceSymlinkRepointedWhileConnected(t *testing.T) {
	first := newPTY(t)
	second := newPTY(t)
	link := filepath.Join(t.TempDir(), "display")
	os.Symlink(first.path, link)
	states := newStateLog()
	d, err := New(Options{Path: link, OnState: states.add, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runDevice(t, d)
	states.wait(t, "connected", connected)
	tmp := link + ".new"
	os.Symlink(second.path, tmp)
	os.Rename(tmp, link)
	s := states.wait(t, "disconnected", disconnected)
	if !errors.Is(s.Reason, ErrRemoved) {
		t.Fatalf("reason = %v, want ErrRemoved", s.Reason)
	}
	if s := states.wait(t, "connected", connected); s.Path != second.path {
		t.Fatalf("connected to %s, want %s", s.Path, second.path)
	}
}

// TestDeviceByUSBID: a device named by its USB identity is found through
// the port list at every (re)open, so when its adapter is unplugged and
// plugged in again, even on another node (ttyUSB0, then ttyUSB1), it is
// back without a restart.
func TestDeviceByUSBID(t *testing.T) {
	p := newPTY(t)
	var mu sync.Mutex
	present := p.path // guarded by mu; "" while unplugged
	list := func() ([]PortInfo, error) {
		mu.Lock()
		defer mu.Unlock()
		ports := []PortInfo{{Path: "/dev/ttyS0"}, {Path: "/nonexistent/ttyUSB9", USB: true, VID: "0403", PID: "6001", SerialNumber: "OTHER"}}
		if present != "" {
			ports = append(ports, PortInfo{Path: present, USB: true, VID: "0403", PID: "6001", SerialNumber: "A50285BI"})
		}
		return ports, nil
	}
	states := newStateLog()
	d, err := New(Options{
		USB:          &USBID{VID: "403", PID: "6001", SerialNumber: "A50285BI"},
		ListPorts:    list,
		OnState:      states.add,
		PollInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != "usb:0403:6001:A50285BI" {
		t.Errorf("default name %q", d.Name())
	}
	runDevice(t, d)
	if s := states.wait(t, "connected", connected); s.Path != p.path {
		t.Fatalf("connected to %s, want %s", s.Path, p.path)
	}
	mu.Lock()
	present = ""
	mu.Unlock()
	if s := states.wait(t, "disconnected", disconnected); !errors.Is(s.Reason, ErrRemoved) {
		t.Fatalf("reason = %v, want ErrRemoved", s.Reason)
	}
	mu.Lock()
	present = p.path
	mu.Unlock()
	states.wait(t, "reconnected", connected)

	// Unplugged, and plugged in again where the kernel gives it another
	// node.
	second := newPTY(t)
	p.close()
	states.wait(t, "disconnected", disconnected)
	mu.Lock()
	present = second.path
	mu.Unlock()
	if s := states.wait(t, "connected on the new node", connected); s.Path != second.path {
		t.Fatalf("connected to %s, want %s", s.Path, second.path)
	}
}

// A device named by a USB identity without a serial number stays open
// when another device of that identity is plugged in beside it: the one
// open is the one it named when it was alone; only a device not open yet
// is refused as ambiguous.
func TestDeviceByUSBIDAnotherPluggedIn(t *testing.T) {
	p, other := newPTY(t), newPTY(t)
	var mu sync.Mutex
	both := false // guarded by mu
	list := func() ([]PortInfo, error) {
		mu.Lock()
		defer mu.Unlock()
		ports := []PortInfo{{Path: p.path, USB: true, VID: "0403", PID: "6001"}}
		if both {
			ports = append([]PortInfo{{Path: other.path, USB: true, VID: "0403", PID: "6001"}}, ports...)
		}
		return ports, nil
	}
	states := newStateLog()
	d, err := New(Options{USB: &USBID{VID: "0403", PID: "6001"}, ListPorts: list, OnState: states.add, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runDevice(t, d)
	states.wait(t, "connected", connected)
	mu.Lock()
	both = true
	mu.Unlock()
	time.Sleep(200 * time.Millisecond) // ten polls
	if s := d.State(); !s.Connected || s.Path != p.path {
		t.Fatalf("with another device of its identity plugged in: %+v, want still connected to %s", s, p.path)
	}
}

func TestDeviceSamePortTwice(t *testing.T) {
	p := newPTY(t)
	link := filepath.Join(t.TempDir(), "alias")
	os.Symlink(p.path, link)
	s1, s2 := newStateLog(), newStateLog()
	d1, _ := New(Options{Path: p.path, OnState: s1.add, PollInterval: 20 * time.Millisecond})
	runDevice(t, d1)
	s1.wait(t, "connected", connected)
	d2, _ := New(Options{Path: link, OnState: s2.add, PollInterval: 20 * time.Millisecond})
	runDevice(t, d2)
	if s := s2.wait(t, "refused", disconnected); !errors.Is(s.Reason, ErrInUse) {
		t.Fatalf("second device state = %v, want ErrInUse", s)
	}
}

func TestDeviceBlockedWriteTimesOut(t *testing.T) {
	p := newPTY(t)
	states := newStateLog()
	d, _ := New(Options{Path: p.path, OnState: states.add, PollInterval: 20 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	runDevice(t, d)
	states.wait(t, "connected", connected)
	// Nobody reads the master: the pty buffer fills and the write blocks.
	big := bytes.Repeat([]byte("x"), 4<<20)
	_, err := d.Write(big)
	if !errors.Is(err, ErrWriteTimeout) {
		t.Fatalf("Write into a full port = %v, want ErrWriteTimeout", err)
	}
	s := states.wait(t, "disconnected", disconnected)
	if !errors.Is(s.Reason, ErrWriteTimeout) {
		t.Fatalf("reason = %v, want ErrWriteTimeout", s.Reason)
	}
	// The stalled write(2) cannot be interrupted: the port stays claimed
	// (never opened twice) until the device drains, then it is reopened.
	if s := states.wait(t, "refused behind the stalled write", disconnected); !errors.Is(s.Reason, ErrInUse) {
		t.Fatalf("reason = %v, want ErrInUse", s.Reason)
	}
	// Drain the master like a device that recovers, up to the "ok"
	// written below.
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		var tail []byte
		buf := make([]byte, 4096)
		for !bytes.HasSuffix(tail, []byte("ok")) {
			n, err := p.master.Read(buf)
			if err != nil {
				return
			}
			tail = append(tail[max(0, len(tail)-1):], buf[:n]...)
		}
	}()
	states.wait(t, "reconnected", connected)
	if _, err := d.Write([]byte("ok")); err != nil {
		t.Fatalf("Write after recovery: %v", err)
	}
	<-drained
}

// A write that takes longer than WriteTimeout but keeps moving, like a
// long receipt on a slow line, is not cut off: the timeout bounds the wait
// for progress, not the whole write.
func TestDeviceSlowWriteCompletes(t *testing.T) {
	p := newPTY(t)
	states := newStateLog()
	d, _ := New(Options{Path: p.path, OnState: states.add, PollInterval: 20 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	runDevice(t, d)
	states.wait(t, "connected", connected)
	// The device takes 4 KB every 10 ms, so the pty buffer fills and the
	// write waits for it for several WriteTimeouts.
	job := bytes.Repeat([]byte("x"), 512<<10)
	got := make(chan int, 1)
	go func() {
		n := 0
		buf := make([]byte, 4096)
		for n < len(job) {
			k, err := p.master.Read(buf)
			if err != nil {
				break
			}
			n += k
			time.Sleep(10 * time.Millisecond)
		}
		got <- n
	}()
	if _, err := d.Write(job); err != nil {
		t.Fatalf("slow write = %v, want it to complete", err)
	}
	if n := <-got; n != len(job) {
		t.Errorf("device got %d bytes, want %d", n, len(job))
	}
	if s := d.State(); !s.Connected {
		t.Errorf("state after a slow write: %v", s)
	}
}

func TestDeviceClosed(t *testing.T) {
	p := newPTY(t)
	states := newStateLog()
	d, _ := New(Options{Path: p.path, OnState: states.add, PollInterval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	states.wait(t, "connected", connected)
	readErr := make(chan error, 1)
	go func() {
		_, err := d.Read(make([]byte, 8))
		readErr <- err
	}()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if err := <-readErr; !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Run = %v, want ErrClosed", err)
	}
	if _, err := d.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Run = %v, want ErrClosed", err)
	}
	if s := states.wait(t, "closed", disconnected); !errors.Is(s.Reason, ErrClosed) {
		t.Fatalf("final state %v", s)
	}
	if IsOpen(p.path) {
		t.Fatal("port still registered open after Run")
	}
	if err := d.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("second Run = %v", err)
	}
}

func TestNewOptions(t *testing.T) {
	if _, err := New(Options{}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("New without path = %v", err)
	}
	if _, err := New(Options{Path: "/dev/ttyUSB0", USB: &USBID{VID: "1", PID: "2"}}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("New with path and USB = %v", err)
	}
	if _, err := New(Options{USB: &USBID{VID: "1"}}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("New with USB without PID = %v", err)
	}
	if _, err := New(Options{Path: "/dev/ttyUSB0", Config: Config{DataBits: 9}}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("New with 9 data bits = %v", err)
	}
}

func TestPorts(t *testing.T) {
	ports, err := Ports()
	if err != nil {
		t.Fatalf("Ports: %v", err)
	}
	for _, p := range ports {
		if p.Path == "" {
			t.Errorf("port without path: %+v", p)
		}
		if p.USB && (len(p.VID) != 4 || len(p.PID) != 4) {
			t.Errorf("USB port with bad ids: %+v", p)
		}
	}
	t.Logf("%d ports: %v", len(ports), ports)
}

// logCount counts the log records of Info level and above.
type logCount struct{ n atomic.Int64 }

func (c *logCount) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (c *logCount) Handle(context.Context, slog.Record) error    { c.n.Add(1); return nil }
func (c *logCount) WithAttrs([]slog.Attr) slog.Handler           { return c }
func (c *logCount) WithGroup(string) slog.Handler                { return c }

// TestDeviceFailingPortBacksOff: a port that opens and then fails at once
// (here a pty whose line hangs up as soon as it is opened, as a bouncing
// USB adapter does) is reopened with back-off rather than in a tight loop,
// and is not logged at every attempt.
func TestDeviceFailingPortBacksOff(t *testing.T) {
	p := newPTY(t)
	logs := &nodetest.Buffer{} // Info and above
	d, err := New(Options{Name: "till-1 scanner", Path: p.path, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var opens atomic.Int64
	d.open = func(path string, cfg Config) (Port, error) {
		opens.Add(1)
		port, err := Open(path, cfg)
		if err == nil {
			port.Close() // every read fails from now on
		}
		return port, err
	}
	runDevice(t, d)
	// A reader, as the scanner has, meets the failure at once.
	ctx, cancel := context.WithCancel(context.Background())
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 16)
		for ctx.Err() == nil {
			d.ReadContext(ctx, buf)
		}
	}()
	t.Cleanup(func() { cancel(); <-read })

	for deadline := time.Now().Add(10 * time.Second); opens.Load() < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("opened %d times in 10s; a failed port must be reopened", opens.Load())
		}
	}
	time.Sleep(time.Second)
	lines := strings.Count(logs.String(), "\n")
	t.Logf("opened %d times, %d log lines", opens.Load(), lines)
	// From 100 ms doubling, even with the jitter halving each wait, a
	// second holds at most 6 attempts; a sleep that overruns adds a few.
	if n := opens.Load(); n >= 20 {
		t.Errorf("opened %d times in about a second; want fewer than 20", n)
	}
	if lines >= 5 {
		t.Errorf("%d log lines; want one per change of state, not per attempt", lines)
	}
}
