package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
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

// TestGeneratedCertificateFollowsHosts: [tls] hosts added after the first
// start are served: the node makes its certificate again when the one it
// made is not valid for every configured host, and doctor says so before.
// A certificate the store put there itself is never replaced.
func TestGeneratedCertificateFollowsHosts(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Data, cfg.TLS.Enabled = t.TempDir(), true
	dir := filepath.Join(cfg.Data, "tls")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	served := func() *x509.Certificate {
		t.Helper()
		tc, err := serverTLS(cfg, log)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(tc.Certificates[0].Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	doctorSays := func() finding {
		t.Helper()
		d := &doctor{cfg: cfg, now: time.Now}
		d.checkTLS()
		if len(d.out) != 1 {
			t.Fatalf("doctor on the certificate: %+v", d.out)
		}
		return d.out[0]
	}
	first := served()
	if f := doctorSays(); f.level != levelOK {
		t.Errorf("doctor on the certificate made: %+v", f)
	}

	cfg.TLS.Hosts = []string{"till1.store.lan", "192.0.2.10"}
	if f := doctorSays(); f.level != levelWarn || !strings.Contains(f.text, "not valid for till1.store.lan, 192.0.2.10 of [tls] hosts") || !strings.Contains(f.fix, "restart") {
		t.Errorf("doctor on a certificate without the hosts added: %+v", f)
	}
	second := served()
	if second.Equal(first) {
		t.Fatal("the certificate was kept after [tls] hosts changed")
	}
	roots := x509.NewCertPool()
	roots.AddCert(second)
	for _, name := range []string{"localhost", "till1.store.lan", "192.0.2.10"} {
		if _, err := second.Verify(x509.VerifyOptions{DNSName: name, Roots: roots}); err != nil {
			t.Errorf("the new certificate for %s: %v", name, err)
		}
	}
	if f := doctorSays(); f.level != levelOK {
		t.Errorf("doctor on the certificate made again: %+v", f)
	}
	// Hosts it is valid for already, in another case or order, and
	// fewer of them: it is kept, since tablets trust it.
	cfg.TLS.Hosts = []string{"TILL1.store.lan"}
	if !served().Equal(second) {
		t.Error("the certificate was made again for hosts it is valid for")
	}

	// One the store put in DATA/tls itself, not made by the node.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	own := x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "till1.store.lan", Organization: []string{"Store IT"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"till1.store.lan"}}
	der, err := x509.CreateCertificate(rand.Reader, &own, &own, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "node.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "node.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.TLS.Hosts = []string{"till2.store.lan"}
	if c := served(); !bytes.Equal(c.Raw, der) {
		t.Error("a certificate the store put in DATA/tls was replaced")
	}
	if f := doctorSays(); f.level != levelWarn || !strings.Contains(f.text, "not valid for till2.store.lan") || !strings.Contains(f.fix, "not one the node made") {
		t.Errorf("doctor on the store's certificate without the hosts: %+v", f)
	}
}
