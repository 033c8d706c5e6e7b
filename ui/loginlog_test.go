package ui_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/posnode/posnode/ui"
)

// lockedBuffer is a log's output, written by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A PIN typed into the staff number's field (a slip the login screen
// makes easy: both are digits on one keypad) is not written to the log as
// the staff number refused; a known staff number is, to tell whose logins
// fail.
func TestRefusedLoginLogsNoPINAsStaff(t *testing.T) {
	var out lockedBuffer
	s := newStore(t, func(o *ui.Options) { o.Logger = slog.New(slog.NewTextHandler(&out, nil)) })
	s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": "738291", "pin": "1", "station": "till-1"}, 401, "bad_pin")
	s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": "2", "pin": "0000", "station": "till-1"}, 401, "bad_pin")
	log := out.String()
	if strings.Contains(log, "738291") {
		t.Errorf("a PIN typed as the staff number is in the log:\n%s", log)
	}
	if !strings.Contains(log, "staff=2 ") {
		t.Errorf("a known staff number's refused login does not name it:\n%s", log)
	}
}
