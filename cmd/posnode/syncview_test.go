package main

import (
	"testing"

	"github.com/posnode/posnode/syncqueue"
)

// TestSyncViewState: the screens' one word for the link to central.
func TestSyncViewState(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    syncqueue.Status
		want string
	}{
		{"not connected", syncqueue.Status{}, "offline"},
		{"connected", syncqueue.Status{Connected: true}, "online"},
		{"connected, an error since", syncqueue.Status{Connected: true, LastError: "record ack: disk I/O error"}, "online"},
		{"connected, events held", syncqueue.Status{Connected: true, Held: true, LastError: "rolled back"}, "degraded"},
		{"not connected, events held", syncqueue.Status{Held: true}, "offline"},
	} {
		if got := newSyncView(true, tc.s).State; got != tc.want {
			t.Errorf("%s: state %q, want %q", tc.name, got, tc.want)
		}
	}
}
