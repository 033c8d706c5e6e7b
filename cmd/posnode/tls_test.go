package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"path/filepath"
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
