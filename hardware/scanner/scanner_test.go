package scanner

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/posnode/posnode/hardware/serialdev"
)

var _ ContextReader = (*serialdev.Device)(nil)

// collector is a handler that passes scans to the test.
type collector chan Scan

func (c collector) handle(_ context.Context, s Scan) { c <- s }

func (c collector) next(t testing.TB) Scan {
	t.Helper()
	select {
	case s := <-c:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no scan arrived")
		return Scan{}
	}
}

// upTo returns the codes delivered before the marker code; writing a
// marker after a repeat shows the repeat was read and dropped.
func (c collector) upTo(t testing.TB, marker string) []string {
	t.Helper()
	var got []string
	for {
		s := c.next(t)
		if s.Code == marker {
			return got
		}
		got = append(got, s.Code)
	}
}

func TestScannerPipe(t *testing.T) {
	r, w := io.Pipe()
	scans := make(collector, 10)
	// A long repeat window: a slow machine must not turn the repeat into a
	// new scan.
	s, err := New(r, Options{Station: "till-1", Handler: scans.handle, Framing: FramingOptions{RepeatWindow: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	w.Write([]byte("]E04006381333931\r\x01\r"))
	got := scans.next(t)
	if got.Station != "till-1" || got.Code != "4006381333931" || got.Symbology != "]E0" || got.At.IsZero() {
		t.Fatalf("scan = %+v", got)
	}
	w.Write([]byte("4006381333931\rEND\r"))
	if extra := scans.upTo(t, "END"); len(extra) != 0 {
		t.Fatalf("repeat delivered: %q", extra)
	}
	st := s.Stats()
	if st.Accepted != 2 || st.Duplicates != 1 || st.Rejected[ErrControl.Error()] != 1 {
		t.Fatalf("stats = %+v", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("pipe not closed after Run: %v", err)
	}
}

func TestScannerSourceEnds(t *testing.T) {
	r, w := io.Pipe()
	scans := make(collector, 10)
	s, _ := New(r, Options{Station: "counter", Handler: scans.handle})
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	w.Write([]byte("PICKUP:0b6e:4821\r"))
	if got := scans.next(t); got.Code != "PICKUP:0b6e:4821" {
		t.Fatalf("scan = %+v", got)
	}
	w.Close()
	if err := <-done; err != nil {
		t.Fatalf("Run after EOF = %v", err)
	}
	w2 := errReader{errors.New("boom")}
	s2, _ := New(w2, Options{Station: "counter", Handler: scans.handle})
	if err := s2.Run(context.Background()); err == nil || !errors.Is(err, w2.err) {
		t.Fatalf("Run with failing source = %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestNewOptions(t *testing.T) {
	h := func(context.Context, Scan) {}
	if _, err := New(nil, Options{Station: "a", Handler: h}); err == nil {
		t.Error("New without source succeeded")
	}
	if _, err := New(errReader{}, Options{Handler: h}); err == nil {
		t.Error("New without station succeeded")
	}
	if _, err := New(errReader{}, Options{Station: "a"}); err == nil {
		t.Error("New without handler succeeded")
	}
}

// scannerPTY is a pseudo-terminal standing in for a scanner; the test
// writes codes into the master.
type scannerPTY struct {
	master, slave *os.File
	path          string
}

func newScannerPTY(t testing.TB) *scannerPTY {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	for _, f := range []*os.File{m, s} {
		if err := serialdev.MakeRaw(int(f.Fd())); err != nil {
			t.Fatalf("raw mode: %v", err)
		}
	}
	p := &scannerPTY{master: m, slave: s, path: s.Name()}
	t.Cleanup(p.unplug)
	return p
}

func (p *scannerPTY) unplug() {
	p.master.Close()
	p.slave.Close()
}

func (p *scannerPTY) send(t testing.TB, s string) {
	t.Helper()
	if _, err := p.master.Write([]byte(s)); err != nil {
		t.Fatalf("write to scanner pty: %v", err)
	}
}

// pointLink atomically points link at target, as udev does for a by-id
// name when a device is replugged.
func pointLink(t testing.TB, target, link string) {
	t.Helper()
	tmp := link + ".tmp"
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
}

func TestScannerPTY(t *testing.T) {
	first := newScannerPTY(t)
	link := filepath.Join(t.TempDir(), "usb-Datalogic_QuickScan-if00")
	pointLink(t, first.path, link)

	states := make(chan serialdev.State, 20)
	dev, err := serialdev.New(serialdev.Options{
		Name:         "till-1 scanner",
		Path:         link,
		OnState:      func(s serialdev.State) { states <- s },
		PollInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	waitState := func(connected bool) {
		t.Helper()
		for {
			select {
			case s := <-states:
				if s.Connected == connected {
					return
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("device never became connected=%v", connected)
			}
		}
	}
	scans := make(collector, 20)
	sc, err := New(dev, Options{
		Station: "till-1",
		Handler: scans.handle,
		Framing: FramingOptions{Timeout: 100 * time.Millisecond, RepeatWindow: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	devDone, scDone := make(chan error, 1), make(chan error, 1)
	go func() { devDone <- dev.Run(ctx) }()
	go func() { scDone <- sc.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-scDone; err != nil {
			t.Errorf("scanner Run = %v", err)
		}
		if err := <-devDone; err != nil {
			t.Errorf("device Run = %v", err)
		}
	}()
	waitState(true)

	// Codes arrive, with and without AIM identifiers.
	first.send(t, "]E04006381333931\r\n")
	if s := scans.next(t); s.Code != "4006381333931" || s.Symbology != "]E0" || s.Station != "till-1" {
		t.Fatalf("scan = %+v", s)
	}
	first.send(t, "]Q1PICKUP:0b6e7f:4821\r\n")
	if s := scans.next(t); s.Code != "PICKUP:0b6e7f:4821" || s.Symbology != "]Q1" {
		t.Fatalf("scan = %+v", s)
	}

	// A partial scan followed by silence is dropped.
	first.send(t, "99999")
	time.Sleep(400 * time.Millisecond)
	first.send(t, "7310865004703\r")
	if s := scans.next(t); s.Code != "7310865004703" {
		t.Fatalf("after a partial: scan = %+v", s)
	}

	// A repeat within the window is dropped; the marker proves it was read.
	first.send(t, "7310865004703\rMARK1\r")
	if extra := scans.upTo(t, "MARK1"); len(extra) != 0 {
		t.Fatalf("repeat delivered: %q", extra)
	}

	// Unplug and replug at the same name: scanning continues without a restart.
	first.unplug()
	waitState(false)
	second := newScannerPTY(t)
	pointLink(t, second.path, link)
	waitState(true)
	second.send(t, "5901234123457\r")
	if s := scans.next(t); s.Code != "5901234123457" {
		t.Fatalf("after replug: scan = %+v", s)
	}

	st := sc.Stats()
	if st.Accepted != 5 || st.Duplicates != 1 || st.Rejected[ErrPartial.Error()] != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

// runOnPTY runs a Device and a Scanner with opts, for station till-1, on
// the pty p until the test ends.
func runOnPTY(t *testing.T, p *scannerPTY, opts Options) (*Scanner, collector) {
	t.Helper()
	states := make(chan serialdev.State, 20)
	dev, err := serialdev.New(serialdev.Options{Name: "till-1 scanner", Path: p.path, PollInterval: 20 * time.Millisecond,
		OnState: func(s serialdev.State) { states <- s }})
	if err != nil {
		t.Fatal(err)
	}
	scans := make(collector, 20)
	opts.Station, opts.Handler = "till-1", scans.handle
	sc, err := New(dev, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	devDone, scDone := make(chan error, 1), make(chan error, 1)
	go func() { devDone <- dev.Run(ctx) }()
	go func() { scDone <- sc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-scDone; err != nil {
			t.Errorf("scanner Run = %v", err)
		}
		if err := <-devDone; err != nil {
			t.Errorf("device Run = %v", err)
		}
	})
	timeout := time.After(10 * time.Second)
	for connected := false; !connected; {
		select {
		case s := <-states:
			connected = s.Connected
		case <-timeout:
			t.Fatal("scanner never connected")
		}
	}
	return sc, scans
}

// A scanner set to send nothing after a code ("data as is") gives each
// code when the line falls silent, without waiting for the next scan.
func TestScannerNoTerminatorPTY(t *testing.T) {
	p := newScannerPTY(t)
	// A generous silence, so that a busy machine does not split the code
	// sent in two writes below.
	_, scans := runOnPTY(t, p, Options{Framing: FramingOptions{Terminator: TermNone, Timeout: 500 * time.Millisecond, RepeatWindow: -1}})

	p.send(t, "]E04006381333931")
	if s := scans.next(t); s.Code != "4006381333931" || s.Symbology != "]E0" {
		t.Fatalf("scan = %+v", s)
	}
	p.send(t, "7310865")
	p.send(t, "004703")
	if s := scans.next(t); s.Code != "7310865004703" {
		t.Fatalf("code sent in two pieces: scan = %+v", s)
	}
	p.send(t, "]C10104006381333931\x1d10LOT7")
	if s := scans.next(t); s.Code != "0104006381333931\x1d10LOT7" || s.Symbology != "]C1" {
		t.Fatalf("GS1 scan = %+v", s)
	}
}

// A scan cut off by a bumped cable is dropped, and counted, once the line
// has been silent for the timeout, not only when the next scan comes.
func TestScannerPartialDroppedOnSilencePTY(t *testing.T) {
	p := newScannerPTY(t)
	sc, _ := runOnPTY(t, p, Options{Framing: FramingOptions{Timeout: 50 * time.Millisecond}})
	p.send(t, "7310865")
	deadline := time.Now().Add(10 * time.Second)
	for sc.Stats().Rejected[ErrPartial.Error()] != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("partial scan not dropped on silence: stats %+v", sc.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Frames the node refuses are told through OnReject, so that the
// station's screen can ask for the scan again: once for a burst of noise,
// not once per frame; repeats are not refusals.
func TestScannerTellsRejects(t *testing.T) {
	r, w := io.Pipe()
	scans := make(collector, 10)
	var rejects []error // appended on Run's goroutine, read after END arrived
	s, err := New(r, Options{Station: "till-1", Handler: scans.handle,
		OnReject: func(_ context.Context, err error) { rejects = append(rejects, err) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	w.Write([]byte("123\r123\rEND\r"))
	if got := scans.upTo(t, "END"); len(got) != 1 || len(rejects) != 0 {
		t.Fatalf("a repeat: scans %q, rejects %v", got, rejects)
	}
	w.Write([]byte("\xff\xfe\x80\r12\x013\r" + strings.Repeat("7", MaxLen+1) + "\r456\rEND2\r"))
	if got := scans.upTo(t, "END2"); len(got) != 1 || got[0] != "456" {
		t.Fatalf("scans after the noise: %q", got)
	}
	if len(rejects) != 1 || !errors.Is(rejects[0], ErrInvalidUTF8) {
		t.Fatalf("rejects = %v, want the first of the burst only", rejects)
	}
	if st := s.Stats(); st.Rejected[ErrControl.Error()] != 1 || st.Rejected[ErrTooLong.Error()] != 1 {
		t.Errorf("every refusal still counts: %+v", st)
	}
}
