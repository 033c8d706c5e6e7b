package serialdev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Errors reported by a Device.
var (
	// ErrDisconnected means the device is not connected right now; the
	// bytes were not sent. Transient: the Device reconnects on its own.
	ErrDisconnected = errors.New("serialdev: device disconnected")

	// ErrRemoved is the reason given when a connected device's node
	// disappeared or its path now points at another node (unplugged, or
	// replaced).
	ErrRemoved = errors.New("serialdev: device removed")

	// ErrWriteTimeout means a write did not complete within
	// Options.WriteTimeout. The bytes may have been sent in part. The
	// Device treats a stalled port as broken and reopens it. Transient.
	ErrWriteTimeout = errors.New("serialdev: write timed out")

	// ErrQueueFull means Options.WriteQueue writes are already waiting;
	// the bytes were not queued. Transient.
	ErrQueueFull = errors.New("serialdev: write queue full")

	// ErrClosed means Run has returned (or was never started for a
	// Read); the Device cannot be used again. Permanent.
	ErrClosed = errors.New("serialdev: device closed")
)

// State is a connection state change of a Device.
type State struct {
	Name      string    // Options.Name
	Connected bool      // the port is open
	Path      string    // real path of the node when connected, else empty
	Reason    error     // why the device is disconnected; nil when connected
	At        time.Time // when the change was noticed
}

func (s State) String() string {
	if s.Connected {
		return fmt.Sprintf("%s connected at %s", s.Name, s.Path)
	}
	return fmt.Sprintf("%s disconnected: %v", s.Name, s.Reason)
}

// Options configure a Device. Exactly one of Path and USB must be set.
type Options struct {
	// Name identifies the device in logs and states, for example
	// "till-1 scanner". Empty means the path or the USB id.
	Name string

	// Path is the device node or a symlink to it (such as a
	// /dev/serial/by-id name). It is resolved again on every reconnect,
	// so a symlink that is re-pointed is followed.
	Path string

	// USB selects the device by USB identity instead of by path; the
	// node is looked up on every reconnect.
	USB *USBID

	// Config is the line setting; the zero value is 9600 8N1.
	Config Config

	// Logger receives connection changes and I/O failures. Nil means
	// slog.Default().
	Logger *slog.Logger

	// OnState, if not nil, is called on every change between connected
	// and disconnected, and when the reason for being disconnected
	// changes. It is called from Run's goroutine, in order, and must not
	// block.
	OnState func(State)

	// PollInterval is how often the device's presence is checked. Zero
	// means 250ms, which keeps disconnect and reconnect detection well
	// within 2 seconds.
	PollInterval time.Duration

	// WriteTimeout bounds how long a Write waits for the port to take
	// more of its bytes, first while it is queued and then between two
	// chunks of writeChunk bytes, so that a long write on a slow line
	// finishes while a stalled port fails. Zero means 2 seconds.
	WriteTimeout time.Duration

	// WriteQueue is how many writes may wait for the port. Zero means 16.
	WriteQueue int

	// ListPorts lists present ports when USB is set. Nil means Ports.
	ListPorts func() ([]PortInfo, error)
}

// readPoll bounds how long a read blocks in the port before the reader
// checks its context again.
const readPoll = 100 * time.Millisecond

// Device owns one serial port for the life of Run: it opens the port when
// the device is present, closes it when the device goes away or fails, and
// reopens it when it comes back. See the package documentation.
type Device struct {
	opts Options
	log  *slog.Logger
	open func(path string, cfg Config) (Port, error) // Open; tests replace it

	queue chan *writeReq
	kick  chan struct{} // wakes Run after an I/O failure; buffered 1
	done  chan struct{} // closed when Run has returned

	mu        sync.Mutex
	port      *guardedPort  // guarded by mu; nil while disconnected
	connected chan struct{} // guarded by mu; closed while port != nil
	state     State         // guarded by mu; last state reported
	pending   []change      // guarded by mu; states not yet passed to OnState
	backoff   reopenBackoff // guarded by mu
	running   bool          // guarded by mu
}

// change is a state change waiting to be logged and passed to OnState.
type change struct {
	State
	quiet   bool // the device was already failing: logged at debug level only
	backoff bool // the first failure in a row: reopening backs off from now
}

// New returns a Device for opts. It does not open the port; Run does.
func New(opts Options) (*Device, error) {
	if (opts.Path == "") == (opts.USB == nil) {
		return nil, fmt.Errorf("%w: set exactly one of a port path and a USB id", ErrBadConfig)
	}
	if opts.USB != nil && (opts.USB.VID == "" || opts.USB.PID == "") {
		return nil, fmt.Errorf("%w: a USB id needs both vendor and product id", ErrBadConfig)
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if opts.Name == "" {
		if opts.Path != "" {
			opts.Name = opts.Path
		} else {
			opts.Name = opts.USB.String()
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 2 * time.Second
	}
	if opts.WriteQueue <= 0 {
		opts.WriteQueue = 16
	}
	if opts.ListPorts == nil {
		opts.ListPorts = Ports
	}
	return &Device{
		opts:      opts,
		log:       opts.Logger.With("device", opts.Name),
		open:      Open,
		queue:     make(chan *writeReq, opts.WriteQueue),
		kick:      make(chan struct{}, 1),
		done:      make(chan struct{}),
		connected: make(chan struct{}),
		state:     State{Name: opts.Name, Reason: ErrDisconnected},
	}, nil
}

// Name returns Options.Name (or its default).
func (d *Device) Name() string { return d.opts.Name }

// State returns the current connection state.
func (d *Device) State() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state
}

// Run opens the port and keeps it open until ctx is done, reconnecting as
// needed. It returns nil after ctx is done, or an error if the Device was
// already run. A Device runs once.
func (d *Device) Run(ctx context.Context) error {
	d.mu.Lock()
	if d.running {
		d.mu.Unlock()
		return fmt.Errorf("serialdev: %s: Run called twice", d.opts.Name)
	}
	d.running = true
	d.mu.Unlock()

	writerDone := make(chan struct{})
	stopWriter := make(chan struct{})
	go func() {
		defer close(writerDone)
		d.writeLoop(stopWriter)
	}()

	t := time.NewTicker(d.opts.PollInterval)
	defer t.Stop()
	for {
		d.check()
		d.emit()
		var retry <-chan time.Time
		if w := d.retryWait(); w > 0 {
			retry = time.After(w)
		}
		select {
		case <-ctx.Done():
			close(stopWriter)
			d.mu.Lock()
			gp := d.port
			d.port = nil
			d.connected = make(chan struct{})
			d.setStateLocked(State{Reason: ErrClosed})
			d.mu.Unlock()
			if gp != nil {
				gp.Close()
			}
			d.waitWriter(writerDone)
			close(d.done)
			d.emit()
			return nil
		case <-t.C:
		case <-d.kick:
		case <-retry:
		}
	}
}

// retryWait returns how long a disconnected device waits before the next
// open; zero when it may open at the next check.
func (d *Device) retryWait() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.port != nil {
		return 0
	}
	return d.backoff.wait(time.Now())
}

// waitWriter waits for the writer goroutine to stop. A write stalled in the
// kernel cannot be interrupted; rather than hang shutdown, Run gives up
// after WriteTimeout and the goroutine ends when the write returns (when
// the device drains or is unplugged).
func (d *Device) waitWriter(done <-chan struct{}) {
	t := time.NewTimer(d.opts.WriteTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		d.log.Error("serial write still stalled at shutdown; abandoning it")
	}
}

// check opens the port if it is closed, the device is present and no
// back-off is running, and closes it if the device went away.
func (d *Device) check() {
	now := time.Now()
	d.mu.Lock()
	gp := d.port
	stable := gp != nil && d.backoff.stable(gp.opened, now)
	wait := d.backoff.wait(now)
	d.mu.Unlock()
	if stable {
		d.log.Info("serial device stable again; back-off ended", "path", gp.Path(), "after", healthyAfter)
	}

	path, err := d.resolve()
	if gp != nil {
		if errors.Is(err, ErrAmbiguous) && d.stillMatches(gp) {
			return // another device of its identity plugged in beside it
		}
		if err != nil {
			d.fail(gp, fmt.Errorf("%w: %v", ErrRemoved, err))
		} else if path != gp.Path() {
			d.fail(gp, fmt.Errorf("%w: path now leads to %s", ErrRemoved, path))
		} else if id, err := nodeOf(path); err != nil || id != gp.node {
			// Unplugged and plugged back between two polls: the
			// kernel made a new node under the same name.
			d.fail(gp, fmt.Errorf("%w: device node replaced", ErrRemoved))
		}
		return
	}
	if err != nil {
		d.mu.Lock()
		d.setStateLocked(State{Reason: err})
		d.mu.Unlock()
		return
	}
	if wait > 0 {
		return // Run checks again when the back-off has passed
	}
	p, err := d.open(path, d.opts.Config)
	if err == nil {
		if err = p.SetReadTimeout(readPoll); err != nil {
			p.Close()
			err = fmt.Errorf("set read timeout: %w", err)
		}
	}
	if err != nil {
		d.mu.Lock()
		changed := d.setStateLocked(State{Reason: err})
		if !errors.Is(err, ErrNotFound) { // gone between resolve and open: an unplug
			d.backoff.failed(now)
			d.markBackoffLocked(changed)
		}
		d.mu.Unlock()
		return
	}
	gp = newGuardedPort(p)
	gp.opened = now
	gp.node, _ = nodeOf(p.Path())
	d.mu.Lock()
	d.port = gp
	close(d.connected)
	d.setStateLocked(State{Connected: true, Path: p.Path()})
	d.mu.Unlock()
}

// stillMatches reports whether the open port gp is still one of the ports
// the USB identity matches, on the node it was opened on: the device it
// named when it was the only one. An identity that has since become
// ambiguous keeps it.
func (d *Device) stillMatches(gp *guardedPort) bool {
	ports, err := d.opts.ListPorts()
	if err != nil {
		return false
	}
	for _, p := range ports {
		if !d.opts.USB.Matches(p) {
			continue
		}
		for _, name := range append([]string{p.Path}, p.ByID...) {
			if real, err := filepath.EvalSymlinks(name); err == nil && real == gp.Path() {
				id, err := nodeOf(real)
				return err == nil && id == gp.node
			}
		}
	}
	return false
}

// resolve returns the real path of the device node now, or an error
// wrapping ErrNotFound.
func (d *Device) resolve() (string, error) {
	path := d.opts.Path
	if d.opts.USB != nil {
		ports, err := d.opts.ListPorts()
		if err != nil {
			return "", err
		}
		if path, err = d.opts.USB.Find(ports); err != nil {
			return "", err
		}
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	return real, nil
}

// fail closes gp, if it is still the current port, and records why. A port
// that failed within healthyAfter of opening is reopened with back-off.
func (d *Device) fail(gp *guardedPort, reason error) {
	now := time.Now()
	d.mu.Lock()
	if d.port != gp {
		d.mu.Unlock()
		return
	}
	d.port = nil
	d.connected = make(chan struct{})
	changed := d.setStateLocked(State{Reason: reason})
	d.backoff.ended(gp.opened, now)
	d.markBackoffLocked(changed)
	level := slog.LevelWarn
	if d.backoff.failures > 0 { // the back-off's own line says it
		level = slog.LevelDebug
	}
	d.mu.Unlock()
	d.log.Log(context.Background(), level, "serial port closed", "path", gp.Path(), "reason", reason)
	gp.Close()
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// setStateLocked records s as the new state if it differs from the last
// one, and reports whether it did. A change while the device is failing
// is logged at debug level only. d.mu must be held.
func (d *Device) setStateLocked(s State) bool {
	s.Name = d.opts.Name
	old := d.state
	if old.Connected == s.Connected && old.Path == s.Path && errText(old.Reason) == errText(s.Reason) {
		return false
	}
	s.At = time.Now()
	d.state = s
	d.pending = append(d.pending, change{State: s, quiet: d.backoff.failures > 0})
	return true
}

// markBackoffLocked marks the change just recorded (if changed) as the one
// that started a back-off, so that it is logged as such, once. d.mu must be
// held.
func (d *Device) markBackoffLocked(changed bool) {
	if changed && d.backoff.failures == 1 {
		d.pending[len(d.pending)-1].backoff = true
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// emit passes pending states to the log and OnState, from Run's goroutine.
func (d *Device) emit() {
	d.mu.Lock()
	p := d.pending
	d.pending = nil
	d.mu.Unlock()
	for _, c := range p {
		level := slog.LevelInfo
		switch {
		case c.quiet:
			level = slog.LevelDebug
		case !c.Connected:
			level = slog.LevelWarn
		}
		switch {
		case c.backoff:
			d.log.Warn("serial device failing; reopening with back-off, without logging each attempt", "reason", c.Reason, "max_wait", reopenMax)
		case c.Connected:
			d.log.Log(context.Background(), level, "serial device connected", "path", c.Path, "config", d.opts.Config.String())
		default:
			d.log.Log(context.Background(), level, "serial device disconnected", "reason", c.Reason)
		}
		if d.opts.OnState != nil {
			d.opts.OnState(c.State)
		}
	}
}

// nodeID identifies a device node; a node made anew under the same name
// has a different inode.
type nodeID struct{ ino, rdev uint64 }

func nodeOf(path string) (nodeID, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nodeID{}, err
	}
	return nodeID{uint64(st.Ino), uint64(st.Rdev)}, nil
}

// waitPort returns the open port, waiting for a connection.
func (d *Device) waitPort(ctx context.Context) (*guardedPort, error) {
	for {
		d.mu.Lock()
		gp, ch := d.port, d.connected
		d.mu.Unlock()
		if gp != nil {
			return gp, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-d.done:
			return nil, ErrClosed
		}
	}
}

// ReadContext reads from the device. It waits while the device is
// disconnected and continues on the new port after a reconnect, so a caller
// sees one continuous byte stream with gaps; bytes sent while the device was
// unplugged are lost. It returns ctx.Err() when ctx is done and ErrClosed
// once Run has returned. A read error closes the port and is logged and
// reported as a state change, not returned. Only one goroutine should read.
func (d *Device) ReadContext(ctx context.Context, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		gp, err := d.waitPort(ctx)
		if err != nil {
			return 0, err
		}
		n, err := gp.Read(p)
		if n > 0 {
			return n, nil
		}
		if err != nil {
			d.fail(gp, fmt.Errorf("read: %w", err))
			continue
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
}

// Read is ReadContext without a context: it returns only with data or with
// ErrClosed after Run has returned.
func (d *Device) Read(p []byte) (int, error) {
	return d.ReadContext(context.Background(), p)
}

type writeReq struct {
	b        []byte
	deadline time.Time     // to start by
	progress chan struct{} // buffered 1; a chunk was written
	done     chan error    // buffered 1
}

// Write sends p to the device through the write queue and waits until it
// has been written, or until Options.WriteTimeout has passed without the
// port taking more of it, so it never blocks longer than that without
// progress. It fails at once with ErrDisconnected while the device is
// disconnected (nothing is buffered for later: callers that must not lose
// output keep their own durable queue) and with ErrQueueFull when the queue
// is full. On ErrWriteTimeout the bytes may have been sent in part.
func (d *Device) Write(p []byte) (int, error) {
	select {
	case <-d.done:
		return 0, ErrClosed
	default:
	}
	d.mu.Lock()
	up := d.port != nil
	d.mu.Unlock()
	if !up {
		return 0, ErrDisconnected
	}
	req := &writeReq{
		b:        append([]byte(nil), p...),
		deadline: time.Now().Add(d.opts.WriteTimeout),
		progress: make(chan struct{}, 1),
		done:     make(chan error, 1),
	}
	select {
	case d.queue <- req:
	default:
		return 0, ErrQueueFull
	}
	t := time.NewTimer(d.opts.WriteTimeout)
	defer t.Stop()
	for {
		select {
		case err := <-req.done:
			if err != nil {
				return 0, err
			}
			return len(p), nil
		case <-req.progress:
			t.Reset(d.opts.WriteTimeout)
		case <-t.C:
			return 0, ErrWriteTimeout
		case <-d.done:
			return 0, ErrClosed
		}
	}
}

// writeLoop is the one goroutine that writes to the port.
func (d *Device) writeLoop(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			for {
				select {
				case req := <-d.queue:
					req.done <- ErrClosed
				default:
					return
				}
			}
		case req := <-d.queue:
			req.done <- d.writeOne(req)
		}
	}
}

func (d *Device) writeOne(req *writeReq) error {
	remaining := time.Until(req.deadline)
	if remaining <= 0 {
		return ErrWriteTimeout
	}
	d.mu.Lock()
	gp := d.port
	d.mu.Unlock()
	if gp == nil {
		return ErrDisconnected
	}
	// A port that takes no more bytes in time is broken for our purposes
	// (flow control stuck, device hung): closing it discards the output
	// buffer, which releases the blocked write. A port that keeps taking
	// bytes is only slow.
	var stalled atomic.Bool
	watchdog := time.AfterFunc(remaining, func() {
		stalled.Store(true)
		d.fail(gp, fmt.Errorf("%w after %v", ErrWriteTimeout, d.opts.WriteTimeout))
	})
	_, err := writeFull(gp, req.b, func() {
		watchdog.Reset(d.opts.WriteTimeout)
		select {
		case req.progress <- struct{}{}:
		default:
		}
	})
	watchdog.Stop()
	if stalled.Load() {
		return ErrWriteTimeout
	}
	if err != nil {
		d.fail(gp, fmt.Errorf("write: %w", err))
		return fmt.Errorf("%w: %v", ErrDisconnected, err)
	}
	return nil
}

// writeChunk bounds a single write system call, so that once a stalled port
// has been closed at most one chunk of stale output still goes out.
const writeChunk = 512

// writeFull writes b in chunks, calling progress after each chunk that
// is not the last.
func writeFull(w io.Writer, b []byte, progress func()) (int, error) {
	total := 0
	for total < len(b) {
		n, err := w.Write(b[total:min(len(b), total+writeChunk)])
		total += n
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, io.ErrShortWrite
		}
		if total < len(b) {
			progress()
		}
	}
	return total, nil
}

// guardedPort defers closing the file descriptor until no Read or Write is
// in progress on it, so a closed descriptor number (which may already belong
// to another file) is never used by a late call, and so Close never waits for
// a stalled write.
type guardedPort struct {
	Port
	node    nodeID    // the device node the port was opened on
	opened  time.Time // when the port was opened
	mu      sync.Mutex
	users   int           // guarded by mu; Read and Write calls in progress
	closing bool          // guarded by mu; Close was called
	done    chan struct{} // closed once the descriptor is closed
}

func newGuardedPort(p Port) *guardedPort {
	return &guardedPort{Port: p, done: make(chan struct{})}
}

var errPortClosed = errors.New("serialdev: port closed")

func (g *guardedPort) begin() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return false
	}
	g.users++
	return true
}

func (g *guardedPort) end() {
	g.mu.Lock()
	g.users--
	last := g.closing && g.users == 0
	g.mu.Unlock()
	if last {
		g.Port.Close()
		close(g.done)
	}
}

func (g *guardedPort) Read(p []byte) (int, error) {
	if !g.begin() {
		return 0, errPortClosed
	}
	defer g.end()
	return g.Port.Read(p)
}

func (g *guardedPort) Write(p []byte) (int, error) {
	if !g.begin() {
		return 0, errPortClosed
	}
	defer g.end()
	return g.Port.Write(p)
}

// Close discards pending output and closes the port now if nothing is using
// it, else as soon as the last Read or Write returns (a Read returns within
// readPoll; a stalled Write when the device drains or is unplugged). Done is
// closed when the descriptor has been closed and the path released.
func (g *guardedPort) Close() error {
	g.mu.Lock()
	if g.closing {
		g.mu.Unlock()
		return nil
	}
	g.closing = true
	g.Port.ResetOutputBuffer()
	idle := g.users == 0
	g.mu.Unlock()
	if idle {
		err := g.Port.Close()
		close(g.done)
		return err
	}
	return nil
}

// Done is closed once the underlying port is closed.
func (g *guardedPort) Done() <-chan struct{} { return g.done }
