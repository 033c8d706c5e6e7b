package scanner

import (
	"fmt"
	"log/slog"
	"time"
)

// rejectLog keeps refused frames from flooding the log: a scanner at a
// wrong baud rate refuses a frame for every burst of noise, for as long
// as it is plugged in. The first refusal after a quiet Options.LogInterval
// is logged at once, with its reason and bytes; those after it are
// counted, logged one by one at debug level only, and their count is
// logged in one line once LogInterval has passed since the line before,
// so that a flood of refusals is one line every LogInterval. It is used by
// Run's goroutine only.
type rejectLog struct {
	log      *slog.Logger
	interval time.Duration
	loggedAt time.Time // when the last line was logged; zero before the first
	held     int       // refusals since loggedAt not logged yet
	last     error     // the reason of the latest of them
}

// add logs the refused frame fr, or holds it for the count.
func (l *rejectLog) add(fr Frame) {
	bytes := fmt.Sprintf("%q", fr.Raw)
	if l.held == 0 && (l.loggedAt.IsZero() || fr.At.Sub(l.loggedAt) >= l.interval) {
		l.log.Warn("scan rejected", "reason", fr.Err, "bytes", bytes)
		l.loggedAt = fr.At
		return
	}
	l.log.Debug("scan rejected", "reason", fr.Err, "bytes", bytes)
	l.held++
	l.last = fr.Err
}

// due is when the count of the refusals held is to be logged; false when
// none is held.
func (l *rejectLog) due() (time.Time, bool) {
	if l.held == 0 {
		return time.Time{}, false
	}
	return l.loggedAt.Add(l.interval), true
}

// flush logs the count of the refusals held, if it is due at now; with
// force, whenever it is due (Run returning).
func (l *rejectLog) flush(now time.Time, force bool) {
	due, ok := l.due()
	if !ok || (!force && now.Before(due)) {
		return
	}
	l.log.Warn("more scans rejected", "count", l.held, "in_last", now.Sub(l.loggedAt).Round(time.Second), "last_reason", l.last)
	l.loggedAt, l.held, l.last = now, 0, nil
}
