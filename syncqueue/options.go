package syncqueue

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/posnode/posnode/pos"
)

// Errors of the package.
var (
	// ErrConfig reports options that cannot work; the message names the
	// option. It is permanent: fix the configuration.
	ErrConfig = errors.New("syncqueue: invalid configuration")
	// ErrOffline is returned at once by Call when the node is not connected
	// to the broker. Staff should be offered the offline path.
	ErrOffline = errors.New("syncqueue: central is not reachable (offline)")
	// ErrTimeout is returned by Call when central did not answer in time.
	// It is transient.
	ErrTimeout = errors.New("syncqueue: central did not answer in time")
	// ErrNotFound matches an RPCError whose code is "not_found".
	ErrNotFound = errors.New("syncqueue: central does not know it")
)

// Outbox is the node's durable queue of outbound events (*sqlite.DB).
type Outbox interface {
	// Epoch is the epoch of every event in the outbox.
	Epoch() string
	// EventsAfter returns up to limit events with seq above after, in
	// seq order.
	EventsAfter(ctx context.Context, after int64, limit int) ([]pos.Event, error)
	// Ack records central's ack and returns the acknowledged point after
	// it; ok is false when the ack was for another epoch.
	Ack(ctx context.Context, epoch string, through int64, rejected []pos.Rejection) (ackedThrough int64, ok bool, err error)
	// OutboxStats describes the queue.
	OutboxStats(ctx context.Context) (pos.OutboxStats, error)
	// PruneAcked deletes events acknowledged before cutoff, never others.
	PruneAcked(ctx context.Context, cutoff time.Time) (int64, error)
	// RenewEpoch begins a new epoch once Ack has found central ahead
	// (pos.AheadError), numbering the outstanding events again from 1; it
	// returns empty epochs when there was nothing to begin. The client
	// calls it between sessions, when no event is being sent, and follows
	// Epoch afterwards even if it failed.
	RenewEpoch(ctx context.Context) (old, epoch string, outstanding int64, err error)
}

// State takes central's retained state (*sqlite.DB). Every Apply is one
// transaction and applies only versions newer than the one held.
type State interface {
	PutSettings(ctx context.Context, s pos.Settings) (bool, error)
	// ApplyManifest records a manifest of kind "catalog" or "stock" unless
	// a newer one is held, drops pages it no longer names, and returns the
	// page versions held.
	ApplyManifest(ctx context.Context, kind string, version int64, pages map[string]int64) (bool, map[string]int64, error)
	ApplyCatalogPage(ctx context.Context, p pos.CatalogPage, vm pos.VariableMeasure) (bool, error)
	ApplyStockPage(ctx context.Context, p pos.StockPage) (bool, error)
	// RecordInboundReject logs and counts a refused payload.
	RecordInboundReject(ctx context.Context, topic, reason string) error
	// InboundRejects is the count of refused payloads.
	InboundRejects(ctx context.Context) (int64, error)
}

// OrderSink takes click-and-collect orders from central. ApplyOrder gets
// every valid order payload (raw as received, and parsed) and must ignore
// a version not newer than the one it holds; CloseOrder is called when
// central cleared the order's retained record. Both run on the inbound
// path, which waits for them: they must not wait long for anything else
// (a payment at a till's terminal, say). *sqlite.OrderRecords is a plain
// implementation; the pickup desk provides a full one.
type OrderSink interface {
	ApplyOrder(ctx context.Context, raw []byte, o pos.Order) error
	CloseOrder(ctx context.Context, id string) error
}

// The window of events in flight (Options.Window): far below MQTT's
// 65,535 packet ids, and pipelined, never one per round trip.
const (
	DefaultWindow = 256
	MaxWindow     = 10_000
)

// Options configure a Client. Broker, Store, Node, Outbox and State are
// required; every other zero value has the default documented on it.
type Options struct {
	// Broker is the broker's URL: tcp://host:1883, ssl://host:8883,
	// ws://host/path or wss://host/path.
	Broker string
	// Store and Node are this node's ids in the contract's topics: 1-64
	// characters of A-Z a-z 0-9 _ -. The client id is pos-{Store}-{Node}.
	Store, Node string
	// Username and Password, when Username is set, authenticate to the
	// broker.
	Username, Password string
	// CAFile is a PEM file of the CAs trusted for ssl:// and wss://; empty
	// means the system's roots.
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and its key, both
	// or neither.
	CertFile, KeyFile string
	// TLSServerName overrides the name checked in the broker's certificate;
	// empty means the URL's host.
	TLSServerName string

	// Outbox is the event queue to deliver.
	Outbox Outbox
	// State takes settings, catalog and stock.
	State State
	// Orders takes click-and-collect orders; nil means the node does not
	// subscribe to orders.
	Orders OrderSink
	// Wake, when set, is the signal the database's OnEvents hook sends on
	// (see Wake); nil means New makes one and only Notify wakes the client.
	Wake Wake
	// Market is how barcodes of the catalog are normalised; the zero value
	// means pos.Sweden.
	Market pos.VariableMeasure

	// Window is how many events may be published and not yet
	// acknowledged by the broker (PUBACK) at once; zero means
	// DefaultWindow, and at most MaxWindow are.
	Window int
	// ResendAfter: when central's ack has not advanced for this long while
	// events are outstanding, everything above the ack is sent again.
	// Zero means 30 s.
	ResendAfter time.Duration
	// BackoffMin and BackoffMax bound the wait between connection attempts,
	// which doubles from BackoffMin with random jitter, and starts from
	// BackoffMin again after a session that stayed up for BackoffMax.
	// Zero means 1 s and 1 min.
	BackoffMin, BackoffMax time.Duration
	// Retention is how long acknowledged events are kept before pruning;
	// zero means 7 days. Unacknowledged and rejected events are never
	// pruned.
	Retention time.Duration
	// PageFetch is how many catalog or stock pages are fetched at once;
	// zero means 8.
	PageFetch int
	// PageRetry is how long a page that could not be fetched or was older
	// than its manifest waits before it is fetched again; zero means 10 s.
	PageRetry time.Duration
	// RPCTimeout bounds Call; zero means 3 s as the contract says.
	RPCTimeout time.Duration
	// StatusEvery is how often the retained status is published while
	// connected; zero means 1 min. Changes are published in between, at
	// most once per StatusMinGap (zero means 5 s).
	StatusEvery, StatusMinGap time.Duration
	// ConnectTimeout bounds one connection attempt; zero means 10 s.
	ConnectTimeout time.Duration
	// KeepAlive is the MQTT keep-alive, 1 s to 65,535 s (whole seconds
	// are sent); zero means 30 s.
	KeepAlive time.Duration
	// Version is the software version put in the status; empty means "dev".
	Version string
	// OnStatus, when set, is called with the new Status whenever it
	// changes. It must not block.
	OnStatus func(Status)
	// Logger receives the client's log; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (o *Options) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	o.Window = min(o.Window, MaxWindow)
	if o.PageFetch <= 0 {
		o.PageFetch = 8
	}
	def(&o.ResendAfter, 30*time.Second)
	def(&o.BackoffMin, time.Second)
	def(&o.BackoffMax, time.Minute)
	if o.BackoffMax < o.BackoffMin {
		o.BackoffMax = o.BackoffMin
	}
	def(&o.Retention, 7*24*time.Hour)
	def(&o.PageRetry, 10*time.Second)
	def(&o.RPCTimeout, 3*time.Second)
	def(&o.StatusEvery, time.Minute)
	def(&o.StatusMinGap, 5*time.Second)
	def(&o.ConnectTimeout, 10*time.Second)
	def(&o.KeepAlive, 30*time.Second)
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.Market.Layouts == nil {
		o.Market = pos.Sweden
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func (o *Options) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, a...))
	}
	if !idPattern.MatchString(o.Store) {
		return bad("store id %q must be 1-64 characters of A-Z a-z 0-9 _ -", o.Store)
	}
	if !idPattern.MatchString(o.Node) {
		return bad("node id %q must be 1-64 characters of A-Z a-z 0-9 _ -", o.Node)
	}
	if err := CheckBroker(o.Broker); err != nil {
		return bad("%v", err)
	}
	if o.KeepAlive < time.Second || o.KeepAlive > 65535*time.Second {
		// paho sends whole seconds: under one second is 0, which turns
		// the keep-alive off, and the field holds at most 65,535.
		return bad("keep-alive %v must be 1s to 65535s", o.KeepAlive)
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return bad("a client certificate needs both CertFile and KeyFile")
	}
	if o.Outbox == nil || o.State == nil {
		return bad("Outbox and State are required")
	}
	return nil
}

// CheckBroker checks a broker URL as New does: a tcp, ssl, ws or wss URL
// with a host, and a user name and password, if any, whose '/', '?', '#'
// and '@' are percent-encoded. The error shows the URL redacted.
func CheckBroker(broker string) error {
	// A '/', '?' or '#' in a password ends the host part early: the URL
	// would name another host than the one shown, and a dial error would
	// quote part of the password.
	if _, rest, _ := strings.Cut(broker, "://"); strings.Contains(rest, "@") {
		if userinfo := rest[:strings.LastIndex(rest, "@")]; strings.ContainsAny(userinfo, "/?#@") {
			return fmt.Errorf("broker %q: a user name or password must percent-encode '/', '?', '#' and '@' (as %%2F, %%3F, %%23, %%40)", RedactBroker(broker))
		}
	}
	u, err := url.Parse(broker)
	if err != nil || u.Host == "" {
		return fmt.Errorf("broker %q must be a URL such as tcp://host:1883", RedactBroker(broker))
	}
	switch u.Scheme {
	case "tcp", "ssl":
		// The client dials host:port as it is: without a port it never
		// connects (ws and wss take the web's own ports).
		if u.Port() == "" {
			return fmt.Errorf("broker %q needs a port, such as %s://%s:%s", RedactBroker(broker), u.Scheme, u.Hostname(), map[string]string{"tcp": "1883", "ssl": "8883"}[u.Scheme])
		}
	case "ws", "wss":
	default:
		return fmt.Errorf("broker %q: scheme must be tcp, ssl, ws or wss", RedactBroker(broker))
	}
	return nil
}

// RedactBroker returns broker as it may be shown and logged: a password in the
// URL (tcp://user:secret@host) becomes xxxxx, whatever characters it holds.
func RedactBroker(broker string) string {
	scheme, rest, ok := strings.Cut(broker, "://")
	if !ok {
		if strings.Contains(broker, "@") {
			return "…"
		}
		return broker
	}
	// Up to the last @, not by url.Parse: a password with an unencoded
	// '/', '?' or '#' would end the authority early and show in the path.
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return broker
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if hasPass {
		user += ":xxxxx"
	}
	return scheme + "://" + user + rest[at:]
}

// tlsConfig builds the TLS configuration from the files named in o; nil
// when the URL does not use TLS.
func (o *Options) tlsConfig() (*tls.Config, error) {
	return TLSConfig(o.Broker, o.CAFile, o.CertFile, o.KeyFile, o.TLSServerName)
}

// TLSConfig builds the TLS configuration for broker (nil unless its URL is
// ssl:// or wss://) from PEM files: the CAs trusted (empty: the system's),
// and a client certificate and its key (empty: none). serverName, if set,
// is the name checked in the broker's certificate; empty, the URL's host
// (paho's own dial through a proxy does not fill it in).
func TLSConfig(broker, caFile, certFile, keyFile, serverName string) (*tls.Config, error) {
	u, _ := url.Parse(broker)
	if u == nil || (u.Scheme != "ssl" && u.Scheme != "wss") {
		return nil, nil
	}
	if serverName == "" {
		serverName = u.Hostname()
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("%w: CA file: %v", ErrConfig, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: CA file %s holds no PEM certificate", ErrConfig, caFile)
		}
		cfg.RootCAs = pool
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: client certificate: %v", ErrConfig, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
