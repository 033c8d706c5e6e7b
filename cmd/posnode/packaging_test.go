package main

import (
	"os"
	"strings"
	"testing"
)

// TestPackagedConfig checks the default config the Debian package installs
// as /etc/posnode/posnode.toml: it loads, is valid, and fits the unit.
func TestPackagedConfig(t *testing.T) {
	cfg, err := LoadConfig("../../packaging/posnode.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Demo {
		t.Error("the packaged config seeds demo staff with public PINs")
	}
	if cfg.Data != "/var/lib/posnode" {
		t.Errorf("data = %q, want the unit's StateDirectory /var/lib/posnode", cfg.Data)
	}
	if cfg.Backup.Every.Duration <= 0 || cfg.Backup.Keep <= 0 {
		t.Errorf("backups off in the packaged config: %+v", cfg.Backup)
	}
	unit, err := os.ReadFile("../../packaging/posnode.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ExecStart=/usr/bin/posnode run --config /etc/posnode/posnode.toml",
		"ReadWritePaths=" + cfg.Data,
		"User=posnode",
		"SupplementaryGroups=dialout",
		"Restart=on-failure",
	} {
		if !strings.Contains(string(unit), want+"\n") {
			t.Errorf("posnode.service lacks %q", want)
		}
	}
}
