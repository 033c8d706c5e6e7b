package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLSConfig serves the UI over HTTPS.
type TLSConfig struct {
	// Enabled serves HTTPS on the http address.
	Enabled bool `toml:"enabled"`
	// CertFile and KeyFile are the certificate and key; empty: the node
	// makes a self-signed certificate in DATA/tls on first start and keeps
	// using it (tablets trust it once).
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
	// Hosts are extra names and addresses the generated certificate is
	// valid for, besides the machine's hostname, localhost and its addresses.
	Hosts []string `toml:"hosts"`
}

// serverTLS loads or generates the node's certificate.
func serverTLS(cfg Config) (*tls.Config, error) {
	cert, key := cfg.TLS.CertFile, cfg.TLS.KeyFile
	if cert == "" && key == "" {
		dir := filepath.Join(cfg.Data, "tls")
		cert, key = filepath.Join(dir, "node.crt"), filepath.Join(dir, "node.key")
		if _, err := os.Stat(cert); errors.Is(err, os.ErrNotExist) {
			if err := generateCert(dir, cert, key, cfg.TLS.Hosts); err != nil {
				return nil, fmt.Errorf("generate certificate: %w", err)
			}
		}
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// generateCert writes a self-signed ECDSA P-256 certificate valid for ten
// years for the machine's names and addresses.
//
// Tablets install it as a CA to trust it, so it is a CA whose name
// constraints (critical) permit only those names and addresses: its key
// cannot vouch for any other site to a tablet that trusts it.
func generateCert(dir, certPath, keyPath string, extra []string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	tmpl := x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "posnode " + host, Organization: []string{"posnode"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	names := append([]string{"localhost", host}, extra...)
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				names = append(names, ipn.IP.String())
			}
		}
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			tmpl.PermittedIPRanges = append(tmpl.PermittedIPRanges, hostRange(ip))
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
			tmpl.PermittedDNSDomains = append(tmpl.PermittedDNSDomains, n)
		}
	}
	tmpl.PermittedDNSDomainsCritical = true
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &priv.PublicKey, priv)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// hostRange is the range of the single address ip.
func hostRange(ip net.IP) *net.IPNet {
	if v4 := ip.To4(); v4 != nil {
		return &net.IPNet{IP: v4, Mask: net.CIDRMask(32, 32)}
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(128, 128)}
}
