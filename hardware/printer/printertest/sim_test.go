package printertest_test

import (
	"io"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/printer/printertest"
)

// kick is a drawer kick on pin 2, as the encoder sends it.
var kick = []byte{escpos.ESC, 'p', 0, 25, 250}

// drawerOpen asks the simulated printer behind conn for its status and
// reports what it says of the drawer.
func drawerOpen(t *testing.T, conn io.ReadWriter) bool {
	t.Helper()
	if _, err := conn.Write(escpos.StatusPoll()); err != nil {
		t.Fatal(err)
	}
	reply := make([]byte, escpos.StatusReplyLen)
	if _, err := io.ReadFull(conn, reply); err != nil {
		t.Fatal(err)
	}
	st, err := escpos.ParseStatus(reply, escpos.StatusOptions{})
	if err != nil || !st.DrawerKnown {
		t.Fatalf("status %v, %v: want the drawer's state", st, err)
	}
	return st.DrawerOpen
}

// TestDrawerOpensOnKick: with DrawerOpenFor a kick opens the drawer, which
// shuts again by itself; without it the drawer stays as it was set.
func TestDrawerOpensOnKick(t *testing.T) {
	for _, tc := range []struct {
		name     string
		openFor  time.Duration
		wantOpen bool
	}{
		{"drawer that does not open", 0, false},
		{"drawer that opens", time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, conn := printertest.NewPipe(t, printertest.Options{DrawerOpenFor: tc.openFor})
			defer conn.Close()
			if drawerOpen(t, conn) {
				t.Fatal("the drawer is open before any kick")
			}
			if _, err := conn.Write(kick); err != nil {
				t.Fatal(err)
			}
			if got := drawerOpen(t, conn); got != tc.wantOpen || sim.Kicks() != 1 {
				t.Errorf("after a kick: drawer open %t, kicks %d; want %t, 1", got, sim.Kicks(), tc.wantOpen)
			}
		})
	}
}

// TestDrawerShutsAfterAMoment: the drawer a kick opened is shut again once
// DrawerOpenFor has passed.
func TestDrawerShutsAfterAMoment(t *testing.T) {
	_, conn := printertest.NewPipe(t, printertest.Options{DrawerOpenFor: 50 * time.Millisecond})
	defer conn.Close()
	if _, err := conn.Write(kick); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); drawerOpen(t, conn); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the drawer a kick opened never shut")
		}
	}
}
