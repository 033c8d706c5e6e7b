package escpos

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// cedilla maps Romanian comma-below letters to the cedilla letters that
// the code pages of receipt printers have (CP852, CP1250, ISO-8859-2).
// Readers of Romanian accept the cedilla forms; a '?' they do not.
var cedilla = map[rune]rune{
	'ș': 'ş', 'ț': 'ţ', 'Ș': 'Ş', 'Ț': 'Ţ',
}

// encodeRune returns the byte for r in page cp, using the cedilla
// substitute when the page lacks the comma-below letter.
func encodeRune(cp CodePage, r rune) (byte, bool) {
	if r < 0x80 {
		return byte(r), true
	}
	if b, ok := cp.Charmap.EncodeRune(r); ok && b >= 0x80 {
		return b, true
	}
	if s, ok := cedilla[r]; ok {
		if b, ok := cp.Charmap.EncodeRune(s); ok && b >= 0x80 {
			return b, true
		}
	}
	return 0, false
}

// big5Rune returns the standard Big5 bytes of r, if it has them.
//
// The Big5 encoder of golang.org/x/text encodes Big5-HKSCS: it writes
// codes with lead byte 0x81..0xA0 and 0xFA..0xFE, and ETEN extensions
// (C6A1..C8FE, F9D6..F9FE), that Traditional Chinese printer firmware
// does not have, and even writes a few characters of standard Big5 that
// way, such as 包 and 港. Those codes are never sent: a character of
// standard Big5 takes its standard code, any other is not printed in
// Big5.
func big5Rune(r rune) ([]byte, bool) {
	if r < 0x80 {
		return nil, false
	}
	var src [utf8.UTFMax]byte
	n := utf8.EncodeRune(src[:], r)
	out, err := traditionalchinese.Big5.NewEncoder().Bytes(src[:n])
	if err == nil && len(out) == 2 && standardBig5(out[0], out[1]) {
		return out, true
	}
	if c, ok := big5Standard()[r]; ok {
		return c[:], true
	}
	return nil, false
}

// standardBig5 reports whether lead, trail is a code of standard Big5,
// as Traditional Chinese printer firmware has it: symbols A140..A3BF,
// frequent characters A440..C67E, less frequent ones C940..F9D5.
func standardBig5(lead, trail byte) bool {
	if trail < 0x40 || trail > 0x7E && trail < 0xA1 || trail == 0xFF {
		return false
	}
	c := uint16(lead)<<8 | uint16(trail)
	return c >= 0xA140 && c <= 0xA3BF || c >= 0xA440 && c <= 0xC67E || c >= 0xC940 && c <= 0xF9D5
}

// big5Standard returns the standard Big5 codes of the characters, a few
// dozen, for which the encoder writes another code. It is made once,
// from the standard codes, and never changed.
var big5Standard = sync.OnceValue(func() map[rune][2]byte {
	m := make(map[rune][2]byte)
	dec := traditionalchinese.Big5.NewDecoder()
	enc := traditionalchinese.Big5.NewEncoder()
	for lead := 0xA1; lead <= 0xF9; lead++ {
		for trail := 0x40; trail <= 0xFE; trail++ {
			c := [2]byte{byte(lead), byte(trail)}
			if !standardBig5(c[0], c[1]) {
				continue
			}
			u, err := dec.Bytes(c[:])
			r, size := utf8.DecodeRune(u)
			if err != nil || r == utf8.RuneError || size != len(u) {
				continue
			}
			if _, ok := m[r]; ok {
				continue // a duplicate code; the first is kept
			}
			if out, err := enc.Bytes(u); err == nil && len(out) == 2 && standardBig5(out[0], out[1]) {
				continue // the encoder gets it right
			}
			m[r] = c
		}
	}
	return m
})

// pageFor reports whether some code page of the profile encodes r.
func (e *Encoder) pageFor(r rune) bool {
	if r < 0x80 {
		return true
	}
	for _, cp := range e.p.CodePages {
		if _, ok := encodeRune(cp, r); ok {
			return true
		}
	}
	return false
}

// needsRaster reports whether the line has a character that only a
// raster image can print.
func (e *Encoder) needsRaster(ops []op) bool {
	for _, o := range ops {
		for _, r := range o.text {
			if e.pageFor(r) {
				continue
			}
			if e.p.DoubleByte == Big5Kanji {
				if _, ok := big5Rune(r); ok {
					continue
				}
			}
			return true
		}
	}
	return false
}

// encodeText writes text that code pages and Big5 can print. The code
// page of every character is chosen so that the line needs as few ESC t
// switches as possible (preferring the active page, then the profile's
// order), and a switch is placed at the start of the word where the new
// page is first needed, which keeps the stream readable.
func (e *Encoder) encodeText(s string) {
	rs := []rune(s)
	pages := e.assignPages(rs)
	e.switchAtWordStart(rs, pages)
	// switchAt[i] is the page to select before rune i.
	switchAt := map[int]int{}
	cur, lastNonASCII := e.sent.codePage, -1
	for i, r := range rs {
		if pages[i] < 0 {
			if r >= 0x80 {
				lastNonASCII = i
			}
			continue
		}
		n := int(e.p.CodePages[pages[i]].Number)
		if n != cur {
			at := i
			for at > lastNonASCII+1 && rs[at-1] != ' ' {
				at--
			}
			switchAt[at] = pages[i]
			cur = n
		}
		lastNonASCII = i
	}
	for i, r := range rs {
		if p, ok := switchAt[i]; ok {
			if e.sent.kanji {
				e.buf.Write([]byte{FS, '.'})
				e.sent.kanji = false
			}
			e.selectCodePage(e.p.CodePages[p].Number)
		}
		switch {
		case r < 0x80:
			e.buf.WriteByte(byte(r))
		case pages[i] >= 0:
			if e.sent.kanji {
				e.buf.Write([]byte{FS, '.'})
				e.sent.kanji = false
			}
			b, _ := encodeRune(e.p.CodePages[pages[i]], r)
			e.buf.WriteByte(b)
		default:
			b, ok := big5Rune(r)
			if !ok || e.p.DoubleByte != Big5Kanji {
				e.buf.WriteByte('?')
				e.setErr(unprintable(r))
				continue
			}
			if !e.sent.kanji {
				e.buf.Write([]byte{FS, '&'})
				e.sent.kanji = true
			}
			e.buf.Write(b)
		}
	}
}

// switchAtWordStart moves every page switch back to the start of its
// word when the new page prints the earlier letters of that word too, so
// that a word is not split across pages. The number of switches does not
// grow: a run only grows backwards over its neighbour.
func (e *Encoder) switchAtWordStart(rs []rune, pages []int) {
	prev := -1 // index of the previous rune with a page
	for i := range rs {
		if pages[i] < 0 {
			continue
		}
		if prev >= 0 && pages[prev] != pages[i] {
			b := e.p.CodePages[pages[i]]
			for k := i - 1; k >= 0 && rs[k] != ' '; k-- {
				if pages[k] < 0 {
					if rs[k] >= 0x80 {
						break // a Big5 or unprintable rune ends the stretch
					}
					continue
				}
				if _, ok := encodeRune(b, rs[k]); !ok {
					break
				}
				pages[k] = pages[i]
			}
		}
		prev = i
	}
}

// assignPages returns, for every rune, the index in the profile's code
// pages that prints it, or -1 for ASCII and for runes no page has. It
// minimises the number of page changes by dynamic programming over the
// non-ASCII runes (ASCII is the same on every page).
func (e *Encoder) assignPages(rs []rune) []int {
	out := make([]int, len(rs))
	var idx []int // positions of runes some page prints
	for i, r := range rs {
		out[i] = -1
		if r >= 0x80 && e.pageFor(r) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return out
	}
	np := len(e.p.CodePages)
	const inf = 1 << 30
	// togo[j][p] is the fewest switches needed for runes idx[j:] when
	// rune idx[j] is printed with page p.
	togo := make([][]int, len(idx))
	for j := len(idx) - 1; j >= 0; j-- {
		togo[j] = make([]int, np)
		for p, cp := range e.p.CodePages {
			togo[j][p] = inf
			if _, ok := encodeRune(cp, rs[idx[j]]); !ok {
				continue
			}
			if j == len(idx)-1 {
				togo[j][p] = 0
				continue
			}
			for q := 0; q < np; q++ {
				c := togo[j+1][q]
				if q != p {
					c++
				}
				togo[j][p] = min(togo[j][p], c)
			}
		}
	}
	// Walk forward, staying on the page in use as long as that costs
	// nothing extra, so switches come as late as possible; else take the
	// first page in the profile's order.
	prev := -1
	for p, cp := range e.p.CodePages {
		if int(cp.Number) == e.sent.codePage {
			prev = p
		}
	}
	for j := range idx {
		best, bestC := -1, inf
		for p := 0; p < np; p++ {
			c := togo[j][p]
			if c >= inf {
				continue
			}
			if p != prev {
				c++
			}
			if c < bestC || (c == bestC && p == prev) {
				best, bestC = p, c
			}
		}
		out[idx[j]] = best
		prev = best
	}
	return out
}

type unprintableError rune

func (u unprintableError) Error() string {
	return "escpos: cannot print " + string(rune(u)) + " (" + hexRune(rune(u)) + ")"
}

func (u unprintableError) Unwrap() error { return ErrUnprintable }

func unprintable(r rune) error { return unprintableError(r) }

func hexRune(r rune) string {
	const digits = "0123456789ABCDEF"
	b := []byte("U+")
	started := false
	for shift := 20; shift >= 0; shift -= 4 {
		d := (r >> uint(shift)) & 0xF
		if d != 0 || started || shift <= 12 {
			b = append(b, digits[d])
			started = true
		}
	}
	return string(b)
}

// RuneWidth returns the number of Font A columns r takes: 2 for East Asian
// wide and fullwidth characters (printed 24 dots wide in Kanji mode and by
// the raster renderer), 0 for what does not print (control characters,
// invisible format characters such as zero-width spaces and soft hyphens,
// and combining marks, which Clean composes with their letter or drops),
// 1 otherwise.
func RuneWidth(r rune) int {
	if invisible(r) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// invisible reports whether r prints nothing: a control or format
// character, a combining mark, or invalid UTF-8.
func invisible(r rune) bool {
	if r < 0x20 || (r >= 0x7F && r < 0xA0) || r == utf8.RuneError {
		return true
	}
	return r >= 0x300 && unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me) || r == 0xAD
}

// Width returns the number of Font A columns s takes at normal size, as
// Clean(s) prints.
func Width(s string) int {
	n := 0
	for _, r := range Clean(s) {
		n += RuneWidth(r)
	}
	return n
}

// RuneWidth returns the number of Font A columns r takes as this encoder
// prints it: 0 for what does not print (see the function RuneWidth), 1
// for a character of a code page and for the '?' that stands for one
// nothing can print, 2 for a character sent in Big5, which the printer
// prints full width, and else the width of its glyph in the raster font.
// A raster line gives every character these columns too, so text laid
// out with Width prints as laid out on either path.
func (e *Encoder) RuneWidth(r rune) int {
	switch {
	case invisible(r):
		return 0
	case e.pageFor(r):
		return 1
	}
	if e.p.DoubleByte == Big5Kanji {
		if _, ok := big5Rune(r); ok {
			return 2
		}
	}
	if e.font != nil {
		if g, ok := e.font.glyphs[r]; ok {
			return g.w / 8
		}
	}
	return 1
}

// Width returns the number of Font A columns s takes at normal size as
// this encoder prints Clean(s).
func (e *Encoder) Width(s string) int {
	n := 0
	for _, r := range Clean(s) {
		n += e.RuneWidth(r)
	}
	return n
}

// Clean returns s as the encoder prints it, so that text can be measured
// and laid out before it is printed: a letter and its combining accent
// are composed into one character (NFC), tabs and line breaks become
// spaces, and what prints nothing is dropped: other control characters,
// invalid UTF-8, invisible format characters (zero-width spaces, byte
// order marks, word joiners, soft hyphens) and combining marks that
// compose with nothing.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	s = norm.NFC.String(strings.ToValidUTF8(s, ""))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteByte(' ')
		case invisible(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isClean reports whether Clean would leave s as it is, as it does with
// most text on a receipt, without copying it.
func isClean(s string) bool {
	ascii := true
	for _, r := range s {
		if invisible(r) || r == 0x2028 || r == 0x2029 {
			return false
		}
		if r >= 0x80 {
			ascii = false
		}
	}
	return ascii || norm.NFC.IsNormalString(s)
}
