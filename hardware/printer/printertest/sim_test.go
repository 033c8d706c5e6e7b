package printertest_test

import (
	"io"
	"net"
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

// TestAnswersStatusRequestsInsideJobs: like firmware, the printer answers
// DLE EOT n wherever it comes, even inside the data of a command, and
// prints the data as it came.
func TestAnswersStatusRequestsInsideJobs(t *testing.T) {
	sim, conn := printertest.NewPipe(t, printertest.Options{})
	defer conn.Close()
	// CODE128 data {B R {C 00 00 16 04 01, R0000160401 with its last
	// three digit pairs DLE EOT 1.
	data := []byte{'{', 'B', 'R', '{', 'C', 0, 0, 16, 4, 1}
	job := append([]byte{escpos.ESC, '@', escpos.GS, 'k', 73, byte(len(data))}, data...)
	job = append(job, escpos.GS, 'V', 66, 3)
	if _, err := conn.Write(job); err != nil {
		t.Fatal(err)
	}
	conn.(net.Conn).SetReadDeadline(time.Now().Add(5 * time.Second))
	reply := make([]byte, 1)
	if _, err := io.ReadFull(conn, reply); err != nil {
		t.Fatalf("no reply to the DLE EOT 1 inside the job: %v", err)
	}
	want := escpos.EncodeStatus(escpos.Status{Online: true, DrawerKnown: true}, escpos.StatusOptions{})[0]
	if reply[0] != want {
		t.Errorf("reply %#02x, want %#02x", reply[0], want)
	}
	waitJobs := time.Now().Add(5 * time.Second)
	for len(sim.Jobs()) == 0 && time.Now().Before(waitJobs) {
		time.Sleep(5 * time.Millisecond)
	}
	if jobs := sim.Jobs(); len(jobs) != 1 || jobs[0] != "[INIT][BARCODE CODE128 R0000160401][CUT partial]" {
		t.Errorf("printed %q", jobs)
	}
}
