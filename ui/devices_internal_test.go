package ui

import (
	"fmt"
	"testing"
	"time"
)

// TestPairingLimitKeepsLimitedClients fills the rate limit's memory with
// other clients: a client at its limit stays limited, and a new client
// still gets in.
func TestPairingLimitKeepsLimitedClients(t *testing.T) {
	p := &pairing{seen: map[string][]time.Time{}}
	t0 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	for range pairPerClient {
		if !p.allow("a", t0) {
			t.Fatal("refused below the limit")
		}
	}
	for i := range pairClients {
		p.allow(fmt.Sprintf("c%d", i), t0.Add(time.Second))
	}
	if p.allow("a", t0.Add(2*time.Second)) {
		t.Fatal("a client at its limit was let through once others filled the memory")
	}
	if !p.allow("new", t0.Add(2*time.Second)) {
		t.Fatal("a new client refused")
	}
	if len(p.seen) > pairClients {
		t.Fatalf("%d clients remembered, at most %d", len(p.seen), pairClients)
	}
	if !p.allow("a", t0.Add(pairWindow+time.Second)) {
		t.Fatal("still limited after the window")
	}
}
