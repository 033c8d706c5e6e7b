package display

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/posnode/posnode/hardware/serialdev"
)

var _ Writer = (*serialdev.Device)(nil)

// TestDisplayPTY drives a display on a pseudo-terminal through a
// serialdev.Device and decodes what arrives at the other end.
func TestDisplayPTY(t *testing.T) {
	m, s, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	defer s.Close()
	for _, f := range []*os.File{m, s} {
		if err := serialdev.MakeRaw(int(f.Fd())); err != nil {
			t.Fatal(err)
		}
	}
	states := make(chan serialdev.State, 10)
	dev, err := serialdev.New(serialdev.Options{Name: "till-1 display", Path: s.Name(), PollInterval: 20 * time.Millisecond,
		OnState: func(s serialdev.State) { states <- s }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- dev.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	select {
	case st := <-states:
		if !st.Connected {
			t.Fatalf("display not connected: %v", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("display never connected")
	}

	// Everything written arrives at the master; a reader collects it.
	got := make(chan []byte, 16)
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := m.Read(buf)
			if n > 0 {
				got <- append([]byte(nil), buf[:n]...)
			}
			if err != nil {
				close(got)
				return
			}
		}
	}()
	screen := newScreenState()
	until := func(line1, line2 string) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for screen.text(0) != line1 || screen.text(1) != line2 {
			select {
			case b := <-got:
				screen.feed(b)
			case <-timeout:
				t.Fatalf("display shows %q / %q, want %q / %q", screen.text(0), screen.text(1), line1, line2)
			}
		}
		if len(screen.errs) > 0 {
			t.Fatalf("display stream errors: %v", screen.errs)
		}
	}

	d, err := New(dev, Options{Language: "sv", CodePages: []CodePage{PC858, PC852}, Greeting: "Butik Centrum"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		show         func() error
		line1, line2 string
	}{
		{d.Welcome, "     Välkommen      ", "   Butik Centrum    "},
		{func() error { return d.ShowItem("Kanelbulle", "25,00 kr") }, "Kanelbulle          ", "            25,00 kr"},
		{func() error { return d.ShowItem("Smörgås räkor", "79,00 kr") }, "Smörgås räkor       ", "            79,00 kr"},
		{func() error { return d.ShowTotal("104,00 kr") }, "Att betala          ", "           104,00 kr"},
		{func() error { return d.ShowChange("200,00 kr", "96,00 kr") }, "Betalt     200,00 kr", "Växel       96,00 kr"},
	}
	for _, st := range steps {
		if err := st.show(); err != nil {
			t.Fatalf("show %q: %v", st.line1, err)
		}
		until(st.line1, st.line2)
	}
	if screen.inits != 1 || screen.page != PC858.Number {
		t.Fatalf("inits %d, page %d", screen.inits, screen.page)
	}
}
