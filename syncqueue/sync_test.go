package syncqueue_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/internal/nodetest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/syncqueue"
)

const (
	store = "s1"
	node  = "till-1"
)

type node_ struct {
	db          *sqlite.DB
	client      *syncqueue.Client
	cancel      context.CancelFunc
	done        chan error
	checkpoints chan error
}

func openDB(t testing.TB, path string, wake syncqueue.Wake) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{OnEvents: wake.OnEvents})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startNode opens (or reopens) the database at path and runs a Client,
// with checkpoints in the background as posnode runs them.
func startNode(t testing.TB, url, path string, tune func(*syncqueue.Options)) *node_ {
	t.Helper()
	wake := syncqueue.NewWake()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{OnEvents: wake.OnEvents, BackgroundCheckpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	opt := syncqueue.Options{
		Broker: url, Store: store, Node: node, Outbox: db, State: db, Orders: db.OrderRecords(), Wake: wake,
		ResendAfter: time.Second, BackoffMin: 50 * time.Millisecond, BackoffMax: 300 * time.Millisecond,
		PageRetry: 300 * time.Millisecond, StatusMinGap: 50 * time.Millisecond, Logger: quietLogger(),
	}
	if tune != nil {
		tune(&opt)
	}
	c, err := syncqueue.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &node_{db: db, client: c, cancel: cancel, done: make(chan error, 1), checkpoints: make(chan error, 1)}
	go func() { n.done <- c.Run(ctx) }()
	go func() { n.checkpoints <- db.RunCheckpoints(ctx) }()
	t.Cleanup(n.stop)
	return n
}

func (n *node_) stop() {
	if n.cancel == nil {
		return
	}
	n.cancel()
	n.cancel = nil
	for _, done := range []chan error{n.done, n.checkpoints} {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			panic("syncqueue: Run or RunCheckpoints did not return after cancel")
		}
	}
}

func appendEvents(t testing.TB, db *sqlite.DB, n int) {
	t.Helper()
	err := db.Update(context.Background(), func(tx *sqlite.Tx) error {
		for i := 0; i < n; i++ {
			ev, err := pos.NewEvent("", pos.EventStockAdjusted, time.Now(), map[string]any{"sku": "100234", "delta": -1, "reason": "damage"})
			if err != nil {
				return err
			}
			if err := tx.AppendEvent(&ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// makeSales rings up n cash sales at the till.
func makeSales(t testing.TB, db *sqlite.DB, n int) {
	t.Helper()
	ctx := context.Background()
	item := pos.Item{SKU: "100234", Active: true, Names: map[string]string{"en": "Backpack"}, Barcodes: []string{"7310865004703"}, Unit: pos.UnitEach, Price: 49900, TaxRateBP: 2500}
	if err := db.PutItems(ctx, []pos.Item{item}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	hash, _ := pos.HashPIN("1234")
	if err := db.PutStaff(ctx, pos.Staff{ID: "1", Name: "Anna", Role: pos.RoleCashier, PINHash: hash, Active: true}); err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}, Policy: pos.DefaultPolicy()})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	for i := 0; i < n; i++ {
		v, err := svc.OpenCart(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if v, _, err = svc.Scan(ctx, a, v.ID, "7310865004703"); err != nil {
			t.Fatal(err)
		}
		if _, err = svc.PayCash(ctx, a, v.ID, 50000); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Complete(ctx, a, v.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func stats(t testing.TB, db *sqlite.DB) pos.OutboxStats {
	t.Helper()
	st, err := db.OutboxStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// arrivedInOrder checks that the first arrival of each event, repeats
// left out, came in seq order: 1, 2, 3, ... n, none before a lower one.
func arrivedInOrder(t testing.TB, arrived []int64, n int64) {
	t.Helper()
	seen := make(map[int64]bool, n)
	var want int64 = 1
	for i, s := range arrived {
		if seen[s] {
			continue
		}
		seen[s] = true
		if s != want {
			t.Fatalf("arrival %d is the first of seq %d, want seq %d", i, s, want)
		}
		want++
	}
	if want != n+1 {
		t.Fatalf("events arrived through %d, want %d", want-1, n)
	}
}

// firstArrivalsInOrder checks that central, applying each event only
// after the one before, applied 1, 2, 3, ... n: a broker that lost some
// events in between (killed, or its queue for central full) has them
// arrive again later.
func firstArrivalsInOrder(t testing.TB, arrived []int64, n int64) {
	t.Helper()
	var want int64 = 1
	for _, s := range arrived {
		if s == want {
			want++
		}
	}
	if want != n+1 {
		t.Fatalf("events applied in order through %d, want %d", want-1, n)
	}
}

func TestSalesMadeOfflineArriveInOrder(t *testing.T) {
	b := brokertest.New(t, brokertest.Options{})
	path := filepath.Join(t.TempDir(), "pos.db")
	n := startNode(t, b.URL(), path, nil)
	makeSales(t, n.db, 500)
	if st := n.client.Status(); st.Connected {
		t.Fatal("connected without a broker")
	}
	// Central must be listening before the node's first event goes out,
	// or the broker drops what arrives before (no subscriber yet) and the
	// first arrivals are re-sends: the node's reconnect, every 300 ms at
	// most here, could come first. So the node is stopped, and started
	// again over the same database once central has subscribed.
	n.stop()
	n.db.Close()
	b.Start()
	central := centraltest.New(t, b.URL(), store, node)
	central.Listening(20 * time.Second)
	n = startNode(t, b.URL(), path, nil)
	centraltest.Eventually(t, 20*time.Second, "all 500 sales acked", func() bool {
		return stats(t, n.db).AckedThrough == 500
	})
	central.Check()
	lg := central.Log(n.db.Epoch())
	if lg.Next != 501 {
		t.Fatalf("central applied through %d", lg.Next-1)
	}
	arrivedInOrder(t, lg.Arrived, 500)
	// Each id at most once except as a repeat of the same seq (checked by central).
	if len(lg.Seen) != 500 {
		t.Fatalf("%d distinct ids", len(lg.Seen))
	}
	centraltest.Eventually(t, 5*time.Second, "status shows the empty queue", func() bool {
		s := n.client.Status()
		return s.Connected && s.QueueDepth == 0 && s.AckedThrough == 500 && s.LastSeq == 500 && !s.LastDelivery.IsZero()
	})
}

func TestBrokerKilledDuringDrain(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	path := filepath.Join(t.TempDir(), "pos.db")
	central := centraltest.New(t, b.URL(), store, node)
	central.SetDelay(200 * time.Microsecond) // central takes its time to apply
	wake := syncqueue.NewWake()
	db := openDB(t, path, wake)
	appendEvents(t, db, 3000)
	db.Close()
	n := startNode(t, b.URL(), path, func(o *syncqueue.Options) { o.Window = 64 })

	// Sales go on during the drain.
	var wg sync.WaitGroup
	stopSelling := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stopSelling:
				return
			case <-time.After(20 * time.Millisecond):
				appendEvents(t, n.db, 5)
			}
		}
	}()
	epoch := n.db.Epoch()
	for _, at := range []int64{400, 1200, 2000} {
		centraltest.Eventually(t, 20*time.Second, "drain progress", func() bool { return central.Applied(epoch) >= at })
		b.Kill()
		time.Sleep(150 * time.Millisecond)
		b.Start()
	}
	close(stopSelling)
	wg.Wait()
	last := stats(t, n.db).LastSeq
	centraltest.Eventually(t, 30*time.Second, "every event acked", func() bool {
		return stats(t, n.db).AckedThrough == last && central.Applied(epoch) == last
	})
	central.Check()
	firstArrivalsInOrder(t, central.Log(epoch).Arrived, last)
	if st := stats(t, n.db); st.Depth != 0 {
		t.Fatalf("queue depth %d after full ack", st.Depth)
	}
}

func TestCentralStopsAckingThenNewEpoch(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	dir := t.TempDir()
	n := startNode(t, b.URL(), filepath.Join(dir, "pos.db"), func(o *syncqueue.Options) { o.ResendAfter = 300 * time.Millisecond })
	epoch := n.db.Epoch()
	appendEvents(t, n.db, 100)
	centraltest.Eventually(t, 10*time.Second, "first 100 acked", func() bool { return stats(t, n.db).AckedThrough == 100 })

	central.SetAcking(false)
	appendEvents(t, n.db, 200)
	centraltest.Eventually(t, 10*time.Second, "central applied 300", func() bool { return central.Applied(epoch) == 300 })
	// Without an ack the node sends again and keeps every event.
	centraltest.Eventually(t, 10*time.Second, "resends", func() bool {
		lg := central.Log(epoch)
		n := 0
		for _, s := range lg.Arrived {
			if s == 300 {
				n++
			}
		}
		return n >= 2
	})
	st := stats(t, n.db)
	if st.AckedThrough != 100 || st.Depth != 200 {
		t.Fatalf("without acks: %+v", st)
	}
	if evs, _ := n.db.EventsAfter(context.Background(), 100, 1000); len(evs) != 200 {
		t.Fatalf("outbox holds %d unacked events, want 200", len(evs))
	}
	central.SetAcking(true)
	centraltest.Eventually(t, 10*time.Second, "all acked after central resumes", func() bool { return stats(t, n.db).AckedThrough == 300 })
	n.stop()

	// The database is replaced: a new epoch starts at seq 1 and the
	// retained ack of the old epoch does not touch it.
	central.SetAcking(false)
	n2 := startNode(t, b.URL(), filepath.Join(dir, "fresh.db"), nil)
	if n2.db.Epoch() == epoch {
		t.Fatal("fresh database kept the epoch")
	}
	appendEvents(t, n2.db, 5)
	centraltest.Eventually(t, 10*time.Second, "new epoch delivered", func() bool { return central.Applied(n2.db.Epoch()) == 5 })
	if lg := central.Log(n2.db.Epoch()); lg.Arrived[0] != 1 {
		t.Fatalf("new epoch started at seq %d", lg.Arrived[0])
	}
	if st := stats(t, n2.db); st.AckedThrough != 0 || st.Depth != 5 {
		t.Fatalf("old epoch's ack touched the new one: %+v", st)
	}
	central.SetAcking(true)
	centraltest.Eventually(t, 10*time.Second, "new epoch acked", func() bool { return stats(t, n2.db).AckedThrough == 5 })
	central.Check()
}

// rolledBack makes the database at path an older copy of itself, as a
// disk snapshot put back would: the copy holds seq 1-5 of epoch old, acked
// through 3 (unacked are seq 4-5), while central has applied and acked
// seq 1-10.
func rolledBack(t *testing.T, url string, central *centraltest.Central, path string) (old string, unacked []pos.Event) {
	t.Helper()
	ctx := context.Background()
	n := startNode(t, url, path, nil)
	old = n.db.Epoch()
	appendEvents(t, n.db, 3)
	centraltest.Eventually(t, 10*time.Second, "first 3 acked", func() bool { return stats(t, n.db).AckedThrough == 3 })
	central.SetAcking(false)
	appendEvents(t, n.db, 2) // seq 4-5: applied by central, not yet acked
	centraltest.Eventually(t, 10*time.Second, "seq 4-5 applied", func() bool { return central.Applied(old) == 5 })
	unacked, err := n.db.EventsAfter(ctx, 3, 10)
	if err != nil || len(unacked) != 2 {
		t.Fatalf("events above the ack: %d, %v", len(unacked), err)
	}
	copyPath := path + ".copy"
	src, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.ExecContext(ctx, "VACUUM INTO ?", copyPath)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	central.SetAcking(true)
	appendEvents(t, n.db, 5)
	centraltest.Eventually(t, 10*time.Second, "10 acked", func() bool { return stats(t, n.db).AckedThrough == 10 })
	n.stop()
	n.db.Close()
	for _, f := range []string{path + "-wal", path + "-shm"} {
		os.Remove(f)
	}
	if err := os.Rename(copyPath, path); err != nil {
		t.Fatal(err)
	}
	return old, unacked
}

// wantFromSeq1 checks that central holds evs, in order, from seq 1 of
// epoch: events of an older epoch that went out again in a new one.
func wantFromSeq1(t *testing.T, central *centraltest.Central, epoch string, evs []pos.Event) {
	t.Helper()
	lg := central.Log(epoch)
	for i, ev := range evs {
		if got := lg.IDs[int64(i+1)]; got != ev.ID {
			t.Fatalf("epoch %s seq %d has id %q, want %s (seq %d before)", epoch, i+1, got, ev.ID, ev.Seq)
		}
	}
}

// TestRolledBackDatabaseBeginsNewEpoch: the node's database is put back
// to an older copy without a restore, so central's retained ack is beyond
// its last event. The node records nothing of that ack, ends the session
// and, without a restart, begins a new epoch in which the events the copy
// held unacknowledged go out again from seq 1 with their ids, and new
// events follow them.
func TestRolledBackDatabaseBeginsNewEpoch(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	path := filepath.Join(t.TempDir(), "pos.db")
	old, unacked := rolledBack(t, b.URL(), central, path)

	var logged nodetest.Buffer
	n := startNode(t, b.URL(), path, func(o *syncqueue.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	})
	centraltest.Eventually(t, 10*time.Second, "a new epoch", func() bool { return n.db.Epoch() != old })
	epoch := n.db.Epoch()
	appendEvents(t, n.db, 3) // seq 3-5 of the new epoch
	centraltest.Eventually(t, 10*time.Second, "the new epoch acked", func() bool { return stats(t, n.db).AckedThrough == 5 })
	wantFromSeq1(t, central, epoch, unacked)
	if got := central.Applied(old); got != 10 {
		t.Fatalf("central applied %d events of the old epoch, want 10", got)
	}
	centraltest.Eventually(t, 10*time.Second, "the status of the new epoch", func() bool {
		s := n.client.Status()
		return s.Connected && s.Epoch == epoch && s.AckedThrough == 5 && s.LastError == "" && !s.Held
	})
	if l := logged.String(); !strings.Contains(l, "central is ahead of this database") || !strings.Contains(l, "began a new event epoch") {
		t.Fatalf("log = %s; want the rollback and the new epoch", l)
	}
	// The next start keeps the new epoch.
	n.stop()
	n.db.Close()
	n = startNode(t, b.URL(), path, nil)
	if n.db.Epoch() != epoch {
		t.Fatalf("epoch %s after a restart, want %s", n.db.Epoch(), epoch)
	}
	// Any event of the old epoch sent above the copy with another id than
	// central holds there is reported here.
	central.Check()
}

func TestStatusAndWill(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	var mu sync.Mutex
	var seen []syncqueue.Status
	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		o.OnStatus = func(s syncqueue.Status) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
		o.Version = "1.4.0"
	})
	appendEvents(t, n.db, 3)
	last := func() map[string]any {
		st := central.Statuses()
		if len(st) == 0 {
			return nil
		}
		return st[len(st)-1]
	}
	centraltest.Eventually(t, 10*time.Second, "online status with the queue", func() bool {
		s := last()
		return s != nil && s["state"] == "online" && s["last_seq"] == float64(3) && s["acked_through"] == float64(3) &&
			s["epoch"] == n.db.Epoch() && s["version"] == "1.4.0" && s["queue_depth"] == float64(0)
	})
	mu.Lock()
	if len(seen) == 0 || !seen[len(seen)-1].Connected {
		t.Errorf("OnStatus not called with the connected state: %+v", seen)
	}
	mu.Unlock()
	n.stop()
	centraltest.Eventually(t, 5*time.Second, "offline status", func() bool { s := last(); return s != nil && s["state"] == "offline" })
}

// A lost or regained connection alone, with nothing else changed, is
// told to OnStatus: the screens show the node offline at once.
func TestStatusToldOfConnection(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	var mu sync.Mutex
	var seen []syncqueue.Status
	startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		o.OnStatus = func(s syncqueue.Status) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
	})
	told := func(connected bool) func() bool {
		return func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(seen) > 0 && seen[len(seen)-1].Connected == connected
		}
	}
	centraltest.Eventually(t, 10*time.Second, "told connected", told(true))
	b.Kill()
	centraltest.Eventually(t, 10*time.Second, "told disconnected", told(false))
	b.Start()
	centraltest.Eventually(t, 10*time.Second, "told connected again", told(true))
}

func TestRPC(t *testing.T) {
	b := brokertest.New(t, brokertest.Options{})
	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) { o.RPCTimeout = 500 * time.Millisecond })
	ctx := context.Background()
	if _, err := n.client.CustomerLookup(ctx, "C-1"); !errors.Is(err, syncqueue.ErrOffline) {
		t.Fatalf("offline lookup: %v", err)
	}
	b.Start()
	central := centraltest.New(t, b.URL(), store, node)
	centraltest.Eventually(t, 10*time.Second, "connected", func() bool { return n.client.Status().Connected })
	// Central not answering yet: a timeout.
	if _, err := n.client.CustomerLookup(ctx, "C-1"); !errors.Is(err, syncqueue.ErrTimeout) {
		t.Fatalf("unanswered lookup: %v", err)
	}
	central.SetAnswer(func(method string, p map[string]any) (any, string) {
		switch {
		case method == "customer.lookup" && p["query"] == "C-88412":
			return map[string]any{"id": "C-88412", "name": "Ana Popescu", "language": "ro", "points": 120,
				"recent": []any{map[string]any{"channel": "web", "at": "2026-11-20T10:00:00+01:00", "total": 129800, "order_id": "W-1"}}}, ""
		case method == "order.lookup" && p["order_id"] == "W-1":
			return map[string]any{"lines": []any{map[string]any{"sku": "100234", "qty": 2, "unit_price": 49900, "tax_rate_bp": 2500}},
				"payment": map[string]any{"status": "paid", "amount": 99800, "currency": "RON"}}, ""
		case method == "sale.lookup" && p["store"] == "s2" && p["sale_id"] == "S-9":
			return map[string]any{"lines": []any{
				map[string]any{"sku": "100234", "qty": 1, "unit_price": 49900, "tax_rate_bp": 2500},
				map[string]any{"sku": "200100", "qty": 1234, "unit": "kg", "unit_price": 2990, "discount": 100, "tax_rate_bp": 1200}},
				"payments": []any{map[string]any{"method": "card", "amount": 53490}}}, ""
		case method == "sale.lookup" && p["sale_id"] == "S-litre":
			return map[string]any{"lines": []any{map[string]any{"sku": "1", "qty": 1, "unit": "litre", "unit_price": 1, "tax_rate_bp": 0}},
				"payments": []any{}}, ""
		case method == "sale.lookup" && p["sale_id"] == "S-gone":
			return nil, "not_found: no such sale\nin store s2"
		case method == "sale.lookup":
			return map[string]any{"lines": []any{map[string]any{"sku": "100234", "qty": 1.5, "unit_price": 49900, "tax_rate_bp": 2500}},
				"payments": []any{}}, ""
		}
		return nil, "not_found"
	})
	cu, err := n.client.CustomerLookup(ctx, "C-88412")
	if err != nil || cu.Name != "Ana Popescu" || cu.Points != 120 || len(cu.Recent) != 1 || cu.Recent[0].Total != 129800 {
		t.Fatalf("customer = %+v, %v", cu, err)
	}
	if _, err := n.client.CustomerLookup(ctx, "nobody"); !errors.Is(err, syncqueue.ErrNotFound) {
		t.Fatalf("unknown customer: %v", err)
	}
	od, err := n.client.OrderLookup(ctx, "W-1")
	if err != nil || len(od.Lines) != 1 || od.Lines[0].UnitPrice != 49900 || od.Payment.Amount != 99800 {
		t.Fatalf("order = %+v, %v", od, err)
	}
	sd, err := n.client.SaleLookup(ctx, "s2", "S-9")
	if err != nil || len(sd.Lines) != 2 || sd.Lines[0].Unit != "" || sd.Lines[1].Unit != pos.UnitKg || sd.Lines[1].Qty != 1234 ||
		sd.Lines[1].Discount != 100 || len(sd.Payments) != 1 || sd.Payments[0].Amount != 53490 {
		t.Fatalf("sale = %+v, %v", sd, err)
	}
	if _, err := n.client.SaleLookup(ctx, "s2", "S-litre"); !errors.Is(err, syncqueue.ErrInvalidPayload) {
		t.Fatalf("sale with a line in litres: %v", err)
	}
	// An error whose message runs over two lines is still central's answer.
	if _, err := n.client.SaleLookup(ctx, "s2", "S-gone"); !errors.Is(err, syncqueue.ErrNotFound) {
		t.Fatalf("sale central does not know: %v", err)
	}
	// A fractional quantity is refused, not rounded.
	if _, err := n.client.SaleLookup(ctx, "s2", "x"); !errors.Is(err, syncqueue.ErrInvalidPayload) {
		t.Fatalf("sale with fractional qty: %v", err)
	}
	raw, err := n.client.Call(ctx, "customer.lookup", map[string]string{"query": "C-88412"})
	var m map[string]any
	if err != nil || json.Unmarshal(raw, &m) != nil || m["id"] != "C-88412" {
		t.Fatalf("call = %s, %v", raw, err)
	}
}
