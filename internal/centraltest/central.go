// Package centraltest plays central inventory in tests, over a real
// broker: it decodes the node's events as plain JSON against the contract
// (never with the node's own types), applies them strictly in seq order per
// epoch as central does, acks what it applied on the retained ack topic,
// answers rpc requests and publishes retained state.
package centraltest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Central is central for one store node.
type Central struct {
	t     testing.TB
	cli   mqtt.Client
	store string
	node  string

	mu       sync.Mutex
	epochs   map[string]*EpochLog
	received int // messages, repeats included
	problems []string
	acking   bool
	keep     bool // keep applied events' type and data
	envelope bool // check the envelope only, not the data (benchmarks)
	ackDirty bool
	ackEpoch string // the epoch that advanced last
	delay    time.Duration
	statuses []map[string]any
	answer   func(method string, params map[string]any) (result any, errCode string)
	// listening is closed once central's first subscriptions are in
	// place; see Listening.
	listening chan struct{}
	listened  sync.Once
	stop      chan struct{}
	wg        sync.WaitGroup
}

// EpochLog is what central saw of one epoch.
type EpochLog struct {
	Next    int64            // next seq to apply
	IDs     map[int64]string // id of each applied seq
	Seen    map[string]int64 // seq of each id
	Repeats int
	Arrived []int64 // seqs in arrival order
	Applied []Event // applied events, in seq order
}

// Event is an applied event as central decoded it.
type Event struct {
	ID   string
	Type string
	Seq  int64
	Time time.Time
	Data map[string]any
}

// New connects a central to the broker at url (retrying until it is up)
// for node of store.
func New(t testing.TB, url, store, node string) *Central {
	t.Helper()
	c := &Central{t: t, store: store, node: node, epochs: map[string]*EpochLog{}, acking: true,
		listening: make(chan struct{}), stop: make(chan struct{})}
	o := mqtt.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("central-%d", time.Now().UnixNano())).
		SetCleanSession(true).SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(50 * time.Millisecond).SetMaxReconnectInterval(200 * time.Millisecond)
	nodeTopic := "pos/v1/stores/" + store + "/nodes/" + node + "/"
	o.SetOnConnectHandler(func(cli mqtt.Client) {
		toks := []mqtt.Token{
			cli.Subscribe(nodeTopic+"events", 1, c.onEvent),
			cli.Subscribe(nodeTopic+"status", 1, c.onStatus),
			cli.Subscribe(nodeTopic+"rpc/request", 1, c.onRequest),
		}
		c.mu.Lock()
		c.ackDirty = true // the broker may have lost the retained ack
		c.mu.Unlock()
		go func() {
			for _, tok := range toks {
				if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
					return // the next connection subscribes again
				}
			}
			c.listened.Do(func() { close(c.listening) })
		}()
	})
	c.cli = mqtt.NewClient(o)
	c.cli.Connect() // retries until the broker is up
	c.wg.Add(1)
	go c.ackLoop(nodeTopic + "ack")
	t.Cleanup(c.Close)
	return c
}

// Listening waits until central has subscribed to the node's topics
// (after the broker is up), failing the test after timeout: events the
// node publishes before then are dropped by the broker and arrive only
// as re-sends.
func (c *Central) Listening(timeout time.Duration) {
	c.t.Helper()
	select {
	case <-c.listening:
	case <-time.After(timeout):
		c.t.Fatalf("central did not subscribe within %s", timeout)
	}
}

// Close disconnects central.
func (c *Central) Close() {
	select {
	case <-c.stop:
		return
	default:
	}
	close(c.stop)
	c.wg.Wait()
	c.cli.Disconnect(0)
}

func (c *Central) fail(format string, a ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, a...))
}

func (c *Central) onEvent(_ mqtt.Client, m mqtt.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.received++
	if c.delay > 0 {
		time.Sleep(c.delay)
	}
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(m.Payload(), &ev); err != nil {
		c.fail("event is not a JSON object: %v", err)
		return
	}
	for _, k := range []string{"specversion", "id", "source", "type", "time", "epoch", "seq", "datacontenttype", "data"} {
		if _, ok := ev[k]; !ok {
			c.fail("event lacks %q: %s", k, m.Payload())
			return
		}
	}
	var spec, id, source, typ, at, epoch, ctype string
	var seq int64
	for k, v := range map[string]any{"specversion": &spec, "id": &id, "source": &source, "type": &typ, "time": &at, "epoch": &epoch, "datacontenttype": &ctype, "seq": &seq} {
		if err := json.Unmarshal(ev[k], v); err != nil {
			c.fail("event field %s: %v", k, err)
			return
		}
	}
	if spec != "1.0" || source != "pos://"+c.store+"/"+c.node || ctype != "application/json" || !strings.HasPrefix(typ, "pos.") {
		c.fail("bad envelope: %s", m.Payload())
	}
	if _, err := time.Parse(time.RFC3339, at); err != nil {
		c.fail("time %q is not RFC 3339: %v", at, err)
	}
	if !uuidPattern.MatchString(id) || !uuidPattern.MatchString(epoch) {
		c.fail("id %q and epoch %q must be UUIDs", id, epoch)
	}
	if !c.envelope {
		if err := checkData(typ, ev["data"]); err != nil {
			c.fail("%s: %v: %s", typ, err, ev["data"])
		}
	}
	e := c.epochs[epoch]
	if e == nil {
		e = &EpochLog{Next: 1, IDs: map[int64]string{}, Seen: map[string]int64{}}
		c.epochs[epoch] = e
	}
	e.Arrived = append(e.Arrived, seq)
	if s, ok := e.Seen[id]; ok && s != seq {
		c.fail("id %s came with seq %d and %d", id, s, seq)
	}
	switch {
	case seq < e.Next:
		e.Repeats++
		if e.IDs[seq] != id {
			c.fail("seq %d came again with another id (%s, had %s)", seq, id, e.IDs[seq])
		}
	case seq == e.Next:
		e.IDs[seq], e.Seen[id] = id, seq
		e.Next++
		if c.keep {
			var data map[string]any
			_ = json.Unmarshal(ev["data"], &data)
			t, _ := time.Parse(time.RFC3339, at)
			e.Applied = append(e.Applied, Event{ID: id, Type: typ, Seq: seq, Time: t, Data: data})
		}
		c.ackDirty, c.ackEpoch = true, epoch
	default:
		// A gap: the missing events come again; central waits.
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// contractData lists, from the contract's table, the fields each event
// type's data must have; "list[].field" is a field of every element of
// list. A field may be null where the contract says so, never missing.
var contractData = map[string][]string{
	"pos.sale.completed": {"sale_id", "receipt_no", "station", "cashier", "lines[].sku", "lines[].qty", "lines[].unit_price",
		"lines[].discount", "lines[].tax_rate_bp", "lines[].amount", "tax[].rate_bp", "tax[].base", "tax[].tax", "total",
		"payments[].method", "payments[].amount", "change"},
	"pos.sale.voided": {"sale_id", "receipt_no", "reason", "approved_by"},
	"pos.return.completed": {"return_id", "original", "lines[].sku", "lines[].qty", "lines[].amount", "lines[].restock",
		"refunds[].method", "refunds[].amount", "reason", "approved_by"},
	"pos.stock.adjusted":   {"sku", "delta", "reason"},
	"pos.pickup.accepted":  {"order_id", "version"},
	"pos.pickup.ready":     {"order_id", "lines[].line_id", "lines[].qty_picked", "lines[].substitute_sku", "location"},
	"pos.pickup.collected": {"order_id", "verified_by", "staff", "lines[].line_id", "lines[].qty"},
	"pos.pickup.rejected":  {"order_id", "reason"},
	"pos.pickup.expired":   {"order_id"},
	"pos.shift.closed": {"shift_id", "station", "opened_at", "closed_at", "float", "expected_cash", "counted_cash",
		"totals_by_method"},
	"pos.cart.saved": {"customer_id", "lines[].sku", "lines[].qty"},
}

// checkData checks an event's data against contractData.
func checkData(typ string, raw json.RawMessage) error {
	want, ok := contractData[typ]
	if !ok {
		return fmt.Errorf("not an event type of the contract")
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(raw, &data); err != nil || data == nil {
		return fmt.Errorf("data is not an object")
	}
	for _, f := range want {
		list, sub, nested := strings.Cut(f, "[].")
		if !nested {
			if _, ok := data[f]; !ok {
				return fmt.Errorf("data lacks %q", f)
			}
			continue
		}
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(data[list], &items); err != nil || data[list] == nil {
			return fmt.Errorf("%s is not an array of objects", list)
		}
		for i, it := range items {
			if _, ok := it[sub]; !ok {
				return fmt.Errorf("%s[%d] lacks %q", list, i, sub)
			}
		}
	}
	return nil
}

func (c *Central) onStatus(_ mqtt.Client, m mqtt.Message) {
	var s map[string]any
	if json.Unmarshal(m.Payload(), &s) != nil {
		c.mu.Lock()
		c.fail("status is not JSON: %q", m.Payload())
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	c.statuses = append(c.statuses, s)
	c.mu.Unlock()
}

func (c *Central) onRequest(cli mqtt.Client, m mqtt.Message) {
	var req struct {
		ID     string         `json:"id"`
		Method string         `json:"method"`
		Params map[string]any `json:"params"`
	}
	if err := json.Unmarshal(m.Payload(), &req); err != nil || req.ID == "" {
		c.mu.Lock()
		c.fail("bad request %q", m.Payload())
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	answer := c.answer
	c.mu.Unlock()
	if answer == nil {
		return
	}
	res, code := answer(req.Method, req.Params)
	body := map[string]any{"id": req.ID}
	if code != "" {
		msg := "no such " + req.Method
		if c, m, ok := strings.Cut(code, ": "); ok {
			code, msg = c, m
		}
		body["error"] = map[string]string{"code": code, "message": msg}
	} else {
		body["result"] = res
	}
	b, _ := json.Marshal(body)
	go cli.Publish("pos/v1/stores/"+c.store+"/nodes/"+c.node+"/rpc/response", 1, false, b)
}

// ackLoop publishes the retained ack of the epoch last applied whenever
// it changed, like central after committing a batch.
func (c *Central) ackLoop(topic string) {
	defer c.wg.Done()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		c.mu.Lock()
		if !c.acking || !c.ackDirty || !c.cli.IsConnectionOpen() {
			c.mu.Unlock()
			continue
		}
		c.ackDirty = false
		var body []byte
		if e := c.epochs[c.ackEpoch]; e != nil {
			body, _ = json.Marshal(map[string]any{"epoch": c.ackEpoch, "through": e.Next - 1, "rejected": []any{}})
		}
		c.mu.Unlock()
		if body != nil {
			c.cli.Publish(topic, 1, true, body)
		}
	}
}

// SetAcking turns central's acks on and off.
func (c *Central) SetAcking(on bool) {
	c.mu.Lock()
	c.acking, c.ackDirty = on, true
	c.mu.Unlock()
}

// Applied returns how many events of epoch central has applied in order.
func (c *Central) Applied(epoch string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.epochs[epoch]; e != nil {
		return e.Next - 1
	}
	return 0
}

// Log returns a copy of what central saw of epoch.
func (c *Central) Log(epoch string) EpochLog {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.epochs[epoch]
	if e == nil {
		return EpochLog{}
	}
	cp := *e
	cp.Arrived = append([]int64(nil), e.Arrived...)
	cp.Applied = append([]Event(nil), e.Applied...)
	return cp
}

// KeepEvents makes central keep the type and data of every applied event
// (Log's Applied).
// EnvelopeOnly makes central check each event's envelope and no longer
// its data against the contract, as benchmarks want: the tests check the
// data, and decoding it would make central slower than the node it
// measures.
func (c *Central) EnvelopeOnly() {
	c.mu.Lock()
	c.envelope = true
	c.mu.Unlock()
}

func (c *Central) KeepEvents() {
	c.mu.Lock()
	c.keep = true
	c.mu.Unlock()
}

// SetDelay makes central take d to apply each event.
func (c *Central) SetDelay(d time.Duration) {
	c.mu.Lock()
	c.delay = d
	c.mu.Unlock()
}

// SetAnswer sets how central answers rpc requests: a result, or an error
// code, and after ": " its message.
func (c *Central) SetAnswer(f func(method string, params map[string]any) (result any, errCode string)) {
	c.mu.Lock()
	c.answer = f
	c.mu.Unlock()
}

// Statuses returns the node statuses central received.
func (c *Central) Statuses() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]any(nil), c.statuses...)
}

// Connected reports whether central is connected to the broker.
func (c *Central) Connected() bool { return c.cli.IsConnectionOpen() }

// Check fails the test with every contract violation central saw.
func (c *Central) Check() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.problems {
		c.t.Error("central: " + p)
	}
}

// TryPublish puts a retained (or plain) message on a store topic and
// reports whether the broker took it, for tests whose broker comes and goes.
func (c *Central) TryPublish(topic string, retained bool, payload string) error {
	tok := c.cli.Publish("pos/v1/stores/"+c.store+"/"+topic, 1, retained, payload)
	if !tok.WaitTimeout(2 * time.Second) {
		return fmt.Errorf("publish %s: timed out", topic)
	}
	return tok.Error()
}

// Publish puts a retained (or plain) message on a store topic, e.g.
// "orders/W-1".
func (c *Central) Publish(t testing.TB, topic string, retained bool, payload string) {
	t.Helper()
	tok := c.cli.Publish("pos/v1/stores/"+c.store+"/"+topic, 1, retained, payload)
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish %s: %v", topic, tok.Error())
	}
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
