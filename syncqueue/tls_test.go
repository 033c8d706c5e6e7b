package syncqueue_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/syncqueue"
)

// writeCert makes a key and a certificate signed by parent (self-signed
// when parent is nil) and writes them as PEM files named name.pem and
// name.key in dir.
func writeCert(t *testing.T, dir, name string, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(filepath.Join(dir, name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, name+".key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func TestTLSClientCertificateAndWebSocket(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	ca, caKey := writeCert(t, dir, "ca", &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	writeCert(t, dir, "server", &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "broker"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames: []string{"localhost"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}, ca, caKey)
	writeCert(t, dir, "client", &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "pos-s1-till-1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}, ca, caKey)
	tlsPort, wsPort := brokertest.FreePort(t), brokertest.FreePort(t)
	b := brokertest.Start(t, brokertest.Options{Extra: fmt.Sprintf(
		"listener %d 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\nlistener %d 127.0.0.1\nprotocol websockets\n",
		tlsPort, filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key"), wsPort)})
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
