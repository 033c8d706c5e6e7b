// Package drawer follows the state of a cash drawer from the switch
// readings its printer reports.
//
// A cash drawer hangs off the printer's drawer kick-out connector: the
// printer opens it (the kick, hardware/escpos) and reports the level of the
// drawer's open/closed switch on pin 3 of the connector in bit 2 of its
// real-time status (DLE EOT 1), which hardware/escpos parses. Whether a high
// level means open or closed depends on how the drawer is wired, so the
// polarity is configured per station (ParsePolarity) and handed to the
// status parser; what comes out is a Reading.
//
// A Tracker turns the stream of readings into what staff and the audit log
// need: debounced open and closed events, a drawer left open too long, and a
// kick after which the drawer did not open (jammed, locked or unplugged).
// Those two alarms wait until the switch has been seen to move (open to
// closed or back) since the Tracker started: a connector with no drawer on
// it reads a constant level, open or closed depending on the printer, and
// would otherwise raise one at every kick or leave the drawer "open" for
// good. It also says whether a kick may be sent now, so that a second press of the
// button, or a retried request, does not kick an open drawer again.
//
// A Tracker reads no clock: callers pass the time of each reading, which
// keeps it deterministic. Its methods are safe for concurrent use (the status
// poller observes, the sale path kicks).
package drawer

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Polarity is the switch level that means the drawer is open.
type Polarity int

const (
	// OpenLow: the drawer is open when pin 3 is low. This is the wiring
	// of the drawers usually sold with Epson printers, and the zero value.
	OpenLow Polarity = iota
	// OpenHigh: the drawer is open when pin 3 is high.
	OpenHigh
)

func (p Polarity) String() string {
	if p == OpenHigh {
		return "open-high"
	}
	return "open-low"
}

// OpenWhenHigh reports whether a high level means open; this is the value
// for escpos.StatusOptions.DrawerOpenHigh.
func (p Polarity) OpenWhenHigh() bool { return p == OpenHigh }

// ParsePolarity parses "open-low" (or "low") and "open-high" (or "high")
// from the configuration, in any letter case. The empty string means
// open-low.
func ParsePolarity(s string) (Polarity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "open-low", "low":
		return OpenLow, nil
	case "open-high", "high":
		return OpenHigh, nil
	}
	return 0, fmt.Errorf("drawer: polarity %q (use open-low or open-high; try the other one if the screen shows the drawer open while it is shut)", s)
}

// Reading is one report of the drawer switch.
type Reading struct {
	Known bool // the printer was reachable and the drawer has a switch
	Open  bool // meaningful only when Known
}

// State is a drawer's debounced state.
type State int

const (
	Unknown State = iota // no sensor, printer offline, or not yet settled
	Closed
	Open
)

func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	}
	return "unknown"
}

// EventKind says what happened to a drawer.
type EventKind int

const (
	Opened     EventKind = iota + 1 // the drawer opened
	Shut                            // the drawer closed again
	LeftOpen                        // open longer than Options.OpenAlarm; once per opening
	DidNotOpen                      // no opening within Options.KickGrace of a kick
	Lost                            // the state is no longer known; an opening seen again after it is the same opening
)

func (k EventKind) String() string {
	switch k {
	case Opened:
		return "opened"
	case Shut:
		return "closed"
	case LeftOpen:
		return "left open"
	case DidNotOpen:
		return "did not open"
	case Lost:
		return "state unknown"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is a change worth telling staff about.
type Event struct {
	Kind    EventKind
	At      time.Time
	OpenFor time.Duration // for Shut and LeftOpen: how long the drawer was open
	Kicked  bool          // for Opened: the opening followed a kick
	// First, for Opened, says that the drawer was open at the first
	// reading the Tracker could use, so it may have opened before the
	// Tracker was there to see a kick.
	First bool
}

// Options configure a Tracker.
type Options struct {
	// Debounce is how many consecutive equal readings make a change of
	// state. Zero means 2, which ignores a single misread at the cost of
	// one poll interval of delay.
	Debounce int
	// OpenAlarm is how long the drawer may stay open before LeftOpen,
	// once its switch has been seen to move. Zero means 60 seconds;
	// negative disables the alarm.
	OpenAlarm time.Duration
	// KickGrace is how long after a kick the drawer must be seen open
	// before DidNotOpen. Zero means 3 seconds. Only a reading of closed
	// after the grace tells DidNotOpen: a reading of open postpones it
	// until the next reading confirms or denies it, and so does a reading
	// of no state (a printer busy printing the receipt the kick went out
	// with may answer no status requests for a while). And only when the
	// drawer was also read within the grace: a drawer first seen shut
	// after a grace without readings may have been opened and shut
	// meanwhile (paid in exact cash while the receipt printed), and the
	// kick is not judged. Nor is a kick before the switch has been seen
	// to move.
	KickGrace time.Duration
}

// Tracker follows one drawer.
type Tracker struct {
	opts Options

	mu         sync.Mutex // guards the fields below
	state      State
	known      State // the last state other than Unknown; Unknown before the first
	candidate  State // state of the latest readings not yet accepted
	count      int   // how many consecutive readings gave candidate
	openedAt   time.Time
	alarmed    bool
	kickAt     time.Time // zero when no kick awaits an opening
	sending    bool      // the kick awaiting an opening has not gone out yet (Sending)
	kickRead   bool      // the drawer was read within the grace of the kick awaiting an opening
	kickedOpen bool      // the current opening followed a kick
	moved      bool      // the switch has gone from open to closed or back: a drawer is there
}

// NewTracker returns a Tracker in state Unknown.
func NewTracker(o Options) *Tracker {
	if o.Debounce <= 0 {
		o.Debounce = 2
	}
	if o.OpenAlarm == 0 {
		o.OpenAlarm = 60 * time.Second
	}
	if o.KickGrace <= 0 {
		o.KickGrace = 3 * time.Second
	}
	return &Tracker{opts: o}
}

// State returns the debounced state.
func (t *Tracker) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

// MayKick reports whether a kick makes sense at time now: not while the
// drawer is known to be open, and not while an earlier kick is still within
// its grace period.
func (t *Tracker) MayKick(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state == Open {
		return false
	}
	return t.kickAt.IsZero() || now.Sub(t.kickAt) >= t.opts.KickGrace
}

// Kicked records that a kick was sent at time at. A kick while the
// drawer is known to be open changes nothing: no opening awaits it.
func (t *Tracker) Kicked(at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sending = false
	if t.state == Open {
		return
	}
	t.kickAt, t.kickRead = at, false
}

// Sending records that a kick is on its way to the printer at time at,
// which may send it only after the job it is printing: an opening from
// now on is the kick's, but the kick is judged only from Kicked, when it
// has gone out. NotSent takes it back when it never went out.
func (t *Tracker) Sending(at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state == Open {
		return
	}
	t.kickAt, t.kickRead, t.sending = at, false, true
}

// NotSent records that the kick of Sending did not go out: an opening
// after it is not the till's.
func (t *Tracker) NotSent() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sending {
		t.kickAt, t.sending = time.Time{}, false
	}
}

// Observe takes one reading made at time at and returns what it changed.
func (t *Tracker) Observe(r Reading, at time.Time) []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	var evs []Event
	s := Unknown
	if r.Known {
		s = Closed
		if r.Open {
			s = Open
		}
	}
	if s == t.candidate {
		t.count++
	} else {
		t.candidate, t.count = s, 1
	}
	// Unknown is taken at once: an offline printer is news now.
	if s != t.state && (s == Unknown || t.count >= t.opts.Debounce) {
		evs = append(evs, t.changeLocked(s, at)...)
	}
	if t.state == Open && t.moved && !t.alarmed && t.opts.OpenAlarm > 0 && at.Sub(t.openedAt) >= t.opts.OpenAlarm {
		t.alarmed = true
		evs = append(evs, Event{Kind: LeftOpen, At: at, OpenFor: at.Sub(t.openedAt)})
	}
	// A reading of open not yet settled by the debounce is an opening in
	// progress, not a failed kick: a printer busy printing the receipt the
	// kick went out with may give its first reading only after the grace,
	// and until then no reading, or none it can answer in time.
	if !t.kickAt.IsZero() && !t.sending && t.state != Open && s == Closed && at.Sub(t.kickAt) >= t.opts.KickGrace {
		t.kickAt = time.Time{}
		if t.kickRead && t.moved {
			evs = append(evs, Event{Kind: DidNotOpen, At: at})
		}
	}
	if !t.kickAt.IsZero() && !t.sending && s != Unknown && at.Sub(t.kickAt) < t.opts.KickGrace {
		t.kickRead = true
	}
	return evs
}

// changeLocked moves to state s. Open and Closed are compared with the last
// known state, not with Unknown: a drawer open before and after a spell
// without status (the printer busy printing, or briefly offline) is one
// opening, reported once and timed from its start.
func (t *Tracker) changeLocked(s State, at time.Time) []Event {
	t.state = s
	if s == Unknown {
		return []Event{{Kind: Lost, At: at}}
	}
	old := t.known
	t.known = s
	t.moved = t.moved || old != Unknown && old != s
	switch {
	case s == Open && old == Open:
		t.kickAt, t.sending = time.Time{}, false
		return nil
	case s == Open:
		t.openedAt, t.alarmed = at, false
		t.kickedOpen = !t.kickAt.IsZero()
		t.kickAt, t.sending = time.Time{}, false
		return []Event{{Kind: Opened, At: at, Kicked: t.kickedOpen, First: old == Unknown}}
	case old == Open:
		return []Event{{Kind: Shut, At: at, OpenFor: at.Sub(t.openedAt)}}
	}
	return nil
}
