package ui

import (
	"testing"
	"time"
)

// A notice that waits when the server shuts down is dropped with its
// timer, and nothing is sent afterwards.
func TestStockNoticesStop(t *testing.T) {
	var sent []Message
	n := &stockNotices{every: time.Hour, publish: func(m Message) { sent = append(sent, m) }}
	n.add([]string{"1"})
	n.add([]string{"2"})
	if len(sent) != 1 || n.timer == nil {
		t.Fatalf("sent %d notices, timer %v; want the first at once and the second waiting", len(sent), n.timer)
	}
	n.stop()
	n.add([]string{"3"})
	n.flush() // as the timer would, had it fired as it was stopped
	if len(sent) != 1 || n.timer != nil {
		t.Fatalf("after stop: sent %d notices, timer %v; want nothing more", len(sent), n.timer)
	}
}
