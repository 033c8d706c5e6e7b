package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/syncqueue"
	"github.com/posnode/posnode/ui"
)

// node is the running posnode: every part, wired.
type node struct {
	cfg    Config
	log    *slog.Logger
	db     *sqlite.DB
	svc    *pos.Service
	pickup *pos.PickupService
	after  *pos.AfterSales
	web    *ui.Server
	// parts are the long-running parts, each Run(ctx) error.
	parts []func(ctx context.Context) error
	// wake is told about every commit that appended outbound events; the
	// sender waits on it. It exists before the database is opened.
	wake syncqueue.Wake
	// sync delivers events to central; nil while offline by configuration.
	sync *syncqueue.Client
	// stations by id, with their devices.
	stations map[string]*station
	// sales are completed sales waiting for their receipt to be queued,
	// in order, by printSales.
	sales chan *pos.Sale
	// clock watches the box's clock against the newest record.
	clock *clockWatch
	// receiptTag names this node and its database in receipt codes
	// (pos.ReceiptTag).
	receiptTag string
}

func newID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, cfg, err := subFlags("run", args, stderr, true)
	if err != nil {
		return err
	}
	release, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer release()
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	n, err := newNode(ctx, cfg, log, stdout)
	if err != nil {
		return err
	}
	defer n.db.Close()
	return n.run(ctx)
}

func newNode(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) (*node, error) {
	n := &node{cfg: cfg, log: log, sales: make(chan *pos.Sale, 1024), wake: syncqueue.NewWake()}
	db, err := openDB(ctx, cfg, sqlite.Options{NewID: newID, BackgroundCheckpoints: true, BeforeMigrate: backupBeforeMigrate(cfg, log), OnEvents: n.wake.OnEvents,
		OnCatalogIndexOff: func(err error) {
			log.Error("catalog index off until restart; scans are answered by SQLite", "err", err)
		},
		RenewEpoch: true,
		OnNewEpoch: func(old, epoch string, outstanding int64) {
			log.Warn("central had acknowledged more than this database holds (it was rolled back); began a new event epoch",
				"old_epoch", old, "epoch", epoch, "events_to_send_again", outstanding)
		}})
	if err != nil {
		return nil, err
	}
	n.db = db
	n.parts = append(n.parts, db.RunCheckpoints)
	market := cfg.scaleTable()
	switch changed, local, err := db.UseScaleTable(ctx, market.String()); {
	case err != nil:
		db.Close()
		return nil, err
	case changed && local > 0:
		log.Warn("the scale label layouts changed: the catalog is fetched from central again, and the local catalog file's items keep their old keys until it is imported again",
			"local_items_with_barcodes", local, "fix", "posnode import catalog FILE.csv --config FILE")
	case changed:
		log.Info("the scale label layouts changed: the catalog is fetched from central again")
	}
	if cfg.Demo {
		if err := seedDemo(ctx, db, market, out); err != nil {
			db.Close()
			return nil, err
		}
		printDemoStaff(ctx, db, out)
	}
	stations := map[string]ui.Station{}
	for _, s := range cfg.Stations {
		stations[s.ID] = ui.Station{ID: s.ID, Kind: s.Kind, Name: s.Name}
	}
	var hub *ui.Hub
	notify := func(c pos.Change) {
		if hub != nil {
			hub.Notify(c)
		}
		if c.Kind == "cart" || c.Kind == "sale" {
			n.showOnDisplay(c)
		}
		if r, ok := c.Value.(*pos.Return); ok && c.Kind == "return" {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			n.printReturn(ctx, r, false)
			cancel()
		}
		if tr, ok := c.Value.(*pos.TrainingReceipt); ok && c.Kind == "training" {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			n.printTraining(ctx, tr)
			cancel()
		}
		if s, ok := c.Value.(*pos.Sale); ok && c.Kind == "sale" {
			select {
			case n.sales <- s:
			default:
				n.log.Error("receipt queue full; reprint from the sale", "sale", s.ID, "receipt", s.ReceiptNo)
			}
		}
	}
	series, err := db.ReceiptSeries(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	n.receiptTag = pos.ReceiptTag(cfg.Store, cfg.Node, series)
	n.svc = pos.NewService(pos.Options{
		Store: db, Terminal: &simterminal.T{Delay: 300 * time.Millisecond, DeclineCents: 51},
		Policy: cfg.Policy, Market: market, NewID: newID, Notify: notify, ReceiptTag: n.receiptTag,
	})
	n.pickup = pos.NewPickupService(pos.PickupOptions{Store: db, Till: n.svc, Market: market, NewID: newID, Notify: notify})
	n.after = pos.NewAfterSales(pos.AfterSalesOptions{Till: n.svc, Store: db, Lookup: n.lookup(), Policy: cfg.Returns})
	if err := n.setupStations(); err != nil {
		db.Close()
		return nil, err
	}
	n.printMissedReceipts(ctx)
	if err := n.setupSync(); err != nil {
		db.Close()
		return nil, err
	}
	n.parts = append(n.parts, n.printSales, n.prunePrintJobs, n.erasePersonalData)
	static, err := webRoot()
	if err != nil {
		db.Close()
		return nil, err
	}
	n.web = ui.NewServer(ui.Options{
		Service: n.svc, Store: db, Sessions: db, Static: static, Stations: stations,
		Origins: cfg.Origins, IdleLock: idleLock(cfg.IdleLock.Duration), Logger: log, Status: n.status, Receipt: n.previewText, Zone: cfg.storeZone(),
		Pickup: n.pickup, PickupLog: func(ctx context.Context, id string) (any, error) { return db.PickupLog(ctx, id) },
		OnSlip: n.printSlip, AfterSales: n.after, Reports: db, OnDrawer: n.openDrawer, OnReport: n.printReport,
		OnCopy: n.printCopy, OnSalesReport: n.printSalesReport,
		VerifyJournal: func(ctx context.Context) (ui.JournalCheck, error) {
			c, err := db.VerifyJournal(ctx)
			return ui.JournalCheck(c), err
		},
	})
	n.web.RegisterError(sqlite.ErrDiskFull, "disk_full", http.StatusInsufficientStorage)
	hub = n.web.Hub()
	n.parts = append(n.parts, newBackups(db, cfg, log).Run)
	n.clock = &clockWatch{lastRecorded: db.LastRecorded, now: time.Now, synced: clockSynced, log: log, publish: hub.Publish}
	n.clock.check(ctx) // before the first screen asks
	n.parts = append(n.parts, n.clock.Run)
	return n, nil
}

// webRoot is the embedded web app, when the build has one.
func webRoot() (fs.FS, error) {
	return ui.App()
}

func (n *node) status() map[string]any {
	devices := map[string]any{}
	for id, st := range n.stations {
		devices[id] = st.deviceStates()
	}
	st := map[string]any{
		"store": n.cfg.Store, "node": n.cfg.Node, "epoch": n.db.Epoch(), "version": version,
		"sync": n.syncView(context.Background()), "devices": devices,
	}
	if c := n.clock.current(); c != nil {
		st["clock"] = c
	}
	return st
}

// printDemoStaff prints the staff numbers and PINs of the demo's staff
// who can sign in with them. Only those: seedDemo leaves a database with
// items alone, whose staff may not be the demo's (a catalog imported,
// then staff added) or may have been given PINs of their own, and a
// printed PIN that does not work, or one printed for nobody, misleads.
func printDemoStaff(ctx context.Context, db *sqlite.DB, out io.Writer) {
	left := demoSignIns(func(id string) (string, bool) {
		st, err := db.Staff(ctx, id)
		return st.PINHash, err == nil && st.Active
	})
	if len(left) == 0 {
		return
	}
	list := make([]string, len(left))
	for i, s := range left {
		list[i] = fmt.Sprintf("%s / %s %s", s.id, s.pin, s.role)
	}
	fmt.Fprintln(out, "demo staff (staff number / PIN): "+strings.Join(list, ", "))
}

// warnNoManager logs, at start, a node nobody can manage: without an
// active manager no one can sign in to add staff or pair a tablet, and
// the screens cannot say how to add the first one. The command it gives
// names the data directory, so that it works wherever it is typed; a new
// node without --demo has no staff at all, and whoever meant to try the
// demo is told how.
func (n *node) warnNoManager(ctx context.Context) {
	staff, err := n.db.ListStaff(ctx)
	if err != nil {
		n.log.Error("cannot list staff", "err", err)
		return
	}
	for _, s := range staff {
		if s.Active && s.Role == pos.RoleManager {
			return
		}
	}
	fix := "stop the node and add one: posnode staff add --data " + n.cfg.Data + " --id N --name NAME --role manager (the PIN is asked for)"
	if len(staff) == 0 && !n.cfg.Demo {
		fix += "; to try the node out instead, start it with --demo and a new --data directory, into which it seeds the demo's catalog and staff"
	}
	n.log.Warn("no active manager: nobody can sign in to add staff or pair a tablet", "fix", fix)
}

// printSales queues the receipt of each completed sale, in order.
func (n *node) printSales(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case s := <-n.sales:
			n.onSale(s)
		}
	}
}

func (n *node) run(ctx context.Context) error {
	ln, err := net.Listen("tcp", n.cfg.HTTP)
	if err != nil {
		return fmt.Errorf("listen %s: %w", n.cfg.HTTP, err)
	}
	scheme := "http"
	if n.cfg.TLS.Enabled {
		tc, err := serverTLS(n.cfg, n.log)
		if err != nil {
			ln.Close()
			return err
		}
		ln, scheme = tls.NewListener(ln, tc), "https"
	}
	n.log.Info("posnode started", "version", version, "http", scheme+"://"+ln.Addr().String(),
		"store", n.cfg.Store, "node", n.cfg.Node, "epoch", n.db.Epoch(), "mqtt", n.cfg.MQTT.URL != "")
	n.warnNoManager(ctx)
	ops := opsHandler(n.web, n.db, metricsSource{db: n.db, clients: n.web.Hub().Clients, devices: n.deviceConnected}, n.cfg.Metrics)
	srv := &http.Server{Handler: ops, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: httpReadTimeout, IdleTimeout: 2 * time.Minute}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n.web.Shutdown()
		return srv.Shutdown(sctx)
	})
	for _, p := range n.parts {
		g.Go(func() error { return p(ctx) })
	}
	err = g.Wait()
	n.log.Info("posnode stopped", "err", err)
	return err
}

// idleLock is the screens' idle lock for the configured one, of which 0s
// means none.
func idleLock(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// httpReadTimeout bounds how long a request, its body included, may take
// to arrive: a client sending a body a byte at a time, or not at all, is
// answered and cut off instead of holding a connection for ever. Requests
// are small (64 KiB at most); a websocket sets its own deadlines once
// upgraded.
const httpReadTimeout = 20 * time.Second
