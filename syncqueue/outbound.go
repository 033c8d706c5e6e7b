package syncqueue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/posnode/posnode/pos"
)

// EncodeEvent returns ev as the contract's events payload, from a node of
// store and node. ev.Data must be a JSON object (as the outbox stores it);
// empty data is sent as {}.
func EncodeEvent(store, node string, ev pos.Event) ([]byte, error) {
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 {
		data = []byte("{}")
	}
	if data[0] != '{' {
		return nil, fmt.Errorf("syncqueue: event %d: data is not a JSON object", ev.Seq)
	}
	// Written by hand: the data is already JSON, and re-validating it
	// through encoding/json costs more than the rest of the send path.
	b := make([]byte, 0, 256+len(data))
	b = append(b, `{"specversion":"1.0","id":`...)
	b = appendString(b, ev.ID)
	b = append(b, `,"source":`...)
	b = appendString(b, "pos://"+store+"/"+node)
	b = append(b, `,"type":`...)
	b = appendString(b, ev.Type)
	b = append(b, `,"time":`...)
	b = appendString(b, ev.Time.Format(time.RFC3339Nano))
	b = append(b, `,"epoch":`...)
	b = appendString(b, ev.Epoch)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `,"datacontenttype":"application/json","data":`...)
	b = append(b, data...)
	return append(b, '}'), nil
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

const readBatch = 512

// prepared is a batch of outbox events read after seq `after`, encoded.
type prepared struct {
	after    int64
	seqs     []int64
	payloads [][]byte
	err      error
}

// reader reads and encodes the batch after each seq it is asked for, so
// that the next batch is ready while the sender publishes this one. It
// stops when ctx is done.
func (c *Client) reader(ctx context.Context, reqs <-chan int64, out chan<- prepared) {
	for {
		var after int64
		select {
		case <-ctx.Done():
			return
		case after = <-reqs:
		}
		p := prepared{after: after}
		evs, err := c.opt.Outbox.EventsAfter(ctx, after, readBatch)
		if err != nil {
			p.err = fmt.Errorf("read outbox: %w", err)
		}
		for _, ev := range evs {
			b, err := EncodeEvent(c.opt.Store, c.opt.Node, ev)
			if err != nil {
				p.err = err
				break
			}
			p.seqs, p.payloads = append(p.seqs, ev.Seq), append(p.payloads, b)
		}
		select {
		case out <- p:
		case <-ctx.Done():
			return
		}
	}
}

// send publishes the outbox in seq order for one connection. It first
// sends everything above central's ack, then new events as they come. At
// most Window publications wait for their PUBACK at a time; a PUBACK only
// frees a slot. When the ack has not advanced for ResendAfter while events
// are outstanding it starts again from the ack.
func (c *Client) send(ctx context.Context, cli mqtt.Client) error {
	next := c.ackedThrough.Load() // last seq published on this connection
	var batch prepared
	inflight := make([]mqtt.Token, 0, c.opt.Window)
	var resent, busySince time.Time // last resend; when events became outstanding
	stall := time.NewTicker(max(c.opt.ResendAfter/4, 10*time.Millisecond))
	defer stall.Stop()

	// One batch is read ahead while this one is published.
	reqs, ready := make(chan int64, 1), make(chan prepared, 1)
	var wg sync.WaitGroup
	rctx, stopReader := context.WithCancel(ctx)
	wg.Add(1)
	go func() { defer wg.Done(); c.reader(rctx, reqs, ready) }()
	defer func() { stopReader(); wg.Wait() }()
	asked := false // a request is with the reader
	ask := func(after int64) {
		if !asked {
			reqs <- after
			asked = true
		}
	}

	pop := func(block bool) error {
		for len(inflight) > 0 {
			t := inflight[0]
			if block {
				select {
				case <-t.Done():
				case <-ctx.Done():
					return ctx.Err()
				}
				block = false
			} else {
				select {
				case <-t.Done():
				default:
					return nil
				}
			}
			if err := t.Error(); err != nil {
				return fmt.Errorf("publish event: %w", err)
			}
			c.heard.Add(1)
			inflight = inflight[1:]
		}
		return nil
	}
	for {
		if c.held.Load() {
			<-ctx.Done()
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		acked := c.ackedThrough.Load()
		if next < acked {
			next, batch = acked, prepared{}
		}
		now := c.opt.Now()
		ref := time.Unix(0, c.ackAdvanced.Load())
		if resent.After(ref) {
			ref = resent
		}
		if busySince.After(ref) {
			ref = busySince
		}
		if next > acked && now.Sub(ref) >= c.opt.ResendAfter {
			c.log.Info("ack has not advanced; sending again from the ack", "acked_through", acked, "sent_through", next)
			next, batch, resent = acked, prepared{}, now
		}
		if len(batch.seqs) == 0 {
			ask(next)
			select {
			case <-ctx.Done():
				return nil
			case batch = <-ready:
				asked = false
			}
			if batch.err != nil {
				return batch.err
			}
			if batch.after != next {
				batch = prepared{} // read for a position given up since
				continue
			}
			if len(batch.seqs) > 0 {
				ask(batch.seqs[len(batch.seqs)-1])
			}
		}
		if len(batch.seqs) == 0 {
			if err := pop(false); err != nil {
				return err
			}
			var done <-chan struct{}
			if len(inflight) > 0 {
				done = inflight[0].Done()
			}
			select {
			case <-ctx.Done():
				return nil
			case <-c.wake:
				c.markDirty()
			case <-stall.C:
			case <-done:
			}
			continue
		}
		for len(batch.seqs) > 0 && !c.held.Load() {
			if len(inflight) >= c.opt.Window {
				if err := pop(true); err != nil {
					return err
				}
			}
			if next <= c.ackedThrough.Load() {
				busySince = c.opt.Now()
			}
			inflight = append(inflight, cli.Publish(c.t.events, 1, false, batch.payloads[0]))
			next = batch.seqs[0]
			batch.seqs, batch.payloads = batch.seqs[1:], batch.payloads[1:]
			if err := pop(false); err != nil {
				return err
			}
			if c.ackedThrough.Load() > next {
				break
			}
		}
	}
}

// onAck merges an ack into the pending one and wakes ackLoop; it runs in
// paho's router and never blocks.
func (c *Client) onAck(topic string, payload []byte) {
	if len(payload) == 0 {
		return // central cleared its ack: nothing to record
	}
	a, err := ParseAck(payload)
	if err != nil {
		c.enqueue(inbound{topic: topic, err: err})
		return
	}
	c.mu.Lock()
	if a.Epoch != c.epoch {
		c.mu.Unlock()
		c.log.Debug("ack for another epoch ignored", "epoch", a.Epoch)
		return
	}
	c.ack = mergeAck(c.ack, &a)
	c.mu.Unlock()
	signal(c.ackWake)
}

// mergeAck merges ack a into the pending one p (either may be nil): the
// higher point, and each rejected seq once. The retained ack comes again
// on every connection; a pending one must not grow with each. Both are of
// the client's epoch: onAck drops the others before merging.
func mergeAck(p, a *Ack) *Ack {
	if p == nil {
		return a
	}
	if a == nil {
		return p
	}
	m := &Ack{Epoch: a.Epoch, Through: max(p.Through, a.Through)}
	seen := make(map[int64]bool, len(p.Rejected)+len(a.Rejected))
	for _, r := range append(append([]pos.Rejection(nil), p.Rejected...), a.Rejected...) {
		if !seen[r.Seq] {
			seen[r.Seq] = true
			m.Rejected = append(m.Rejected, r)
		}
	}
	return m
}

// errRetryEpoch ends a session of a held outbox whose new epoch could not
// begin before it, for Run to try again.
var errRetryEpoch = errors.New("trying the new event epoch again")

// ackLoop records merged acks in the outbox.
func (c *Client) ackLoop(ctx context.Context, _ mqtt.Client) error {
	// A held outbox whose new epoch could not begin stays connected, its
	// events held, and ends the session after a while to try again.
	var retry <-chan time.Time
	if c.held.Load() {
		t := time.NewTimer(c.opt.BackoffMax)
		defer t.Stop()
		retry = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-retry:
			return errRetryEpoch
		case <-c.ackWake:
		}
		c.mu.Lock()
		a := c.ack
		c.ack = nil
		c.mu.Unlock()
		if a == nil {
			continue
		}
		through, ok, err := c.opt.Outbox.Ack(ctx, a.Epoch, a.Through, a.Rejected)
		var ahead *pos.AheadError
		if errors.As(err, &ahead) {
			if c.held.Swap(true) {
				continue // found before; the retry ends the session
			}
			c.log.Error("central is ahead of this database; events are held, and a new epoch begins",
				"epoch", ahead.Epoch, "acked_through", ahead.Through, "last_seq", ahead.LastSeq, "err", err)
			c.setLastError(err)
			// End the session: the new epoch begins once nothing of the
			// old one is being sent.
			return err
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// Keep it for the next try; a retained ack also comes again
			// on the next connection.
			c.mu.Lock()
			c.ack = mergeAck(a, c.ack)
			c.mu.Unlock()
			return fmt.Errorf("record ack: %w", err)
		}
		if !ok {
			continue
		}
		for _, r := range a.Rejected {
			c.log.Warn("central rejected an event", "seq", r.Seq, "reason", r.Reason)
		}
		if through > c.ackedThrough.Load() {
			c.ackedThrough.Store(through)
			c.ackAdvanced.Store(c.opt.Now().UnixNano())
			signal(c.wake)
		}
		c.markDirty()
	}
}
