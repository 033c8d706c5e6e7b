package syncqueue_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/syncqueue"
)

func TestOptionsAreChecked(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "pos.db"), syncqueue.NewWake())
	good := syncqueue.Options{Broker: "tcp://localhost:1883", Store: "s1", Node: "till-1", Outbox: db, State: db}
	c, err := syncqueue.New(good)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientID() != "pos-s1-till-1" {
		t.Fatalf("client id %q", c.ClientID())
	}
	for name, change := range map[string]func(*syncqueue.Options){
		"store with a slash":   func(o *syncqueue.Options) { o.Store = "a/b" },
		"empty node":           func(o *syncqueue.Options) { o.Node = "" },
		"node too long":        func(o *syncqueue.Options) { o.Node = strings.Repeat("n", 65) },
		"wildcard node":        func(o *syncqueue.Options) { o.Node = "+" },
		"http broker":          func(o *syncqueue.Options) { o.Broker = "http://localhost" },
		"no host":              func(o *syncqueue.Options) { o.Broker = "tcp://" },
		"tcp without a port":   func(o *syncqueue.Options) { o.Broker = "tcp://127.0.0.1" },
		"ssl without a port":   func(o *syncqueue.Options) { o.Broker = "ssl://localhost" },
		"password with /":      func(o *syncqueue.Options) { o.Broker = "tcp://u:12/se@localhost:1883" },
		"password with ?":      func(o *syncqueue.Options) { o.Broker = "tcp://u:12?se@localhost:1883" },
		"@ after the host":     func(o *syncqueue.Options) { o.Broker = "wss://u:pw@localhost/mqtt@x" },
		"cert without key":     func(o *syncqueue.Options) { o.CertFile = "c.pem" },
		"missing CA file":      func(o *syncqueue.Options) { o.Broker, o.CAFile = "ssl://localhost:8883", "/nonexistent/ca.pem" },
		"no outbox":            func(o *syncqueue.Options) { o.Outbox = nil },
		"sub-second keepalive": func(o *syncqueue.Options) { o.KeepAlive = 500 * time.Millisecond },
		"keepalive too long":   func(o *syncqueue.Options) { o.KeepAlive = 65536 * time.Second },
	} {
		o := good
		change(&o)
		if _, err := syncqueue.New(o); !errors.Is(err, syncqueue.ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	// TLS files with a plain URL: the node runs, and says they go unused.
	var logged bytes.Buffer
	o := good
	o.Broker, o.CAFile, o.Logger = "tcp://user:pw@localhost:1883", "ca.pem", slog.New(slog.NewTextHandler(&logged, nil))
	if _, err := syncqueue.New(o); err != nil {
		t.Fatal(err)
	}
	if s := logged.String(); !strings.Contains(s, "not encrypted") || strings.Contains(s, ":pw@") {
		t.Errorf("log = %q; want a warning that TLS is not used, without the password", s)
	}
	// The name checked in the broker's certificate is the URL's host when
	// none is set: paho's own dial (through a proxy) does not fill it in.
	if cfg, err := syncqueue.TLSConfig("ssl://broker.store.lan:8883", "", "", "", ""); err != nil || cfg.ServerName != "broker.store.lan" {
		t.Errorf("TLS server name %v, %v; want the URL's host", cfg, err)
	}
	if cfg, err := syncqueue.TLSConfig("wss://[::1]/mqtt", "", "", "", "central"); err != nil || cfg.ServerName != "central" {
		t.Errorf("TLS server name %v, %v; want the one set", cfg, err)
	}
	for _, u := range []string{"ssl://localhost:8883", "ws://localhost:9001/mqtt", "wss://localhost/mqtt", "tcp://u:12%2Fs%40e@localhost:1883"} {
		o := good
		o.Broker = u
		if _, err := syncqueue.New(o); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// clientGoroutines lists goroutines still running code of the package.
func clientGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "syncqueue.(*Client)") || strings.Contains(g, "syncqueue.(*stateWorker)") {
			out = append(out, g)
		}
	}
	return out
}

func TestRejectedEventsAndNoLeaks(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	central.SetAcking(false)
	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), nil)
	appendEvents(t, n.db, 4)
	centraltest.Eventually(t, 10*time.Second, "events arrive", func() bool { return central.Applied(n.db.Epoch()) == 4 })
	// Central applied 1, 2 and 4 and rejected 3: the queue is empty and
	// the rejected event is kept for a manager.
	central.Publish(t, "nodes/"+node+"/ack", true, `{"epoch":"`+n.db.Epoch()+`","through":4,"rejected":[{"seq":3,"reason":"unknown sku"}]}`)
	centraltest.Eventually(t, 10*time.Second, "ack recorded", func() bool {
		s := n.client.Status()
		return s.AckedThrough == 4 && s.QueueDepth == 0 && s.RejectedEvents == 1
	})
	evs, rs, err := n.db.RejectedEvents(context.Background(), 10)
	if err != nil || len(evs) != 1 || evs[0].Seq != 3 || rs[0].Reason != "unknown sku" || evs[0].Type != pos.EventStockAdjusted {
		t.Fatalf("rejected = %+v %+v %v", evs, rs, err)
	}
	// Killing the broker under a running client, then stopping it, leaves
	// no goroutine of the client behind.
	b.Kill()
	centraltest.Eventually(t, 5*time.Second, "offline", func() bool { return !n.client.Status().Connected })
	b.Start()
	centraltest.Eventually(t, 10*time.Second, "online again", func() bool { return n.client.Status().Connected })
	n.stop()
	centraltest.Eventually(t, 5*time.Second, "client goroutines gone", func() bool { return len(clientGoroutines()) == 0 })
}

// The node's storage and pickup desk are what the client consumes.
var (
	_ syncqueue.Outbox    = (*sqlite.DB)(nil)
	_ syncqueue.State     = (*sqlite.DB)(nil)
	_ syncqueue.OrderSink = sqlite.OrderRecords{}
	_ syncqueue.OrderSink = (*pos.PickupService)(nil)
)
