package syncqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
	"github.com/posnode/posnode/pos"
)

// topics are the contract's topic names for one node.
type topics struct {
	prefix       string // pos/v1/stores/{store}/
	settings     string
	catalogMF    string
	catalogPages string // prefix of catalog/pages/{page}
	stockMF      string
	stockPages   string
	orders       string // prefix of orders/{order_id}
	node         string // pos/v1/stores/{store}/nodes/{node}/
	events       string
	ack          string
	status       string
	rpcRequest   string
	rpcResponse  string
}

func newTopics(store, node string) topics {
	p := "pos/v1/stores/" + store + "/"
	n := p + "nodes/" + node + "/"
	return topics{
		prefix: p, settings: p + "settings",
		catalogMF: p + "catalog/manifest", catalogPages: p + "catalog/pages/",
		stockMF: p + "stock/manifest", stockPages: p + "stock/pages/",
		orders: p + "orders/",
		node:   n, events: n + "events", ack: n + "ack", status: n + "status",
		rpcRequest: n + "rpc/request", rpcResponse: n + "rpc/response",
	}
}

// Client delivers the node's outbox to central and takes central's state;
// see the package documentation. Create it with New and start it with Run.
type Client struct {
	opt     Options
	log     *slog.Logger
	t       topics
	started time.Time

	wake        Wake          // new events (cap 1)
	statusDirty chan struct{} // status may have changed (cap 1)

	ackedThrough atomic.Int64 // central's acknowledged point, this epoch
	ackAdvanced  atomic.Int64 // unix nanoseconds when it last advanced
	// heard counts what is known to have come from the broker: messages
	// and acknowledgements of events. A lookup's request left
	// unacknowledged while it stays still shows a silent link.
	heard atomic.Int64
	// held is set once central is found ahead of the outbox
	// (pos.AheadError): no event of this epoch is sent any more, lest it
	// take a seq central already holds. The session ends, and the outbox
	// begins a new epoch before the next (renewEpoch).
	held atomic.Bool

	// pubMu orders the retained status: held from looking up the
	// connection to handing it a status, so that the offline a session
	// publishes as it ends comes after any online.
	pubMu sync.Mutex

	mu  sync.Mutex // guards the fields below
	cli mqtt.Client
	// endSession ends the session of cli with an error (see linkSilent);
	// nil with cli.
	endSession chan<- error
	status     Status
	// Why the outbox is held, kept in LastError: the AheadError, and why
	// the new epoch could not begin, if it could not.
	heldWhy, renewErr string
	epoch             string // the outbox's epoch: acks of any other are ignored
	calls             map[string]chan rpcReply
	ack               *Ack // merged acks waiting to be recorded
	ackWake           chan struct{}
	inq               []inbound // messages waiting for the state worker
	inWake            chan struct{}
	running           bool
}

// New checks opt and returns a Client.
func New(opt Options) (*Client, error) {
	opt.setDefaults()
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if _, err := opt.tlsConfig(); err != nil {
		return nil, err
	}
	if opt.Wake == nil {
		opt.Wake = NewWake()
	}
	if u, _ := url.Parse(opt.Broker); (opt.CAFile != "" || opt.CertFile != "") && u.Scheme != "ssl" && u.Scheme != "wss" {
		opt.Logger.Warn("a CA file or client certificate is set, but the broker URL is not ssl:// or wss://: the connection is not encrypted and they are not used",
			"component", "syncqueue", "broker", RedactBroker(opt.Broker))
	}
	c := &Client{
		opt: opt, log: opt.Logger.With("component", "syncqueue"),
		t: newTopics(opt.Store, opt.Node), epoch: opt.Outbox.Epoch(),
		wake: opt.Wake, statusDirty: make(chan struct{}, 1),
		calls: map[string]chan rpcReply{}, ackWake: make(chan struct{}, 1), inWake: make(chan struct{}, 1),
	}
	return c, nil
}

// ClientID is the MQTT client id, pos-{store}-{node}.
func (c *Client) ClientID() string { return "pos-" + c.opt.Store + "-" + c.opt.Node }

// Wake carries "new events were recorded" from the database's OnEvents
// hook to a Client without blocking. Make it before opening the database,
// pass its OnEvents as the hook and it as Options.Wake.
type Wake chan struct{}

// NewWake makes a Wake.
func NewWake() Wake { return make(Wake, 1) }

// OnEvents signals the Client; it never blocks. Its signature is the
// database's OnEvents hook.
func (w Wake) OnEvents([]pos.Event) {
	select {
	case w <- struct{}{}:
	default:
	}
}

// Notify tells the client that events were appended. It never blocks; pass
// it (ignoring the events) as the database's OnEvents hook.
func (c *Client) Notify() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
	c.markDirty()
}

func (c *Client) markDirty() {
	select {
	case c.statusDirty <- struct{}{}:
	default:
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Run connects to the broker and keeps the node in sync until ctx is
// done, reconnecting with exponential backoff and jitter whenever the
// connection fails. It returns nil when ctx is done, and an error only when
// it cannot run at all (Run called twice, unreadable outbox).
func (c *Client) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return errors.New("syncqueue: Run called twice")
	}
	c.running = true
	c.started = c.opt.Now()
	c.mu.Unlock()

	st, err := c.opt.Outbox.OutboxStats(ctx)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("syncqueue: read outbox: %w", err)
	}
	c.ackedThrough.Store(st.AckedThrough)
	c.ackAdvanced.Store(c.opt.Now().UnixNano())

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.statusLoop(ctx) }()
	defer wg.Wait()

	backoff := c.opt.BackoffMin
	refused := false // the broker's refusal of the login was told
	drops := 0       // sessions in a row the broker dropped soon after connecting
	for ctx.Err() == nil {
		start := time.Now()
		connected, err := c.session(ctx)
		if ctx.Err() != nil {
			break
		}
		if connected {
			refused = false
			if errors.Is(err, errLost) && time.Since(start) < c.opt.BackoffMax {
				drops++
			} else {
				drops = 0
			}
		}
		if c.held.Load() {
			if c.renewEpoch(ctx) == nil {
				backoff = c.opt.BackoffMin
				continue // the held events go out at once, in the new epoch
			}
		}
		// Only a session that stayed up starts the backoff again: a
		// broker that takes the node and drops it at once (another
		// client with its id, a limit) is not hammered.
		if connected && time.Since(start) >= c.opt.BackoffMax {
			backoff = c.opt.BackoffMin
		}
		var ahead *pos.AheadError
		if !errors.Is(err, errRetryEpoch) && !errors.As(err, &ahead) {
			c.setLastError(err) // those two are in the status already
		}
		// Full jitter in [backoff/2, backoff): nodes of a fleet that lost
		// the broker together do not come back in one wave.
		d := backoff/2 + rand.N(backoff/2+1)
		switch {
		case loginRefused(err) && !refused:
			refused = true
			c.log.Error("the broker refused the node's login: check username and password in [mqtt] (central's operators give them); retrying, and not told again before a login succeeds",
				"username", c.opt.Username, "in", d.Round(time.Millisecond), "err", err)
		case loginRefused(err):
			c.log.Debug("the broker refused the node's login; retrying", "in", d.Round(time.Millisecond), "err", err)
		default:
			c.log.Info("broker connection down; retrying", "in", d.Round(time.Millisecond), "err", err)
		}
		if drops == dropsTold {
			// The broker closes the older of two connections with one
			// client id: another box with these ids takes this one's place.
			c.log.Warn("the broker dropped the connection soon after it was made, again and again: another node with the same store and node ids likely connects with this client id, each throwing the other off; give every box its own node id (posnode doctor finds the other)",
				"client_id", c.ClientID(), "drops", drops, "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
		backoff = min(backoff*2, c.opt.BackoffMax)
	}
	return nil
}

// errLost ends a session whose connection the broker or the network
// closed.
var errLost = errors.New("connection lost")

// dropsTold is how many sessions in a row, each dropped before
// BackoffMax, are told as likely another node with this client id.
const dropsTold = 3

// loginRefused reports whether err is the broker's refusal of the node's
// login (CONNACK 4 or 5), which retrying does not mend.
func loginRefused(err error) bool {
	return errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword) || errors.Is(err, packets.ErrorRefusedNotAuthorised)
}

// renewEpoch begins a new epoch in the outbox once the session that found
// central ahead of it has ended, so that nothing of the old epoch is being
// sent, and has the client follow it. If it cannot, the outbox stays held,
// the reason goes into the status, and the next session stays connected
// and ends after a while to try again.
//
// The client follows whatever epoch the outbox holds afterwards, even
// after an error: a commit reported failed may still have taken effect.
func (c *Client) renewEpoch(ctx context.Context) error {
	old := c.currentEpoch()
	_, _, outstanding, err := c.opt.Outbox.RenewEpoch(ctx)
	epoch := c.opt.Outbox.Epoch()
	if err != nil && epoch == old {
		c.log.Error("could not begin a new event epoch; events stay held", "err", err)
		err = fmt.Errorf("could not begin a new event epoch: %w", err)
		c.mu.Lock()
		c.renewErr = err.Error()
		c.status.LastError, c.status.Held = c.heldReason(), true
		c.mu.Unlock()
		c.markDirty()
		return err
	}
	c.mu.Lock()
	c.epoch, c.ack, c.heldWhy, c.renewErr = epoch, nil, "", ""
	c.status.LastError, c.status.Held = "", false
	c.mu.Unlock()
	if epoch != old {
		c.ackedThrough.Store(0) // a new epoch starts unacknowledged
		c.log.Warn("central had acknowledged more than this database holds (it was rolled back); began a new event epoch",
			"old_epoch", old, "epoch", epoch, "events_to_send_again", outstanding)
	}
	c.ackAdvanced.Store(c.opt.Now().UnixNano())
	c.held.Store(false)
	c.markDirty()
	return nil
}

// heldReason is what LastError says of a held outbox; empty if it is not.
// c.mu must be held.
func (c *Client) heldReason() string {
	if c.renewErr == "" {
		return c.heldWhy
	}
	return c.heldWhy + "; " + c.renewErr
}

func (c *Client) currentEpoch() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// mqttOptions builds paho's options for one connection. paho's own
// reconnect, resume and stores are not used for delivery: the session is
// clean, the store is in memory and this package resends from the outbox.
func (c *Client) mqttOptions(lost chan<- error) (*mqtt.ClientOptions, error) {
	o := mqtt.NewClientOptions()
	o.AddBroker(c.opt.Broker)
	o.SetClientID(c.ClientID())
	o.SetCleanSession(true)
	o.SetAutoReconnect(false)
	o.SetConnectRetry(false)
	o.SetResumeSubs(false)
	o.SetStore(mqtt.NewMemoryStore())
	o.SetOrderMatters(true) // handlers only enqueue; order of state records is kept
	o.SetKeepAlive(c.opt.KeepAlive)
	o.SetPingTimeout(min(c.opt.KeepAlive, 10*time.Second)) // a dead link is noticed within two keep-alives
	o.SetConnectTimeout(c.opt.ConnectTimeout)
	o.SetWriteTimeout(10 * time.Second)
	o.SetWill(c.t.status, offlineStatus, 1, true)
	if c.opt.Username != "" {
		o.SetUsername(c.opt.Username)
		o.SetPassword(c.opt.Password)
	}
	tc, err := c.opt.tlsConfig()
	if err != nil {
		return nil, err
	}
	if tc != nil {
		o.SetTLSConfig(tc)
	}
	o.SetDefaultPublishHandler(c.onMessage)
	o.SetConnectionLostHandler(func(_ mqtt.Client, err error) {
		select {
		case lost <- err:
		default:
		}
	})
	return o, nil
}

func wait(ctx context.Context, t mqtt.Token, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("no answer from the broker within %s", d)
	}
}

// offlineStatus is the retained status of a node not connected: the last
// will, and what a session ending with its link up publishes.
const offlineStatus = `{"state":"offline"}`

// subscribeRefused is the SUBACK return code of a refused subscription
// in MQTT 3.1.1.
const subscribeRefused = 0x80

// session runs one connection: connect, subscribe, then deliver and take
// state until the connection fails or ctx is done. connected reports
// whether the connection was established and subscribed.
func (c *Client) session(ctx context.Context) (connected bool, err error) {
	lost := make(chan error, 1)
	mo, err := c.mqttOptions(lost)
	if err != nil {
		return false, err
	}
	cli := mqtt.NewClient(mo)
	if err := wait(ctx, cli.Connect(), c.opt.ConnectTimeout+time.Second); err != nil {
		cli.Disconnect(0)
		return false, fmt.Errorf("connect to %s: %w", RedactBroker(c.opt.Broker), err)
	}
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		c.setConn(nil, nil)
		wg.Wait()
		if cli.IsConnected() {
			// Leaving with the link up, on purpose or on an error of the
			// node's own: a clean disconnect discards the will, so say it.
			// After any online status the status loop is handing over.
			c.pubMu.Lock()
			t := cli.Publish(c.t.status, 1, true, offlineStatus)
			c.pubMu.Unlock()
			t.WaitTimeout(time.Second)
		}
		cli.Disconnect(250)
	}()

	filters := map[string]byte{
		c.t.settings: 1, c.t.catalogMF: 1, c.t.stockMF: 1, c.t.ack: 1, c.t.rpcResponse: 1,
	}
	if c.opt.Orders != nil {
		// '#', not '+': an order id may hold '/', and its topic then has
		// more than one level below orders/.
		filters[c.t.orders+"#"] = 1
	}
	c.resetInbound()
	sub := cli.SubscribeMultiple(filters, c.onMessage)
	if err := wait(ctx, sub, 10*time.Second); err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	// paho takes a refusal (0x80 in the SUBACK, as a broker's access
	// rules give it) for success: without the ack topic the node would
	// never see an event delivered.
	if st, ok := sub.(*mqtt.SubscribeToken); ok {
		for topic, code := range st.Result() {
			if code != subscribeRefused {
				continue
			}
			if topic != c.t.orders+"#" {
				return false, fmt.Errorf("subscribe: the broker refused %s", topic)
			}
			// Access rules written for the contract's orders/{order_id}
			// may allow one level only: orders then come but those whose
			// id holds '/'.
			if err := c.subscribeOrdersOneLevel(ctx, cli); err != nil {
				return false, err
			}
		}
	}
	c.log.Info("connected to broker", "broker", RedactBroker(c.opt.Broker), "client_id", c.ClientID())
	c.setConn(cli, lost)

	errc := make(chan error, 3)
	for _, f := range []func(context.Context, mqtt.Client) error{c.send, c.ackLoop, c.stateLoop} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(sctx, cli); err != nil && sctx.Err() == nil {
				errc <- err
			}
		}()
	}
	select {
	case <-ctx.Done():
		return true, nil
	case err := <-lost:
		return true, fmt.Errorf("%w: %w", errLost, err)
	case err := <-errc:
		return true, err
	}
}

// subscribeOrdersOneLevel subscribes to orders/+ for a broker that
// refused orders/#. The client routes a message to the handler of every
// filter it matches, and orders/# stays among its routes though refused:
// orders/+ gets no handler of its own, or each order would be taken twice.
func (c *Client) subscribeOrdersOneLevel(ctx context.Context, cli mqtt.Client) error {
	filter := c.t.orders + "+"
	cli.AddRoute(c.t.orders+"#", c.onMessage) // the one route of every order
	sub := cli.Subscribe(filter, 1, nil)
	if err := wait(ctx, sub, 10*time.Second); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	if st, ok := sub.(*mqtt.SubscribeToken); ok && st.Result()[filter] == subscribeRefused {
		return fmt.Errorf("subscribe: the broker refused %s#, and %s", c.t.orders, filter)
	}
	c.log.Warn("the broker refused the orders of every id and granted those of ids without '/'; an order whose id holds '/' cannot arrive",
		"refused", c.t.orders+"#", "granted", filter)
	return nil
}

func (c *Client) setConn(cli mqtt.Client, end chan<- error) {
	c.mu.Lock()
	c.cli, c.endSession = cli, end
	c.status.Connected = cli != nil
	if cli != nil {
		c.status.LastError = c.heldReason() // a held outbox keeps saying why
	} else {
		c.endCallsLocked() // their answers would come to a connection that is gone
	}
	c.mu.Unlock()
	c.markDirty()
	signal(c.wake)
}

func (c *Client) conn() mqtt.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cli
}

func (c *Client) setLastError(err error) {
	if err == nil {
		return
	}
	msg := err.Error()
	c.mu.Lock()
	var ahead *pos.AheadError
	switch {
	case errors.As(err, &ahead):
		c.heldWhy = msg
	case c.heldWhy != "":
		// A lost connection must not hide why events are held.
		msg = c.heldReason() + "; then: " + msg
	}
	c.status.LastError = msg
	c.status.Held = c.held.Load()
	c.mu.Unlock()
	c.markDirty()
}

// onMessage is paho's handler for every subscription. It runs in paho's
// router and must not block: it parses acks and rpc answers at once and
// queues everything else for the state worker.
func (c *Client) onMessage(_ mqtt.Client, m mqtt.Message) {
	c.heard.Add(1)
	topic, payload := m.Topic(), m.Payload()
	switch {
	case topic == c.t.ack:
		c.onAck(topic, payload)
	case topic == c.t.rpcResponse:
		c.onRPCResponse(topic, payload)
	case strings.HasPrefix(topic, c.t.prefix):
		// Kept without a copy: paho reads every packet into a buffer of
		// its own and never reuses it.
		c.enqueue(inbound{topic: topic, payload: payload})
	}
}
