package escpos_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/escpos/escpostest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

const zhSample = "台北門市 收據 總計"

func TestEncodeGolden(t *testing.T) {
	font := escpostest.SyntheticFont(zhSample)
	tests := []struct {
		name    string
		profile escpos.Profile
		font    *escpos.Font
		build   func(e *escpos.Encoder) error
		want    []string // substrings the decoded text must contain
	}{
		{
			name: "commands-sv", profile: escpos.TMT88,
			build: func(e *escpos.Encoder) error {
				e.Init()
				e.SetAlign(escpos.AlignCenter)
				e.SetBold(true)
				e.SetSize(2, 2)
				e.Println("Butik Norr")
				e.SetStyle(escpos.Style{})
				e.Println("Kvitto – Tack för köpet! 25,00 €")
				e.SetAlign(escpos.AlignLeft)
				e.SetUnderline(1)
				e.Text("Räksmörgås")
				e.SetUnderline(0)
				e.SetInverse(true)
				e.Println(" ÅÄÖ")
				e.SetInverse(false)
				if err := e.Barcode128("000001", 0); err != nil {
					return err
				}
				if err := e.QR("PICKUP:8f0c:1234", 0, escpos.QRLevelM); err != nil {
					return err
				}
				e.Feed(3)
				e.KickDrawer(escpos.DrawerPin2, 100, 200)
				e.Cut(true)
				return nil
			},
			want: []string{"[INIT][KANJI off][CODEPAGE 19]", "[ALIGN center][BOLD on][SIZE 2x2]Butik Norr", "Räksmörgås", "[BARCODE CODE128 000001]", "[QR PICKUP:8f0c:1234]", "[DRAWER pin2 on=100ms off=200ms]", "[CUT partial]"},
		},
		{
			name: "slovak", profile: escpos.TMT20,
			build: func(e *escpos.Encoder) error {
				e.Init()
				e.Println("Ďakujeme za nákup! Žltý kôň úpel ďábelské ódy, ľ ĺ ŕ ť ň")
				return nil
			},
			want: []string{"[CODEPAGE 18]Ďakujeme za nákup! Žltý kôň úpel ďábelské ódy, ľ ĺ ŕ ť ň"},
		},
		{
			name: "romanian-cedilla", profile: escpos.Generic58,
			build: func(e *escpos.Encoder) error {
				e.Init()
				e.Println("Mulțumim! Șoseaua Ștefan, țară, înșelăciune, ĂÂÎ")
				return nil
			},
			want: []string{"Mulţumim! Şoseaua Ştefan, ţară, înşelăciune, ĂÂÎ"},
		},
		{
			name: "mixed-runs", profile: escpos.TMT88,
			build: func(e *escpos.Encoder) error {
				e.Init()
				e.Println("Smörgås / Žltý kôň / Smörgås")
				return nil
			},
			want: []string{"[CODEPAGE 19]Smörgås / [CODEPAGE 18]Žltý kôň / [CODEPAGE 19]Smörgås"},
		},
		{
			name: "zh-hant-big5", profile: escpos.TMT88TraditionalChinese,
			build: func(e *escpos.Encoder) error {
				e.Init()
				e.Println("台北門市 收據")
				e.Println("總計 NT$499 – Tack")
				return nil
			},
			want: []string{"[INIT][KANJI off][CODEPAGE 19][KANJI on]台北門市 收據", "總計 NT$499 [KANJI off][CODEPAGE 16]– Tack"},
		},
		{
			name: "zh-hant-raster", profile: escpos.TMT20, font: font,
			build: func(e *escpos.Encoder) error {
				e.Init()
				e.Println("Kvitto")
				e.SetAlign(escpos.AlignCenter)
				e.Println("台北門市 收據")
				e.SetAlign(escpos.AlignRight)
				e.Println("總計 NT$499")
				return nil
			},
			want: []string{"[RASTER 576x24]" + strings.Repeat(" ", 17) + "台北門市 收據\n", "[RASTER 576x24]" + strings.Repeat(" ", 48-11) + "總計 NT$499\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := escpos.NewEncoder(tt.profile, escpos.Options{Font: tt.font})
			if err := tt.build(e); err != nil {
				t.Fatal(err)
			}
			if err := e.Err(); err != nil {
				t.Fatalf("encoder error: %v", err)
			}
			d := escpos.Decoder{Font: tt.font}
			got, err := d.Decode(e.Bytes())
			if err != nil {
				t.Fatalf("decode: %v\n%s", err, got)
			}
			if strings.Contains(got, "?") {
				t.Errorf("output has '?':\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			golden(t, tt.name, got)
		})
	}
}

func TestUnprintableWithoutFont(t *testing.T) {
	e := escpos.NewEncoder(escpos.TMT20, escpos.Options{})
	e.Init()
	e.Println("Total 台北")
	got, err := escpostest.Decode(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Total ??") {
		t.Errorf("got %q, want the ASCII kept and two '?'", got)
	}
	if !errors.Is(e.Err(), escpos.ErrUnprintable) {
		t.Errorf("Err() = %v, want ErrUnprintable", e.Err())
	}
}

func TestInitResendsCodePage(t *testing.T) {
	e := escpos.NewEncoder(escpos.TMT88, escpos.Options{})
	e.Init()
	e.Println("Žltý kôň")
	e.Init()
	e.Println("Žltý kôň")
	got, err := escpostest.Decode(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(got, "[INIT][KANJI off][CODEPAGE 19]"); n != 2 {
		t.Errorf("ESC t after ESC @ %d times, want 2:\n%s", n, got)
	}
	if n := strings.Count(got, "[CODEPAGE 18]Žltý"); n != 2 {
		t.Errorf("CP852 selected %d times, want 2 (once after each init):\n%s", n, got)
	}
}

func TestTextCannotInjectCommands(t *testing.T) {
	e := escpos.NewEncoder(escpos.TMT88, escpos.Options{})
	e.Println("Kaffe\x1b@\x1dV\x00\x10\x04\x01 \x9b\tbryggt")
	b := e.Bytes()
	if bytes.ContainsAny(b[:len(b)-1], "\x1b\x1d\x10\x00\t") {
		t.Errorf("control bytes from text reached the stream: %q", b)
	}
	got, _ := escpostest.Decode(b)
	if got != "Kaffe@V  bryggt\n" {
		t.Errorf("decoded %q", got)
	}
}

func TestSymbolErrors(t *testing.T) {
	e := escpos.NewEncoder(escpos.Generic58, escpos.Options{})
	if err := e.Barcode128("", 0); !errors.Is(err, escpos.ErrBarcodeData) {
		t.Errorf("empty barcode: %v", err)
	}
	if err := e.Barcode128("åäö", 0); !errors.Is(err, escpos.ErrBarcodeData) {
		t.Errorf("non-ASCII barcode: %v", err)
	}
	if err := e.Barcode128(strings.Repeat("x", 40), 0); !errors.Is(err, escpos.ErrBarcodeTooWide) {
		t.Errorf("long barcode on 58 mm: %v", err)
	}
	if err := e.QR("", 0, escpos.QRLevelM); !errors.Is(err, escpos.ErrQRData) {
		t.Errorf("empty QR: %v", err)
	}
	if err := e.QR(strings.Repeat("x", 3000), 0, escpos.QRLevelM); !errors.Is(err, escpos.ErrQRData) {
		t.Errorf("huge QR: %v", err)
	}
	if err := e.Image(escpos.NewBitmap(385, 8)); !errors.Is(err, escpos.ErrImage) {
		t.Errorf("wide image: %v", err)
	}
	if len(e.Bytes()) != 0 {
		t.Errorf("failed commands wrote %q", e.Bytes())
	}
}

func TestBarcodeCodeSets(t *testing.T) {
	for _, data := range []string{"000001", "R-2026-{7}", "12345"} {
		e := escpos.NewEncoder(escpos.Generic58, escpos.Options{})
		if err := e.Barcode128(data, 60); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		got, err := escpostest.Decode(e.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if want := "[BARCODE CODE128 " + data + "]"; !strings.Contains(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// A receipt's code, capitals then ten digits, prints with its digits in
// code set C: as narrow as R and ten digits were, so that it keeps two
// dots per module on 58 mm paper, which scanners read better than one.
func TestBarcodeDigitsInCodeSetC(t *testing.T) {
	for _, data := range []string{"R7KQ20000000001", "R0000000001", "AB1234567", "12345"} {
		e := escpos.NewEncoder(escpos.Generic58, escpos.Options{})
		if err := e.Barcode128(data, 60); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		b := e.Bytes()
		if !bytes.Contains(b, []byte{escpos.GS, 'w', 2}) {
			t.Errorf("%s prints at one dot per module on 58 mm: % x", data, b)
		}
		got, err := escpostest.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if want := "[BARCODE CODE128 " + data + "]"; !strings.Contains(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestImageRoundTrip(t *testing.T) {
	bm := escpos.NewBitmap(20, 3)
	bm.Set(0, 0, true)
	bm.Set(19, 2, true)
	e := escpos.NewEncoder(escpos.Generic58, escpos.Options{})
	if err := e.Image(bm); err != nil {
		t.Fatal(err)
	}
	b := e.Bytes()
	want := append([]byte{escpos.GS, 'v', '0', 0, 3, 0, 3, 0}, bm.Bits...)
	if !bytes.Equal(b, want) {
		t.Errorf("got % x\nwant % x", b, want)
	}
}

func TestWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"Kaffe", 5},
		{"Räksmörgås", 10},
		{"台北", 4},
		{"NT$499 總計", 11},
		{"ș", 1},
		{"Mjo\u0308lk", 5},
		{"a\tb\nc", 5},
		{"a\u2028b", 3},
		{"Blåbär", 6},
		{"\ufeff12\u200b3\u2060,\u00ad45", 6},
	}
	for _, tt := range tests {
		if got := escpos.Width(tt.s); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// An encoder measures text as it prints it: what it sends in Big5 is
// full width, whatever Unicode says.
func TestEncoderWidth(t *testing.T) {
	tests := []struct {
		p    escpos.Profile
		s    string
		want int
	}{
		{escpos.TMT88TraditionalChinese, "‧※→Ⅱα℃", 11}, // α is in CP437
		{escpos.TMT88TraditionalChinese, "台北 NT$499", 11},
		{escpos.TMT88TraditionalChinese, "Mjo\u0308lk\u200b", 5},
		{escpos.TMT88, "Räksmörgås", 10},
		{escpos.TMT88, "台?", 2}, // no font: each prints as '?'
	}
	for _, tt := range tests {
		e := escpos.NewEncoder(tt.p, escpos.Options{})
		if got := e.Width(tt.s); got != tt.want {
			t.Errorf("%s: Width(%q) = %d, want %d", tt.p.Name, tt.s, got, tt.want)
		}
	}
}

// A raster line wider than the paper goes on over a second image rather
// than losing its end.
func TestRasterLineTooWideContinues(t *testing.T) {
	line := strings.Repeat("台北", 12) + "總計"
	font := escpostest.SyntheticFont(line)
	e := escpos.NewEncoder(escpos.Generic58, escpos.Options{Font: font})
	e.Println(line)
	dec := escpos.Decoder{Font: font}
	got, err := dec.Decode(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "總計") || strings.Count(got, "[RASTER") != 2 {
		t.Errorf("a line of %d columns on %d printed as:\n%s", escpos.Width(line), escpos.Generic58.Columns, got)
	}
}

func TestProfiles(t *testing.T) {
	for _, p := range escpos.Profiles {
		if p.Dots != p.Columns*escpos.CellDots {
			t.Errorf("%s: %d dots for %d columns", p.Name, p.Dots, p.Columns)
		}
		if len(p.CodePages) == 0 {
			t.Errorf("%s: no code pages", p.Name)
		}
		got, ok := escpos.ProfileByName(p.Name)
		if !ok || got.Name != p.Name {
			t.Errorf("ProfileByName(%q) failed", p.Name)
		}
	}
	for name, want := range map[string]string{"generic58": "generic-58", "TM-T20": "tm-t20", "tm_t88": "tm-t88", "TM-T88 zh-Hant": "tm-t88-zh-hant"} {
		if got, ok := escpos.ProfileByName(name); !ok || got.Name != want {
			t.Errorf("ProfileByName(%q) = %q, %v; want %q", name, got.Name, ok, want)
		}
	}
	if _, ok := escpos.ProfileByName("tm-u220"); ok {
		t.Error("unknown profile found")
	}
}

func TestParseFontErrors(t *testing.T) {
	for _, in := range []string{"", "0041\n", "0041:12\n", "ZZZZ:00000000000000000000000000000000\n"} {
		if _, err := escpos.ParseFont(strings.NewReader(in)); err == nil {
			t.Errorf("ParseFont(%q) succeeded", in)
		}
	}
}
