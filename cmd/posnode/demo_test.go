package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// TestDemoBannerOnlyForDemoStaff: a demo node prints the demo's staff
// numbers and PINs at start only for those who can sign in with them,
// not over a database whose catalog was imported (which is never seeded)
// or whose demo staff were given PINs of their own.
func TestDemoBannerOnlyForDemoStaff(t *testing.T) {
	ctx := context.Background()
	start := func(t *testing.T, cfg Config) string {
		t.Helper()
		var out bytes.Buffer
		n, err := newNode(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), &out)
		if err != nil {
			t.Fatal(err)
		}
		n.db.Close()
		return out.String()
	}
	demo := func(t *testing.T) Config {
		cfg := DefaultConfig()
		cfg.Data, cfg.HTTP, cfg.Demo = t.TempDir(), "127.0.0.1:0", true
		return cfg
	}
	const all = "demo staff (staff number / PIN): 1 / 1111 cashier, 2 / 2222 supervisor, 3 / 3333 manager\n"

	t.Run("seeded", func(t *testing.T) {
		cfg := demo(t)
		if out := start(t, cfg); !strings.Contains(out, "demo: seeded") || !strings.Contains(out, all) {
			t.Errorf("first start of a demo node:\n%s", out)
		}
		// Started again, the staff seeded before are still the demo's.
		if out := start(t, cfg); strings.Contains(out, "demo: seeded") || !strings.Contains(out, all) {
			t.Errorf("second start of a demo node:\n%s", out)
		}
		// The manager now has a PIN of their own, and the cashier is gone.
		db, err := openDB(ctx, cfg, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		h, err := pos.HashPIN("482913")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []pos.Staff{
			{ID: "3", Name: "Manager Demo", Role: pos.RoleManager, PINHash: h, Active: true},
			{ID: "1", Name: "Cashier Demo", Role: pos.RoleCashier, PINHash: h, Active: false},
		} {
			if err := db.PutStaff(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		out := start(t, cfg)
		if want := "demo staff (staff number / PIN): 2 / 2222 supervisor\n"; !strings.Contains(out, want) {
			t.Errorf("start with only the supervisor's demo PIN left:\n%s\nwant %q", out, want)
		}
	})

	t.Run("catalog imported", func(t *testing.T) {
		cfg := demo(t)
		db, err := openDB(ctx, cfg, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		items, err := pos.ParseCatalogCSV(bytes.NewReader(demoCatalog))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PutItems(ctx, items[:1], cfg.scaleTable()); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if out := start(t, cfg); strings.Contains(out, "demo staff") || strings.Contains(out, "demo: seeded") {
			t.Errorf("a demo node over an imported catalog, with no staff:\n%s", out)
		}
	})
}
