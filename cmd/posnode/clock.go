package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/posnode/posnode/ui"
)

// The clock may be behind the newest record by this much (clock steps
// when NTP first syncs) before receipts would go back in time.
const clockSkew = 5 * time.Minute

// A clock before this year cannot be right: the box started without a
// real-time clock and without the network to set it.
const clockFirstYear = 2024

// Clock problems, sent to the screens as codes they translate.
const (
	clockImplausible = "implausible" // a year before clockFirstYear
	clockBehind      = "behind"      // behind the newest sale or event
)

// clockProblem says what is wrong with the time now, given when the
// newest sale or event was recorded (zero: none), or "".
func clockProblem(now, newest time.Time) string {
	switch {
	case now.Year() < clockFirstYear:
		return clockImplausible
	case !newest.IsZero() && newest.Sub(now) > clockSkew:
		return clockBehind
	}
	return ""
}

// clockView is what the screens are told about the clock: nothing while
// it is right, or its problem with the two times, so that staff see that
// receipts would be misdated and get the time set before trading on.
type clockView struct {
	Problem string    `json:"problem"`
	Now     time.Time `json:"now"`
	Newest  time.Time `json:"newest,omitzero"`
}

// clockWatch checks the box's clock against the newest record, at start
// and then every minute, logs a problem when it begins and ends, and
// pushes each change to the screens. The node keeps selling: a
// misdated receipt is better than a lost sale.
type clockWatch struct {
	lastRecorded func(context.Context) (time.Time, error)
	now          func() time.Time
	// synced reports whether the clock is synchronised to a time source:
	// then it is right, and a newer record was made by a clock set ahead
	// (which only the passing of time mends); nil for never.
	synced  func() bool
	log     *slog.Logger
	publish func(ui.Message)

	mu   sync.Mutex // guards view and newest
	view *clockView
	// newest is the latest record time seen, kept while sales made with
	// the clock behind are recorded with earlier times.
	newest time.Time
	ahead  bool // logged that records were made by a clock set ahead
}

// current is the clock's problem as last checked, or nil (also before
// the watch exists).
func (c *clockWatch) current() *clockView {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.view
}

// check reads the newest record and the clock once, and reports a change.
func (c *clockWatch) check(ctx context.Context) {
	newest, err := c.lastRecorded(ctx)
	if err != nil {
		c.log.Warn("clock check: newest record", "err", err)
		return
	}
	now := c.now()
	c.mu.Lock()
	if newest.After(c.newest) {
		c.newest = newest
	}
	var v *clockView
	p := clockProblem(now, c.newest)
	if p == clockBehind && c.synced != nil && c.synced() {
		if !c.ahead {
			c.log.Warn("the clock is synchronised and behind the newest record: records were made with a clock set ahead",
				"now", now.Format(time.RFC3339), "newest_record", c.newest.Format(time.RFC3339))
		}
		c.ahead, p = true, ""
	}
	if p != "" {
		v = &clockView{Problem: p, Now: now, Newest: c.newest}
	}
	was := c.view
	c.view = v
	c.mu.Unlock()
	switch {
	case v != nil && (was == nil || was.Problem != v.Problem):
		c.log.Error("the clock is wrong: receipts are misdated until it is set (timedatectl set-ntp true)",
			"problem", v.Problem, "now", now.Format(time.RFC3339), "newest_record", v.Newest.Format(time.RFC3339))
	case v == nil && was != nil:
		c.log.Info("the clock is right again", "now", now.Format(time.RFC3339))
	default:
		return
	}
	if c.publish != nil {
		c.publish(ui.Message{Type: "clock", Data: v})
	}
}

// Run checks the clock every minute until ctx ends.
func (c *clockWatch) Run(ctx context.Context) error {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			c.check(ctx)
		}
	}
}
