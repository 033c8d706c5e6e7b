package syncqueue_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/syncqueue"
)

// faultProxy sits between the node and the broker. It forwards bytes; it
// can black-hole the connections open now (they stay open but nothing
// passes either way: a half-open link, a dead NAT entry), or drop them all
// at once. New connections always pass.
type faultProxy struct {
	ln      net.Listener
	target  string
	accepts atomic.Int64

	mu    sync.Mutex // guards links
	links []*link
}

type link struct {
	in, out net.Conn
	frozen  atomic.Bool
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.drop() })
	return p
}

func (p *faultProxy) URL() string { return "tcp://" + p.ln.Addr().String() }

func (p *faultProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		l := &link{in: in, out: out}
		p.mu.Lock()
		p.links = append(p.links, l)
		p.mu.Unlock()
		p.accepts.Add(1)
		go l.pipe(out, in)
		go l.pipe(in, out)
	}
}

// pipe copies src to dst; once the link is frozen it reads and discards,
// so the sender sees its writes succeed and hears nothing back.
func (l *link) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			if !l.frozen.Load() {
				dst.Close()
			}
			return
		}
		if l.frozen.Load() {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

// freeze black-holes every connection open now.
func (p *faultProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.links {
		l.frozen.Store(true)
	}
	p.links = nil // they are left to die; new ones pass
}

// drop closes every connection at once, like a restarting router.
func (p *faultProxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.links {
		l.in.Close()
		l.out.Close()
	}
	p.links = nil
}

// TestDeadConnectionsReplaced runs a drain through a proxy that
// black-holes and drops the node's connection again and again: the node's
// keep-alive notices a connection that says nothing, drops it and
// connects anew, and every event still reaches central in order.
func TestDeadConnectionsReplaced(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	proxy := newFaultProxy(t, b.URL()[len("tcp://"):])
	central := centraltest.New(t, b.URL(), store, node)
	n := startNode(t, proxy.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		o.KeepAlive = time.Second
		o.ConnectTimeout = 2 * time.Second
	})
	epoch := n.db.Epoch()
	const rounds, per = 4, 50
	for r := 0; r < rounds; r++ {
		appendEvents(t, n.db, per)
		want := int64((r + 1) * per)
		before := proxy.accepts.Load()
		if r%2 == 0 {
			proxy.freeze()
		} else {
			proxy.drop()
		}
		centraltest.Eventually(t, 20*time.Second, "a new connection", func() bool { return proxy.accepts.Load() > before })
		centraltest.Eventually(t, 20*time.Second, "every event so far applied and acked", func() bool {
			return central.Applied(epoch) == want && stats(t, n.db).AckedThrough == want
		})
	}
	central.Check()
	firstArrivalsInOrder(t, central.Log(epoch).Arrived, rounds*per)
	if st := n.client.Status(); !st.Connected {
		t.Errorf("not connected at the end: %+v", st)
	}
}

// statesSince lists the state of each status central received, from the
// from-th on.
func statesSince(central *centraltest.Central, from int) []any {
	var states []any
	for _, s := range central.Statuses()[from:] {
		states = append(states, s["state"])
	}
	return states
}

// When the node's connection dies without a DISCONNECT, the broker
// publishes its last will: central sees the node offline, and online
// again as soon as it has connected anew.
func TestLastWill(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	proxy := newFaultProxy(t, b.URL()[len("tcp://"):])
	central := centraltest.New(t, b.URL(), store, node)
	startNode(t, proxy.URL(), filepath.Join(t.TempDir(), "pos.db"), nil)
	state := func(from int) []any { return statesSince(central, from) }
	centraltest.Eventually(t, 10*time.Second, "online", func() bool { return slices.Contains(state(0), "online") })
	before := len(central.Statuses())
	proxy.drop()
	centraltest.Eventually(t, 10*time.Second, "the will, then online again", func() bool {
		s := state(before)
		i := slices.Index(s, "offline")
		return i >= 0 && slices.Contains(s[i:], "online")
	})
	if last := central.Statuses()[len(central.Statuses())-1]; last["state"] != "online" || last["epoch"] == nil {
		t.Fatalf("last status %v", last)
	}
}

// failingOutbox is the node's database whose outbox reads fail while fail
// is set, and whose new epochs fail while failRenew is, as a disk error
// would make them; with failAfterRenew, a new epoch is begun and reported
// failed, as a commit whose outcome is unknown.
type failingOutbox struct {
	*sqlite.DB
	fail, failRenew, failAfterRenew atomic.Bool
}

func (f *failingOutbox) RenewEpoch(ctx context.Context) (string, string, int64, error) {
	if f.failRenew.Load() {
		return "", "", 0, errors.New("disk I/O error")
	}
	old, epoch, n, err := f.DB.RenewEpoch(ctx)
	if f.failAfterRenew.Load() {
		return "", "", 0, errors.New("disk I/O error (after the commit)")
	}
	return old, epoch, n, err
}

func (f *failingOutbox) EventsAfter(ctx context.Context, after int64, limit int) ([]pos.Event, error) {
	if f.fail.Load() {
		return nil, errors.New("disk I/O error")
	}
	return f.DB.EventsAfter(ctx, after, limit)
}

// TestOfflineWhenTheSessionFails: a session that ends on an error of the
// node's own, its link still up, disconnects cleanly, which discards the
// will: the node publishes offline itself, then online when it is back.
func TestOfflineWhenTheSessionFails(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	out := &failingOutbox{}
	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		out.DB = o.Outbox.(*sqlite.DB)
		o.Outbox = out
	})
	states := func(from int) []any { return statesSince(central, from) }
	centraltest.Eventually(t, 10*time.Second, "online", func() bool { return slices.Contains(states(0), "online") })
	before := len(central.Statuses())
	out.fail.Store(true)
	appendEvents(t, n.db, 1)
	centraltest.Eventually(t, 10*time.Second, "offline after the failed session", func() bool {
		return slices.Contains(states(before), "offline")
	})
	centraltest.Eventually(t, 10*time.Second, "the error shown", func() bool {
		return strings.Contains(n.client.Status().LastError, "disk I/O error")
	})
	out.fail.Store(false)
	centraltest.Eventually(t, 10*time.Second, "event acked", func() bool { return stats(t, n.db).AckedThrough == 1 })
	centraltest.Eventually(t, 10*time.Second, "online again, last", func() bool {
		st := central.Statuses()
		return st[len(st)-1]["state"] == "online"
	})
	central.Check()
}

// TestHeldUntilTheNewEpochBegins: a node found behind central whose new
// epoch cannot begin (a disk error) holds its events: none of the old
// epoch goes out above the copy, the screens keep the reason through a
// lost broker, and once the disk is back the held events go out in the
// new epoch with their ids.
func TestHeldUntilTheNewEpochBegins(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	path := filepath.Join(t.TempDir(), "pos.db")
	old, unacked := rolledBack(t, b.URL(), central, path)
	out := &failingOutbox{}
	out.failRenew.Store(true)
	// The held session tries the new epoch again after BackoffMax: long
	// enough here to see it stay up meanwhile.
	n := startNode(t, b.URL(), path, func(o *syncqueue.Options) {
		out.DB = o.Outbox.(*sqlite.DB)
		o.Outbox, o.BackoffMax = out, 5*time.Second
	})
	centraltest.Eventually(t, 15*time.Second, "held and connected, with the reasons", func() bool {
		s := n.client.Status()
		return s.Held && s.Connected && strings.Contains(s.LastError, "rolled back") &&
			strings.Contains(s.LastError, "could not begin a new event epoch: disk I/O error")
	})
	before, statuses := len(central.Log(old).Arrived), len(central.Statuses())
	appendEvents(t, n.db, 3) // seq 6-8 of the old epoch: central holds others there
	held, _ := n.db.EventsAfter(context.Background(), 3, 10)
	// An event is sent within milliseconds of its commit; a second gives
	// a sender that did not hold them every chance to be caught.
	time.Sleep(time.Second)
	for _, seq := range central.Log(old).Arrived[before:] {
		if seq > 5 {
			t.Fatalf("seq %d of the old epoch was sent after the database was rolled back to seq 5", seq)
		}
	}
	// Held, the node stays connected: orders, pages and lookups go on.
	if s := n.client.Status(); !s.Connected || !s.Held || slices.Contains(statesSince(central, statuses), "offline") {
		t.Fatalf("while held: %+v, statuses since %v; want it connected throughout", s, statesSince(central, statuses))
	}
	if st := stats(t, n.db); st.Epoch != old || st.AckedThrough != 3 || st.Depth != 5 {
		t.Fatalf("while held: %+v", st)
	}
	why := n.client.Status().LastError
	if !strings.Contains(why, "rolled back") {
		t.Fatalf("LastError = %q while held", why)
	}

	// Losing the broker, and getting it back, does not hide why.
	b.Kill()
	centraltest.Eventually(t, 10*time.Second, "the connection error recorded", func() bool {
		s := n.client.Status()
		return !s.Connected && s.LastError != why
	})
	if s := n.client.Status(); !strings.Contains(s.LastError, why) || !s.Held {
		t.Fatalf("status with the broker gone = %+v; want the rollback still named", s)
	}
	b.Start()
	centraltest.Eventually(t, 15*time.Second, "the node back on the broker, still saying why", func() bool {
		s := n.client.Status()
		return s.Connected && s.LastError == why && s.Held
	})

	out.failRenew.Store(false)
	centraltest.Eventually(t, 15*time.Second, "a new epoch", func() bool { return n.db.Epoch() != old })
	epoch := n.db.Epoch()
	centraltest.Eventually(t, 10*time.Second, "the held events acked in it", func() bool { return stats(t, n.db).AckedThrough == 5 })
	wantFromSeq1(t, central, epoch, held)
	if len(held) != len(unacked)+3 {
		t.Fatalf("%d events held, want %d", len(held), len(unacked)+3)
	}
	centraltest.Eventually(t, 10*time.Second, "the status of the new epoch", func() bool {
		s := n.client.Status()
		return s.Connected && s.LastError == "" && !s.Held
	})
	central.Check()
}

// TestNewEpochReportedFailedButBegun: the new epoch's commit reports an
// error but took effect, as a commit of unknown outcome can. The client
// follows the epoch the database holds, not the one it had: the held
// events go out in the new epoch.
func TestNewEpochReportedFailedButBegun(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	path := filepath.Join(t.TempDir(), "pos.db")
	old, unacked := rolledBack(t, b.URL(), central, path)
	out := &failingOutbox{}
	out.failAfterRenew.Store(true)
	n := startNode(t, b.URL(), path, func(o *syncqueue.Options) {
		out.DB = o.Outbox.(*sqlite.DB)
		o.Outbox = out
	})
	centraltest.Eventually(t, 10*time.Second, "a new epoch", func() bool { return n.db.Epoch() != old })
	epoch := n.db.Epoch()
	centraltest.Eventually(t, 10*time.Second, "the held events acked in it", func() bool { return stats(t, n.db).AckedThrough == 2 })
	wantFromSeq1(t, central, epoch, unacked)
	centraltest.Eventually(t, 10*time.Second, "the status of the new epoch", func() bool {
		s := n.client.Status()
		return s.Connected && s.Epoch == epoch && s.LastError == "" && !s.Held
	})
	central.Check()
}
