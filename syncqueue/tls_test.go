package syncqueue_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/syncqueue"
)

func TestTLSClientCertificateAndWebSocket(t *testing.T) {
	dir := brokertest.TLSFiles(t)
	tlsPort, wsPort := brokertest.FreePort(t), brokertest.FreePort(t)
	b := brokertest.Start(t, brokertest.Options{Extra: brokertest.TLSListener(tlsPort, dir) +
		fmt.Sprintf("listener %d 127.0.0.1\nprotocol websockets\n", wsPort)})
	central := centraltest.New(t, b.URL(), store, node)

	// Without a client certificate the broker refuses the node.
	bad := startNode(t, fmt.Sprintf("ssl://127.0.0.1:%d", tlsPort), filepath.Join(t.TempDir(), "bad.db"), func(o *syncqueue.Options) {
		o.CAFile = filepath.Join(dir, "ca.pem")
	})
	centraltest.Eventually(t, 10*time.Second, "refused without a certificate", func() bool { return bad.client.Status().LastError != "" })
	if bad.client.Status().Connected {
		t.Fatal("connected without a client certificate")
	}
	bad.stop()

	n := startNode(t, fmt.Sprintf("ssl://127.0.0.1:%d", tlsPort), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		o.CAFile = filepath.Join(dir, "ca.pem")
		o.CertFile, o.KeyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	})
	appendEvents(t, n.db, 3)
	centraltest.Eventually(t, 10*time.Second, "acked over TLS", func() bool { return stats(t, n.db).AckedThrough == 3 })
	n.stop()

	// The same database over a websocket.
	ws := startNode(t, fmt.Sprintf("ws://127.0.0.1:%d/mqtt", wsPort), n.db.Path(), nil)
	appendEvents(t, ws.db, 2)
	centraltest.Eventually(t, 10*time.Second, "acked over a websocket", func() bool { return stats(t, ws.db).AckedThrough == 5 })
	central.Check()
}
