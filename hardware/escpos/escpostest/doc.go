// Package escpostest helps test code that prints: it makes bitmap fonts
// with made-up glyphs, so raster text can be rendered and read back
// without shipping font data, and decodes streams for golden files.
package escpostest

import "github.com/posnode/posnode/hardware/escpos"

// Decode decodes a stream into text and bracketed commands; see
// escpos.Decoder.
func Decode(b []byte) (string, error) { return escpos.Decode(b) }
