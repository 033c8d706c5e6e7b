package syncqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/posnode/posnode/pos"
)

// cloudEvent is an event in CloudEvents 1.0 structured JSON, with the
// contract's epoch and seq extensions.
type cloudEvent struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Time            string          `json:"time"`
	Epoch           string          `json:"epoch"`
	Seq             int64           `json:"seq"`
	DataContentType string          `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
}

// EncodeEvent returns ev as the contract's events payload, from a node of
// store and node.
func EncodeEvent(store, node string, ev pos.Event) ([]byte, error) {
	data := ev.Data
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	return json.Marshal(cloudEvent{
		SpecVersion: "1.0", ID: ev.ID, Source: "pos://" + store + "/" + node, Type: ev.Type,
		Time: ev.Time.Format(time.RFC3339Nano), Epoch: ev.Epoch, Seq: ev.Seq,
		DataContentType: "application/json", Data: data,
	})
}

const readBatch = 512

// send publishes the outbox in seq order for one connection. It first
// sends everything above central's ack, then new events as they come. At
// most Window publications wait for their PUBACK at a time; a PUBACK only
// frees a slot. When the ack has not advanced for ResendAfter while events
// are outstanding it starts again from the ack.
func (c *Client) send(ctx context.Context, cli mqtt.Client) error {
	next := c.ackedThrough.Load() // last seq published on this connection
	var batch []pos.Event
	inflight := make([]mqtt.Token, 0, c.opt.Window)
	var resent, busySince time.Time // last resend; when events became outstanding
	stall := time.NewTicker(max(c.opt.ResendAfter/4, 10*time.Millisecond))
	defer stall.Stop()

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
			inflight = inflight[1:]
		}
		return nil
	}
	for {
		if ctx.Err() != nil {
			return nil
		}
		acked := c.ackedThrough.Load()
		if next < acked {
			next, batch = acked, nil
		}
		now := c.opt.Now()
		lastAdv := time.Unix(0, c.ackAdvanced.Load())
		ref := lastAdv
		if resent.After(ref) {
			ref = resent
		}
		if busySince.After(ref) {
			ref = busySince
		}
		if next > acked && now.Sub(ref) >= c.opt.ResendAfter {
			c.log.Info("ack has not advanced; sending again from the ack", "acked_through", acked, "sent_through", next)
			next, batch, resent = acked, nil, now
		}
		if len(batch) == 0 {
			evs, err := c.opt.Outbox.EventsAfter(ctx, next, readBatch)
			if err != nil {
				return fmt.Errorf("read outbox: %w", err)
			}
			batch = evs
		}
		if len(batch) == 0 {
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
		for len(batch) > 0 {
			if len(inflight) >= c.opt.Window {
				if err := pop(true); err != nil {
					return err
				}
			}
			ev := batch[0]
			if ev.Seq != next+1 && ev.Seq > next {
				// Rows below were pruned or never existed: nothing to send.
				c.log.Debug("outbox continues after a gap in stored rows", "from", next, "to", ev.Seq)
			}
			if next <= c.ackedThrough.Load() {
				busySince = c.opt.Now()
			}
			payload, err := EncodeEvent(c.opt.Store, c.opt.Node, ev)
			if err != nil {
				return err
			}
			inflight = append(inflight, cli.Publish(c.t.events, 1, false, payload))
			next, batch = ev.Seq, batch[1:]
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
	if a.Epoch != c.epoch {
		c.log.Debug("ack for another epoch ignored", "epoch", a.Epoch)
		return
	}
	c.mu.Lock()
	if c.ack == nil {
		c.ack = &a
	} else {
		c.ack.Through = max(c.ack.Through, a.Through)
		c.ack.Rejected = append(c.ack.Rejected, a.Rejected...)
	}
	c.mu.Unlock()
	signal(c.ackWake)
}

// ackLoop records merged acks in the outbox.
func (c *Client) ackLoop(ctx context.Context, _ mqtt.Client) error {
	for {
		select {
		case <-ctx.Done():
			return nil
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
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// Keep it for the next try; a retained ack also comes again
			// on the next connection.
			c.mu.Lock()
			if c.ack == nil {
				c.ack = a
			} else {
				c.ack.Through = max(c.ack.Through, a.Through)
				c.ack.Rejected = append(c.ack.Rejected, a.Rejected...)
			}
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
