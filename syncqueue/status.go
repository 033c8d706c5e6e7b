package syncqueue

import (
	"context"
	"encoding/json"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/posnode/posnode/pos"
)

// Status is what the screens show about the link to central.
type Status struct {
	Connected      bool      `json:"connected"`
	Epoch          string    `json:"epoch"`
	LastSeq        int64     `json:"last_seq"`
	AckedThrough   int64     `json:"acked_through"`
	QueueDepth     int64     `json:"queue_depth"`             // events central has not acknowledged
	OldestUnacked  time.Time `json:"oldest_unacked,omitzero"` // zero (left out) when the queue is empty
	OldestAge      Duration  `json:"oldest_age"`              // how far behind central is
	LastDelivery   time.Time `json:"last_delivery,omitzero"`  // when central's ack last advanced
	InboundRejects int64     `json:"inbound_rejects"`         // payloads from central refused
	RejectedEvents int64     `json:"rejected_events"`         // events central refused (for a manager)
	LastError      string    `json:"last_error,omitempty"`
	// Held is set once central is found ahead of the outbox (its
	// database was rolled back, see pos.AheadError): events wait for the
	// new epoch the client begins between sessions, normally at once;
	// while it cannot begin (a disk error), the client stays connected,
	// LastError says why, and it tries again every BackoffMax.
	Held bool `json:"held,omitempty"`
}

// Fill sets what the status says of the outbox from st, and the count of
// refused inbound payloads, as of now. Connected and LastError stay as
// they are: a node without a broker shows its queue this way too.
func (s *Status) Fill(st pos.OutboxStats, inboundRejects int64, now time.Time) {
	s.Epoch, s.LastSeq, s.AckedThrough, s.QueueDepth = st.Epoch, st.LastSeq, st.AckedThrough, st.Depth
	s.OldestUnacked, s.LastDelivery, s.RejectedEvents, s.InboundRejects = st.OldestUnacked, st.LastDelivery, st.Rejected, inboundRejects
	s.OldestAge = 0
	if !s.OldestUnacked.IsZero() {
		s.OldestAge = Duration(max(now.Sub(s.OldestUnacked), 0).Truncate(time.Second))
	}
}

// Duration marshals as whole seconds.
type Duration time.Duration

// MarshalJSON writes the duration in seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(int64(time.Duration(d) / time.Second))
}

// Status returns the latest status.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// refreshStatus reads the outbox into the status and returns it; ok is
// false if it could not be read.
func (c *Client) refreshStatus(ctx context.Context) (_ Status, ok bool) {
	st, err := c.opt.Outbox.OutboxStats(ctx)
	if err != nil {
		return c.Status(), false
	}
	rejects, err := c.opt.State.InboundRejects(ctx)
	if err != nil {
		return c.Status(), false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status.Fill(st, rejects, c.opt.Now())
	return c.status, true
}

// newsIn reports whether s says something told does not. The age alone
// moves every second; it is not a change worth telling.
func newsIn(s, told Status) bool {
	s.OldestAge = told.OldestAge
	return s != told
}

const refreshGap = 100 * time.Millisecond

// statusLoop keeps Status fresh, calls OnStatus on changes, publishes the
// retained status while connected (on connect, on changes at most every
// StatusMinGap, and every StatusEvery) and prunes acknowledged events.
func (c *Client) statusLoop(ctx context.Context) {
	tick := time.NewTicker(min(c.opt.StatusMinGap, time.Second))
	defer tick.Stop()
	var published time.Time
	// pubOn is the connection the status was last published on: each
	// session has a client of its own, so a new one is told at once even
	// if the loop never saw the node without one in between.
	var pubOn mqtt.Client
	var pending bool
	var told Status // what OnStatus was last called with
	var filled bool // the outbox has been read at least once
	pruned := time.Time{}
	var refreshed time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.statusDirty:
		case <-tick.C:
		}
		// At most a few refreshes a second however fast acks and sales come.
		if d := refreshGap - time.Since(refreshed); d > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(d):
			}
		}
		refreshed = time.Now()
		now := c.opt.Now()
		if now.Sub(pruned) >= time.Hour {
			if n, err := c.opt.Outbox.PruneAcked(ctx, now.Add(-c.opt.Retention)); err != nil {
				c.log.Warn("prune acknowledged events", "err", err)
			} else if n > 0 {
				c.log.Info("pruned acknowledged events", "rows", n)
			}
			pruned = now
		}
		// A change of connection is news too: setConn has already
		// written it into the status, so it is told apart from what
		// was last told, not from the status before this refresh.
		s, ok := c.refreshStatus(ctx)
		if ok {
			filled = true
			if newsIn(s, told) {
				if c.opt.OnStatus != nil {
					c.opt.OnStatus(s)
				}
				told, pending = s, true
			}
		}
		if !filled {
			continue // nothing read yet worth telling central
		}
		// Held while the connection is looked up and the status handed
		// to it, so that a session ending publishes offline after it.
		c.pubMu.Lock()
		cli := c.conn()
		due := cli != nil && (cli != pubOn || now.Sub(published) >= c.opt.StatusEvery ||
			(pending && now.Sub(published) >= c.opt.StatusMinGap))
		if due {
			body, _ := json.Marshal(map[string]any{
				"state": "online", "version": c.opt.Version, "started_at": c.started.Format(time.RFC3339),
				"epoch": s.Epoch, "last_seq": s.LastSeq, "acked_through": s.AckedThrough,
				"queue_depth": s.QueueDepth, "oldest_unacked": timeOrNil(s.OldestUnacked),
			})
			// Not waited for: the next status supersedes a lost one.
			cli.Publish(c.t.status, 1, true, body)
			published, pubOn, pending = now, cli, false
		}
		c.pubMu.Unlock()
	}
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.RFC3339)
}
