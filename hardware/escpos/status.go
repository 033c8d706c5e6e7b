package escpos

import (
	"errors"
	"fmt"
	"strings"
)

// ErrStatusReply means bytes read after a status request are not a valid
// DLE EOT reply: the wrong count, or fixed bits that are wrong. It is
// transient; the caller polls again (the line may have been noisy, or the
// bytes belonged to something else).
var ErrStatusReply = errors.New("escpos: malformed real-time status reply")

// StatusPoll is the request ParseStatus expects replies to: DLE EOT 1, 2,
// 3 and 4, one reply byte each, in that order.
func StatusPoll() []byte {
	return []byte{DLE, EOT, 1, DLE, EOT, 2, DLE, EOT, 3, DLE, EOT, 4}
}

// StatusReplyLen is the number of bytes a printer sends for StatusPoll.
const StatusReplyLen = 4

// StatusOptions say how to read the status of a particular installation.
type StatusOptions struct {
	// DrawerOpenHigh means the drawer is open when its switch drives
	// connector pin 3 high. The zero value: open when pin 3 is low, which
	// is how the drawers usually sold with Epson printers are wired.
	DrawerOpenHigh bool
	// NoDrawerSensor leaves Status.DrawerKnown false, for printers or
	// drawers without a switch (see Profile.DrawerStatus).
	NoDrawerSensor bool
}

// Status is the state of a printer as told by DLE EOT 1..4.
type Status struct {
	Online bool
	// DrawerOpen is meaningful only when DrawerKnown.
	DrawerOpen, DrawerKnown bool
	CoverOpen               bool
	FeedButton              bool // paper being fed with the button
	PaperNearEnd            bool
	PaperOut                bool
	CutterError             bool
	UnrecoverableError      bool
	RecoverableError        bool // e.g. head too hot; clears by itself
}

// Error reports whether any error condition is set.
func (s Status) Error() bool {
	return s.CutterError || s.UnrecoverableError || s.RecoverableError
}

// Ready reports whether the printer takes and prints data now: online,
// with paper, cover closed, no error. Paper near end is still ready.
func (s Status) Ready() bool {
	return s.Online && !s.PaperOut && !s.CoverOpen && !s.Error()
}

// String lists the conditions, e.g. "online paper-near-end drawer-open".
func (s Status) String() string {
	var b []string
	if s.Online {
		b = append(b, "online")
	} else {
		b = append(b, "offline")
	}
	add := func(on bool, name string) {
		if on {
			b = append(b, name)
		}
	}
	add(s.CoverOpen, "cover-open")
	add(s.FeedButton, "feeding")
	add(s.PaperNearEnd, "paper-near-end")
	add(s.PaperOut, "paper-out")
	add(s.CutterError, "cutter-error")
	add(s.UnrecoverableError, "unrecoverable-error")
	add(s.RecoverableError, "recoverable-error")
	if s.DrawerKnown {
		if s.DrawerOpen {
			b = append(b, "drawer-open")
		} else {
			b = append(b, "drawer-closed")
		}
	}
	return strings.Join(b, " ")
}

// ParseStatus decodes the four reply bytes to StatusPoll. Every byte has
// bit 1 and bit 4 set and bits 0 and 7 clear; anything else is rejected
// with ErrStatusReply and nothing of it is used.
func ParseStatus(reply []byte, o StatusOptions) (Status, error) {
	if len(reply) != StatusReplyLen {
		return Status{}, fmt.Errorf("%w: %d bytes, want %d", ErrStatusReply, len(reply), StatusReplyLen)
	}
	for i, b := range reply {
		if b&0x93 != 0x12 {
			return Status{}, fmt.Errorf("%w: byte %d is %#02x", ErrStatusReply, i+1, b)
		}
	}
	printer, offline, errs, paper := reply[0], reply[1], reply[2], reply[3]
	s := Status{
		Online:             printer&0x08 == 0,
		CoverOpen:          offline&0x04 != 0,
		FeedButton:         offline&0x08 != 0,
		PaperOut:           offline&0x20 != 0 || paper&0x60 != 0,
		PaperNearEnd:       paper&0x0C != 0,
		CutterError:        errs&0x08 != 0,
		UnrecoverableError: errs&0x20 != 0,
		RecoverableError:   errs&0x40 != 0,
	}
	if offline&0x40 != 0 && !s.Error() {
		// DLE EOT 2 says "error" but DLE EOT 3 names none: count it as
		// one that clears by itself.
		s.RecoverableError = true
	}
	if !o.NoDrawerSensor {
		high := printer&0x04 != 0
		s.DrawerKnown = true
		s.DrawerOpen = high == o.DrawerOpenHigh
	}
	return s, nil
}

// EncodeStatus returns the reply bytes a printer in state s would send to
// StatusPoll. Printer simulators and tests use it.
func EncodeStatus(s Status, o StatusOptions) []byte {
	r := []byte{0x12, 0x12, 0x12, 0x12}
	if !s.Online {
		r[0] |= 0x08
	}
	if s.DrawerKnown && s.DrawerOpen == o.DrawerOpenHigh {
		r[0] |= 0x04
	}
	if s.CoverOpen {
		r[1] |= 0x04
	}
	if s.FeedButton {
		r[1] |= 0x08
	}
	if s.PaperOut {
		r[1] |= 0x20
		r[3] |= 0x60
	}
	if s.Error() {
		r[1] |= 0x40
	}
	if s.CutterError {
		r[2] |= 0x08
	}
	if s.UnrecoverableError {
		r[2] |= 0x20
	}
	if s.RecoverableError {
		r[2] |= 0x40
	}
	if s.PaperNearEnd {
		r[3] |= 0x0C
	}
	return r
}
