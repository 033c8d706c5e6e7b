package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/posnode/posnode/internal/nodetest"
)

// openPTY opens a pseudo-terminal: the master, where the test types and
// reads what the terminal shows, and the terminal the command reads.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	rc, err := m.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n uint32
	var ierr error
	if err := rc.Control(func(fd uintptr) {
		if ierr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ierr == nil {
			n, ierr = unix.IoctlGetUint32(int(fd), unix.TIOCGPTN)
		}
	}); err != nil || ierr != nil {
		t.Fatalf("pseudo-terminal: %v %v", err, ierr)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// At a terminal the PIN is asked for twice, echoed neither time: typed
// unseen, a slip would leave a member whose PIN nobody knows, under a
// staff number that cannot be added again.
func TestReadPINAtTerminal(t *testing.T) {
	type result struct {
		pin string
		err error
	}
	for _, c := range []struct {
		name, again, want string
	}{
		{"the same twice", "482913", ""},
		{"a slip", "482931", "differ"},
	} {
		t.Run(c.name, func(t *testing.T) {
			master, tty := openPTY(t)
			var prompt nodetest.Buffer
			done := make(chan result, 1)
			go func() {
				pin, err := readPIN(context.Background(), tty, &prompt)
				done <- result{pin, err}
			}()
			waitFor(t, func() bool { return strings.Contains(prompt.String(), "PIN: ") })
			master.WriteString("482913\n")
			waitFor(t, func() bool { return strings.Contains(prompt.String(), "again: ") })
			master.WriteString(c.again + "\n")
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("readPIN did not return")
			}
			switch {
			case c.want == "" && (r.err != nil || r.pin != "482913"):
				t.Errorf("readPIN = %q, %v; want 482913", r.pin, r.err)
			case c.want != "" && (r.err == nil || !strings.Contains(r.err.Error(), c.want)):
				t.Errorf("readPIN = %q, %v; want an error saying the PINs %s", r.pin, r.err, c.want)
			}
			master.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			shown := make([]byte, 4096)
			n, _ := master.Read(shown)
			if strings.Contains(string(shown[:n]), "4829") {
				t.Errorf("the terminal showed the PIN: %q", shown[:n])
			}
			if tm, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS); err != nil || tm.Lflag&unix.ECHO == 0 {
				t.Errorf("the terminal's echo is not given back: %v", err)
			}
		})
	}
}

// Ctrl-C at the PIN's prompt ends the command, with the terminal's echo
// given back: the signal only ends the command's context, which the
// prompt waited past until Enter was pressed.
func TestReadPINInterrupted(t *testing.T) {
	_, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	var prompt nodetest.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := readPIN(ctx, tty, &prompt)
		done <- err
	}()
	waitFor(t, func() bool { return strings.Contains(prompt.String(), "PIN: ") })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("readPIN interrupted = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("readPIN waits on after Ctrl-C")
	}
	if tm, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS); err != nil || tm.Lflag&unix.ECHO == 0 {
		t.Errorf("the terminal's echo is not given back: %v", err)
	}
}
