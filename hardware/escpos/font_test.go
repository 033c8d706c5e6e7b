package escpos_test

import (
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/escpos/escpostest"
)

func TestLoadFont(t *testing.T) {
	dir := t.TempDir()
	hex := escpostest.SyntheticHex("台北")
	plain := filepath.Join(dir, "font.hex")
	if err := os.WriteFile(plain, []byte(hex), 0o644); err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(dir, "font.hex.gz")
	f, err := os.Create(gz)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte(hex))
	zw.Close()
	f.Close()
	for _, p := range []string{plain, gz} {
		font, err := escpos.LoadFont(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, r := range "A台北" {
			if !font.Has(r) {
				t.Errorf("%s: no glyph for %c", p, r)
			}
		}
		if g, ok := font.Glyph('台', escpos.Style{}); !ok || g.W != 24 || g.H != 24 {
			t.Errorf("%s: wide glyph %+v", p, g)
		}
	}
	if _, err := escpos.LoadFont(filepath.Join(dir, "missing.hex")); err == nil {
		t.Error("missing font loaded")
	}
}

func TestOpenDefaultFontMissing(t *testing.T) {
	saved := escpos.DefaultFontPaths
	defer func() { escpos.DefaultFontPaths = saved }()
	escpos.DefaultFontPaths = []string{filepath.Join(t.TempDir(), "none.hex")}
	if _, err := escpos.OpenDefaultFont(); !errors.Is(err, escpos.ErrNoFont) {
		t.Errorf("err = %v, want ErrNoFont", err)
	}
}
