package escpos

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/traditionalchinese"
)

// ErrMalformed means the stream has a truncated or unknown command, or
// text bytes no selected code page can decode.
var ErrMalformed = errors.New("escpos: malformed ESC/POS stream")

// Decoder turns ESC/POS streams back into readable text and symbolic
// commands: tests compare it with golden files, and a virtual printer
// shows it on screen. Output is the printed text with each command in
// brackets where it occurs, for example
//
//	[INIT][CODEPAGE 19][ALIGN center][BOLD on]Butik Norr
//	[BARCODE CODE128 R0000000001][CUT partial]
//
// Text bytes are decoded with the code page the stream selected (ESC t),
// or as Big5 in Kanji mode (FS &). Raster lines (GS v 0) are read back
// character by character when the Decoder has the font they were drawn
// with.
//
// The zero value decodes everything but raster text, which it shows as
// the image size and a hash. A Decoder is not safe for concurrent use.
type Decoder struct {
	// Font, when set, is used to read raster lines back as text.
	Font *Font

	glyphs map[glyphKey]rune // plain and bold source bitmaps
}

// Decode decodes one stream with a zero Decoder.
func Decode(b []byte) (string, error) {
	var d Decoder
	return d.Decode(b)
}

type state struct {
	out      strings.Builder
	codePage *CodePage
	kanji    bool
	qr       string
}

// glyphKey identifies a glyph by its source bitmap.
type glyphKey struct {
	w    int
	rows [16]uint16
}

func (d *Decoder) index() {
	if d.Font == nil || d.glyphs != nil {
		return
	}
	d.glyphs = make(map[glyphKey]rune, 2*len(d.Font.glyphs))
	for r, g := range d.Font.glyphs {
		for _, bold := range []bool{false, true} {
			k := glyphKey{w: g.w, rows: g.rows}
			if bold {
				for y := range k.rows {
					k.rows[y] |= k.rows[y] >> 1
				}
			}
			if old, ok := d.glyphs[k]; !ok || r < old {
				d.glyphs[k] = r
			}
		}
	}
}

// Decode decodes one stream. On error the text decoded so far is returned
// with it.
func (d *Decoder) Decode(b []byte) (string, error) {
	d.index()
	var st state
	fail := func(i int, format string, args ...any) (string, error) {
		return st.out.String(), fmt.Errorf("%w: at byte %d: %s", ErrMalformed, i, fmt.Sprintf(format, args...))
	}
	need := func(i, n int) bool { return n >= 0 && n <= len(b)-i }
	cmd := func(format string, args ...any) {
		st.out.WriteString("[" + fmt.Sprintf(format, args...) + "]")
	}
	onoff := func(v byte) string {
		if v&1 != 0 {
			return "on"
		}
		return "off"
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == LF:
			st.out.WriteByte('\n')
			i++
		case c == ESC:
			if !need(i, 2) {
				return fail(i, "truncated ESC")
			}
			switch b[i+1] {
			case '@':
				cmd("INIT")
				st.codePage, st.kanji = nil, false
				i += 2
			case 't', 'E', '-', 'a', 'd':
				if !need(i, 3) {
					return fail(i, "truncated ESC %c", b[i+1])
				}
				n := b[i+2]
				switch b[i+1] {
				case 't':
					cp, ok := CodePageByNumber(n)
					if !ok {
						return fail(i, "unknown code page %d", n)
					}
					st.codePage = &cp
					cmd("CODEPAGE %d", n)
				case 'E':
					cmd("BOLD %s", onoff(n))
				case '-':
					cmd("UNDERLINE %d", n)
				case 'a':
					cmd("ALIGN %s", Align(n))
				case 'd':
					cmd("FEED %d", n)
				}
				i += 3
			case 'p':
				if !need(i, 5) {
					return fail(i, "truncated ESC p")
				}
				pin := 2
				if b[i+2]&1 == 1 {
					pin = 5
				}
				cmd("DRAWER pin%d on=%dms off=%dms", pin, int(b[i+3])*2, int(b[i+4])*2)
				i += 5
			default:
				return fail(i, "unknown command ESC %#02x", b[i+1])
			}
		case c == GS:
			if !need(i, 2) {
				return fail(i, "truncated GS")
			}
			switch b[i+1] {
			case '!', 'B', 'h', 'w', 'H', 'f':
				if !need(i, 3) {
					return fail(i, "truncated GS %c", b[i+1])
				}
				n := b[i+2]
				switch b[i+1] {
				case '!':
					cmd("SIZE %dx%d", n>>4+1, n&0xF+1)
				case 'B':
					cmd("INVERSE %s", onoff(n))
				}
				i += 3
			case 'V':
				if !need(i, 3) {
					return fail(i, "truncated GS V")
				}
				m := b[i+2]
				kind := "full"
				if m == 1 || m == 49 || m == 66 {
					kind = "partial"
				}
				if m == 65 || m == 66 {
					if !need(i, 4) {
						return fail(i, "truncated GS V")
					}
					i++
				}
				cmd("CUT %s", kind)
				i += 3
			case 'k':
				if !need(i, 4) || b[i+2] != 73 {
					return fail(i, "unsupported GS k")
				}
				n := int(b[i+3])
				if !need(i, 4+n) {
					return fail(i, "truncated GS k")
				}
				data, err := code128(b[i+4 : i+4+n])
				if err != nil {
					return fail(i, "%v", err)
				}
				cmd("BARCODE CODE128 %s", data)
				i += 4 + n
			case '(':
				if !need(i, 5) || b[i+2] != 'k' {
					return fail(i, "unsupported GS (")
				}
				n := int(b[i+3]) | int(b[i+4])<<8
				if !need(i, 5+n) || n < 3 {
					return fail(i, "truncated GS ( k")
				}
				p := b[i+5 : i+5+n]
				if p[0] != 49 {
					return fail(i, "GS ( k for symbol %d", p[0])
				}
				switch p[1] {
				case 65, 67, 69:
				case 80:
					st.qr = string(p[3:])
				case 81:
					cmd("QR %s", st.qr)
				default:
					return fail(i, "GS ( k function %d", p[1])
				}
				i += 5 + n
			case 'v':
				if !need(i, 8) || b[i+2] != '0' {
					return fail(i, "unsupported GS v")
				}
				x := int(b[i+4]) | int(b[i+5])<<8
				y := int(b[i+6]) | int(b[i+7])<<8
				// Up to 65,535² bytes: more than a 32-bit int holds.
				if size := int64(x) * int64(y); x == 0 || y == 0 || size > int64(len(b)-i-8) {
					return fail(i, "truncated GS v 0")
				}
				n := x * y
				bm := &Bitmap{W: x * 8, H: y, Bits: b[i+8 : i+8+n]}
				d.raster(&st, bm)
				i += 8 + n
			default:
				return fail(i, "unknown command GS %#02x", b[i+1])
			}
		case c == FS:
			if !need(i, 2) {
				return fail(i, "truncated FS")
			}
			switch b[i+1] {
			case '&':
				cmd("KANJI on")
				st.kanji = true
				i += 2
			case '.':
				cmd("KANJI off")
				st.kanji = false
				i += 2
			case '-':
				if !need(i, 3) {
					return fail(i, "truncated FS -")
				}
				i += 3 // Kanji underline mirrors ESC -
			default:
				return fail(i, "unknown command FS %#02x", b[i+1])
			}
		case c == DLE:
			if !need(i, 3) || b[i+1] != EOT {
				return fail(i, "unsupported DLE")
			}
			cmd("STATUS? %d", b[i+2])
			i += 3
		case c < 0x20 || c == 0x7F:
			return fail(i, "control byte %#02x", c)
		case c < 0x80:
			st.out.WriteByte(c)
			i++
		case st.kanji:
			if !need(i, 2) {
				return fail(i, "truncated Big5 pair")
			}
			r, err := traditionalchinese.Big5.NewDecoder().Bytes(b[i : i+2])
			if err != nil || strings.ContainsRune(string(r), '\uFFFD') {
				return fail(i, "bad Big5 pair % x", b[i:i+2])
			}
			st.out.Write(r)
			i += 2
		default:
			if st.codePage == nil {
				return fail(i, "byte %#02x with no code page selected", c)
			}
			r := st.codePage.Charmap.DecodeByte(c)
			st.out.WriteRune(r)
			i++
		}
	}
	return st.out.String(), nil
}

func code128(p []byte) (string, error) {
	if len(p) < 2 || p[0] != '{' {
		return "", errors.New("CODE128 data without code set")
	}
	var out strings.Builder
	set := byte(0)
	for i := 0; i < len(p); i++ {
		if p[i] == '{' {
			if i+1 >= len(p) {
				return "", errors.New("CODE128 dangling '{'")
			}
			switch p[i+1] {
			case 'A', 'B', 'C':
				set = p[i+1]
				i++
				continue
			case '{':
				out.WriteByte('{')
				i++
				continue
			}
			return "", fmt.Errorf("CODE128 bad shift {%c", p[i+1])
		}
		if set == 'C' {
			if p[i] > 99 {
				return "", fmt.Errorf("CODE128 set C value %d", p[i])
			}
			fmt.Fprintf(&out, "%02d", p[i])
			continue
		}
		out.WriteByte(p[i])
	}
	return out.String(), nil
}

// raster writes a raster image: as text when every cell matches a glyph
// of the font (plain or bold, normal or magnified, normal or inverse),
// else as its size and a short hash.
func (d *Decoder) raster(st *state, bm *Bitmap) {
	if d.glyphs != nil && bm.H%LineDots == 0 && bm.H <= 2*LineDots {
		sh := bm.H / LineDots
		for _, sw := range []int{sh, 3 - sh} {
			if s, ok := d.readLine(bm, sw, sh); ok {
				st.out.WriteString(fmt.Sprintf("[RASTER %dx%d]", bm.W, bm.H) + s + "\n")
				return
			}
		}
	}
	sum := sha256.Sum256(bm.Bits)
	st.out.WriteString(fmt.Sprintf("[RASTER %dx%d %x]\n", bm.W, bm.H, sum[:4]))
}

// readLine reads a raster line drawn at magnification sw x sh.
func (d *Decoder) readLine(bm *Bitmap, sw, sh int) (string, bool) {
	var out []rune
	for x := 0; x+CellDots*sw <= bm.W; {
		r, w, ok := d.readCell(bm, x, sw, sh)
		if !ok {
			return "", false
		}
		out = append(out, r)
		x += w
	}
	return strings.TrimRight(string(out), " "), true
}

// readCell recognises the character at x: a blank or solid cell is a
// space, else a half- or full-width glyph, possibly inverted.
func (d *Decoder) readCell(bm *Bitmap, x0, sw, sh int) (rune, int, bool) {
	half := CellDots * sw
	black, white := true, true
	for y := 0; y < bm.H; y++ {
		for x := x0; x < x0+half; x++ {
			if bm.At(x, y) {
				white = false
			} else {
				black = false
			}
		}
	}
	if white || black {
		return ' ', half, true
	}
	for _, gw := range []int{8, 16} {
		cw := gw * 3 / 2 * sw
		if x0+cw > bm.W {
			continue
		}
		for _, inv := range []bool{false, true} {
			k := glyphKey{w: gw}
			for sy := 0; sy < 16; sy++ {
				y := firstDest(sy, sh)
				var row uint16
				for sx := 0; sx < gw; sx++ {
					if bm.At(x0+firstDest(sx, sw), y) != inv {
						row |= 0x8000 >> uint(sx)
					}
				}
				k.rows[sy] = row
			}
			if r, ok := d.glyphs[k]; ok {
				return r, cw, true
			}
		}
	}
	return 0, 0, false
}

// firstDest is the first destination dot drawn from source dot s when
// a glyph is scaled by 1.5 and magnified by m (see drawGlyph).
func firstDest(s, m int) int {
	for v := 0; ; v++ {
		if v*2/3 == s {
			return v * m
		}
	}
}
