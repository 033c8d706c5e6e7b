package syncqueue

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/posnode/posnode/pos"
)

// inbound is one message for the state worker, a parse error found in
// paho's router (err set) to be recorded, or the outcome of a page handed
// to the page workers (done set).
type inbound struct {
	topic   string
	payload []byte
	err     error
	done    *pageDone
}

// pageJob is a page for the page workers to decode and apply.
type pageJob struct {
	f       *fetch
	id      string
	topic   string
	payload []byte
	want    int64 // the version the manifest named when it was handed over
}

// pageDone is what became of a pageJob.
type pageDone struct {
	pageJob
	version int64 // the version the page carried
	stale   bool  // older than want: central is still publishing it
	err     error
}

// enqueue hands a message to the state worker without blocking paho's
// router. The queue is bounded by what the node subscribes to: a few
// state topics, the open orders and at most PageFetch pages at a time.
func (c *Client) enqueue(m inbound) {
	c.mu.Lock()
	c.inq = append(c.inq, m)
	c.mu.Unlock()
	signal(c.inWake)
}

func (c *Client) resetInbound() {
	c.mu.Lock()
	c.inq = nil
	c.mu.Unlock()
}

func (c *Client) takeInbound() []inbound {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.inq
	c.inq = nil
	return q
}

// fetch tracks the pages of one kind that the manifest names in a version
// the node lacks.
type fetch struct {
	kind    string           // "catalog" or "stock"
	prefix  string           // topic prefix of its pages
	want    map[string]int64 // page -> version the manifest names
	retryAt map[string]time.Time
	// refused holds the version of each page refused as central sent it
	// (invalid): it is not fetched again at that version on this
	// connection, lest it be refused and counted over and over.
	refused map[string]int64
}

func newFetch(kind, prefix string) *fetch {
	return &fetch{kind: kind, prefix: prefix, want: map[string]int64{}, retryAt: map[string]time.Time{}, refused: map[string]int64{}}
}

type pageSub struct {
	f     *fetch
	page  string
	since time.Time
}

// stateWorker applies central's state for one connection. It owns its
// fields; only its goroutine touches them.
type stateWorker struct {
	c       *Client
	cli     mqtt.Client
	catalog *fetch
	stock   *fetch
	active  map[string]*pageSub // by topic
	jobs    chan pageJob        // pages for the page workers
}

// stateLoop applies settings, manifests and orders in the order they
// arrived, each in its own transaction, and fetches pages a bounded number
// at a time. Pages are decoded and applied by pageWorkers goroutines, so
// that one page is decoded while another is written by the single writer;
// their outcome comes back here. It runs beside the tills and never holds
// them up beyond the single writer's transactions.
func (c *Client) stateLoop(ctx context.Context, cli mqtt.Client) error {
	w := &stateWorker{
		c: c, cli: cli,
		catalog: newFetch("catalog", c.t.catalogPages),
		stock:   newFetch("stock", c.t.stockPages),
		active:  map[string]*pageSub{},
		jobs:    make(chan pageJob, c.opt.PageFetch),
	}
	var workers sync.WaitGroup
	defer workers.Wait()
	defer close(w.jobs)
	for range pageWorkers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			var sc pageScratch
			for j := range w.jobs {
				c.enqueue(inbound{topic: j.topic, done: c.applyPage(ctx, j, &sc)})
			}
		}()
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.inWake:
		case <-tick.C:
		}
		for _, m := range c.takeInbound() {
			if ctx.Err() != nil {
				return nil
			}
			if err := w.handle(ctx, m); err != nil {
				return err
			}
			if m.done != nil {
				// A page slot has freed: fetch the next page now, so
				// that it arrives while the ones queued are applied.
				if err := w.pump(ctx); err != nil {
					return err
				}
			}
		}
		if err := w.pump(ctx); err != nil {
			return err
		}
	}
}

// pageWorkers is how many pages are decoded and applied at once: two keep
// the single writer busy while the next page is decoded.
const pageWorkers = 2

// reject logs and counts a payload that does not follow the contract.
func (c *Client) reject(ctx context.Context, topic string, err error) {
	c.log.Warn("payload from central rejected", "topic", topic, "err", err)
	if rerr := c.opt.State.RecordInboundReject(ctx, topic, err.Error()); rerr != nil {
		c.log.Error("record rejected payload", "topic", topic, "err", rerr)
	}
	c.markDirty()
}

// handle applies one message. Invalid payloads are rejected and change
// nothing; an error is returned only when the database fails, which ends
// the connection so that everything is fetched again.
func (w *stateWorker) handle(ctx context.Context, m inbound) error {
	c := w.c
	if m.err != nil {
		c.reject(ctx, m.topic, m.err)
		return nil
	}
	var err error
	switch {
	case m.done != nil:
		err = w.pageDone(ctx, m.done)
	case m.topic == c.t.settings:
		err = w.settings(ctx, m)
	case m.topic == c.t.catalogMF:
		err = w.manifest(ctx, w.catalog, m)
	case m.topic == c.t.stockMF:
		err = w.manifest(ctx, w.stock, m)
	case strings.HasPrefix(m.topic, c.t.catalogPages):
		err = w.page(ctx, w.catalog, m)
	case strings.HasPrefix(m.topic, c.t.stockPages):
		err = w.page(ctx, w.stock, m)
	case strings.HasPrefix(m.topic, c.t.orders):
		err = w.order(ctx, m)
	default:
		return nil
	}
	if refusedAsSent(err) {
		c.reject(ctx, m.topic, err)
		return nil
	}
	return err
}

// refusedAsSent reports whether err refuses a payload as central sent it.
func refusedAsSent(err error) bool {
	return errors.Is(err, ErrInvalidPayload) || errors.Is(err, pos.ErrInvalidItem) || errors.Is(err, pos.ErrInvalidOrder)
}

func (w *stateWorker) settings(ctx context.Context, m inbound) error {
	if len(m.payload) == 0 {
		return nil // the node keeps the settings it has
	}
	s, err := ParseSettings(m.payload)
	if err != nil {
		return err
	}
	ok, err := w.c.opt.State.PutSettings(ctx, s)
	if err != nil {
		return fmt.Errorf("apply settings: %w", err)
	}
	if ok {
		w.c.log.Info("settings applied", "version", s.Version)
	}
	return nil
}

func (w *stateWorker) manifest(ctx context.Context, f *fetch, m inbound) error {
	if len(m.payload) == 0 {
		return nil
	}
	mf, err := ParseManifest(m.payload)
	if err != nil {
		return err
	}
	applied, held, err := w.c.opt.State.ApplyManifest(ctx, f.kind, mf.Version, mf.Pages)
	if err != nil {
		return fmt.Errorf("apply %s manifest: %w", f.kind, err)
	}
	if !applied {
		w.c.log.Info("older manifest ignored", "kind", f.kind, "version", mf.Version)
		return nil
	}
	f.want = map[string]int64{}
	for p, v := range mf.Pages {
		if v > held[p] && v > f.refused[p] {
			f.want[p] = v
		}
	}
	// Drop fetches of pages that are no longer wanted.
	for topic, s := range w.active {
		if s.f == f {
			if _, ok := f.want[s.page]; !ok {
				w.unsubscribe(ctx, topic)
			}
		}
	}
	w.c.log.Info("manifest applied", "kind", f.kind, "version", mf.Version, "pages", len(mf.Pages), "to_fetch", len(f.want))
	return nil
}

// page hands a wanted page to the page workers; its subscription stays
// active, holding its fetch slot, until pageDone.
func (w *stateWorker) page(ctx context.Context, f *fetch, m inbound) error {
	id := strings.TrimPrefix(m.topic, f.prefix)
	want, wanted := f.want[id]
	if !wanted || len(m.payload) == 0 {
		if w.active[m.topic] != nil {
			w.unsubscribe(ctx, m.topic)
		}
		return nil
	}
	select {
	case w.jobs <- pageJob{f: f, id: id, topic: m.topic, payload: m.payload, want: want}:
		return nil
	case <-ctx.Done():
		return nil
	}
}

// applyPage decodes and applies one page on a page worker.
func (c *Client) applyPage(ctx context.Context, j pageJob, sc *pageScratch) *pageDone {
	d := &pageDone{pageJob: j}
	d.payload = nil // applied: not kept in the queue
	var apply func() (bool, error)
	if j.f.kind == "catalog" {
		p, err := parseOwnedCatalogPage(j.payload, j.id, sc)
		if err != nil {
			d.err = err
			return d
		}
		d.version = p.Version
		apply = func() (bool, error) { return c.opt.State.ApplyCatalogPage(ctx, p, c.opt.Market) }
	} else {
		p, err := ParseStockPage(j.payload, j.id, c.opt.Node)
		if err != nil {
			d.err = err
			return d
		}
		d.version = p.Version
		apply = func() (bool, error) { return c.opt.State.ApplyStockPage(ctx, p) }
	}
	if d.version < j.want {
		d.stale = true
		return d
	}
	if _, err := apply(); err != nil {
		if errors.Is(err, pos.ErrInvalidItem) {
			d.err = err
		} else {
			d.err = fmt.Errorf("apply %s page %s: %w", j.f.kind, j.id, err)
		}
	}
	return d
}

// pageDone takes the outcome of a page: an invalid or stale page is
// fetched again later; an applied one is no longer wanted unless the
// manifest has named a newer version meanwhile.
func (w *stateWorker) pageDone(ctx context.Context, d *pageDone) error {
	f := d.f
	switch {
	case d.err != nil && refusedAsSent(d.err):
		// Not fetched again until a manifest names a newer version,
		// or the next connection.
		f.refused[d.id] = d.want
		delete(f.want, d.id)
		delete(f.retryAt, d.id)
		if w.active[d.topic] != nil {
			w.unsubscribe(ctx, d.topic)
		}
		return d.err
	case d.err != nil:
		w.retryLater(ctx, f, d.topic, d.id)
		return d.err
	case d.stale:
		w.retryLater(ctx, f, d.topic, d.id)
		return nil
	}
	if v, ok := f.want[d.id]; ok && v <= d.version {
		delete(f.want, d.id)
		delete(f.retryAt, d.id)
	}
	if _, still := f.want[d.id]; !still && w.active[d.topic] != nil {
		w.unsubscribe(ctx, d.topic)
	}
	w.c.log.Debug("page applied", "kind", f.kind, "page", d.id, "version", d.version)
	return nil
}

// retryLater stops fetching a page for PageRetry.
func (w *stateWorker) retryLater(ctx context.Context, f *fetch, topic, id string) {
	f.retryAt[id] = w.c.opt.Now().Add(w.c.opt.PageRetry)
	if w.active[topic] != nil {
		w.unsubscribe(ctx, topic)
	}
}

func (w *stateWorker) unsubscribe(ctx context.Context, topic string) {
	delete(w.active, topic)
	if err := wait(ctx, w.cli.Unsubscribe(topic), 10*time.Second); err != nil && ctx.Err() == nil {
		w.c.log.Warn("unsubscribe page", "topic", topic, "err", err)
	}
}

// pump keeps up to PageFetch page subscriptions open: pages that gave no
// answer within PageRetry are put back, and wanted pages are subscribed,
// lowest page id first.
func (w *stateWorker) pump(ctx context.Context) error {
	now := w.c.opt.Now()
	for topic, s := range w.active {
		if now.Sub(s.since) >= 3*w.c.opt.PageRetry {
			w.c.log.Warn("page did not arrive; trying later", "topic", topic)
			w.retryLater(ctx, s.f, topic, s.page)
		}
	}
	for _, f := range []*fetch{w.catalog, w.stock} {
		if len(w.active) >= w.c.opt.PageFetch {
			return nil
		}
		pages := make([]string, 0, len(f.want))
		for p := range f.want {
			if _, busy := w.active[f.prefix+p]; !busy && !now.Before(f.retryAt[p]) {
				pages = append(pages, p)
			}
		}
		sort.Strings(pages)
		for _, p := range pages {
			if len(w.active) >= w.c.opt.PageFetch {
				return nil
			}
			topic := f.prefix + p
			w.active[topic] = &pageSub{f: f, page: p, since: now}
			if err := wait(ctx, w.cli.Subscribe(topic, 1, w.c.onMessage), 10*time.Second); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("subscribe %s: %w", topic, err)
			}
		}
	}
	return nil
}

func (w *stateWorker) order(ctx context.Context, m inbound) error {
	id := strings.TrimPrefix(m.topic, w.c.t.orders)
	sink := w.c.opt.Orders
	if sink == nil {
		return nil
	}
	if !pos.ValidOrderID(id) {
		return invalid("the topic names no order id of 1-64 characters of A-Z a-z 0-9 . _ - / (not . or ..)")
	}
	if len(m.payload) == 0 {
		if err := sink.CloseOrder(ctx, id); err != nil {
			return fmt.Errorf("close order %s: %w", id, err)
		}
		w.c.log.Info("order closed by central", "order_id", id)
		return nil
	}
	o, err := ParseOrder(m.payload, id)
	if err != nil {
		return err
	}
	if err := sink.ApplyOrder(ctx, m.payload, o); err != nil {
		if errors.Is(err, pos.ErrInvalidOrder) {
			return err
		}
		return fmt.Errorf("apply order %s: %w", id, err)
	}
	return nil
}
