package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/syncqueue"
	"github.com/posnode/posnode/ui"
)

// setupSync connects the node to central when a broker is configured: the
// outbox is delivered, central's state applied, orders handed to the
// pickup desk, and lookups asked over rpc. Without a broker the node works
// offline and every lookup answers offline at once.
func (n *node) setupSync() error {
	if n.cfg.MQTT.URL == "" {
		return nil
	}
	c, err := syncqueue.New(syncqueue.Options{
		Broker: n.cfg.MQTT.URL, Store: n.cfg.Store, Node: n.cfg.Node,
		Username: n.cfg.MQTT.Username, Password: n.cfg.MQTT.Password,
		CAFile: n.cfg.MQTT.CAFile, CertFile: n.cfg.MQTT.CertFile, KeyFile: n.cfg.MQTT.KeyFile,
		Outbox: n.db, State: centralState{n.db, n.stockChanged}, Orders: n.pickup, Wake: n.wake, Market: n.cfg.scaleTable(),
		Window: n.cfg.Sync.Window, ResendAfter: n.cfg.Sync.ResendAfter.Duration, Retention: n.cfg.Sync.Retention.Duration,
		BackoffMax: n.cfg.Sync.BackoffMax.Duration, KeepAlive: n.cfg.Sync.KeepAlive.Duration,
		Version: version, Logger: n.log,
		OnStatus: func(s syncqueue.Status) {
			if n.web != nil {
				n.web.Hub().Publish(ui.Message{Type: "sync", Data: newSyncView(true, s)})
			}
		},
	})
	if err != nil {
		return fmt.Errorf("mqtt: %w", err)
	}
	n.sync = c
	n.parts = append(n.parts, c.Run)
	return nil
}

// centralState is the database taking central's state, telling the
// screens of every stock page applied, and of the counts a stock manifest
// drops with its pages, so that an open tablet shows central's counts at
// once rather than at its next search.
type centralState struct {
	*sqlite.DB
	stockChanged func(skus []string)
}

func (s centralState) ApplyStockPage(ctx context.Context, p pos.StockPage) (bool, error) {
	applied, dropped, err := s.DB.ApplyStockPageDropping(ctx, p)
	if applied && err == nil {
		skus := make([]string, len(p.Items), len(p.Items)+len(dropped))
		for i, c := range p.Items {
			skus[i] = c.SKU
		}
		s.stockChanged(append(skus, dropped...))
	}
	return applied, err
}

func (s centralState) ApplyManifest(ctx context.Context, kind string, version int64, pages map[string]int64) (bool, map[string]int64, error) {
	applied, held, dropped, err := s.DB.ApplyManifestDropping(ctx, kind, version, pages)
	// Pages are removed one by one: those removed before an error are told too.
	if applied && len(dropped) > 0 {
		s.stockChanged(dropped)
	}
	return applied, held, err
}

// stockChanged tells the screens, once they are served, that central
// changed the stock of skus.
func (n *node) stockChanged(skus []string) {
	if n.web != nil {
		n.web.Hub().StockChanged(skus)
	}
}

// syncView is the sync status as screens show it, the same in the status
// every screen loads and in each "sync" message pushed to it: whether a
// broker is configured, online, degraded (connected but holding its
// events, see syncqueue.Status.Held) or offline, and the queue, acks and
// rejects of syncqueue.Status beside them.
type syncView struct {
	Configured bool   `json:"configured"`
	State      string `json:"state"` // "online", "degraded" or "offline"
	syncqueue.Status
}

func newSyncView(configured bool, s syncqueue.Status) syncView {
	v := syncView{Configured: configured, State: "offline", Status: s}
	switch {
	case s.Connected && s.Held:
		v.State = "degraded" // connected, but holding its events
	case s.Connected:
		v.State = "online"
	}
	return v
}

// syncView returns the sync status now.
func (n *node) syncView(ctx context.Context) syncView {
	if n.sync != nil {
		return newSyncView(true, n.sync.Status())
	}
	// Offline by configuration: the queue still grows and is shown.
	var s syncqueue.Status
	st, err := n.db.OutboxStats(ctx)
	if err != nil {
		s.LastError = err.Error()
		return newSyncView(false, s)
	}
	rejects, err := n.db.InboundRejects(ctx)
	if err != nil {
		s.LastError = err.Error()
	}
	s.Fill(st, rejects, time.Now())
	return newSyncView(false, s)
}

// lookup is how after-sales asks central about sales of other stores,
// online orders and customers.
func (n *node) lookup() pos.Lookup { return centralLookup{n: n} }

// centralLookup adapts the rpc client to the domain's Lookup. It reads
// n.sync at each call, so the node can be built before the client.
type centralLookup struct{ n *node }

var _ pos.Lookup = centralLookup{}

func lookupErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syncqueue.ErrOffline), errors.Is(err, syncqueue.ErrTimeout):
		return fmt.Errorf("%w: %v", pos.ErrOffline, err)
	case errors.Is(err, syncqueue.ErrNotFound):
		return fmt.Errorf("%w: %v", pos.ErrNotFound, err)
	}
	return err
}

func (l centralLookup) client() (*syncqueue.Client, error) {
	if l.n.sync == nil {
		return nil, fmt.Errorf("%w: no broker is configured", pos.ErrOffline)
	}
	return l.n.sync, nil
}

func (l centralLookup) OrderLookup(ctx context.Context, orderID string) (pos.OrderRecord, error) {
	c, err := l.client()
	if err != nil {
		return pos.OrderRecord{}, err
	}
	d, err := c.OrderLookup(ctx, orderID)
	if err != nil {
		return pos.OrderRecord{}, lookupErr(err)
	}
	r := pos.OrderRecord{OrderID: orderID, Payment: d.Payment, Lines: make([]pos.OrderRecordLine, len(d.Lines))}
	for i, l := range d.Lines {
		r.Lines[i] = pos.OrderRecordLine{LineID: l.LineID, SKU: l.SKU, Qty: l.Qty, Unit: l.Unit, UnitPrice: l.UnitPrice, TaxRateBP: l.TaxRateBP}
	}
	return r, nil
}

func (l centralLookup) SaleLookup(ctx context.Context, store, saleID string) (pos.SaleRecord, error) {
	c, err := l.client()
	if err != nil {
		return pos.SaleRecord{}, err
	}
	d, err := c.SaleLookup(ctx, store, saleID)
	if err != nil {
		return pos.SaleRecord{}, lookupErr(err)
	}
	r := pos.SaleRecord{SaleID: saleID, Store: store, Lines: make([]pos.SaleLineData, len(d.Lines)),
		Payments: make([]pos.PaymentData, len(d.Payments))}
	for i, l := range d.Lines {
		// A remote line with no unit is pieces (a weighed one says kg,
		// its qty in grams); with no amount it costs unit price ×
		// quantity (the domain subtracts any discount).
		unit := l.Unit
		if unit == "" {
			unit = pos.UnitEach
		}
		r.Lines[i] = pos.SaleLineData{SKU: l.SKU, Qty: l.Qty, Unit: unit, UnitPrice: l.UnitPrice,
			Discount: l.Discount, TaxRateBP: l.TaxRateBP, Amount: l.Amount}
	}
	for i, p := range d.Payments {
		r.Payments[i] = pos.PaymentData{Method: p.Method, Amount: p.Amount}
	}
	return r, nil
}

func (l centralLookup) CustomerLookup(ctx context.Context, query string) (pos.Customer, error) {
	c, err := l.client()
	if err != nil {
		return pos.Customer{}, err
	}
	d, err := c.CustomerLookup(ctx, query)
	if err != nil {
		return pos.Customer{}, lookupErr(err)
	}
	r := pos.Customer{ID: d.ID, Name: d.Name, Language: d.Language, Points: d.Points, Recent: make([]pos.CustomerRecent, len(d.Recent))}
	for i, a := range d.Recent {
		r.Recent[i] = pos.CustomerRecent{Channel: a.Channel, At: a.At, Total: a.Total, OrderID: a.OrderID, SaleID: a.SaleID}
	}
	return r, nil
}
