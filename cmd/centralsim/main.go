// Command centralsim plays central's side of the pos/v1 MQTT contract, for
// demos and manual tests of a store node against a local broker.
//
// Usage:
//
//	centralsim serve  [flags]   publish settings, catalog and stock, then print and ack
//	                            events and answer lookups until interrupted
//	centralsim order  [flags]   publish a click-and-collect order
//	centralsim arrive [flags]   mark an order's customer as arrived
//	centralsim cancel [flags]   cancel an order (the customer cancelled online)
//	centralsim clear  [flags]   clear an order's retained record (central is done with it)
//
// Run "centralsim <command> -h" for the flags of each command.
//
// The catalog CSV has a header line naming its columns, in any order:
// sku, barcode (or barcodes; several codes separated by ";"), name_en,
// name_sv, name_sk, name_ro, name_zh-Hant, unit (each or kg), price (minor
// units per piece or per kg), tax_rate_bp (2500 = 25 %), and optionally
// active and location. It is read as the node's own catalog import reads
// it for a Swedish store (pos.ReadCatalogCSV with pos.Sweden): a weighed
// item is listed by its scale label with a value of 0 or by its item key.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/syncqueue"
)

const usage = `centralsim plays central for a posnode store node (MQTT contract pos/v1).

Commands:
  serve   publish settings, catalog (from -catalog CSV) and stock; then print every event
          the store's nodes send, ack it, clear orders the node finished, answer lookups
  order   publish a click-and-collect order
  arrive  mark an order's customer as arrived ("I'm here")
  cancel  cancel an order
  clear   clear an order's retained record

Run "centralsim <command> -h" for its flags.

Catalog CSV columns (header line, any order): sku, barcode (or barcodes, ";"-separated),
name_en, name_sv, name_sk, name_ro, name_zh-Hant, unit (each|kg), price (minor units),
tax_rate_bp (2500 = 25 %), optional active, location.

Demo with a local Mosquitto (mosquitto -p 1883), from the source tree:
  terminal 1: centralsim serve -catalog cmd/posnode/demo_catalog.csv
  terminal 2: posnode run --demo --data /tmp/posnode-demo --store s1 --node till-1 --mqtt tcp://localhost:1883
  then:       centralsim order -id W-1 -lines 100234:2:49900 -catalog cmd/posnode/demo_catalog.csv
              centralsim arrive -id W-1 -bay 3 -note "red Volvo"
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "centralsim:", err)
		os.Exit(1)
	}
}

// common are the flags every command has.
type common struct {
	broker, store, user, pass string
	ca, cert, key             string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.broker, "broker", "tcp://localhost:1883", "broker URL (tcp://, ssl://, ws://, wss://)")
	fs.StringVar(&c.store, "store", "s1", "store id")
	fs.StringVar(&c.user, "user", "", "broker username")
	fs.StringVar(&c.pass, "password", "", "broker password")
	fs.StringVar(&c.ca, "ca", "", "ssl:// and wss://: PEM file of the CAs trusted (default: the system's)")
	fs.StringVar(&c.cert, "cert", "", "ssl:// and wss://: PEM client certificate")
	fs.StringVar(&c.key, "key", "", "ssl:// and wss://: PEM key of the client certificate")
}

func (c *common) topic(rest string) string { return "pos/v1/stores/" + c.store + "/" + rest }

func (c *common) connect(ctx context.Context, id string, onConnect func(mqtt.Client)) (mqtt.Client, error) {
	o := mqtt.NewClientOptions().AddBroker(c.broker).SetClientID(fmt.Sprintf("centralsim-%s-%d", id, time.Now().UnixNano())).
		SetCleanSession(true).SetAutoReconnect(true).SetMaxReconnectInterval(5 * time.Second).SetOrderMatters(true)
	if c.user != "" {
		o.SetUsername(c.user)
		o.SetPassword(c.pass)
	}
	tc, err := syncqueue.TLSConfig(c.broker, c.ca, c.cert, c.key, "")
	if err != nil {
		return nil, err
	}
	if tc != nil {
		o.SetTLSConfig(tc)
	}
	if onConnect != nil {
		o.SetOnConnectHandler(onConnect)
	}
	cli := mqtt.NewClient(o)
	t := cli.Connect()
	select {
	case <-t.Done():
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(10 * time.Second):
		return nil, fmt.Errorf("connect to %s: no answer in 10 s", c.broker)
	}
	if err := t.Error(); err != nil {
		return nil, fmt.Errorf("connect to %s: %w (is the broker running?)", c.broker, err)
	}
	return cli, nil
}

func publish(cli mqtt.Client, topic string, retained bool, payload []byte) error {
	t := cli.Publish(topic, 1, retained, payload)
	if !t.WaitTimeout(10 * time.Second) {
		return fmt.Errorf("publish %s: no answer from the broker", topic)
	}
	if err := t.Error(); err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, usage)
		return nil
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, args, out)
	case "order", "arrive", "cancel", "clear":
		return orderCmd(ctx, cmd, args, out)
	}
	return fmt.Errorf("unknown command %q; run centralsim -h", cmd)
}

// loadCatalog reads the catalog CSV, accepting "barcode" for "barcodes".
func loadCatalog(path string) ([]pos.Item, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	head, rest, _ := strings.Cut(string(b), "\n")
	cols := strings.Split(strings.TrimRight(head, "\r"), ",")
	for i, c := range cols {
		if strings.TrimSpace(c) == "barcode" {
			cols[i] = "barcodes"
		}
	}
	f, err := pos.ReadCatalogCSV(strings.NewReader(strings.Join(cols, ",")+"\n"+rest), pos.Sweden)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f.Items, nil
}

// pages splits items into pages of at most size, in SKU order.
func pages(items []pos.Item, size int) [][]pos.Item {
	sort.Slice(items, func(i, j int) bool { return items[i].SKU < items[j].SKU })
	var ps [][]pos.Item
	for len(items) > 0 {
		n := min(size, len(items))
		ps = append(ps, items[:n])
		items = items[n:]
	}
	return ps
}

type catalogItem struct {
	SKU       string            `json:"sku"`
	Active    bool              `json:"active"`
	Name      map[string]string `json:"name"`
	Barcodes  []string          `json:"barcodes"`
	Unit      string            `json:"unit"`
	Price     int64             `json:"price"`
	TaxRateBP int64             `json:"tax_rate_bp"`
}

// publishState publishes settings, catalog and stock as retained records of
// version v: pages first, then the manifests naming them.
func publishState(cli mqtt.Client, c *common, items []pos.Item, v int64, pageSize int, stock int64, settings map[string]any, out io.Writer) error {
	settings["version"] = v
	b, _ := json.Marshal(settings)
	if err := publish(cli, c.topic("settings"), true, b); err != nil {
		return err
	}
	catMF := map[string]int64{}
	stockMF := map[string]int64{}
	for i, p := range pages(items, pageSize) {
		id := strconv.Itoa(i)
		var cat []catalogItem
		var st []map[string]any
		for _, it := range p {
			cat = append(cat, catalogItem{it.SKU, it.Active, it.Names, it.Barcodes, it.Unit, it.Price, it.TaxRateBP})
			onHand := stock
			if it.Unit == pos.UnitKg {
				onHand *= 1000 // grams: as many kilograms
			}
			st = append(st, map[string]any{"sku": it.SKU, "on_hand": onHand, "as_of": map[string]any{}})
		}
		b, _ := json.Marshal(map[string]any{"page": id, "version": v, "items": cat})
		if err := publish(cli, c.topic("catalog/pages/"+id), true, b); err != nil {
			return err
		}
		catMF[id] = v
		if stock >= 0 {
			b, _ := json.Marshal(map[string]any{"page": id, "version": v, "items": st})
			if err := publish(cli, c.topic("stock/pages/"+id), true, b); err != nil {
				return err
			}
			stockMF[id] = v
		}
	}
	b, _ = json.Marshal(map[string]any{"version": v, "pages": catMF})
	if err := publish(cli, c.topic("catalog/manifest"), true, b); err != nil {
		return err
	}
	if stock >= 0 {
		b, _ = json.Marshal(map[string]any{"version": v, "pages": stockMF})
		if err := publish(cli, c.topic("stock/manifest"), true, b); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "published settings, %d items in %d catalog pages (version %d)\n", len(items), len(catMF), v)
	return nil
}

// stream is one node epoch's events as central applies them: in seq order.
type stream struct {
	next    int64
	ids     map[int64]string
	changed bool
}

type server struct {
	c      common
	out    io.Writer
	quiet  bool
	mu     sync.Mutex                    // guards the fields below
	nodes  map[string]map[string]*stream // node -> epoch -> stream
	last   map[string]string             // node -> epoch acked last
	sales  map[string]json.RawMessage    // sale_id -> data of its event
	orders map[string]json.RawMessage    // order_id -> retained order, kept after it is cleared for order.lookup
	taxes  map[string]int64              // sku -> tax_rate_bp, from the catalog
	units  map[string]string             // sku -> unit, from the catalog
	closed map[string]bool               // order_id -> its retained record was cleared
	// republish publishes the state again, with its version, once it has
	// been published: a broker started again may have lost it.
	republish func(mqtt.Client) error
}

func serve(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	s := &server{out: out, nodes: map[string]map[string]*stream{}, last: map[string]string{},
		sales: map[string]json.RawMessage{}, orders: map[string]json.RawMessage{}, taxes: map[string]int64{}, units: map[string]string{}, closed: map[string]bool{}}
	s.c.register(fs)
	catalog := fs.String("catalog", "", "catalog CSV to publish (see centralsim -h for its columns); empty: none")
	pageSize := fs.Int("page-size", 1000, "items per catalog and stock page (central keeps pages under 2,000)")
	stock := fs.Int64("stock", 20, "on-hand count published for every item (kilograms for weighed items); -1: no stock pages")
	currency := fs.String("currency", "SEK", "settings: currency")
	rounding := fs.Int64("cash-rounding", 100, "settings: cash rounding step in minor units")
	langs := fs.String("languages", "sv,en", "settings: store languages")
	header := fs.String("header", "Demo Store", "settings: receipt header line")
	fs.BoolVar(&s.quiet, "quiet", false, "print one line per 1,000 events instead of every event")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var items []pos.Item
	if *catalog != "" {
		var err error
		if items, err = loadCatalog(*catalog); err != nil {
			return err
		}
		for _, it := range items {
			s.taxes[it.SKU], s.units[it.SKU] = int64(it.TaxRateBP), it.Unit
		}
	}
	if *pageSize < 1 || *pageSize > 2000 {
		return fmt.Errorf("-page-size must be 1..2000")
	}
	onConnect := func(cli mqtt.Client) {
		// The retained acks first: a serve started again goes on from
		// where the one before acknowledged each node.
		cli.Subscribe(s.c.topic("nodes/+/ack"), 1, s.onAck)
		cli.Subscribe(s.c.topic("nodes/+/events"), 1, s.onEvent)
		cli.Subscribe(s.c.topic("nodes/+/status"), 1, s.onStatus)
		cli.Subscribe(s.c.topic("nodes/+/rpc/request"), 1, s.onRequest)
		// An order id may hold '/', so its topic is more than one level.
		cli.Subscribe(s.c.topic("orders/#"), 1, s.onOrder)
		s.mu.Lock()
		for _, eps := range s.nodes {
			for _, st := range eps {
				st.changed = true // the broker may have lost the retained ack
			}
		}
		republish := s.republish
		s.mu.Unlock()
		if republish != nil {
			go func() {
				if err := republish(cli); err != nil {
					fmt.Fprintf(s.out, "state not published again: %v\n", err)
				}
			}()
		}
	}
	cli, err := s.c.connect(ctx, "serve", onConnect)
	if err != nil {
		return err
	}
	defer cli.Disconnect(250)
	settings := map[string]any{"currency": *currency, "prices_include_tax": true, "cash_rounding": *rounding,
		"languages": strings.Split(*langs, ","), "receipt_header": []string{*header}, "receipt_footer": []string{},
		"pickup_hold_days": 7}
	version := time.Now().Unix()
	if err := publishState(cli, &s.c, items, version, *pageSize, *stock, settings, out); err != nil {
		return err
	}
	s.mu.Lock()
	s.republish = func(cli mqtt.Client) error {
		if err := publishState(cli, &s.c, items, version, *pageSize, *stock, settings, io.Discard); err != nil {
			return err
		}
		s.mu.Lock()
		var open []string
		for id := range s.orders {
			if !s.closed[id] {
				open = append(open, id)
			}
		}
		s.mu.Unlock()
		for _, id := range open {
			s.mu.Lock()
			raw := s.orders[id]
			s.mu.Unlock()
			if err := publish(cli, s.c.topic("orders/"+id), true, raw); err != nil {
				return err
			}
		}
		fmt.Fprintf(s.out, "state published again (version %d) and %d open orders\n", version, len(open))
		return nil
	}
	s.mu.Unlock()
	fmt.Fprintf(out, "serving store %s on %s; Ctrl-C to stop\n", s.c.store, s.c.broker)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			s.ack(cli)
		}
	}
}

// nodeOf returns {node} of pos/v1/stores/{store}/nodes/{node}/...
func nodeOf(topic string) string {
	parts := strings.Split(topic, "/")
	if len(parts) >= 7 {
		return parts[5]
	}
	return "?"
}

func (s *server) onEvent(cli mqtt.Client, m mqtt.Message) {
	node := nodeOf(m.Topic())
	var ev struct {
		ID    string          `json:"id"`
		Type  string          `json:"type"`
		Time  string          `json:"time"`
		Epoch string          `json:"epoch"`
		Seq   int64           `json:"seq"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(m.Payload(), &ev); err != nil || ev.ID == "" || ev.Epoch == "" || ev.Seq < 1 {
		fmt.Fprintf(s.out, "%s: malformed event: %q\n", node, m.Payload())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, _ := s.stream(node, ev.Epoch)
	switch {
	case ev.Seq < st.next:
		if !s.quiet {
			fmt.Fprintf(s.out, "%s seq %d repeat (id %s)\n", node, ev.Seq, ev.ID)
		}
		return
	case ev.Seq > st.next:
		if !s.quiet {
			fmt.Fprintf(s.out, "%s seq %d early: waiting for seq %d to be sent again\n", node, ev.Seq, st.next)
		}
		return
	}
	st.next++
	st.changed = true
	s.last[node] = ev.Epoch
	if !s.quiet || ev.Seq%1000 == 0 {
		fmt.Fprintf(s.out, "%s seq %d %s %s %s\n", node, ev.Seq, ev.Time, ev.Type, summary(ev.Data))
	}
	var d struct {
		SaleID  string `json:"sale_id"`
		OrderID string `json:"order_id"`
	}
	json.Unmarshal(ev.Data, &d)
	switch ev.Type {
	case pos.EventSaleCompleted:
		if d.SaleID != "" {
			s.sales[d.SaleID] = ev.Data
		}
	case pos.EventPickupCollected, pos.EventPickupExpired, pos.EventPickupRejected:
		// Central is done with the order: clear its retained record.
		if d.OrderID != "" {
			go cli.Publish(s.c.topic("orders/"+d.OrderID), 1, true, []byte{})
			fmt.Fprintf(s.out, "order %s finished: retained record cleared\n", d.OrderID)
		}
	}
}

func summary(data json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	var parts []string
	for _, k := range []string{"receipt_no", "sale_id", "order_id", "customer_id", "sku", "delta", "total", "reason"} {
		if v, ok := m[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return strings.Join(parts, " ")
}

// ack publishes the retained ack of every node whose stream advanced.
func (s *server) ack(cli mqtt.Client) {
	if !cli.IsConnectionOpen() {
		return
	}
	s.mu.Lock()
	type ack struct {
		node string
		body []byte
	}
	var acks []ack
	for node, eps := range s.nodes {
		epoch := s.last[node]
		st := eps[epoch]
		if st == nil || !st.changed {
			continue
		}
		st.changed = false
		b, _ := json.Marshal(map[string]any{"epoch": epoch, "through": st.next - 1, "rejected": []any{}})
		acks = append(acks, ack{node, b})
	}
	s.mu.Unlock()
	for _, a := range acks {
		cli.Publish(s.c.topic("nodes/"+a.node+"/ack"), 1, true, a.body)
	}
}

// stream returns the events of node's epoch taken so far, created (to
// start at seq 1) if there were none. The caller holds mu.
func (s *server) stream(node, epoch string) (st *stream, created bool) {
	eps := s.nodes[node]
	if eps == nil {
		eps = map[string]*stream{}
		s.nodes[node] = eps
	}
	if st = eps[epoch]; st == nil {
		st, created = &stream{next: 1, ids: map[int64]string{}}, true
		eps[epoch] = st
	}
	return st, created
}

// onAck takes central's retained ack of a node, this serve's own or one
// a serve before it published: each event it covers counts as applied,
// so that the node's next send (which starts above it) is taken.
func (s *server) onAck(_ mqtt.Client, m mqtt.Message) {
	ack, err := syncqueue.ParseAck(m.Payload())
	if err != nil {
		return
	}
	node := nodeOf(m.Topic())
	s.mu.Lock()
	defer s.mu.Unlock()
	st, created := s.stream(node, ack.Epoch)
	if created && s.last[node] == "" {
		s.last[node] = ack.Epoch
	}
	if st.next <= ack.Through {
		st.next = ack.Through + 1
		fmt.Fprintf(s.out, "%s acknowledged through seq %d before: going on from seq %d\n", node, ack.Through, st.next)
	}
}

func (s *server) onStatus(_ mqtt.Client, m mqtt.Message) {
	fmt.Fprintf(s.out, "%s status %s\n", nodeOf(m.Topic()), m.Payload())
}

func (s *server) onOrder(_ mqtt.Client, m mqtt.Message) {
	id, ok := strings.CutPrefix(m.Topic(), s.c.topic("orders/"))
	if !ok || id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(m.Payload()) == 0 {
		// Central is done with the order, and keeps it: a return of an
		// online order comes after its collection.
		if _, ok := s.orders[id]; ok {
			s.closed[id] = true
		}
		return
	}
	delete(s.closed, id)
	s.orders[id] = append(json.RawMessage(nil), m.Payload()...)
}

// customers are central's loyalty profiles; customer.lookup finds one by
// id, phone or e-mail (or, for a demo, by name).
var customers = []struct {
	phone, email string
	profile      map[string]any
}{
	{"+40712345678", "ana.popescu@example.ro", map[string]any{"id": "C-88412", "name": "Ana Popescu", "language": "ro", "points": 1250,
		"recent": []any{map[string]any{"channel": "web", "at": "2026-11-20T18:02:00+02:00", "total": 129800, "order_id": "W-2026-000101"}}}},
	{"+46701234567", "erik.lind@example.se", map[string]any{"id": "C-10001", "name": "Erik Lind", "language": "sv", "points": 80, "recent": []any{}}},
	{"+886912345678", "meiling.chen@example.tw", map[string]any{"id": "C-20002", "name": "Mei-Ling Chen", "language": "zh-Hant", "points": 430, "recent": []any{}}},
}

func (s *server) onRequest(cli mqtt.Client, m mqtt.Message) {
	node := nodeOf(m.Topic())
	var req struct {
		ID     string            `json:"id"`
		Method string            `json:"method"`
		Params map[string]string `json:"params"`
	}
	if err := json.Unmarshal(m.Payload(), &req); err != nil || req.ID == "" {
		fmt.Fprintf(s.out, "%s: malformed request %q\n", node, m.Payload())
		return
	}
	var result any
	s.mu.Lock()
	switch req.Method {
	case "customer.lookup":
		q := strings.TrimSpace(req.Params["query"])
		for _, c := range customers {
			if c.profile["id"] == q || c.phone == q || strings.EqualFold(c.email, q) || strings.EqualFold(fmt.Sprint(c.profile["name"]), q) {
				result = c.profile
			}
		}
	case "order.lookup":
		if raw, ok := s.orders[req.Params["order_id"]]; ok {
			var o struct {
				Lines   []map[string]any `json:"lines"`
				Payment map[string]any   `json:"payment"`
			}
			if json.Unmarshal(raw, &o) == nil {
				for _, l := range o.Lines {
					rate, ok := s.taxes[fmt.Sprint(l["sku"])]
					if !ok {
						rate = 2500 // an item outside the catalog served
					}
					l["tax_rate_bp"] = rate
					if u, ok := s.units[fmt.Sprint(l["sku"])]; ok {
						l["unit"] = u
					}
				}
				result = map[string]any{"lines": o.Lines, "payment": o.Payment}
			}
		}
	case "sale.lookup":
		// Only the sales of the store served are known here.
		if raw, ok := s.sales[req.Params["sale_id"]]; ok && req.Params["store"] == s.c.store {
			var sale struct {
				Lines    json.RawMessage `json:"lines"`
				Payments json.RawMessage `json:"payments"`
			}
			if json.Unmarshal(raw, &sale) == nil {
				result = map[string]any{"lines": sale.Lines, "payments": sale.Payments}
			}
		}
	}
	s.mu.Unlock()
	resp := map[string]any{"id": req.ID}
	if result != nil {
		resp["result"] = result
	} else {
		resp["error"] = map[string]string{"code": "not_found", "message": req.Method + ": nothing found"}
	}
	b, _ := json.Marshal(resp)
	fmt.Fprintf(s.out, "%s asks %s %v: answered\n", node, req.Method, req.Params)
	go cli.Publish(s.c.topic("nodes/"+node+"/rpc/response"), 1, false, b)
}

// current returns the retained order, or nil when there is none.
func current(ctx context.Context, cli mqtt.Client, topic string) (map[string]any, error) {
	got := make(chan []byte, 1)
	t := cli.Subscribe(topic, 1, func(_ mqtt.Client, m mqtt.Message) {
		select {
		case got <- append([]byte(nil), m.Payload()...):
		default:
		}
	})
	if !t.WaitTimeout(5*time.Second) || t.Error() != nil {
		return nil, fmt.Errorf("subscribe %s: %v", topic, t.Error())
	}
	defer cli.Unsubscribe(topic)
	select {
	case b := <-got:
		if len(b) == 0 {
			return nil, nil
		}
		var o map[string]any
		if err := json.Unmarshal(b, &o); err != nil {
			return nil, fmt.Errorf("retained order on %s is not JSON: %v", topic, err)
		}
		return o, nil
	case <-time.After(time.Second): // no retained record
		return nil, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// orderLines builds an order's lines from -lines (sku:qty:unit_price, or
// sku:grams:price_per_kg:kg, comma-separated) and their total. A line is
// named as its item in items is, in lang, or by its SKU when items has no
// such item.
func orderLines(spec string, items []pos.Item, lang string) ([]map[string]any, int64, error) {
	names := make(map[string]string, len(items))
	for _, it := range items {
		names[it.SKU] = it.Name(lang)
	}
	var ls []map[string]any
	var total int64
	for i, l := range strings.Split(spec, ",") {
		f := strings.Split(strings.TrimSpace(l), ":")
		unit := pos.UnitEach
		if len(f) == 4 && f[3] == pos.UnitKg {
			unit, f = pos.UnitKg, f[:3]
		}
		if len(f) != 3 {
			return nil, 0, fmt.Errorf("line %q: want sku:qty:unit_price, or sku:grams:price_per_kg:kg", l)
		}
		qty, err1 := strconv.ParseInt(f[1], 10, 64)
		price, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || qty < 1 || price < 0 {
			return nil, 0, fmt.Errorf("line %q: qty and unit_price must be whole numbers (minor units)", l)
		}
		name := names[f[0]]
		if name == "" {
			name = f[0]
		}
		ls = append(ls, map[string]any{"line_id": strconv.Itoa(i + 1), "sku": f[0], "name": name, "qty": qty, "unit_price": price})
		total += pos.LineGross(unit, price, qty)
	}
	return ls, total, nil
}

func pickupCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

func orderCmd(ctx context.Context, cmd string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	var c common
	c.register(fs)
	id := fs.String("id", "", "order id (order: default W-<date>-<time>)")
	lines := fs.String("lines", "100234:1:49900", "order: lines as sku:qty:unit_price, comma-separated; a weighed item as sku:grams:price_per_kg:kg")
	name := fs.String("customer", "Ana Popescu", "order: customer name")
	cid := fs.String("customer-id", "C-88412", "order: customer id")
	phone := fs.String("phone", "+40712345678", "order: customer phone")
	lang := fs.String("lang", "ro", "order: customer language")
	pay := fs.String("pay", "paid", "order: payment status, paid or pay_at_pickup")
	currency := fs.String("currency", "SEK", "order: currency")
	hours := fs.Int("hours", 168, "order: hours the customer has to collect")
	code := fs.String("code", "", "order: pickup code (default: 6 random digits)")
	bay := fs.String("bay", "", "arrive: parking bay")
	note := fs.String("note", "", "arrive: note from the customer")
	catalog := fs.String("catalog", "", "order: catalog CSV whose names, in the customer's -lang, the lines carry (default: each line named by its SKU)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *id == "" {
		if cmd != "order" {
			return fmt.Errorf("%s needs -id", cmd)
		}
		*id = "W-" + time.Now().Format("20060102-150405")
	}
	cli, err := c.connect(ctx, cmd, nil)
	if err != nil {
		return err
	}
	defer cli.Disconnect(250)
	topic := c.topic("orders/" + *id)
	if cmd == "clear" {
		if err := publish(cli, topic, true, []byte{}); err != nil {
			return err
		}
		fmt.Fprintf(out, "order %s cleared\n", *id)
		return nil
	}
	o, err := current(ctx, cli, topic)
	if err != nil {
		return err
	}
	// A new record's version is the time, so that an order placed again
	// under an id used before (its record cleared) is newer than any the
	// node holds.
	version := time.Now().Unix()
	if o != nil {
		if v, ok := o["version"].(float64); ok {
			version = int64(v) + 1
		}
	}
	now := time.Now()
	switch cmd {
	case "order":
		var items []pos.Item
		if *catalog != "" {
			if items, err = loadCatalog(*catalog); err != nil {
				return err
			}
		}
		ls, total, err := orderLines(*lines, items, *lang)
		if err != nil {
			return err
		}
		if *code == "" {
			*code = pickupCode()
		}
		o = map[string]any{"order_id": *id, "status": "placed", "placed_at": now.Format(time.RFC3339),
			"collect_by":  now.Add(time.Duration(*hours) * time.Hour).Format(time.RFC3339),
			"customer":    map[string]any{"id": *cid, "name": *name, "phone": *phone, "language": *lang},
			"pickup_code": *code, "payment": map[string]any{"status": *pay, "amount": total, "currency": *currency},
			"lines": ls, "arrival": nil}
	case "arrive", "cancel":
		if o == nil {
			return fmt.Errorf("order %s has no retained record on %s", *id, c.broker)
		}
		if cmd == "arrive" {
			o["arrival"] = map[string]any{"at": now.Format(time.RFC3339), "bay": *bay, "note": *note}
		} else {
			o["status"] = "cancelled"
		}
	}
	o["version"] = version
	b, _ := json.Marshal(o)
	if err := publish(cli, topic, true, b); err != nil {
		return err
	}
	fmt.Fprintf(out, "order %s version %d published (%s)", *id, version, cmd)
	if cmd == "order" {
		fmt.Fprintf(out, "; pickup code %s, QR %s", o["pickup_code"], pos.PickupQR(*id, fmt.Sprint(o["pickup_code"])))
	}
	fmt.Fprintln(out)
	return nil
}
