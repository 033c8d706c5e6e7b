package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/internal/backoff"
)

// portHealthy is how long a port must stay up for its loss to be tried
// again after ReopenDelay rather than after a longer wait.
const portHealthy = 10 * time.Second

// Run drives the printer until ctx is cancelled: it opens the port,
// polls status, prints queued jobs and reopens the port after failures,
// with back-off while they follow one another. It returns nil when ctx is
// cancelled.
func (d *Driver) Run(ctx context.Context) error {
	d.refreshQueued(ctx)
	failures := 0 // in a row: the port did not open, or failed within portHealthy
	for {
		if ctx.Err() != nil {
			return nil
		}
		port, err := d.o.Open()
		if err != nil {
			d.setState(func(s *State) {
				s.Connected = false
				s.Err = fmt.Sprintf("cannot open port: %v", err)
			})
			d.polled()
			failures++
			if !d.idle(ctx, backoff.Wait(d.o.ReopenDelay, 10*d.o.ReopenDelay, failures)) {
				return nil
			}
			continue
		}
		opened := time.Now()
		d.log.Log(ctx, quietAfter(failures, slog.LevelInfo), "port open")
		err = d.serve(ctx, port)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(opened) >= portHealthy {
			failures = 0
		}
		failures++
		d.log.Log(ctx, quietAfter(failures-1, slog.LevelWarn), "port lost, reopening with back-off; attempts are logged at debug level until it stays up", "err", err)
		d.setState(func(s *State) {
			s.Connected = false
			s.Err = err.Error()
		})
		d.polled()
		if !d.idle(ctx, backoff.Wait(d.o.ReopenDelay, 10*d.o.ReopenDelay, failures)) {
			return nil
		}
	}
}

// quietAfter is level, or the debug level once failures follow one
// another, so that a port that keeps failing is not logged at every
// attempt.
func quietAfter(failures int, level slog.Level) slog.Level {
	if failures > 0 {
		return slog.LevelDebug
	}
	return level
}

// idle waits for dt while there is no port, refusing drawer kicks.
func (d *Driver) idle(ctx context.Context, dt time.Duration) bool {
	t := time.NewTimer(dt)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		case req := <-d.kick:
			req.done <- ErrNotReady
		}
	}
}

func (d *Driver) refreshQueued(ctx context.Context) {
	n, err := d.o.Store.QueuedPrintJobs(ctx, d.o.Name)
	if err != nil {
		d.log.Error("count queued jobs", "err", err)
		return
	}
	d.setState(func(s *State) { s.Queued = n })
}

// errNoReply means the printer did not answer a status request in time,
// or answered garbage. The port stays open.
var errNoReply = errors.New("printer: no valid status reply")

// serve runs one open port until it fails or ctx is cancelled. It closes
// the port and waits for its reader before it returns.
func (d *Driver) serve(ctx context.Context, port io.ReadWriteCloser) error {
	c := newConn(port, d.o.WriteTimeout, d.o.Baud)
	defer c.shutdown()
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.dead:
			return c.err()
		case req := <-d.kick:
			req.done <- d.doKick(c)
			continue
		case <-d.wake:
		case <-poll.C:
		}
		if err := d.cycle(ctx, c); err != nil {
			return err
		}
		poll.Reset(d.o.PollInterval)
	}
}

// cycle polls the status and, while the printer is ready, prints queued
// jobs. It returns an error only when the port failed.
func (d *Driver) cycle(ctx context.Context, c *conn) error {
	st, _, err := d.status(c)
	if err != nil {
		return err
	}
	d.refreshQueued(ctx)
	for st.Ready() && ctx.Err() == nil {
		d.kickNow(c)
		id, data, err := d.o.Store.NextPrintJob(ctx, d.o.Name)
		if err != nil {
			d.log.Error("read print queue", "err", err)
			d.setState(func(s *State) { s.Err = err.Error() })
			return nil
		}
		if id == 0 {
			return nil
		}
		if err := c.write(data); err != nil {
			d.notPrinted(id, err.Error())
			return fmt.Errorf("write job %d: %w", id, err)
		}
		var answered bool
		st, answered, err = d.confirm(c) // the loop goes on only while st is ready
		if err != nil {
			d.notPrinted(id, err.Error())
			return err
		}
		if !answered || !st.Online || st.PaperOut {
			why := "no status reply after the job"
			if answered {
				why = "printer " + st.String()
			}
			d.log.Warn("job not confirmed, will print again", "job", id, "reason", why)
			d.notPrinted(id, why)
			return nil
		}
		if err := d.o.Store.PrintJobDone(ctx, id); err != nil {
			d.log.Error("mark job printed", "job", id, "err", err)
			return nil
		}
		d.log.Debug("printed", "job", id)
		d.printed()
		d.refreshQueued(ctx)
	}
	return nil
}

// confirmPolls is how many status requests after a job may go unanswered
// before the job counts as not printed: a printer busy with the job may
// answer late, and its late reply is not taken for a later one.
const confirmPolls = 3

// confirm polls the status after a job until the printer answers, at
// most confirmPolls times, and reports whether it answered.
func (d *Driver) confirm(c *conn) (escpos.Status, bool, error) {
	for range confirmPolls {
		st, ok, err := d.status(c)
		if err != nil || ok {
			return st, ok, err
		}
	}
	return escpos.Status{}, false, nil
}

// stuckAfter is how many times in a row one job may be sent without
// being confirmed before State.Stuck says so.
const stuckAfter = 3

// notPrinted records that job id was sent and not confirmed, because of
// why; from the stuckAfter-th time in a row State.Stuck says so.
func (d *Driver) notPrinted(id int64, why string) {
	if d.failedJob != id {
		d.failedJob, d.failedSends = id, 0
	}
	d.failedSends++
	if d.failedSends < stuckAfter {
		return
	}
	msg := fmt.Sprintf("print job %d was sent %d times and did not finish (%s); the jobs after it wait: check the printer, its paper and its cable",
		id, d.failedSends, why)
	d.log.Error("print job does not finish", "job", id, "sends", d.failedSends, "err", why)
	d.setState(func(s *State) { s.Stuck = msg })
}

// printed records that the job sent last was confirmed.
func (d *Driver) printed() {
	d.failedJob, d.failedSends = 0, 0
	d.setState(func(s *State) { s.Stuck = "" })
}

// status polls the printer and records the result. It reports whether
// the printer answered and returns an error only when the port failed; a
// missing or malformed reply is recorded as not connected and returns a
// not-ready status.
func (d *Driver) status(c *conn) (escpos.Status, bool, error) {
	reply, err := c.request(escpos.StatusPoll(), escpos.StatusReplyLen, d.o.StatusTimeout)
	if err != nil && !errors.Is(err, errNoReply) {
		return escpos.Status{}, false, err
	}
	var st escpos.Status
	if err == nil {
		st, err = escpos.ParseStatus(reply, d.o.Status)
	}
	if err != nil {
		d.setState(func(s *State) {
			s.Connected = false
			s.Status = escpos.Status{}
			s.Err = err.Error()
		})
		d.polled()
		return escpos.Status{}, false, nil
	}
	d.setState(func(s *State) {
		s.Connected = true
		s.Status = st
		s.Err = ""
	})
	d.polled()
	return st, true, nil
}

// kickNow pulses the drawer if a kick is waiting, so that a drawer opens
// between two jobs of a backlog rather than after all of them.
func (d *Driver) kickNow(c *conn) {
	select {
	case req := <-d.kick:
		req.done <- d.doKick(c)
	default:
	}
}

func (d *Driver) doKick(c *conn) error {
	s := d.State()
	if !s.Connected {
		return ErrNotReady
	}
	e := escpos.NewEncoder(d.o.Profile, escpos.Options{})
	if s.Status.Online {
		e.KickDrawer(d.o.Drawer.Pin, d.o.Drawer.OnMS, d.o.Drawer.OffMS)
	} else {
		// Out of paper or its cover open, the printer would hold ESC p
		// until it is back: the cashier gives change meanwhile.
		e.KickDrawerNow(d.o.Drawer.Pin, d.o.Drawer.OnMS)
	}
	if err := c.write(e.Bytes()); err != nil {
		return fmt.Errorf("kick drawer: %w: %v", ErrNotReady, err)
	}
	return nil
}

// conn is an open port with its reader goroutine.
type conn struct {
	rw      io.ReadWriteCloser
	timeout time.Duration
	baud    int
	in      chan []byte   // bytes read
	dead    chan struct{} // closed when the reader stopped
	readErr error         // set before dead is closed

	// The fields below belong to the goroutine that writes and requests.
	unanswered int       // bytes written since the last status reply
	owed       int       // reply bytes of timed-out requests yet to come
	owedUntil  time.Time // when owed bytes are taken as lost

	closeOnce sync.Once
	wg        sync.WaitGroup
}

func newConn(rw io.ReadWriteCloser, timeout time.Duration, baud int) *conn {
	c := &conn{rw: rw, timeout: timeout, baud: baud, in: make(chan []byte, 64), dead: make(chan struct{})}
	c.wg.Add(1)
	go c.read()
	return c
}

// lineTime is how long n bytes take on the line, at 11 bits a byte (a
// start bit, 8 data bits, parity and a stop bit) so that every common
// setting is covered.
func (c *conn) lineTime(n int) time.Duration {
	return time.Duration(n) * 11 * time.Second / time.Duration(c.baud)
}

func (c *conn) read() {
	defer c.wg.Done()
	buf := make([]byte, 256)
	for {
		n, err := c.rw.Read(buf)
		if n > 0 {
			b := append([]byte(nil), buf[:n]...)
			select {
			case c.in <- b:
			default: // nobody asked; unsolicited bytes are dropped
			}
		}
		if err != nil {
			c.readErr = err
			close(c.dead)
			return
		}
	}
}

func (c *conn) err() error {
	<-c.dead
	if c.readErr == nil {
		return errClosed
	}
	return c.readErr
}

func (c *conn) close() { c.closeOnce.Do(func() { c.rw.Close() }) }

// shutdown closes the port and waits for the reader.
func (c *conn) shutdown() {
	c.close()
	c.wg.Wait()
}

// write writes b within the timeout plus the time b takes on the line.
// On timeout the port is closed, which unblocks the write, and
// ErrWriteTimeout is returned.
func (c *conn) write(b []byte) error {
	c.unanswered += len(b)
	limit := c.timeout + c.lineTime(len(b))
	done := make(chan error, 1)
	go func() {
		_, err := c.rw.Write(b)
		done <- err
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		c.close() // closing the port ends the write
		t.Reset(c.timeout)
		select {
		case <-done:
		case <-t.C:
			// The port ignores Close; the write goroutine ends whenever
			// the device lets go. The driver moves on to a new port.
		}
		return fmt.Errorf("%w: %d bytes not taken within %v", ErrWriteTimeout, len(b), limit)
	}
}

// lateReplies is how many reply timeouts a timed-out request's reply is
// still waited for by the next request, before it is taken as lost.
const lateReplies = 4

// request writes req and reads its n reply bytes. The printer answers in
// order, behind whatever was written before req, so the wait is timeout
// plus the time the bytes not yet answered take on the line, and the
// late reply to an earlier request is discarded, not taken for this one.
func (c *conn) request(req []byte, n int, timeout time.Duration) ([]byte, error) {
	if err := c.settle(timeout); err != nil {
		return nil, err
	}
	for {
		select {
		case <-c.in: // unsolicited
			continue
		default:
		}
		break
	}
	if err := c.write(req); err != nil {
		return nil, err
	}
	wait := timeout + c.lineTime(c.unanswered)
	t := time.NewTimer(wait)
	defer t.Stop()
	var got []byte
	for len(got) < n {
		select {
		case b := <-c.in:
			got = append(got, b...)
		case <-c.dead:
			return nil, c.err()
		case <-t.C:
			// The bytes before req had their time on the line; what is
			// still owed is late.
			c.unanswered = 0
			c.owed, c.owedUntil = n-len(got), time.Now().Add(lateReplies*timeout)
			return nil, fmt.Errorf("%w within %v (%d of %d bytes)", errNoReply, wait, len(got), n)
		}
	}
	c.unanswered = 0
	if len(got) > n {
		return nil, fmt.Errorf("%w: %d bytes, want %d", errNoReply, len(got), n)
	}
	return got, nil
}

// settle waits up to timeout for the reply bytes that timed-out requests
// are still owed and discards them. It fails with errNoReply while they
// may still come; after owedUntil they are taken as lost.
func (c *conn) settle(timeout time.Duration) error {
	if c.owed == 0 {
		return nil
	}
	t := time.NewTimer(min(timeout, time.Until(c.owedUntil)))
	defer t.Stop()
	for c.owed > 0 {
		select {
		case b := <-c.in:
			c.owed -= min(c.owed, len(b)) // more is unsolicited
		case <-c.dead:
			return c.err()
		case <-t.C:
			if time.Now().Before(c.owedUntil) {
				return fmt.Errorf("%w: %d bytes of an earlier reply still to come", errNoReply, c.owed)
			}
			c.owed = 0
		}
	}
	return nil
}
