package scanner

import (
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/nodetest"
)

// noise is what a scanner at a wrong baud rate sends for one code: bytes
// that are no UTF-8, ended by a byte that reads as a carriage return.
const noise = "\xff\xfe\x80\r"

// rejectLines counts the warnings of rejected frames in logs: the lines of
// single frames, and the frames the count lines add up to.
func rejectLines(logs string) (single, counts, counted int) {
	count := regexp.MustCompile(`msg="more scans rejected" .*count=(\d+)`)
	for _, l := range strings.Split(logs, "\n") {
		switch {
		case !strings.Contains(l, "level=WARN"):
		case strings.Contains(l, `msg="scan rejected"`):
			single++
		case count.MatchString(l):
			n, _ := strconv.Atoi(count.FindStringSubmatch(l)[1])
			counts++
			counted += n
		}
	}
	return single, counts, counted
}

// A scanner at a wrong baud rate, whose noise is refused frame after
// frame, logs the first refusal with its bytes and the others as one count
// when the scanner stops, within the hour of LogInterval: not a line per
// frame. The codes after the noise still go through.
func TestScannerRejectsLoggedOncePTY(t *testing.T) {
	logs := &nodetest.Buffer{}
	const frames = 50
	t.Run("run", func(t *testing.T) {
		p := newScannerPTY(t)
		_, scans := runOnPTY(t, p, Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), LogInterval: time.Hour})
		p.send(t, strings.Repeat(noise, frames)+"7310865004703\r")
		if s := scans.next(t); s.Code != "7310865004703" {
			t.Fatalf("scan after the noise = %+v", s)
		}
		if single, counts, _ := rejectLines(logs.String()); single != 1 || counts != 0 {
			t.Fatalf("%d frames of noise logged %d lines and %d counts while the scanner runs, want 1 and 0:\n%s", frames, single, counts, logs)
		}
	})
	single, counts, counted := rejectLines(logs.String())
	if single != 1 || counts != 1 || counted != frames-1 || !strings.Contains(logs.String(), `last_reason="`+ErrInvalidUTF8.Error()) {
		t.Errorf("after the scanner stopped: %d lines, %d counts of %d frames; want 1, 1 of %d with the last reason:\n%s",
			single, counts, counted, frames-1, logs)
	}
}

// The count of the refusals after the first is logged once LogInterval has
// passed, without waiting for more bytes, and the lines add up to every
// frame refused.
func TestScannerRejectCountLoggedWhenDuePTY(t *testing.T) {
	logs := &nodetest.Buffer{}
	const frames = 20
	p := newScannerPTY(t)
	runOnPTY(t, p, Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), LogInterval: 50 * time.Millisecond})
	p.send(t, strings.Repeat(noise, frames))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		single, counts, counted := rejectLines(logs.String())
		if counts > 0 && single+counted == frames {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s, %d frames refused are %d lines and %d counts of %d frames:\n%s", frames, single, counts, counted, logs)
		}
	}
}
