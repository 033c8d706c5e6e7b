package escpos

import (
	"bytes"
	"errors"
	"fmt"
)

// Control bytes used by the command set.
const (
	ESC = 0x1B
	GS  = 0x1D
	FS  = 0x1C
	DLE = 0x10
	EOT = 0x04
	ENQ = 0x05
	DC4 = 0x14
	LF  = 0x0A
)

// Errors returned by the encoder. All of them are permanent for the given
// input: retrying the same call fails the same way.
var (
	// ErrBarcodeData means the data cannot be expressed in CODE128.
	ErrBarcodeData = errors.New("escpos: barcode data not printable in CODE128")
	// ErrBarcodeTooWide means the symbol does not fit the paper.
	ErrBarcodeTooWide = errors.New("escpos: barcode wider than the paper")
	// ErrQRData means the QR payload is empty, longer than the printer
	// takes, or would put a real-time command in the stream (see QR).
	ErrQRData = errors.New("escpos: QR data empty, too long or holding a printer real-time command")
	// ErrImage means a raster image is empty or wider than the paper.
	ErrImage = errors.New("escpos: image empty or wider than the paper")
	// ErrUnprintable means some text could not be printed by any means the
	// profile and font offer; those characters were printed as '?'.
	ErrUnprintable = errors.New("escpos: character not printable with this printer and font")
)

// Align is a line justification (ESC a n).
type Align byte

// Justifications.
const (
	AlignLeft   Align = 0
	AlignCenter Align = 1
	AlignRight  Align = 2
)

func (a Align) String() string {
	switch a {
	case AlignLeft:
		return "left"
	case AlignCenter:
		return "center"
	case AlignRight:
		return "right"
	}
	return fmt.Sprintf("align(%d)", byte(a))
}

// Style is the character style of a piece of text. The zero value is plain
// text at normal size.
type Style struct {
	Bold bool
	// Width and Height are magnifications, 1 or 2; 0 means 1.
	Width, Height int
	// Underline is 0 (off), 1 (thin) or 2 (thick).
	Underline int
	// Inverse prints white on black.
	Inverse bool
}

func (s Style) norm() Style {
	if s.Width < 1 {
		s.Width = 1
	}
	if s.Width > 2 {
		s.Width = 2
	}
	if s.Height < 1 {
		s.Height = 1
	}
	if s.Height > 2 {
		s.Height = 2
	}
	if s.Underline < 0 {
		s.Underline = 0
	}
	if s.Underline > 2 {
		s.Underline = 2
	}
	return s
}

// Options configure an Encoder.
type Options struct {
	// Font renders characters that neither a code page nor the printer's
	// double-byte mode can print (Chinese on printers without a Big5 font)
	// as raster images. Nil means such characters print as '?' and Err
	// reports ErrUnprintable. See OpenDefaultFont.
	Font *Font
}

// DrawerPin selects the drawer kick connector pin for ESC p.
type DrawerPin byte

// Drawer pins.
const (
	DrawerPin2 DrawerPin = 0
	DrawerPin5 DrawerPin = 1
)

// StatusKind selects which real-time status DLE EOT n asks for.
type StatusKind byte

// Real-time status kinds.
const (
	StatusPrinter StatusKind = 1 // online, drawer switch
	StatusOffline StatusKind = 2 // cover open, paper-end stop, error
	StatusError   StatusKind = 3 // cutter, unrecoverable, auto-recoverable
	StatusPaper   StatusKind = 4 // roll near end, roll end
)

// StatusRequest returns DLE EOT n. The printer answers with one byte even
// while it is offline or its buffer is full; see ParseStatus.
func StatusRequest(k StatusKind) []byte { return []byte{DLE, EOT, byte(k)} }

// realTime reports whether DLE followed by b is a real-time command: DLE
// EOT (status), DLE ENQ (recover, clear the buffer) or DLE DC4 (pulse,
// power off). Firmware obeys these wherever they come in the stream, in
// the data of another command too, so the encoder keeps them out of
// barcode data, QR data and drawer pulse times.
func realTime(b byte) bool { return b == EOT || b == ENQ || b == DC4 }

// hasRealTime reports whether b holds a real-time command.
func hasRealTime(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == DLE && realTime(b[i+1]) {
			return true
		}
	}
	return false
}

// op is a piece of a pending line: text in one style.
type op struct {
	text  string
	style Style
}

// printerState is what the encoder has told the printer since the last
// ESC @, so that it sends only the commands that change something.
type printerState struct {
	style    Style
	align    Align
	codePage int // ESC t number in effect, -1 unknown
	kanji    bool
}

// Encoder builds a byte stream for one print job. Text is collected per
// line and encoded when the line ends, because the way a line is printed
// (code page text, Big5 or a raster image) depends on all of its
// characters. An Encoder is not safe for concurrent use.
type Encoder struct {
	p    Profile
	font *Font
	buf  bytes.Buffer
	err  error

	sent  printerState // as the printer has it
	style Style        // requested for the next text
	align Align        // requested for the next line
	line  []op         // pending line
}

// NewEncoder returns an encoder for printers described by p.
func NewEncoder(p Profile, o Options) *Encoder {
	e := &Encoder{p: p, font: o.Font}
	e.sent = newPrinterState()
	return e
}

// Profile returns the profile the encoder writes for.
func (e *Encoder) Profile() Profile { return e.p }

// Bytes returns the stream encoded so far, ending any pending line first.
// The slice aliases the encoder's buffer until the next call.
func (e *Encoder) Bytes() []byte {
	e.flushLine(false)
	return e.buf.Bytes()
}

// Err returns the first error met while encoding text, or nil. Bytes is
// usable even when Err is not nil.
func (e *Encoder) Err() error { return e.err }

// Reset discards everything and starts a new stream for the same profile.
func (e *Encoder) Reset() {
	e.buf.Reset()
	e.err = nil
	e.line = e.line[:0]
	e.style = Style{}
	e.align = AlignLeft
	e.sent = newPrinterState()
}

// newPrinterState is the state after ESC @, code page unknown.
func newPrinterState() printerState {
	return printerState{style: Style{}.norm(), codePage: -1}
}

func (e *Encoder) setErr(err error) {
	if e.err == nil {
		e.err = err
	}
}

// Init sends ESC @ and then puts the printer in a known state: Kanji
// (Chinese) mode off (FS .) and the profile's first code page (ESC t).
// Styles and alignment return to their defaults.
//
// FS . goes to every model: printers with a GB18030 font, as most 58 mm
// ones have, are in Chinese mode after power-up (and after ESC @ on some),
// in which every byte from 0x80 starts a two-byte character, so accented
// letters of a code page would print as Chinese and could swallow the
// line feed after them. Models without Kanji mode ignore it.
func (e *Encoder) Init() {
	e.flushLine(false)
	e.buf.Write([]byte{ESC, '@', FS, '.'})
	e.sent = newPrinterState()
	e.style = Style{}
	e.align = AlignLeft
	if len(e.p.CodePages) > 0 {
		e.selectCodePage(e.p.CodePages[0].Number)
	}
}

// SetStyle sets the style of the text that follows.
func (e *Encoder) SetStyle(s Style) {
	e.style = s.norm()
}

// Style returns the style in effect for the next text.
func (e *Encoder) Style() Style { return e.style }

// SetBold switches emphasized printing (ESC E).
func (e *Encoder) SetBold(on bool) { s := e.style; s.Bold = on; e.SetStyle(s) }

// SetSize sets the character magnification (GS !), 1 or 2 each way.
func (e *Encoder) SetSize(width, height int) {
	s := e.style
	s.Width, s.Height = width, height
	e.SetStyle(s)
}

// SetUnderline sets underlining (ESC -): 0 off, 1 thin, 2 thick.
func (e *Encoder) SetUnderline(n int) { s := e.style; s.Underline = n; e.SetStyle(s) }

// SetInverse switches white-on-black printing (GS B).
func (e *Encoder) SetInverse(on bool) { s := e.style; s.Inverse = on; e.SetStyle(s) }

// SetAlign sets the justification of the next line (ESC a). It ends a
// pending line first, since justification applies to whole lines.
func (e *Encoder) SetAlign(a Align) {
	if len(e.line) > 0 {
		e.flushLine(true)
	}
	e.align = a
}

// Text appends text to the current line. Newlines in s end lines; the
// rest prints as Clean returns it (tabs as spaces, other control
// characters dropped), so data can never inject commands.
func (e *Encoder) Text(s string) {
	for {
		i := indexNewline(s)
		if i < 0 {
			break
		}
		e.addText(s[:i])
		e.flushLine(true)
		s = s[i+1:]
	}
	e.addText(s)
}

// Println appends s and ends the line.
func (e *Encoder) Println(s string) {
	e.Text(s)
	e.flushLine(true)
}

// Newline ends the current line (LF); on an empty line it feeds one line.
func (e *Encoder) Newline() { e.flushLine(true) }

func indexNewline(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return i
		}
	}
	return -1
}

func (e *Encoder) addText(s string) {
	if s == "" {
		return
	}
	s = Clean(s)
	if s == "" {
		return
	}
	st := e.style.norm()
	if n := len(e.line); n > 0 && e.line[n-1].style == st {
		e.line[n-1].text += s
		return
	}
	e.line = append(e.line, op{text: s, style: st})
}

// flushLine encodes the pending line. With lf it ends the line with LF
// even when it is empty (a blank line).
func (e *Encoder) flushLine(lf bool) {
	ops := e.line
	e.line = e.line[:0]
	if len(ops) == 0 {
		if lf {
			e.buf.WriteByte(LF) // alignment does not matter on a blank line
		}
		return
	}
	if e.font != nil && e.needsRaster(ops) {
		e.rasterLine(ops)
		return
	}
	e.syncAlign()
	for _, o := range ops {
		e.syncStyle(o.style)
		e.encodeText(o.text)
	}
	e.buf.WriteByte(LF)
}

func (e *Encoder) syncAlign() {
	if e.sent.align != e.align {
		e.buf.Write([]byte{ESC, 'a', byte(e.align)})
		e.sent.align = e.align
	}
}

func (e *Encoder) syncStyle(s Style) {
	old := e.sent.style
	if old.Bold != s.Bold {
		e.buf.Write([]byte{ESC, 'E', b2b(s.Bold)})
	}
	if old.Width != s.Width || old.Height != s.Height {
		e.buf.Write([]byte{GS, '!', byte((s.Width-1)<<4 | (s.Height - 1))})
	}
	if old.Underline != s.Underline {
		e.buf.Write([]byte{ESC, '-', byte(s.Underline)})
		if e.p.DoubleByte == Big5Kanji {
			e.buf.Write([]byte{FS, '-', byte(s.Underline)})
		}
	}
	if old.Inverse != s.Inverse {
		e.buf.Write([]byte{GS, 'B', b2b(s.Inverse)})
	}
	e.sent.style = s
}

func b2b(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func (e *Encoder) selectCodePage(n byte) {
	e.buf.Write([]byte{ESC, 't', n})
	e.sent.codePage = int(n)
}

// Feed prints the buffer and feeds n lines (ESC d n).
func (e *Encoder) Feed(n int) {
	e.flushLine(false)
	if n < 0 {
		n = 0
	}
	if n > 255 {
		n = 255
	}
	e.buf.Write([]byte{ESC, 'd', byte(n)})
}

// Cut feeds the paper to the cutter and cuts it (GS V 65/66 n); partial
// leaves one point uncut.
func (e *Encoder) Cut(partial bool) {
	e.flushLine(false)
	m := byte(65)
	if partial {
		m = 66
	}
	e.buf.Write([]byte{GS, 'V', m, 3})
}

// KickDrawer pulses a drawer kick connector pin (ESC p m t1 t2). onMS and
// offMS are the pulse on and off times in milliseconds, rounded up to the
// printer's 2 ms unit and limited to 510 ms; zero means 100 ms on, 200 ms off.
// With 32 ms on, an off time of 8, 10 or 40 ms is made 4 or 2 ms longer:
// t1 t2 would be a real-time command, which the printer obeys.
func (e *Encoder) KickDrawer(pin DrawerPin, onMS, offMS int) {
	e.flushLine(false)
	if onMS <= 0 {
		onMS = 100
	}
	if offMS <= 0 {
		offMS = 200
	}
	on, off := ms2units(onMS), ms2units(offMS)
	for on == DLE && realTime(off) {
		off++
	}
	e.buf.Write([]byte{ESC, 'p', byte(pin) & 1, on, off})
}

// KickDrawerNow pulses a drawer kick connector pin in real time (DLE DC4
// 1 m t): the printer obeys it at once, also while it is offline (out of
// paper, its cover open), where it holds ESC p until it is back. The on
// and off times are onMS rounded up to the command's 100 ms unit, 100 to
// 800 ms; zero means 100 ms. It is a command of its own, never inside a
// job's data.
func (e *Encoder) KickDrawerNow(pin DrawerPin, onMS int) {
	e.flushLine(false)
	t := min(max((onMS+99)/100, 1), 8)
	e.buf.Write([]byte{DLE, DC4, 1, byte(pin) & 1, byte(t)})
}

func ms2units(ms int) byte {
	u := (ms + 1) / 2
	if u < 1 {
		u = 1
	}
	if u > 255 {
		u = 255
	}
	return byte(u)
}

// Raw appends bytes as they are. It is meant for commands this package
// does not model; the caller is responsible for them.
func (e *Encoder) Raw(b []byte) {
	e.flushLine(false)
	e.buf.Write(b)
}
