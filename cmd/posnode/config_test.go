package main

import (
	"os"
	"strings"
	"testing"
)

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := LoadConfig("../../posnode.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Stations) != 3 || cfg.Stations[0].PrinterProfile != "tm-t20" || cfg.Sync.ResendAfter.Seconds() != 30 {
		t.Errorf("config = %+v", cfg)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, toml, want string }{
		{"unknown key", `stor = "x"`, "unknown keys: stor"},
		{"bad id", `store = "a b"`, "store"},
		{"bad url", "[mqtt]\nurl = \"http://x\"", "mqtt.url"},
		{"bad url with a password", "[mqtt]\nurl = \"mqtt://node:s3cret@x\"", "node:xxxxx@x"},
		{"password with a slash", "[mqtt]\nurl = \"tcp://node:s3cret/x@broker:1883\"", "percent-encode"},
		{"url without a host", "[mqtt]\nurl = \"tcp://\"", "mqtt.url"},
		{"bad duration", "[sync]\nresend_after = \"soon\"", "duration"},
		{"port twice", "[[stations]]\nid=\"a\"\nkind=\"till\"\nscanner=\"/dev/x\"\n[[stations]]\nid=\"b\"\nkind=\"till\"\nprinter=\"/dev/x\"", "already used"},
		{"kind", "[[stations]]\nid=\"a\"\nkind=\"kiosk\"", "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig([]byte(tc.toml), DefaultConfig())
			if err == nil {
				err = cfg.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("err = %v shows the password", err)
			}
		})
	}
}

func FuzzParseConfig(f *testing.F) {
	b, _ := os.ReadFile("../../posnode.example.toml")
	f.Add(string(b))
	f.Add("store = 1")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := parseConfig([]byte(s), DefaultConfig())
		if err == nil {
			_ = cfg.Validate()
		}
	})
}
