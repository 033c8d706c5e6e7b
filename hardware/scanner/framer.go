package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Reasons a frame is rejected. Each is counted in Stats and logged with the
// station; none is returned from Run, since garbage on the line is expected
// (a bumped cable, a scanner in the wrong mode) and must not stop a till.
var (
	ErrPartial     = errors.New("scanner: partial scan dropped after inactivity")
	ErrTooLong     = errors.New("scanner: scan longer than the maximum length")
	ErrControl     = errors.New("scanner: control byte in scan")
	ErrInvalidUTF8 = errors.New("scanner: scan is not valid UTF-8")
	ErrNoPrefix    = errors.New("scanner: scan lacks the configured prefix")
	ErrNoSuffix    = errors.New("scanner: scan lacks the configured suffix")
	ErrEmpty       = errors.New("scanner: scan has no data")
	ErrDuplicate   = errors.New("scanner: repeat of the previous scan within the repeat window")
)

// Terminator is the byte sequence a scanner sends after each code.
type Terminator int

const (
	// TermCR ends a code at CR. A LF right after the CR is ignored, so
	// a scanner sending CRLF still gives one code per scan.
	TermCR Terminator = iota
	// TermLF ends a code at LF. A CR right before the LF is dropped.
	TermLF
	// TermCRLF ends a code at CR LF; the pair counts once. A CR not
	// followed by LF is a control byte in the code (ErrControl).
	TermCRLF
	// TermNone is for scanners that send nothing after a code (the
	// "data as is" setting): a code ends when the line has been silent
	// for FramingOptions.Timeout. CR and LF are control bytes in the
	// code (ErrControl).
	TermNone
)

func (t Terminator) String() string {
	switch t {
	case TermCR:
		return "CR"
	case TermLF:
		return "LF"
	case TermCRLF:
		return "CRLF"
	case TermNone:
		return "none"
	}
	return fmt.Sprintf("Terminator(%d)", int(t))
}

// ParseTerminator parses "CR", "LF", "CRLF" or "none" (any letter case)
// from the configuration. The empty string means CR, the factory setting of
// most serial scanners.
func ParseTerminator(s string) (Terminator, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "CR":
		return TermCR, nil
	case "LF":
		return TermLF, nil
	case "CRLF":
		return TermCRLF, nil
	case "NONE":
		return TermNone, nil
	}
	return 0, fmt.Errorf("scanner: terminator %q (use CR, LF, CRLF, or none for a scanner that sends nothing after a code)", s)
}

// AIMMode says what to do with AIM symbology identifiers.
type AIMMode int

const (
	// AIMAuto strips an identifier when the code starts with one.
	AIMAuto AIMMode = iota
	// AIMOff never strips: codes are delivered as sent.
	AIMOff
)

// MaxLen is the default and largest accepted length of one frame, in bytes,
// including prefix, identifier and suffix.
const MaxLen = 256

// FramingOptions configure how a byte stream is cut into scans. The zero
// value frames on CR, drops a partial scan after 300ms of silence, strips AIM
// identifiers when present and drops a repeat of the same code within 500ms.
type FramingOptions struct {
	Terminator Terminator

	// Timeout is how long a partial scan may wait for its next byte
	// before it is dropped (ErrPartial); with TermNone, the silence that
	// ends a code. Zero means 300ms, or 100ms with TermNone: a scanner
	// sends a code without pauses, and two scans are further apart.
	Timeout time.Duration

	// Prefix and Suffix, if not empty, are required around every code and
	// stripped; a frame without them is rejected.
	Prefix, Suffix string

	// AIM controls stripping of AIM symbology identifiers; see AIMMode.
	AIM AIMMode

	// RepeatWindow: a code equal to the previous one seen less than
	// RepeatWindow ago is dropped (ErrDuplicate); the window restarts with
	// each repeat, so a code held under a scanner in continuous mode counts
	// once. Zero means 500ms; negative disables the check.
	RepeatWindow time.Duration

	// MaxLen caps the length of a frame in bytes. Zero or a value above
	// MaxLen means MaxLen.
	MaxLen int
}

func (o FramingOptions) withDefaults() FramingOptions {
	if o.Timeout <= 0 {
		o.Timeout = 300 * time.Millisecond
		if o.Terminator == TermNone {
			o.Timeout = 100 * time.Millisecond
		}
	}
	if o.RepeatWindow == 0 {
		o.RepeatWindow = 500 * time.Millisecond
	}
	if o.MaxLen <= 0 || o.MaxLen > MaxLen {
		o.MaxLen = MaxLen
	}
	return o
}

// Frame is one result of framing: a code, or a rejected frame with its
// reason.
type Frame struct {
	Code      string    // the code with prefix, identifier and suffix removed
	Symbology string    // AIM identifier such as "]E0"; empty if none was sent
	At        time.Time // when the terminator arrived
	Err       error     // non-nil if rejected; Code is then empty, except for ErrDuplicate
	Raw       []byte    // the frame's bytes as received (at most MaxLen), for logs
}

// Framer cuts a scanner's byte stream into codes. It keeps no goroutine and
// reads no clock: the caller passes the arrival time of each chunk, which
// makes it deterministic. A Framer is not safe for concurrent use.
type Framer struct {
	opts FramingOptions

	buf      []byte    // bytes of the current frame
	overlong bool      // the current frame exceeded MaxLen
	last     time.Time // arrival of the last byte, or when the reader was last ready
	afterCR  bool      // the previous byte was a CR (held back or terminating)

	prevCode string    // last code accepted or dropped as a repeat
	prevAt   time.Time // when prevCode was last seen
}

// NewFramer returns a Framer for opts.
func NewFramer(opts FramingOptions) *Framer {
	opts = opts.withDefaults()
	return &Framer{opts: opts, buf: make([]byte, 0, opts.MaxLen)}
}

// Touch records that the reader was waiting for bytes at t. A caller that
// spends time handling codes between reads calls it when it reads again, so
// that time does not count as silence on the line.
func (f *Framer) Touch(t time.Time) {
	if t.After(f.last) {
		f.last = t
	}
}

// Feed processes bytes p that arrived at time at and calls emit for each
// frame completed or rejected, in order.
func (f *Framer) Feed(at time.Time, p []byte, emit func(Frame)) {
	if len(p) == 0 {
		return
	}
	if f.pending() && at.Sub(f.last) > f.opts.Timeout {
		f.expire(at, emit)
	}
	f.last = at
	for _, b := range p {
		f.byte(at, b, emit)
	}
}

// Deadline returns when the frame being received ends for silence if no
// more bytes come (with TermNone, when the code is complete), and false
// when no frame is being received. A reader that can wait with a deadline
// waits until then and calls Flush.
func (f *Framer) Deadline() (time.Time, bool) {
	if !f.pending() {
		return time.Time{}, false
	}
	return f.last.Add(f.opts.Timeout), true
}

// Flush records that no byte arrived until at. If that is past Deadline, the
// frame being received ends: with TermNone it is a complete code, otherwise
// it is dropped as ErrPartial. Without calls to Flush the frame ends when
// the next bytes arrive, which delays a TermNone code until the next scan.
func (f *Framer) Flush(at time.Time, emit func(Frame)) {
	if d, ok := f.Deadline(); ok && !at.Before(d) {
		f.expire(at, emit)
	}
}

// expire ends the frame being received after silence.
func (f *Framer) expire(at time.Time, emit func(Frame)) {
	if f.opts.Terminator == TermNone {
		f.end(at, emit)
		return
	}
	emit(Frame{At: at, Err: ErrPartial, Raw: f.raw()})
	f.reset()
}

// pending reports whether a partial frame is buffered.
func (f *Framer) pending() bool {
	return len(f.buf) > 0 || f.overlong || (f.afterCR && f.opts.Terminator != TermCR)
}

func (f *Framer) reset() {
	f.buf = f.buf[:0]
	f.overlong = false
	f.afterCR = false
}

func (f *Framer) raw() []byte {
	r := append([]byte(nil), f.buf...)
	if f.afterCR && f.opts.Terminator != TermCR && len(r) < f.opts.MaxLen {
		r = append(r, '\r')
	}
	return r
}

func (f *Framer) byte(at time.Time, b byte, emit func(Frame)) {
	switch f.opts.Terminator {
	case TermNone:
		// Every byte is part of the code; silence ends it.
	case TermCR:
		if b == '\n' && f.afterCR {
			f.afterCR = false
			return
		}
		f.afterCR = b == '\r'
		if b == '\r' {
			f.end(at, emit)
			return
		}
	case TermLF, TermCRLF:
		if f.afterCR {
			f.afterCR = false
			if b == '\n' {
				f.end(at, emit)
				return
			}
			// A lone CR stays in the frame, which is then
			// rejected for carrying a control byte.
			f.append('\r')
		}
		if b == '\r' {
			f.afterCR = true
			return
		}
		if b == '\n' {
			if f.opts.Terminator == TermCRLF {
				// LF without CR: a broken terminator; keep it so
				// the frame is rejected as carrying a control byte.
				f.append('\n')
				f.end(at, emit)
				return
			}
			f.end(at, emit)
			return
		}
	}
	f.append(b)
}

func (f *Framer) append(b byte) {
	if len(f.buf) >= f.opts.MaxLen {
		f.overlong = true
		return
	}
	f.buf = append(f.buf, b)
}

// end completes the current frame.
func (f *Framer) end(at time.Time, emit func(Frame)) {
	raw := append([]byte(nil), f.buf...)
	overlong := f.overlong
	f.buf = f.buf[:0]
	f.overlong = false
	if overlong {
		emit(Frame{At: at, Err: ErrTooLong, Raw: raw})
		return
	}
	if len(raw) == 0 {
		// An empty line (a lone terminator) carries nothing; some
		// scanners send one on power-up.
		return
	}
	fr := f.decode(raw)
	fr.At = at
	fr.Raw = raw
	if fr.Err == nil && f.opts.RepeatWindow > 0 {
		if fr.Code == f.prevCode && !f.prevAt.IsZero() && at.Sub(f.prevAt) < f.opts.RepeatWindow {
			f.prevAt = at
			fr.Err = ErrDuplicate
			emit(fr)
			return
		}
		f.prevCode, f.prevAt = fr.Code, at
	}
	emit(fr)
}

// decode strips prefix, AIM identifier and suffix from a complete frame and
// checks what remains.
func (f *Framer) decode(raw []byte) Frame {
	b := raw
	if p := f.opts.Prefix; p != "" {
		if !bytes.HasPrefix(b, []byte(p)) {
			return Frame{Err: ErrNoPrefix}
		}
		b = b[len(p):]
	}
	if s := f.opts.Suffix; s != "" {
		if !bytes.HasSuffix(b, []byte(s)) {
			return Frame{Err: ErrNoSuffix}
		}
		b = b[:len(b)-len(s)]
	}
	var sym string
	if f.opts.AIM == AIMAuto && isAIM(b) {
		sym = string(b[:3])
		b = b[3:]
	}
	if len(b) == 0 {
		return Frame{Err: ErrEmpty, Symbology: sym}
	}
	if err := checkCode(b); err != nil {
		return Frame{Err: err, Symbology: sym}
	}
	return Frame{Code: string(b), Symbology: sym}
}

// isAIM reports whether b starts with an AIM symbology identifier: ']',
// a code character (a letter) and a modifier digit, as in "]E0" (EAN/UPC),
// "]C1" (GS1-128) or "]Q1" (QR Code).
func isAIM(b []byte) bool {
	return len(b) >= 3 && b[0] == ']' && isLetter(b[1]) && b[2] >= '0' && b[2] <= '9'
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// gs is the ASCII group separator, which GS1 codes (GS1-128, GS1 DataMatrix,
// GS1 QR) use to end variable-length fields. It is the one control byte a
// code may contain.
const gs = 0x1D

// checkCode rejects invalid UTF-8 and control characters (C0 except GS, DEL,
// and C1).
func checkCode(b []byte) error {
	if !utf8.Valid(b) {
		return ErrInvalidUTF8
	}
	for _, r := range string(b) {
		if (r < 0x20 && r != gs) || (r >= 0x7F && r <= 0x9F) {
			return ErrControl
		}
	}
	return nil
}

// symbologies names the code characters of AIM identifiers.
var symbologies = map[byte]string{
	'A': "Code 39",
	'C': "Code 128",
	'd': "Data Matrix",
	'E': "EAN/UPC",
	'e': "GS1 DataBar",
	'F': "Codabar",
	'G': "Code 93",
	'H': "Code 11",
	'I': "Interleaved 2 of 5",
	'L': "PDF417",
	'M': "MSI",
	'Q': "QR Code",
	'S': "Standard 2 of 5",
	'U': "MaxiCode",
	'X': "Other",
	'z': "Aztec",
}

// SymbologyName returns a readable name for an AIM identifier such as
// "]E0", or "" if the code character is not known.
func SymbologyName(id string) string {
	if len(id) != 3 || id[0] != ']' {
		return ""
	}
	name := symbologies[id[1]]
	if id[1] == 'C' && id[2] == '1' {
		return "GS1-128"
	}
	return name
}
