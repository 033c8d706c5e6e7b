package escpos

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ErrNoFont means no bitmap font file was found for raster text.
var ErrNoFont = errors.New("escpos: no bitmap font for raster text; install the Debian package unifont (/usr/share/unifont/unifont.hex)")

// DefaultFontPaths are tried in order by OpenDefaultFont. They are where
// Debian's unifont package puts GNU Unifont in its .hex form.
var DefaultFontPaths = []string{
	"/usr/share/unifont/unifont.hex",
	"/usr/share/unifont/unifont.hex.gz",
}

// Font is a bitmap font in the GNU Unifont .hex format: every glyph is 16
// rows high and 8 (half-width) or 16 (full-width) dots wide. Glyphs are
// scaled by 1.5 to the printer's 12x24 (24x24) character cell, so raster
// text lines up with text printed in Font A. A Font is immutable and safe
// for concurrent use.
type Font struct {
	glyphs map[rune]glyph
}

type glyph struct {
	w    int        // 8 or 16
	rows [16]uint16 // bit 15 is the leftmost dot
}

// OpenDefaultFont loads the first of DefaultFontPaths that exists. It
// returns an error wrapping ErrNoFont when there is none.
func OpenDefaultFont() (*Font, error) {
	for _, p := range DefaultFontPaths {
		if _, err := os.Stat(p); err == nil {
			return LoadFont(p)
		}
	}
	return nil, fmt.Errorf("looked in %s: %w", strings.Join(DefaultFontPaths, ", "), ErrNoFont)
}

// LoadFont reads a .hex font file, gzip-compressed when the name ends in .gz.
func LoadFont(path string) (*Font, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load font: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("load font %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	font, err := ParseFont(r)
	if err != nil {
		return nil, fmt.Errorf("load font %s: %w", path, err)
	}
	return font, nil
}

// ParseFont reads a .hex font: lines "XXXX:bitmap" where bitmap is 32 hex
// digits (8x16) or 64 hex digits (16x16). Blank lines and lines starting
// with '#' are skipped.
func ParseFont(r io.Reader) (*Font, error) {
	f := &Font{glyphs: make(map[rune]glyph)}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || t[0] == '#' {
			continue
		}
		cp, bits, ok := strings.Cut(t, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: missing ':'", line)
		}
		code, err := strconv.ParseUint(cp, 16, 32)
		if err != nil || code > 0x10FFFF {
			return nil, fmt.Errorf("line %d: bad code point %q", line, cp)
		}
		var g glyph
		switch len(bits) {
		case 32:
			g.w = 8
		case 64:
			g.w = 16
		default:
			return nil, fmt.Errorf("line %d: bitmap has %d hex digits, want 32 or 64", line, len(bits))
		}
		per := len(bits) / 16
		for y := 0; y < 16; y++ {
			v, err := strconv.ParseUint(bits[y*per:(y+1)*per], 16, 16)
			if err != nil {
				return nil, fmt.Errorf("line %d: bad bitmap: %v", line, err)
			}
			if g.w == 8 {
				v <<= 8
			}
			g.rows[y] = uint16(v)
		}
		f.glyphs[rune(code)] = g
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(f.glyphs) == 0 {
		return nil, errors.New("font has no glyphs")
	}
	return f, nil
}

// Has reports whether the font has a glyph for r.
func (f *Font) Has(r rune) bool {
	if f == nil {
		return false
	}
	_, ok := f.glyphs[r]
	return ok
}

// Runes returns every rune the font has, in no particular order.
func (f *Font) Runes() []rune {
	out := make([]rune, 0, len(f.glyphs))
	for r := range f.glyphs {
		out = append(out, r)
	}
	return out
}

// Bitmap is a 1-bit image in the layout GS v 0 sends: rows top to bottom,
// each row Stride() bytes, the most significant bit the leftmost dot, 1
// printing black.
type Bitmap struct {
	W, H int
	Bits []byte
}

// NewBitmap returns a white w x h bitmap.
func NewBitmap(w, h int) *Bitmap {
	return &Bitmap{W: w, H: h, Bits: make([]byte, (w+7)/8*h)}
}

// Stride is the number of bytes in one row.
func (b *Bitmap) Stride() int { return (b.W + 7) / 8 }

// Set blackens (or whitens) the dot at x, y; dots outside are ignored.
func (b *Bitmap) Set(x, y int, black bool) {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return
	}
	i := y*b.Stride() + x/8
	m := byte(0x80 >> uint(x%8))
	if black {
		b.Bits[i] |= m
	} else {
		b.Bits[i] &^= m
	}
}

// At reports whether the dot at x, y is black.
func (b *Bitmap) At(x, y int) bool {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return false
	}
	return b.Bits[y*b.Stride()+x/8]&(0x80>>uint(x%8)) != 0
}

// Image prints a raster image (GS v 0, normal density). It must not be
// wider than the paper.
func (e *Encoder) Image(b *Bitmap) error {
	if b == nil || b.W <= 0 || b.H <= 0 || b.W > e.p.Dots || len(b.Bits) != b.Stride()*b.H || b.H > 0xFFFF {
		return ErrImage
	}
	e.flushLine(false)
	e.writeRaster(b)
	return nil
}

func (e *Encoder) writeRaster(b *Bitmap) {
	x := b.Stride()
	e.buf.Write([]byte{GS, 'v', '0', 0, byte(x), byte(x >> 8), byte(b.H), byte(b.H >> 8)})
	e.buf.Write(b.Bits)
}

// drawGlyph draws glyph g scaled 1.5x into bm at cell origin (x0, y0),
// magnified by the style.
func drawGlyph(bm *Bitmap, g glyph, x0, y0 int, s Style) (w int) {
	cw := g.w * 3 / 2 // 12 or 24
	w = cw * s.Width
	h := LineDots * s.Height
	for y := 0; y < h; y++ {
		sy := (y / s.Height) * 2 / 3
		row := g.rows[sy]
		for x := 0; x < w; x++ {
			sx := (x / s.Width) * 2 / 3
			on := row&(0x8000>>uint(sx)) != 0
			if !on && s.Bold && sx > 0 {
				on = row&(0x8000>>uint(sx-1)) != 0
			}
			if s.Underline > 0 && y >= h-s.Underline {
				on = true
			}
			if s.Inverse {
				on = !on
			}
			if on {
				bm.Set(x0+x, y0+y, true)
			}
		}
	}
	return w
}

// rasterLine renders a whole line with the font and prints it as one
// image as wide as the paper. Every character takes the cells that
// Encoder.RuneWidth gives it, and the justification moves the text by
// whole cells, so raster lines stay in column with text lines and are as
// wide as the layout measured them. A line wider than the paper goes on
// over more images rather than losing its end.
func (e *Encoder) rasterLine(ops []op) {
	var row []rasterCell
	cols := 0
	for _, o := range ops {
		for _, r := range o.text {
			rw := e.RuneWidth(r)
			if rw == 0 {
				continue
			}
			if _, ok := e.font.glyphs[r]; !ok && r != ' ' {
				e.setErr(unprintable(r))
				r = '?'
			}
			c := rasterCell{r: r, s: o.style, cols: rw * o.style.Width}
			if cols > 0 && cols+c.cols > e.p.Columns {
				e.rasterCells(row, cols)
				row, cols = nil, 0
			}
			row = append(row, c)
			cols += c.cols
		}
	}
	e.rasterCells(row, cols)
}

// rasterCell is a character of a raster line and the columns it takes.
type rasterCell struct {
	r    rune
	s    Style
	cols int
}

// rasterCells prints cells, cols columns in all, as one image.
func (e *Encoder) rasterCells(cells []rasterCell, cols int) {
	height, width := 1, 1
	for _, c := range cells {
		height = max(height, c.s.Height)
		width = max(width, c.s.Width)
	}
	off := 0
	switch e.align {
	case AlignCenter:
		off = (e.p.Columns - cols) / 2
	case AlignRight:
		off = e.p.Columns - cols
	}
	// Keep magnified text on its own grid, so that it can be read back.
	off = max(off, 0) / width * width
	bm := NewBitmap(e.p.Dots, LineDots*height)
	x := off * CellDots
	for _, c := range cells {
		if g, ok := e.font.glyphs[c.r]; ok { // else a space, or '?' missing too: a blank cell
			y := LineDots * (height - c.s.Height) // baseline alignment
			drawGlyph(bm, g, x, y, c.s)
		}
		x += CellDots * c.cols
	}
	e.writeRaster(bm)
}

// Glyph returns r drawn as the raster renderer draws it in style s: a
// cell 12 (half-width) or 24 (full-width) dots wide and 24 high, both
// times the style's magnification.
func (f *Font) Glyph(r rune, s Style) (*Bitmap, bool) {
	if f == nil {
		return nil, false
	}
	g, ok := f.glyphs[r]
	if !ok {
		return nil, false
	}
	s = s.norm()
	bm := NewBitmap(g.w*3/2*s.Width, LineDots*s.Height)
	drawGlyph(bm, g, 0, 0, s)
	return bm, true
}
