package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/posnode/posnode/pos/sqlite"
)

// MetricsConfig protects the Prometheus endpoint /metrics.
//
// Every endpoint but the health checks needs authentication. /metrics has
// no staff session, so it takes a bearer token of its own; without one it
// answers only to clients on this machine (a local agent or an SSH tunnel).
type MetricsConfig struct {
	// Token, when set, must come as "Authorization: Bearer TOKEN", from
	// anywhere. Empty: only loopback clients (127.0.0.1, ::1) get metrics.
	Token string `toml:"token"`
}

// metricsSource is where the collector reads the node's state at each
// scrape, so that every value is current and nothing is counted twice.
// Nil funcs report nothing.
type metricsSource struct {
	db *sqlite.DB
	// clients is the number of connected screens (ui.Hub.Clients).
	clients func() int
	// devices tells, by device name, whether each real (not virtual)
	// device is connected now.
	devices func() map[string]bool
}

var (
	descSales = prometheus.NewDesc("posnode_sales_total",
		"Sales completed on this node since its database was created.", []string{"currency"}, nil)
	descSalesAmount = prometheus.NewDesc("posnode_sales_amount_minor_total",
		"Total of the sales completed on this node, in minor units (cents, öre).", []string{"currency"}, nil)
	descVoided = prometheus.NewDesc("posnode_sales_voided",
		"Completed sales that were voided afterwards.", nil, nil)
	descDepth = prometheus.NewDesc("posnode_outbox_depth",
		"Events recorded but not yet acknowledged by central.", nil, nil)
	descOldest = prometheus.NewDesc("posnode_outbox_oldest_unacked_age_seconds",
		"Age of the oldest event not yet acknowledged by central; 0 when none.", nil, nil)
	descLastSeq = prometheus.NewDesc("posnode_outbox_last_seq",
		"Sequence number of the newest event of the current epoch.", nil, nil)
	descAcked = prometheus.NewDesc("posnode_outbox_acked_through",
		"Central has applied every event up to this sequence number.", nil, nil)
	descRejected = prometheus.NewDesc("posnode_outbox_rejected",
		"Events central rejected, kept for a manager to look at.", nil, nil)
	descInbound = prometheus.NewDesc("posnode_inbound_rejects_total",
		"Payloads from central the node refused as invalid.", nil, nil)
	descClients = prometheus.NewDesc("posnode_websocket_clients",
		"Screens connected over the websocket.", nil, nil)
	descDevice = prometheus.NewDesc("posnode_device_connected",
		"1 when the serial device is open, 0 when it is missing or failing.", []string{"device"}, nil)
	descIndexReady = prometheus.NewDesc("posnode_catalog_index_ready",
		"1 while scans are answered from the catalog index in memory; 0 while it is built at the start, or after it turned itself off.", nil, nil)
	descIndexItems = prometheus.NewDesc("posnode_catalog_index_items",
		"Items held by the catalog index.", nil, nil)
	descIndexBytes = prometheus.NewDesc("posnode_catalog_index_bytes",
		"Memory the catalog index holds outside the Go heap.", nil, nil)
	descBuild = prometheus.NewDesc("posnode_build_info",
		"Version and commit of the running binary; always 1.", []string{"version", "commit"}, nil)
)

// collector reads every metric from metricsSource when scraped.
type collector struct {
	src metricsSource
	now func() time.Time
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	prometheus.DescribeByCollect(c, ch)
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descBuild, prometheus.GaugeValue, 1, version, commit)
	if c.src.clients != nil {
		ch <- prometheus.MustNewConstMetric(descClients, prometheus.GaugeValue, float64(c.src.clients()))
	}
	if c.src.devices != nil {
		for name, up := range c.src.devices() {
			v := 0.0
			if up {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(descDevice, prometheus.GaugeValue, v, name)
		}
	}
	if c.src.db == nil {
		return
	}
	ix := c.src.db.CatalogIndex()
	ready := 0.0
	if ix.Ready {
		ready = 1
	}
	ch <- prometheus.MustNewConstMetric(descIndexReady, prometheus.GaugeValue, ready)
	ch <- prometheus.MustNewConstMetric(descIndexItems, prometheus.GaugeValue, float64(ix.Items))
	ch <- prometheus.MustNewConstMetric(descIndexBytes, prometheus.GaugeValue, float64(ix.Bytes))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.collectSales(ctx, ch)
	st, err := c.src.db.OutboxStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descDepth, err)
	} else {
		age := 0.0
		if !st.OldestUnacked.IsZero() {
			age = max(c.now().Sub(st.OldestUnacked).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(descDepth, prometheus.GaugeValue, float64(st.Depth))
		ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, age)
		ch <- prometheus.MustNewConstMetric(descLastSeq, prometheus.GaugeValue, float64(st.LastSeq))
		ch <- prometheus.MustNewConstMetric(descAcked, prometheus.GaugeValue, float64(st.AckedThrough))
		ch <- prometheus.MustNewConstMetric(descRejected, prometheus.GaugeValue, float64(st.Rejected))
	}
	if n, err := c.src.db.InboundRejects(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(descInbound, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descInbound, prometheus.CounterValue, float64(n))
	}
}

func (c *collector) collectSales(ctx context.Context, ch chan<- prometheus.Metric) {
	rows, err := c.src.db.Read().QueryContext(ctx,
		"SELECT currency, count(*), coalesce(sum(total), 0), coalesce(sum(voided != 0), 0) FROM sales GROUP BY currency")
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descSales, err)
		return
	}
	defer rows.Close()
	var voided int64
	for rows.Next() {
		var cur string
		var n, amount, v int64
		if err := rows.Scan(&cur, &n, &amount, &v); err != nil {
			ch <- prometheus.NewInvalidMetric(descSales, err)
			return
		}
		voided += v
		ch <- prometheus.MustNewConstMetric(descSales, prometheus.CounterValue, float64(n), cur)
		ch <- prometheus.MustNewConstMetric(descSalesAmount, prometheus.CounterValue, float64(amount), cur)
	}
	if err := rows.Err(); err != nil {
		ch <- prometheus.NewInvalidMetric(descSales, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(descVoided, prometheus.GaugeValue, float64(voided))
}

// metricsHandler serves /metrics: the node's collector plus the Go runtime
// and process metrics, behind metricsAuth.
func metricsHandler(src metricsSource, cfg MetricsConfig) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(&collector{src: src, now: time.Now},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Timeout: 10 * time.Second})
	return metricsAuth(cfg.Token, h)
}

// metricsAuth lets a request through with the bearer token when one is
// configured, else only from a loopback address.
func metricsAuth(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="posnode metrics"`)
				http.Error(w, "metrics need the bearer token set in [metrics] token", http.StatusUnauthorized)
				return
			}
		} else if !fromLoopback(r) {
			http.Error(w, "metrics are served to this machine only; set [metrics] token to scrape from elsewhere", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readyz answers 200 when the node can serve a till: its database
// answers a query. Like /healthz it needs no authentication and tells
// nothing but ready or not.
func readyz(db *sqlite.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var n int
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM meta").Scan(&n); err != nil {
			http.Error(w, "not ready: database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ready\n"))
	}
}

// opsHandler puts the operations endpoints /readyz and /metrics in front
// of the UI and API.
func opsHandler(next http.Handler, db *sqlite.DB, src metricsSource, cfg MetricsConfig) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.Handle("GET /readyz", readyz(db))
	mux.Handle("GET /metrics", metricsHandler(src, cfg))
	return mux
}

// deviceConnected reads the stations' device states as the screens see
// them ("till-1 printer" -> connected). Every state carries "connected";
// virtual devices, always there, are left out.
func (n *node) deviceConnected() map[string]bool {
	out := map[string]bool{}
	for id, st := range n.stations {
		for kind, v := range st.deviceStates() {
			b, err := json.Marshal(v)
			if err != nil {
				continue
			}
			var s struct {
				Connected *bool `json:"connected"`
				Virtual   bool  `json:"virtual"`
			}
			if json.Unmarshal(b, &s) != nil || s.Connected == nil || s.Virtual {
				continue
			}
			out[id+" "+kind] = *s.Connected
		}
	}
	return out
}
