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

// inbound is one message for the state worker, or a parse error found in
// paho's router (err set) to be recorded.
type inbound struct {
	topic   string
	payload []byte
	err     error
	parsed  chan parsedPage // set for pages parsed ahead of their turn
}

// parsedPage is a page decoded by a parser goroutine while the worker
// applies the pages before it.
type parsedPage struct {
	catalog pos.CatalogPage
	stock   pos.StockPage
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
}

// stateLoop applies settings, manifests, pages and orders in the order
// they arrived, each in its own transaction, and fetches pages a bounded
// number at a time. It runs beside the tills and never holds them up
// beyond the single writer's transactions.
func (c *Client) stateLoop(ctx context.Context, cli mqtt.Client) error {
	w := &stateWorker{
		c: c, cli: cli,
		catalog: &fetch{kind: "catalog", prefix: c.t.catalogPages, want: map[string]int64{}, retryAt: map[string]time.Time{}},
		stock:   &fetch{kind: "stock", prefix: c.t.stockPages, want: map[string]int64{}, retryAt: map[string]time.Time{}},
		active:  map[string]*pageSub{},
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var parsers sync.WaitGroup
	defer parsers.Wait()
	parseSlot := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.inWake:
		case <-tick.C:
		}
		batch := c.takeInbound()
		// Pages are decoded in parallel with the transactions of the
		// pages before them; at most PageFetch pages are in flight.
		for i := range batch {
			if m := &batch[i]; m.err == nil && len(m.payload) > 0 {
				var kind string
				switch {
				case strings.HasPrefix(m.topic, c.t.catalogPages):
					kind = "catalog"
				case strings.HasPrefix(m.topic, c.t.stockPages):
					kind = "stock"
				default:
					continue
				}
				m.parsed = make(chan parsedPage, 1)
				parsers.Add(1)
				go func() {
					defer parsers.Done()
					// One decoder at a time beside the writer: the tills'
					// lookups keep a core.
					parseSlot <- struct{}{}
					defer func() { <-parseSlot }()
					m.parsed <- c.parsePage(kind, m.topic, m.payload)
				}()
			}
		}
		for _, m := range batch {
			if ctx.Err() != nil {
				return nil
			}
			if err := w.handle(ctx, m); err != nil {
				return err
			}
			if m.parsed != nil {
				// A page slot may have freed: fetch the next page now, so
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
	if errors.Is(err, ErrInvalidPayload) || errors.Is(err, pos.ErrInvalidItem) || errors.Is(err, pos.ErrInvalidOrder) {
		c.reject(ctx, m.topic, err)
		return nil
	}
	return err
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
		if v > held[p] {
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

func (w *stateWorker) page(ctx context.Context, f *fetch, m inbound) error {
	id := strings.TrimPrefix(m.topic, f.prefix)
	want, wanted := f.want[id]
	defer func() {
		if s := w.active[m.topic]; s != nil {
			if _, still := f.want[id]; !still {
				w.unsubscribe(ctx, m.topic)
			}
		}
	}()
	if !wanted || len(m.payload) == 0 {
		return nil
	}
	var pp parsedPage
	if m.parsed != nil {
		pp = <-m.parsed
	} else {
		pp = w.c.parsePage(f.kind, m.topic, m.payload)
	}
	if pp.err != nil {
		w.retryLater(ctx, f, m.topic, id)
		return pp.err
	}
	var version int64
	var apply func() (bool, error)
	switch f.kind {
	case "catalog":
		version = pp.catalog.Version
		apply = func() (bool, error) { return w.c.opt.State.ApplyCatalogPage(ctx, pp.catalog, w.c.opt.Market) }
	default:
		version = pp.stock.Version
		apply = func() (bool, error) { return w.c.opt.State.ApplyStockPage(ctx, pp.stock) }
	}
	if version < want {
		// Older than its manifest entry: central is still publishing it.
		w.retryLater(ctx, f, m.topic, id)
		return nil
	}
	if _, err := apply(); err != nil {
		if errors.Is(err, pos.ErrInvalidItem) {
			w.retryLater(ctx, f, m.topic, id)
			return err
		}
		return fmt.Errorf("apply %s page %s: %w", f.kind, id, err)
	}
	delete(f.want, id)
	delete(f.retryAt, id)
	w.c.log.Debug("page applied", "kind", f.kind, "page", id, "version", version)
	return nil
}

func (c *Client) parsePage(kind, topic string, payload []byte) parsedPage {
	var pp parsedPage
	if kind == "catalog" {
		pp.catalog, pp.err = ParseCatalogPage(payload, strings.TrimPrefix(topic, c.t.catalogPages))
	} else {
		pp.stock, pp.err = ParseStockPage(payload, strings.TrimPrefix(topic, c.t.stockPages), c.opt.Node)
	}
	return pp
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
