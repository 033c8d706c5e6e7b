package escpos_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/escpos/escpostest"
)

// Printers with a GB18030 font, such as most 58 mm ones, power up in
// Chinese mode, in which every byte from 0x80 starts a two-byte
// character: Init leaves it (FS .) before any text, on every profile.
func TestInitLeavesChineseMode(t *testing.T) {
	for _, p := range escpos.Profiles {
		e := escpos.NewEncoder(p, escpos.Options{})
		e.Init()
		e.Println("Räksmörgås")
		if b := e.Bytes(); !bytes.HasPrefix(b, []byte{escpos.ESC, '@', escpos.FS, '.'}) {
			t.Errorf("%s: stream starts % x, want ESC @ FS .", p.Name, b[:min(len(b), 8)])
		}
	}
}

// Traditional Chinese firmware has standard Big5 only: characters that
// only HKSCS has are not sent in Big5 but take the way of any character
// the printer lacks, a raster image or '?'.
func TestBig5StandardOnly(t *testing.T) {
	const hkscs = "綫啲着峯嘅" // 8EA8 9DF8 FED3 FBDF FB48 in HKSCS
	for _, r := range hkscs {
		e := escpos.NewEncoder(escpos.TMT88TraditionalChinese, escpos.Options{})
		e.Println(string(r))
		b := e.Bytes()
		if got, _ := escpostest.Decode(b); got != "?\n" || !errors.Is(e.Err(), escpos.ErrUnprintable) {
			t.Errorf("%c: printed as %q (% x), err %v; want '?' and ErrUnprintable", r, got, b, e.Err())
		}
		if w := e.Width(string(r)); w != 1 {
			t.Errorf("%c: width %d, want 1 as the '?' it prints as", r, w)
		}
	}
	font := escpostest.SyntheticFont(hkscs)
	e := escpos.NewEncoder(escpos.TMT88TraditionalChinese, escpos.Options{Font: font})
	e.Println(hkscs)
	dec := escpos.Decoder{Font: font}
	if got, err := dec.Decode(e.Bytes()); err != nil || got != "[RASTER 576x24]"+hkscs+"\n" {
		t.Errorf("with a font: %q, %v; want a raster line", got, err)
	}
}

// Characters of standard Big5 go in Big5, also those the encoder of
// golang.org/x/text writes with an HKSCS or ETEN code (包, 港, 〃, ╭).
func TestBig5Standard(t *testing.T) {
	tests := []struct {
		s    string
		want []byte
	}{
		{"雨傘", []byte{0xAB, 0x42, 0xB3, 0xCA}},
		{"收據", []byte{0xA6, 0xAC, 0xBE, 0xDA}},
		{"謝謝", []byte{0xC1, 0xC2, 0xC1, 0xC2}},
		{"十卅", []byte{0xA4, 0x51, 0xA4, 0xCA}},
		{"麵包", []byte{0xC4, 0xD1, 0xA5, 0x5D}},
		{"香港", []byte{0xAD, 0xBB, 0xB4, 0xE4}},
		{"〃╭", []byte{0xA1, 0xB2, 0xA2, 0x7E}},
	}
	for _, tt := range tests {
		e := escpos.NewEncoder(escpos.TMT88TraditionalChinese, escpos.Options{})
		e.Println(tt.s)
		want := append([]byte{escpos.FS, '&'}, tt.want...)
		if b := e.Bytes(); !bytes.Contains(b, want) || e.Err() != nil {
			t.Errorf("%s: % x, err %v; want % x", tt.s, b, e.Err(), want)
		}
		if got, _ := escpostest.Decode(e.Bytes()); !strings.Contains(got, tt.s) {
			t.Errorf("%s reads back as %q", tt.s, got)
		}
	}
}
