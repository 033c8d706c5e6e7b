package printer_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/hardware/serialdev"
	"github.com/posnode/posnode/internal/nodetest"
)

// An unplugged printer's port is tried again with back-off, from
// ReopenDelay doubling up to ten times it, and the attempts are not logged
// one by one.
func TestUnpluggedPrinterBacksOff(t *testing.T) {
	dev, err := serialdev.New(serialdev.Options{Name: "till-6 printer", Path: filepath.Join(t.TempDir(), "ttyUSB0"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var opens atomic.Int64
	open := printer.SharedPort(dev)
	logs := &nodetest.Buffer{} // Info and above
	drv, err := printer.New(printer.Options{Name: "till-6", Store: openDB(t), Logger: slog.New(slog.NewTextHandler(logs, nil)),
		ReopenDelay: 50 * time.Millisecond,
		Open: func() (io.ReadWriteCloser, error) {
			opens.Add(1)
			return open()
		}})
	if err != nil {
		t.Fatal(err)
	}
	runWithDevice(t, drv, dev)

	time.Sleep(time.Second)
	lines := strings.Count(logs.String(), "\n")
	t.Logf("opened %d times, %d log lines", opens.Load(), lines)
	// Waits of 50, 100, 200, 400, 500 ms ..., each cut by up to half, let
	// at most 7 attempts into a second; a sleep that overruns adds a few.
	if n := opens.Load(); n > 12 {
		t.Errorf("opened %d times in about a second; want at most 12", n)
	}
	if lines > 3 {
		t.Errorf("%d log lines; want one when the port is lost, not one per attempt:\n%s", lines, logs)
	}
}
