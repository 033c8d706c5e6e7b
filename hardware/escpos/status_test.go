package escpos_test

import (
	"errors"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name  string
		reply []byte
		opt   escpos.StatusOptions
		want  escpos.Status
		ready bool
	}{
		{
			name:  "online idle, drawer closed (pin 3 high)",
			reply: []byte{0x16, 0x12, 0x12, 0x12},
			want:  escpos.Status{Online: true, DrawerKnown: true},
			ready: true,
		},
		{
			name:  "drawer open with default polarity (pin 3 low)",
			reply: []byte{0x12, 0x12, 0x12, 0x12},
			want:  escpos.Status{Online: true, DrawerKnown: true, DrawerOpen: true},
			ready: true,
		},
		{
			name:  "drawer open with inverted polarity (pin 3 high)",
			reply: []byte{0x16, 0x12, 0x12, 0x12},
			opt:   escpos.StatusOptions{DrawerOpenHigh: true},
			want:  escpos.Status{Online: true, DrawerKnown: true, DrawerOpen: true},
			ready: true,
		},
		{
			name:  "no drawer sensor",
			reply: []byte{0x12, 0x12, 0x12, 0x12},
			opt:   escpos.StatusOptions{NoDrawerSensor: true},
			want:  escpos.Status{Online: true},
			ready: true,
		},
		{
			name:  "paper near end is still ready",
			reply: []byte{0x16, 0x12, 0x12, 0x1E},
			want:  escpos.Status{Online: true, DrawerKnown: true, PaperNearEnd: true},
			ready: true,
		},
		{
			name:  "paper out, offline",
			reply: []byte{0x1E, 0x32, 0x12, 0x7E},
			want:  escpos.Status{DrawerKnown: true, PaperOut: true, PaperNearEnd: true},
		},
		{
			name:  "cover open",
			reply: []byte{0x1E, 0x16, 0x12, 0x12},
			want:  escpos.Status{DrawerKnown: true, CoverOpen: true},
		},
		{
			name:  "cutter error",
			reply: []byte{0x1E, 0x52, 0x1A, 0x12},
			want:  escpos.Status{DrawerKnown: true, CutterError: true},
		},
		{
			name:  "error without cause counts as recoverable",
			reply: []byte{0x1E, 0x52, 0x12, 0x12},
			want:  escpos.Status{DrawerKnown: true, RecoverableError: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := escpos.ParseStatus(tt.reply, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if got.Ready() != tt.ready {
				t.Errorf("Ready() = %v, want %v (%s)", got.Ready(), tt.ready, got)
			}
		})
	}
}

func TestParseStatusRejects(t *testing.T) {
	for _, reply := range [][]byte{
		nil,
		{0x12, 0x12, 0x12},
		{0x12, 0x12, 0x12, 0x12, 0x12},
		{0x00, 0x12, 0x12, 0x12}, // fixed bits wrong
		{0x12, 0x12, 0x12, 0x92}, // bit 7 set
		{0x12, 0x13, 0x12, 0x12}, // bit 0 set
	} {
		if s, err := escpos.ParseStatus(reply, escpos.StatusOptions{}); !errors.Is(err, escpos.ErrStatusReply) || s != (escpos.Status{}) {
			t.Errorf("ParseStatus(% x) = %+v, %v; want zero status and ErrStatusReply", reply, s, err)
		}
	}
}

func TestStatusPoll(t *testing.T) {
	p := escpos.StatusPoll()
	if len(p) != 3*escpos.StatusReplyLen {
		t.Fatalf("poll %x", p)
	}
	for i := 0; i < escpos.StatusReplyLen; i++ {
		if p[3*i] != escpos.DLE || p[3*i+1] != escpos.EOT || p[3*i+2] != byte(i+1) {
			t.Errorf("request %d is % x", i+1, p[3*i:3*i+3])
		}
	}
}

// FuzzParseStatus checks that any bytes either parse into a status that
// encodes back to an equivalent status, or are rejected; never a panic.
func FuzzParseStatus(f *testing.F) {
	f.Add([]byte{0x12, 0x12, 0x12, 0x12}, false)
	f.Add([]byte{0x1E, 0x32, 0x12, 0x7E}, true)
	f.Add([]byte{0xFF}, false)
	f.Fuzz(func(t *testing.T, reply []byte, high bool) {
		opt := escpos.StatusOptions{DrawerOpenHigh: high}
		s, err := escpos.ParseStatus(reply, opt)
		if err != nil {
			if !errors.Is(err, escpos.ErrStatusReply) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		again, err := escpos.ParseStatus(escpos.EncodeStatus(s, opt), opt)
		if err != nil {
			t.Fatalf("re-encoded status rejected: %v", err)
		}
		if again.Ready() != s.Ready() || again.DrawerOpen != s.DrawerOpen || again.PaperOut != s.PaperOut ||
			again.PaperNearEnd != s.PaperNearEnd || again.CoverOpen != s.CoverOpen || again.Online != s.Online {
			t.Fatalf("round trip changed %s to %s", s, again)
		}
	})
}
