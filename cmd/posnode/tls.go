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
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// TLSConfig serves the UI over HTTPS.
type TLSConfig struct {
	// Enabled serves HTTPS on the http address.
	Enabled bool `toml:"enabled"`
	// CertFile and KeyFile are the certificate and key; empty: the node
	// makes a self-signed certificate in DATA/tls on first start and keeps
	// using it (tablets trust it once), until Hosts names one it is not
	// valid for.
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
	// Hosts are extra names and addresses the generated certificate is
	// valid for, besides the machine's hostname, localhost and its addresses.
	Hosts []string `toml:"hosts"`
}

// generatedCert is the directory, certificate and key of the certificate
// the node makes for itself when [tls] names no files.
func generatedCert(cfg Config) (dir, cert, key string) {
	dir = filepath.Join(cfg.Data, "tls")
	return dir, filepath.Join(dir, "node.crt"), filepath.Join(dir, "node.key")
}

// serverTLS loads or generates the node's certificate.
//
// A certificate the node made is made again when [tls] hosts names a host
// it is not valid for, which was added after it was made: otherwise the
// setting would work on the first start only, and tablets opening the
// node by that name would be refused. Tablets then trust the new one. A
// certificate the store supplied, in cert_file and key_file or put in
// DATA/tls itself, is never replaced.
func serverTLS(cfg Config, log *slog.Logger) (*tls.Config, error) {
	cert, key := cfg.TLS.CertFile, cfg.TLS.KeyFile
	if cert == "" && key == "" {
		var dir string
		dir, cert, key = generatedCert(cfg)
		c, err := readCert(cert)
		var missing []string
		if err == nil && madeByNode(c) {
			missing = missingHosts(c, cfg.TLS.Hosts)
		}
		// An unreadable certificate is left for loading to say so.
		if errors.Is(err, fs.ErrNotExist) || len(missing) > 0 {
			if err := generateCert(dir, cert, key, cfg.TLS.Hosts); err != nil {
				return nil, fmt.Errorf("generate certificate: %w", err)
			}
		}
		if len(missing) > 0 {
			log.Warn("made a new HTTPS certificate: [tls] hosts names hosts the old one was not valid for; trust the new one on the tablets",
				"hosts", missing, "cert", cert)
		}
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// readCert reads the first PEM certificate of the file at path.
func readCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate in it")
	}
	return x509.ParseCertificate(block.Bytes)
}

// madeByNode reports whether c is a certificate generateCert made, as
// every version has made them: issued by itself to organisation posnode.
// Anything else in DATA/tls was put there by the store.
func madeByNode(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && slices.Equal(c.Subject.Organization, []string{"posnode"})
}

// missingHosts lists the hosts, names or addresses, that c is not valid
// for, as a browser checks it.
func missingHosts(c *x509.Certificate, hosts []string) []string {
	var missing []string
	for _, h := range hosts {
		if h != "" && c.VerifyHostname(h) != nil {
			missing = append(missing, h)
		}
	}
	return missing
}

// generateCert writes a self-signed ECDSA P-256 certificate valid for ten
// years for the machine's names and addresses.
//
// Tablets install it as a CA to trust it, so it is a CA whose name
// constraints (critical) permit only those names and addresses: its key
// cannot vouch for any other site to a tablet that trusts it.
//
// The certificate is written after its key: a start cut short between
// the two, making it again, leaves the old certificate, which lacks the
// hosts it was made again for, and the next start makes it once more.
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
