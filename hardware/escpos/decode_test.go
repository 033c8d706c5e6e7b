package escpos_test

import (
	"errors"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must return text or
// ErrMalformed, never panic.
func FuzzDecode(f *testing.F) {
	e := escpos.NewEncoder(escpos.TMT88TraditionalChinese, escpos.Options{})
	e.Init()
	e.Println("Smörgås 台北 Žltý")
	_ = e.Barcode128("R0000000001", 0)
	_ = e.QR("PICKUP:1:2", 0, escpos.QRLevelM)
	_ = e.Image(escpos.NewBitmap(16, 2))
	e.Cut(false)
	f.Add(e.Bytes())
	f.Add([]byte{escpos.GS, 'v', '0', 0, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{escpos.GS, '(', 'k', 2, 0, 49})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := escpos.Decode(b)
		if err != nil && !errors.Is(err, escpos.ErrMalformed) {
			t.Fatalf("error of unexpected kind: %v", err)
		}
	})
}
