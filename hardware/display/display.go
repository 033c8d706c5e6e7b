// Package display drives a 2×20 customer pole display that speaks the
// ESC/POS customer display command set (Epson DM-D and the many compatible
// VFD and LCD poles).
//
// Each call (Welcome, ShowItem, ShowTotal, ShowChange) replaces the whole
// screen in one write: select the code page (ESC t n), clear (FF), cursor
// home (VT), line 1, cursor to line 2 (US $ 1 2), line 2. Lines are cut or
// padded to the display width. ESC @ (initialize) and overwrite mode
// (US MD1) are sent before the first screen and again after a write failed,
// since a display that was unplugged or power-cycled has lost its settings.
//
// # Characters
//
// Text is encoded with a code page the display has (Options.CodePages):
// for each screen the page that can show most of its characters is chosen
// and selected with ESC t. Romanian ș and ț (comma below) become ş and ţ
// (cedilla) when the page has only those. Any Latin letter the page lacks is
// transliterated to ASCII by removing its accents (å→a, č→c, ő→o) or by a
// fixed spelling (ß→ss, æ→ae, ø→o, ł→l, đ→d); with no code pages configured,
// all text is shown that way. Text is composed first (NFC), so a name stored
// as a letter plus a combining accent shows the accented letter, and
// full-width Latin letters and digits (５００ｍｌ) show as their ASCII forms.
// Characters with no Latin form, such as Chinese,
// show as '?': a 2×20 display has no room for a raster font, so stores that
// sell under Chinese names should give their displays a Latin short name.
// Labels (Welcome, Total, Paid, Change) in the store language fall back to
// English when the display cannot show them.
//
// # Wiring
//
// cmd gives a station with a display its own serialdev.Device and refreshes
// the screen when the device comes back, since a display that lost power is
// blank:
//
//	var disp *display.Display
//	dev, _ := serialdev.New(serialdev.Options{Name: st.ID + " display", Path: st.Display, Config: line,
//		OnState: func(s serialdev.State) {
//			if s.Connected {
//				go disp.Refresh() // OnState must not block
//			}
//		}})
//	disp, _ = display.New(dev, display.Options{Language: store.Language, CodePages: []display.CodePage{display.PC858, display.PC852}})
//	g.Go(func() error { return dev.Run(ctx) })
//
// The scan handler calls ShowItem after the cart took the item, the payment
// screen ShowTotal and ShowChange, and the end of a sale Welcome. Errors are
// logged, never shown to the cashier as a failed sale: a display is optional.
//
// # Concurrency
//
// A Display may be used from several goroutines; screens are written one at
// a time, whole.
package display

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Writer is where screens go. *serialdev.Device implements it; its Write
// returns within a bounded time whether or not the display takes the bytes.
type Writer interface {
	Write(p []byte) (int, error)
}

// ErrNoWriter is returned by New without a Writer.
var ErrNoWriter = errors.New("display: no writer")

// Commands of the ESC/POS customer display command set.
const (
	cmdInit      = "\x1b@"         // ESC @: initialize, clear, cursor home
	cmdOverwrite = "\x1f\x01"      // US MD1: overwrite mode (no scrolling)
	cmdCodePage  = "\x1bt"         // ESC t n: select character code table n
	cmdClear     = "\x0c"          // FF (CLR): clear screen, cursor home
	cmdHome      = "\x0b"          // VT (HOM): cursor to top left
	cmdLine2     = "\x1f$\x01\x02" // US $ 1 2: cursor to column 1, line 2
)

// CodePage is a character code table a display has, with the number that
// selects it with ESC t.
type CodePage struct {
	Name    string
	Number  byte
	Charmap *charmap.Charmap
}

// Code pages as numbered by Epson DM-D displays and most compatibles.
var (
	PC437   = CodePage{"PC437", 0, charmap.CodePage437}
	PC850   = CodePage{"PC850", 2, charmap.CodePage850}
	WPC1252 = CodePage{"WPC1252", 16, charmap.Windows1252}
	PC852   = CodePage{"PC852", 18, charmap.CodePage852}
	PC858   = CodePage{"PC858", 19, charmap.CodePage858}
)

// Labels are the fixed words a display shows.
type Labels struct {
	Welcome, Total, Paid, Change string
}

// labels holds the labels of each store language.
var labels = map[string]Labels{
	"en":      {"Welcome", "Total", "Paid", "Change"},
	"sv":      {"Välkommen", "Att betala", "Betalt", "Växel"},
	"sk":      {"Vitajte", "Spolu", "Zaplatené", "Výdavok"},
	"ro":      {"Bun venit", "Total", "Plătit", "Rest"},
	"zh-Hant": {"歡迎光臨", "合計", "已付", "找零"},
}

// Options configure a Display.
type Options struct {
	// Language is the store language (en, sv, sk, ro, zh-Hant) of the
	// labels. Empty or unknown means en.
	Language string

	// Labels overrides single labels; empty fields take the language's.
	Labels Labels

	// Greeting is shown on line 2 of the welcome screen, for example the
	// store's name. Empty leaves line 2 blank.
	Greeting string

	// CodePages are the tables the display has, in order of preference.
	// Nil means none is selected and text is shown as ASCII.
	CodePages []CodePage

	// Width is the number of characters per line. Zero means 20.
	Width int
}

// Display shows sale progress to the customer.
type Display struct {
	w      Writer
	opts   Options
	labels Labels

	mu       sync.Mutex // guards needInit and last; held while writing
	needInit bool
	last     [2]line
}

// New returns a Display writing to w.
func New(w Writer, opts Options) (*Display, error) {
	if w == nil {
		return nil, ErrNoWriter
	}
	if opts.Width <= 0 {
		opts.Width = 20
	}
	l, ok := labels[opts.Language]
	if !ok {
		l = labels["en"]
	}
	en := labels["en"]
	d := &Display{w: w, opts: opts, needInit: true}
	pick := func(override, lang, english string) string {
		if override != "" {
			return override
		}
		if !d.showable(lang) {
			return english
		}
		return lang
	}
	d.labels = Labels{
		Welcome: pick(opts.Labels.Welcome, l.Welcome, en.Welcome),
		Total:   pick(opts.Labels.Total, l.Total, en.Total),
		Paid:    pick(opts.Labels.Paid, l.Paid, en.Paid),
		Change:  pick(opts.Labels.Change, l.Change, en.Change),
	}
	return d, nil
}

// line is the layout of one line: left text, right-aligned text, or both
// (the left cut to leave room for the right), or centered text.
type line struct {
	left, right string
	centered    bool
}

// composed returns l with its text in composed form (NFC): names typed on
// some systems arrive as a base letter followed by a combining accent
// ("o" + U+0308), which no code page has, though it has the letter "ö".
func (l line) composed() line {
	l.left, l.right = norm.NFC.String(l.left), norm.NFC.String(l.right)
	return l
}

// Welcome shows the greeting screen between customers.
func (d *Display) Welcome() error {
	return d.show(line{left: d.labels.Welcome, centered: true}, line{left: d.opts.Greeting, centered: true})
}

// ShowItem shows the item just scanned and its price, for example
// ("Mjölk 1 l", "12,90 kr").
func (d *Display) ShowItem(name, price string) error {
	return d.show(line{left: name}, line{right: price})
}

// ShowTotal shows the amount to pay.
func (d *Display) ShowTotal(total string) error {
	return d.show(line{left: d.labels.Total}, line{right: total})
}

// ShowChange shows what the customer paid and the change due.
func (d *Display) ShowChange(paid, change string) error {
	return d.show(line{left: d.labels.Paid, right: paid}, line{left: d.labels.Change, right: change})
}

// Show writes two lines of text; each is cut or padded to the width.
func (d *Display) Show(line1, line2 string) error {
	return d.show(line{left: line1}, line{left: line2})
}

// Refresh writes the last screen again, with initialization: call it when
// the display has reconnected.
func (d *Display) Refresh() error {
	d.mu.Lock()
	last := d.last
	d.needInit = true
	d.mu.Unlock()
	return d.show(last[0], last[1])
}

func (d *Display) show(l1, l2 line) error {
	l1, l2 = l1.composed(), l2.composed()
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.screen(d.needInit, l1, l2)
	d.last = [2]line{l1, l2}
	if _, err := d.w.Write(b); err != nil {
		d.needInit = true
		return fmt.Errorf("display: %w", err)
	}
	d.needInit = false
	return nil
}

// screen encodes a whole screen.
func (d *Display) screen(init bool, l1, l2 line) []byte {
	var b []byte
	if init {
		b = append(b, cmdInit+cmdOverwrite...)
	}
	page, ok := d.choosePage(l1.left + l1.right + l2.left + l2.right)
	if ok {
		b = append(b, cmdCodePage...)
		b = append(b, page.Number)
	}
	b = append(b, cmdClear+cmdHome...)
	b = append(b, d.layout(l1, page.Charmap)...)
	b = append(b, cmdLine2...)
	b = append(b, d.layout(l2, page.Charmap)...)
	return b
}

// layout encodes a line and makes it exactly Width bytes (one byte per
// character on a single-byte code page).
func (d *Display) layout(l line, cm *charmap.Charmap) []byte {
	w := d.opts.Width
	left, right := encode(l.left, cm), encode(l.right, cm)
	var b []byte
	switch {
	case l.centered:
		if len(left) < w {
			b = append(b, pad((w-len(left))/2)...)
		}
		b = append(b, left...)
	case len(right) == 0:
		b = left
	case len(right) >= w:
		b = right[:w] // a cut currency beats cut digits
	default:
		room := w - len(right) - 1
		if len(left) > room {
			left = left[:room]
		}
		b = append(b, left...)
		b = append(b, pad(w-len(left)-len(right))...)
		b = append(b, right...)
	}
	if len(b) > w {
		b = b[:w]
	}
	return append(b, pad(w-len(b))...)
}

func pad(n int) []byte {
	if n <= 0 {
		return nil
	}
	return []byte(strings.Repeat(" ", n))
}

// choosePage returns the configured page that can show the most characters
// of s without transliteration (the first such page on ties).
func (d *Display) choosePage(s string) (CodePage, bool) {
	if len(d.opts.CodePages) == 0 {
		return CodePage{}, false
	}
	best, bestMiss := 0, -1
	for i, p := range d.opts.CodePages {
		miss := 0
		for _, r := range s {
			if _, ok := encodeRune(r, p.Charmap); !ok {
				miss++
			}
		}
		if bestMiss < 0 || miss < bestMiss {
			best, bestMiss = i, miss
		}
	}
	return d.opts.CodePages[best], true
}

// showable reports whether every character of s shows as itself on some
// configured page, or as ASCII.
func (d *Display) showable(s string) bool {
	page, _ := d.choosePage(s)
	for _, r := range s {
		if _, ok := encodeRune(r, page.Charmap); !ok {
			return false
		}
	}
	return true
}

// encodeRune encodes r on cm (nil: ASCII), mapping Romanian comma-below
// letters to their cedilla forms when needed. Control characters are never
// encoded.
func encodeRune(r rune, cm *charmap.Charmap) (byte, bool) {
	if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
		return 0, false
	}
	if r < 0x7f {
		return byte(r), true
	}
	if cm == nil {
		return 0, false
	}
	if b, ok := cm.EncodeRune(r); ok {
		return b, true
	}
	if alt, ok := cedilla[r]; ok {
		return cm.EncodeRune(alt)
	}
	return 0, false
}

var cedilla = map[rune]rune{'ș': 'ş', 'Ș': 'Ş', 'ț': 'ţ', 'Ț': 'Ţ'}

// encode converts s for a page (nil: ASCII), transliterating what the page
// lacks and replacing control characters with spaces.
func encode(s string, cm *charmap.Charmap) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			b = append(b, ' ')
			continue
		}
		if c, ok := encodeRune(r, cm); ok {
			b = append(b, c)
			continue
		}
		b = append(b, Transliterate(string(r))...)
	}
	return b
}

// spellings are Latin letters that do not decompose into a base letter and
// marks.
var spellings = map[rune]string{
	'ß': "ss", 'ẞ': "SS", 'æ': "ae", 'Æ': "AE", 'ø': "o", 'Ø': "O", 'œ': "oe", 'Œ': "OE",
	'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ð': "d", 'Ð': "D", 'þ': "th", 'Þ': "Th",
	'ı': "i", '€': "EUR", '–': "-", '—': "-", '‘': "'", '’': "'", '“': "\"", '”': "\"",
	'„': "\"", '…': "...", '×': "x", '\u00a0': " ", '⁄': "/",
}

// Transliterate returns s in printable ASCII: accents are removed from
// Latin letters (å→a, č→c, ș→s), full-width letters and digits, common in
// Chinese product names, become their ASCII forms (５００ｍｌ→500ml), a few
// letters are spelled out (ß→ss, æ→ae) and anything else becomes '?'.
func Transliterate(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// a combining accent: dropped
		case spellings[r] != "":
			b.WriteString(spellings[r])
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			b.WriteByte(' ')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
