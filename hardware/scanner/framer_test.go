package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// chunk is bytes arriving after a gap since the previous chunk; a chunk
// without data is the reader finding the line silent (Flush).
type chunk struct {
	gap  time.Duration
	data string
}

// result renders a frame for comparison: "code", "]E0 code" or "!reason".
func result(fr Frame) string {
	if fr.Err != nil {
		switch {
		case errors.Is(fr.Err, ErrPartial):
			return "!partial"
		case errors.Is(fr.Err, ErrTooLong):
			return "!toolong"
		case errors.Is(fr.Err, ErrControl):
			return "!control"
		case errors.Is(fr.Err, ErrInvalidUTF8):
			return "!utf8"
		case errors.Is(fr.Err, ErrNoPrefix):
			return "!prefix"
		case errors.Is(fr.Err, ErrNoSuffix):
			return "!suffix"
		case errors.Is(fr.Err, ErrEmpty):
			return "!empty"
		case errors.Is(fr.Err, ErrDuplicate):
			return "!dup " + fr.Code
		}
		return "!" + fr.Err.Error()
	}
	if fr.Symbology != "" {
		return fr.Symbology + " " + fr.Code
	}
	return fr.Code
}

func frame(opts FramingOptions, chunks []chunk) []string {
	f := NewFramer(opts)
	at := t0
	var got []string
	for _, c := range chunks {
		at = at.Add(c.gap)
		emit := func(fr Frame) { got = append(got, result(fr)) }
		if c.data == "" {
			f.Flush(at, emit)
			continue
		}
		f.Feed(at, []byte(c.data), emit)
	}
	return got
}

func TestFramer(t *testing.T) {
	ms := time.Millisecond
	long := strings.Repeat("7", MaxLen+1)
	tests := []struct {
		name   string
		opts   FramingOptions
		chunks []chunk
		want   []string
	}{
		{"CR", FramingOptions{}, []chunk{{0, "4006381333931\r"}}, []string{"4006381333931"}},
		{"CR two codes one chunk", FramingOptions{}, []chunk{{0, "123\r456\r"}}, []string{"123", "456"}},
		{"CR with CRLF sender counts once", FramingOptions{}, []chunk{{0, "123\r\n456\r\n"}}, []string{"123", "456"}},
		{"CR LF split across chunks", FramingOptions{}, []chunk{{0, "123\r"}, {10 * ms, "\n456\r"}}, []string{"123", "456"}},
		{"CR code split across chunks", FramingOptions{}, []chunk{{0, "40063"}, {20 * ms, "81333931\r"}}, []string{"4006381333931"}},
		{"LF", FramingOptions{Terminator: TermLF}, []chunk{{0, "123\n456\n"}}, []string{"123", "456"}},
		{"LF with CRLF sender", FramingOptions{Terminator: TermLF}, []chunk{{0, "123\r\n"}}, []string{"123"}},
		{"LF lone CR rejected", FramingOptions{Terminator: TermLF}, []chunk{{0, "12\r3\n"}}, []string{"!control"}},
		{"CRLF", FramingOptions{Terminator: TermCRLF}, []chunk{{0, "123\r\n456\r\n"}}, []string{"123", "456"}},
		{"CRLF split between CR and LF", FramingOptions{Terminator: TermCRLF}, []chunk{{0, "123\r"}, {5 * ms, "\n"}}, []string{"123"}},
		{"CRLF bare LF rejected", FramingOptions{Terminator: TermCRLF}, []chunk{{0, "123\n456\r\n"}}, []string{"!control", "456"}},
		{"empty lines ignored", FramingOptions{}, []chunk{{0, "\r\r123\r"}}, []string{"123"}},
		{"partial dropped after silence", FramingOptions{}, []chunk{{0, "123"}, {time.Second, "456\r"}}, []string{"!partial", "456"}},
		{"partial within timeout kept", FramingOptions{Timeout: time.Second}, []chunk{{0, "123"}, {900 * ms, "456\r"}}, []string{"123456"}},
		{"CRLF held CR times out", FramingOptions{Terminator: TermCRLF}, []chunk{{0, "123\r"}, {time.Second, "\n456\r\n"}}, []string{"!partial", "!control", "456"}},
		{"AIM EAN", FramingOptions{}, []chunk{{0, "]E04006381333931\r"}}, []string{"]E0 4006381333931"}},
		{"AIM EAN-8", FramingOptions{}, []chunk{{0, "]E496385074\r"}}, []string{"]E4 96385074"}},
		{"AIM QR", FramingOptions{}, []chunk{{0, "]Q1PICKUP:0b6e:4821\r"}}, []string{"]Q1 PICKUP:0b6e:4821"}},
		{"AIM GS1-128 with GS", FramingOptions{}, []chunk{{0, "]C1010400638133393110ABC\x1d17260101\r"}}, []string{"]C1 010400638133393110ABC\x1d17260101"}},
		{"AIM lower case code char", FramingOptions{}, []chunk{{0, "]d2ABC\r"}}, []string{"]d2 ABC"}},
		{"AIM off", FramingOptions{AIM: AIMOff}, []chunk{{0, "]E0123\r"}}, []string{"]E0123"}},
		{"not AIM: letter modifier", FramingOptions{}, []chunk{{0, "]EX123\r"}}, []string{"]EX123"}},
		{"AIM only", FramingOptions{}, []chunk{{0, "]E0\r"}}, []string{"!empty"}},
		{"prefix and suffix", FramingOptions{Prefix: "\x02", Suffix: "#"}, []chunk{{0, "\x02]E0123#\r"}}, []string{"]E0 123"}},
		{"missing prefix", FramingOptions{Prefix: "S:"}, []chunk{{0, "123\r"}}, []string{"!prefix"}},
		{"missing suffix", FramingOptions{Suffix: "#"}, []chunk{{0, "123\r"}}, []string{"!suffix"}},
		{"control byte", FramingOptions{}, []chunk{{0, "12\x003\r"}}, []string{"!control"}},
		{"DEL", FramingOptions{}, []chunk{{0, "12\x7f\r"}}, []string{"!control"}},
		{"escape sequence", FramingOptions{}, []chunk{{0, "\x1b[A\r"}}, []string{"!control"}},
		{"C1 control as UTF-8", FramingOptions{}, []chunk{{0, "12\u00853\r"}}, []string{"!control"}},
		{"invalid UTF-8", FramingOptions{}, []chunk{{0, "12\xff3\r"}}, []string{"!utf8"}},
		{"UTF-8 text", FramingOptions{}, []chunk{{0, "Åsa-Ţară-書\r"}}, []string{"Åsa-Ţară-書"}},
		{"over-long", FramingOptions{}, []chunk{{0, long + "\r123\r"}}, []string{"!toolong", "123"}},
		{"exactly max length", FramingOptions{}, []chunk{{0, long[1:] + "\r"}}, []string{long[1:]}},
		{"custom max length", FramingOptions{MaxLen: 4}, []chunk{{0, "12345\r1234\r"}}, []string{"!toolong", "1234"}},
		{"repeat within window dropped", FramingOptions{}, []chunk{{0, "123\r"}, {100 * ms, "123\r"}}, []string{"123", "!dup 123"}},
		{"repeat after window kept", FramingOptions{}, []chunk{{0, "123\r"}, {600 * ms, "123\r"}}, []string{"123", "123"}},
		{"held code counts once", FramingOptions{}, []chunk{{0, "123\r"}, {400 * ms, "123\r"}, {400 * ms, "123\r"}, {400 * ms, "123\r"}}, []string{"123", "!dup 123", "!dup 123", "!dup 123"}},
		{"different code not a repeat", FramingOptions{}, []chunk{{0, "123\r456\r123\r"}}, []string{"123", "456", "123"}},
		{"repeat check disabled", FramingOptions{RepeatWindow: -1}, []chunk{{0, "123\r123\r"}}, []string{"123", "123"}},
		{"partial dropped when the reader finds the line silent", FramingOptions{}, []chunk{{0, "123"}, {300 * ms, ""}}, []string{"!partial"}},
		{"partial kept before the timeout", FramingOptions{}, []chunk{{0, "123"}, {299 * ms, ""}, {0, "4\r"}}, []string{"1234"}},
		{"silence after a complete code is nothing", FramingOptions{}, []chunk{{0, "123\r"}, {time.Second, ""}}, []string{"123"}},
		{"none: silence ends the code", FramingOptions{Terminator: TermNone}, []chunk{{0, "]E04006381333931"}, {100 * ms, ""}}, []string{"]E0 4006381333931"}},
		{"none: code in pieces", FramingOptions{Terminator: TermNone}, []chunk{{0, "40063"}, {20 * ms, "81333931"}, {99 * ms, ""}, {1 * ms, ""}}, []string{"4006381333931"}},
		{"none: next scan ends the one before", FramingOptions{Terminator: TermNone}, []chunk{{0, "123"}, {time.Second, "456"}, {time.Second, ""}}, []string{"123", "456"}},
		{"none: CR is a control byte", FramingOptions{Terminator: TermNone}, []chunk{{0, "123\r"}, {time.Second, ""}}, []string{"!control"}},
		{"none: endless bytes are too long", FramingOptions{Terminator: TermNone}, []chunk{{0, long + long}, {time.Second, ""}}, []string{"!toolong"}},
		{"none: GS1 with GS", FramingOptions{Terminator: TermNone}, []chunk{{0, "]C10104006381333931\x1d10AB"}, {time.Second, ""}}, []string{"]C1 0104006381333931\x1d10AB"}},
		{"rejected frame does not reset repeat", FramingOptions{}, []chunk{{0, "123\r\x01\r123\r"}}, []string{"123", "!control", "!dup 123"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := frame(tt.opts, tt.chunks)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFramerTouchExcludesHandlerTime(t *testing.T) {
	f := NewFramer(FramingOptions{Timeout: 100 * time.Millisecond})
	var got []string
	emit := func(fr Frame) { got = append(got, result(fr)) }
	f.Feed(t0, []byte("123"), emit)
	// The reader was busy for a second and read again just now.
	f.Touch(t0.Add(time.Second))
	f.Feed(t0.Add(time.Second+10*time.Millisecond), []byte("456\r"), emit)
	if fmt.Sprint(got) != "[123456]" {
		t.Fatalf("got %q", got)
	}
}

func TestParseTerminator(t *testing.T) {
	for in, want := range map[string]Terminator{"": TermCR, "cr": TermCR, "LF": TermLF, " crlf ": TermCRLF, "none": TermNone, "NONE": TermNone} {
		got, err := ParseTerminator(in)
		if err != nil || got != want {
			t.Errorf("ParseTerminator(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseTerminator("tab"); err == nil {
		t.Error("ParseTerminator(tab) succeeded")
	}
}

func TestSymbologyName(t *testing.T) {
	for id, want := range map[string]string{"]E0": "EAN/UPC", "]E4": "EAN/UPC", "]C1": "GS1-128", "]C0": "Code 128", "]Q1": "QR Code", "]d2": "Data Matrix", "]W0": "", "E0": ""} {
		if got := SymbologyName(id); got != want {
			t.Errorf("SymbologyName(%q) = %q, want %q", id, got, want)
		}
	}
}

// FuzzFramer feeds arbitrary bytes, cut into chunks at arbitrary points, and
// checks that framing never panics, that every accepted code obeys the
// rules, and that the result does not depend on how the bytes were chunked.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("4006381333931\r]E04006381333931\r\n"), uint8(3), uint8(0))
	f.Add([]byte("123\r\n456\n\x00\xff\x1b[A\r"), uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, cut uint8, term uint8) {
		opts := FramingOptions{Terminator: Terminator(term % 4), Prefix: "", RepeatWindow: -1}
		var whole []Frame
		fw := NewFramer(opts)
		fw.Feed(t0, data, func(fr Frame) { whole = append(whole, fr) })
		fw.Flush(t0.Add(time.Second), func(fr Frame) { whole = append(whole, fr) })

		var pieces []Frame
		fz := NewFramer(opts)
		step := int(cut%16) + 1
		for i := 0; i < len(data); i += step {
			fz.Feed(t0, data[i:min(len(data), i+step)], func(fr Frame) { pieces = append(pieces, fr) })
		}
		fz.Flush(t0.Add(time.Second), func(fr Frame) { pieces = append(pieces, fr) })
		if len(whole) != len(pieces) {
			t.Fatalf("one chunk gave %d frames, chunks of %d gave %d", len(whole), step, len(pieces))
		}
		for i := range whole {
			if result(whole[i]) != result(pieces[i]) || !bytes.Equal(whole[i].Raw, pieces[i].Raw) {
				t.Fatalf("frame %d differs: %q vs %q", i, result(whole[i]), result(pieces[i]))
			}
			fr := whole[i]
			if len(fr.Raw) > MaxLen {
				t.Fatalf("raw frame of %d bytes", len(fr.Raw))
			}
			if fr.Err != nil {
				if fr.Code != "" {
					t.Fatalf("rejected frame carries code %q", fr.Code)
				}
				continue
			}
			if fr.Code == "" || len(fr.Code) > MaxLen || !utf8.ValidString(fr.Code) {
				t.Fatalf("bad code accepted: %q", fr.Code)
			}
			for _, r := range fr.Code {
				if (r < 0x20 && r != gs) || (r >= 0x7f && r <= 0x9f) {
					t.Fatalf("control character %U accepted in %q", r, fr.Code)
				}
			}
			if fr.Symbology != "" && !isAIM([]byte(fr.Symbology)) {
				t.Fatalf("bad symbology %q", fr.Symbology)
			}
		}
	})
}
