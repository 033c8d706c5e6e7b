package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/posnode/posnode/hardware/drawer"
	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/pos"
)

// drawerWatch follows a station's cash drawer through the status polls of
// the printer it hangs off, and tells the station's screens, the log and
// the journal what the drawer did that the till did not ask of it.
type drawerWatch struct {
	tracker *drawer.Tracker
	// alarms wait here to be journalled by journalDrawerAlarms, so that
	// the printer's polls never wait for the database.
	alarms chan pos.DrawerAlarm

	mu   sync.Mutex // guards view, and the order in which views are published
	view drawerView
}

// drawerView is a tracked drawer as screens see it, the station's device
// "drawer".
type drawerView struct {
	State string `json:"state"` // open, closed or unknown
	// Code is the drawer's alarm, one of deviceProblems, until the drawer
	// next opens or closes (or, after a kick that did not open it, is
	// kicked again); "" when it has none. Error is the English detail.
	Code  string `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

// drawerProblems are the problem codes of the drawer alarms.
var drawerProblems = map[string]string{
	pos.DrawerNotOpened:     problemDrawerNotOpened,
	pos.DrawerLeftOpen:      problemDrawerLeftOpen,
	pos.DrawerOpenedUnasked: problemDrawerOpenedUnasked,
}

// setupDrawer starts following st's drawer and returns the printer's
// OnPoll for it; nil when the drawer's state cannot be known: the printer
// model reports none, or the station says its drawer has no switch to be
// trusted. Such a drawer raises no alarms.
func (n *node) setupDrawer(st *station) func(printer.State) {
	if !st.profile.DrawerStatus || st.cfg.DrawerNoSensor {
		return nil
	}
	w := &drawerWatch{
		tracker: drawer.NewTracker(drawer.Options{OpenAlarm: st.cfg.DrawerOpenAlarm.Duration}),
		alarms:  make(chan pos.DrawerAlarm, 64),
		view:    drawerView{State: drawer.Unknown.String()},
	}
	st.drawer = w
	st.setDevice("drawer", w.view)
	n.parts = append(n.parts, func(ctx context.Context) error { return n.journalDrawerAlarms(ctx, w) })
	return func(s printer.State) { n.observeDrawer(st, s) }
}

// observeDrawer takes one status poll of st's printer.
func (n *node) observeDrawer(st *station, s printer.State) {
	w := st.drawer
	evs := w.tracker.Observe(drawer.Reading{Known: s.Connected && s.Status.DrawerKnown, Open: s.Status.DrawerOpen}, time.Now())
	w.mu.Lock()
	defer w.mu.Unlock()
	v := w.view
	v.State = w.tracker.State().String()
	for _, e := range evs {
		if e.Kind == drawer.Opened || e.Kind == drawer.Shut {
			v.Code, v.Error = "", ""
		}
		if a := drawerAlarm(st.cfg.ID, e); a != nil {
			v.Code, v.Error = drawerProblems[a.Alarm], drawerDetail(a)
			n.log.Warn("cash drawer alarm", "station", a.Station, "alarm", a.Alarm, "detail", v.Error)
			select {
			case w.alarms <- *a:
			default:
				n.log.Error("drawer alarms queue full; alarm not journalled", "station", a.Station, "alarm", a.Alarm)
			}
		}
	}
	if v != w.view {
		w.view = v
		n.publishDevice(st, "drawer", v)
	}
}

// drawerAlarm is the alarm e raises at station, nil for none. A drawer seen
// open at the first reading may have been opened before the node watched
// it, and raises none.
func drawerAlarm(station string, e drawer.Event) *pos.DrawerAlarm {
	a := &pos.DrawerAlarm{Station: station, At: e.At}
	switch {
	case e.Kind == drawer.DidNotOpen:
		a.Alarm = pos.DrawerNotOpened
	case e.Kind == drawer.LeftOpen:
		a.Alarm, a.OpenSeconds = pos.DrawerLeftOpen, int64(e.OpenFor/time.Second)
	case e.Kind == drawer.Opened && !e.Kicked && !e.First:
		a.Alarm = pos.DrawerOpenedUnasked
	default:
		return nil
	}
	return a
}

// drawerDetail says an alarm in English, for the log and for IT.
func drawerDetail(a *pos.DrawerAlarm) string {
	switch a.Alarm {
	case pos.DrawerNotOpened:
		return "the drawer did not open when kicked: it may be jammed, locked or unplugged"
	case pos.DrawerLeftOpen:
		return fmt.Sprintf("the drawer has been open for %s", time.Duration(a.OpenSeconds)*time.Second)
	}
	return "the drawer opened without a kick from the till: by its key, or forced"
}

// kickDrawer opens st's drawer now and, when it is followed, awaits its
// opening. A new kick ends the alarm of one that did not open the drawer.
// The tracker is told before the kick goes out that it is on its way: a
// kick whose request ends in an error may still have sent its pulse (the
// request timed out as the printer took it), and the opening that follows
// is then not one "without a kick". It is judged from when it went out,
// which may be after the job the printer is printing, longer than its
// grace; a kick that the printer refused (printer.ErrNotReady) is not
// judged, and an opening after it is not the till's.
func (n *node) kickDrawer(ctx context.Context, st *station) error {
	w := st.drawer
	if w != nil {
		w.tracker.Sending(time.Now())
		w.mu.Lock()
		if w.view.Code == problemDrawerNotOpened {
			w.view.Code, w.view.Error = "", ""
			n.publishDevice(st, "drawer", w.view)
		}
		w.mu.Unlock()
	}
	err := st.printer.KickDrawer(ctx)
	switch {
	case w == nil:
	case errors.Is(err, printer.ErrNotReady):
		w.tracker.NotSent()
	default: // sent, or its request timed out as it may have gone out
		w.tracker.Kicked(time.Now())
	}
	return err
}

// journalDrawerAlarms journals w's alarms until ctx is cancelled.
func (n *node) journalDrawerAlarms(ctx context.Context, w *drawerWatch) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case a := <-w.alarms:
			if err := n.db.AddDrawerAlarm(ctx, &a); err != nil && ctx.Err() == nil {
				n.log.Error("journal drawer alarm", "station", a.Station, "alarm", a.Alarm, "err", err)
			}
		}
	}
}
