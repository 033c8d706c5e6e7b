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

	start := time.Now()
	time.Sleep(time.Second)
	n, took := opens.Load(), time.Since(start)
	lines := strings.Count(logs.String(), "\n")
	t.Logf("opened %d times in %v, %d log lines", n, took, lines)
	// Waits of 50, 100, 200, 400, 500 ms ..., each cut by up to half, let
	// at most 7 attempts into a second and one more for every 250 ms a
	// loaded machine lets the sleep overrun. Without the back-off it was
	// a few hundred.
	if most := 7 + int64(took-time.Second)/int64(250*time.Millisecond) + 2; n > most {
		t.Errorf("opened %d times in %v; want at most %d", n, took, most)
	}
	if lines > 3 {
		t.Errorf("%d log lines; want one when the port is lost, not one per attempt:\n%s", lines, logs)
	}
}
