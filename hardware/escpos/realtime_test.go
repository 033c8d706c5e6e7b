package escpos_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/escpos/escpostest"
)

// realTimeAt returns where b holds a real-time command, DLE EOT, DLE ENQ
// or DLE DC4, or -1. Firmware acts on these wherever they come in the
// stream, inside the data of another command too.
func realTimeAt(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == escpos.DLE && (b[i+1] == 0x04 || b[i+1] == 0x05 || b[i+1] == 0x14) {
			return i
		}
	}
	return -1
}

// In code set C the digit pairs 16 and 04, 05 or 20 are DLE EOT, DLE ENQ
// and DLE DC4: barcodes holding 1604, 1605 or 1620 are encoded otherwise,
// and still scan as themselves.
func TestBarcodeCarriesNoRealTimeCommand(t *testing.T) {
	patterns := []string{"1604", "1605", "1620"}
	var numbers []string
	for n := 0; n < 1000000; n++ {
		s := fmt.Sprintf("%010d", n)
		for _, p := range patterns {
			if strings.Contains(s, p) {
				numbers = append(numbers, s)
				break
			}
		}
	}
	// The patterns at every place of the ten digits, and in a row.
	for _, p := range patterns {
		for at := 0; at+len(p) <= 10; at++ {
			for fill := '0'; fill <= '9'; fill++ {
				s := []rune(strings.Repeat(string(fill), 10))
				copy(s[at:], []rune(p))
				numbers = append(numbers, string(s))
			}
		}
	}
	numbers = append(numbers, "1604160516", "1616040520", "0016201604", "1604050420")
	// Untagged and tagged receipt codes (a tag ending in a letter or a
	// digit), and bare digits of even and odd length.
	for _, prefix := range []string{"R", "R7KQA", "R7KQ2", "", "9"} {
		for _, n := range numbers {
			data := prefix + n
			e := escpos.NewEncoder(escpos.TMT88, escpos.Options{})
			if err := e.Barcode128(data, 60); err != nil {
				t.Fatalf("%s: %v", data, err)
			}
			b := e.Bytes()
			if i := realTimeAt(b); i >= 0 {
				t.Fatalf("barcode %s carries % x at byte %d: % x", data, b[i:i+2], i, b)
			}
			got, err := escpostest.Decode(b)
			if err != nil {
				t.Fatalf("%s: %v", data, err)
			}
			if want := "[ALIGN center][BARCODE CODE128 " + data + "]"; got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		}
	}
}

// Receipt 160401's code keeps two dots per module on 58 mm paper.
func TestBarcodeAroundRealTimeCommandFits58(t *testing.T) {
	e := escpos.NewEncoder(escpos.Generic58, escpos.Options{})
	if err := e.Barcode128("R0000160401", 60); err != nil {
		t.Fatal(err)
	}
	if b := e.Bytes(); !bytes.Contains(b, []byte{escpos.GS, 'w', 2}) {
		t.Errorf("R0000160401 prints at one dot per module on 58 mm: % x", b)
	}
}

// QR data goes to the printer as it is: what would carry a real-time
// command, in the data or in its length, is refused.
func TestQRCarriesNoRealTimeCommand(t *testing.T) {
	for _, data := range []string{
		"PICKUP:\x10\x04\x01",
		"PICKUP:\x10\x05\x02",
		"PICKUP:\x10\x14\x01\x00\x01",
		strings.Repeat("x", 0x0410-3), // length bytes 10 04
		strings.Repeat("x", 0x0510-3), // length bytes 10 05
	} {
		e := escpos.NewEncoder(escpos.TMT88, escpos.Options{})
		if err := e.QR(data, 0, escpos.QRLevelM); !errors.Is(err, escpos.ErrQRData) {
			t.Errorf("QR of %d bytes: %v, want ErrQRData", len(data), err)
		}
		if b := e.Bytes(); len(b) != 0 {
			t.Errorf("refused QR wrote %d bytes", len(b))
		}
	}
	for _, data := range []string{"PICKUP:\x10A", strings.Repeat("x", 0x0410-4), strings.Repeat("x", 0x0410-2)} {
		e := escpos.NewEncoder(escpos.TMT88, escpos.Options{})
		if err := e.QR(data, 0, escpos.QRLevelM); err != nil {
			t.Errorf("QR of %d bytes: %v", len(data), err)
		}
	}
}

// A drawer pulse of 32 ms on and 8, 10 or 40 ms off would be the bytes
// DLE EOT, DLE ENQ and DLE DC4.
func TestDrawerKickCarriesNoRealTimeCommand(t *testing.T) {
	for _, off := range []int{7, 8, 9, 10, 39, 40} {
		e := escpos.NewEncoder(escpos.TMT88, escpos.Options{})
		e.KickDrawer(escpos.DrawerPin2, 32, off)
		if b := e.Bytes(); realTimeAt(b) >= 0 {
			t.Errorf("kick 32 ms on, %d ms off: % x", off, b)
		}
	}
}

// Raster text cannot hold a real-time command: glyphs are scaled by 1.5
// in cells 12 dots wide, so a lone dot (or gap) is always two dots after a
// multiple of three, and the bytes 10 04, 10 05 and 10 14 need lone dots
// 8 or 10 dots apart.
func TestRasterTextCarriesNoRealTimeCommand(t *testing.T) {
	const text = "台北門市收據總計雨傘謝謝 NT$499 Kvitto"
	font := escpostest.SyntheticFont(text)
	runes := []rune(text)
	for i := 0; i < 2000; i++ {
		st := escpos.Style{Bold: i%2 == 1, Inverse: i/2%2 == 1, Width: 1 + i/4%2, Height: 1 + i/8%2, Underline: i / 16 % 3}
		var line []rune
		for j := 0; j < 1+i%16; j++ {
			line = append(line, runes[(i*7+j*13)%len(runes)])
		}
		e := escpos.NewEncoder(escpos.Generic58, escpos.Options{Font: font})
		e.SetAlign(escpos.Align(i % 3))
		e.SetStyle(st)
		e.Println(string(line))
		if b := e.Bytes(); realTimeAt(b) >= 0 {
			t.Fatalf("%q in %+v carries % x", string(line), st, b[realTimeAt(b):][:3])
		}
	}
}
