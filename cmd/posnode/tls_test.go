package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGeneratedCertificateVouchesOnlyForTheNode: a tablet that trusts the
// node's generated certificate trusts it for the node's names and
// addresses, and no certificate its key signs for another site.
func TestGeneratedCertificateVouchesOnlyForTheNode(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "node.crt"), filepath.Join(dir, "node.key")
	if err := generateCert(dir, certPath, keyPath, []string{"till1.store.lan", "192.0.2.10"}); err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	node, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(node)
	for _, name := range []string{"localhost", "till1.store.lan", "192.0.2.10", "127.0.0.1"} {
		if _, err := node.Verify(x509.VerifyOptions{DNSName: name, Roots: roots}); err != nil {
			t.Errorf("the node's certificate for %s: %v", name, err)
		}
	}
	// A certificate the node's key signs for another site.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []struct {
		name string
		tmpl x509.Certificate
	}{
		{"bank.example.com", x509.Certificate{DNSNames: []string{"bank.example.com"}}},
		{"198.51.100.7", x509.Certificate{IPAddresses: []net.IP{net.ParseIP("198.51.100.7")}}},
	} {
		tmpl := other.tmpl
		tmpl.SerialNumber = big.NewInt(2)
		tmpl.Subject = pkix.Name{CommonName: other.name}
		tmpl.NotBefore, tmpl.NotAfter = node.NotBefore, node.NotAfter.Add(-time.Hour)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		der, err := x509.CreateCertificate(rand.Reader, &tmpl, node, &key.PublicKey, pair.PrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: other.name, Roots: roots}); err == nil {
			t.Errorf("a certificate for %s signed by the node's key is trusted", other.name)
		}
	}
}

// TestDoctorWarnsOfAnUnconstrainedCertificate: a generated certificate
// without name constraints (made by an earlier version) is pointed out,
// with how to make a new one.
func TestDoctorWarnsOfAnUnconstrainedCertificate(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Data, cfg.TLS.Enabled = t.TempDir(), true
	dir := filepath.Join(cfg.Data, "tls")
	certPath, keyPath := filepath.Join(dir, "node.crt"), filepath.Join(dir, "node.key")
	if err := generateCert(dir, certPath, keyPath, nil); err != nil {
		t.Fatal(err)
	}
	d := &doctor{cfg: cfg, now: time.Now}
	d.checkTLS()
	if len(d.out) != 1 || d.out[0].level != levelOK {
		t.Fatalf("doctor on a generated certificate: %+v", d.out)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	old := x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "posnode old"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, &old, &old, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	d = &doctor{cfg: cfg, now: time.Now}
	d.checkTLS()
	if len(d.out) != 1 || d.out[0].level != levelWarn || !strings.Contains(d.out[0].text, "without name constraints") || !strings.Contains(d.out[0].fix, dir) {
		t.Fatalf("doctor on an unconstrained certificate: %+v", d.out)
	}
}
