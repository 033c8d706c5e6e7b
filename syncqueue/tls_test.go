package syncqueue_test

import (
	"fmt"
	"path/filepath"
	"strings"
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

// TestUsernameAndPassword: the broker checks the node's name and password,
// given as options or in the URL, and a password never shows in the
// node's status.
func TestUsernameAndPassword(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Extra: brokertest.Passwords(t, "till-1", "s3cret-pw")})
	central := centraltest.New(t, b.URL(), store, node)
	host := strings.TrimPrefix(b.URL(), "tcp://")

	bad := startNode(t, "tcp://till-1:wrong-pw@"+host, filepath.Join(t.TempDir(), "bad.db"), nil)
	centraltest.Eventually(t, 10*time.Second, "refused with a wrong password", func() bool { return bad.client.Status().LastError != "" })
	if s := bad.client.Status(); s.Connected || strings.Contains(s.LastError, "wrong-pw") || !strings.Contains(s.LastError, "till-1:xxxxx@") {
		t.Fatalf("with a wrong password in the URL: %+v", s)
	}
	bad.stop()

	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		o.Username, o.Password = "till-1", "s3cret-pw"
	})
	appendEvents(t, n.db, 2)
	centraltest.Eventually(t, 10*time.Second, "acked with the options' password", func() bool { return stats(t, n.db).AckedThrough == 2 })
	n.stop()

	n = startNode(t, "tcp://till-1:s3cret-pw@"+host, n.db.Path(), nil)
	appendEvents(t, n.db, 1)
	centraltest.Eventually(t, 10*time.Second, "acked with the URL's password", func() bool { return stats(t, n.db).AckedThrough == 3 })
	central.Check()

	if got := syncqueue.RedactBroker("wss://u:p%40ss@broker.example.com/mqtt"); got != "wss://u:xxxxx@broker.example.com/mqtt" {
		t.Errorf("RedactBroker = %q", got)
	}
	if got := syncqueue.RedactBroker("tcp://u:pa ss@host:%zz"); strings.Contains(got, "pa ss") {
		t.Errorf("RedactBroker of a URL that does not parse = %q", got)
	}
	// Unencoded characters that end a URL's authority early.
	for _, pw := range []string{"12/se", "se?12", "s#12", "a@b:c"} {
		broker := "tcp://u:" + pw + "@host:1883"
		if got := syncqueue.RedactBroker(broker); got != "tcp://u:xxxxx@host:1883" {
			t.Errorf("RedactBroker(%q) = %q", broker, got)
		}
	}
	for _, broker := range []string{"tcp://host:1883", "wss://u@host/mqtt"} {
		if got := syncqueue.RedactBroker(broker); got != broker {
			t.Errorf("RedactBroker(%q) = %q; nothing to hide", broker, got)
		}
	}
}

// TestTLSBrokerNameChecked: a broker whose certificate, though signed by
// the CA the node trusts, is not for the name the node connects to (a
// machine on the network answering for central) is refused: the node
// checks the broker's name, not only its CA.
func TestTLSBrokerNameChecked(t *testing.T) {
	dir := brokertest.TLSFiles(t)
	tlsPort := brokertest.FreePort(t)
	brokertest.Start(t, brokertest.Options{Extra: brokertest.TLSListener(tlsPort, dir)})
	n := startNode(t, fmt.Sprintf("ssl://127.0.0.1:%d", tlsPort), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		o.CAFile = filepath.Join(dir, "ca.pem")
		o.CertFile, o.KeyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
		o.TLSServerName = "central.example.com" // the certificate names 127.0.0.1 and localhost
	})
	centraltest.Eventually(t, 10*time.Second, "refused for the broker's name", func() bool { return n.client.Status().LastError != "" })
	if s := n.client.Status(); s.Connected || !strings.Contains(s.LastError, "certificate") {
		t.Fatalf("a broker certificate for another name: %+v", s)
	}
	n.stop()

	// As the node is configured, with no name given: the URL's host is
	// the name checked. 0.0.0.0 reaches the broker on this box (the
	// kernel takes it for the loopback), under a name its certificate
	// does not carry.
	n = startNode(t, fmt.Sprintf("ssl://0.0.0.0:%d", tlsPort), filepath.Join(t.TempDir(), "url.db"), func(o *syncqueue.Options) {
		o.CAFile = filepath.Join(dir, "ca.pem")
		o.CertFile, o.KeyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	})
	centraltest.Eventually(t, 10*time.Second, "refused for the URL's host", func() bool { return n.client.Status().LastError != "" })
	if s := n.client.Status(); s.Connected || !strings.Contains(s.LastError, "0.0.0.0") {
		t.Fatalf("a broker certificate that does not name the URL's host: %+v", s)
	}
}
