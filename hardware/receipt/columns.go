package receipt

import (
	"strings"

	"github.com/posnode/posnode/hardware/escpos"
)

// The layout methods below take text as it comes (names typed by staff
// or sent by central) and return it as it prints (escpos.Clean), and they
// measure it as the page's encoder prints it, so that a line laid out to
// fit the paper does: a tab or a line break in a name is a space,
// invisible characters take no room, and a character the printer prints
// full width (in Big5, or as a wide glyph of the raster font) takes two
// columns.

// truncate cuts s to at most cols columns.
func (p *page) truncate(s string, cols int) string {
	s = escpos.Clean(s)
	if p.e.Width(s) <= cols {
		return s
	}
	w := 0
	for i, r := range s {
		rw := p.e.RuneWidth(r)
		if w+rw > cols {
			return s[:i]
		}
		w += rw
	}
	return s
}

// fit pads or cuts s to exactly cols columns, aligned right or left.
func (p *page) fit(s string, cols int, right bool) string {
	s = p.truncate(s, cols)
	pad := strings.Repeat(" ", cols-p.e.Width(s))
	if right {
		return pad + s
	}
	return s + pad
}

// wrap breaks s into lines of at most cols columns, at spaces where it
// can and inside words (or between wide characters) where it must.
func (p *page) wrap(s string, cols int) []string {
	if cols <= 0 {
		return nil
	}
	s = escpos.Clean(s)
	var lines []string
	var cur strings.Builder
	curW := 0
	flush := func() {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		curW = 0
	}
	for _, word := range p.splitWords(s) {
		ww := p.e.Width(word)
		if curW > 0 && curW+ww > cols {
			flush()
			word = strings.TrimLeft(word, " ")
			ww = p.e.Width(word)
		}
		for ww > cols { // a word longer than a line
			part := p.truncate(word, cols-curW)
			if part == "" {
				flush()
				continue
			}
			cur.WriteString(part)
			flush()
			word = word[len(part):]
			ww = p.e.Width(word)
		}
		cur.WriteString(word)
		curW += ww
	}
	if cur.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// splitWords splits before every space and around every wide character,
// keeping the spaces with the word that follows them.
func (p *page) splitWords(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if i > start && (r == ' ' || p.e.RuneWidth(r) == 2) {
			out = append(out, s[start:i])
			start = i
		}
		if p.e.RuneWidth(r) == 2 {
			out = append(out, s[start:i+len(string(r))])
			start = i + len(string(r))
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// columns lays out left and right on a line of cols columns, the right
// part flush right. When they do not fit together, left is wrapped and
// right goes flush right on a line of its own.
func (p *page) columns(left, right string, cols int) []string {
	left, right = escpos.Clean(left), escpos.Clean(right)
	lw, rw := p.e.Width(left), p.e.Width(right)
	if right == "" {
		return p.wrap(left, cols)
	}
	if lw+1+rw <= cols {
		return []string{left + strings.Repeat(" ", max(cols-lw-rw, 0)) + right}
	}
	return append(p.wrap(left, cols), p.fit(right, cols, true))
}
