package ui

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// maxNoticeSKUs is the most SKUs a "stock_changed" notice lists; beyond
// it the notice says all, and a screen fetches again the stock of every
// item it shows, which is fewer than that.
const maxNoticeSKUs = 1000

// stockNotice is the data of a "stock_changed" message: central changed
// the stock of SKUs, or of any item when All.
type stockNotice struct {
	SKUs []string `json:"skus,omitempty"`
	All  bool     `json:"all,omitempty"`
}

// stockNotices gathers the SKUs whose stock central changed into few
// "stock_changed" messages: one at once when none went out for every,
// else one when every has passed since the last, naming every SKU
// gathered meanwhile. A catalog's first ingest, hundreds of pages of a
// thousand items, so costs the screens one small message a second.
type stockNotices struct {
	every   time.Duration
	publish func(Message)

	mu      sync.Mutex // guards the fields below
	skus    map[string]struct{}
	all     bool        // more SKUs gathered than a notice lists
	last    time.Time   // when the last notice went out
	timer   *time.Timer // sends the next notice; nil when none waits
	stopped bool
}

func (n *stockNotices) add(skus []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped || len(skus) == 0 {
		return
	}
	if !n.all {
		if n.skus == nil {
			n.skus = make(map[string]struct{}, len(skus))
		}
		for _, s := range skus {
			n.skus[s] = struct{}{}
		}
		if len(n.skus) > maxNoticeSKUs {
			n.all, n.skus = true, nil
		}
	}
	if n.timer != nil {
		return // the notice waiting takes these too
	}
	if wait := n.every - time.Since(n.last); wait > 0 {
		n.timer = time.AfterFunc(wait, n.flush)
		return
	}
	n.sendLocked()
}

func (n *stockNotices) flush() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.timer = nil
	if !n.stopped {
		n.sendLocked()
	}
}

func (n *stockNotices) sendLocked() {
	d := stockNotice{All: n.all}
	if !n.all {
		d.SKUs = slices.Sorted(maps.Keys(n.skus))
	}
	n.skus, n.all, n.last = nil, false, time.Now()
	n.publish(Message{Type: "stock_changed", Data: d})
}

// stop drops what waits; nothing is sent afterwards.
func (n *stockNotices) stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stopped = true
	if n.timer != nil {
		n.timer.Stop()
		n.timer = nil
	}
}
