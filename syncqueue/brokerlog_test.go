package syncqueue_test

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/internal/nodetest"
	"github.com/posnode/posnode/syncqueue"
)

// TestLoginRefusedToldOnce: a broker refusing the node's login is an
// error IT must act on, told once as such, not an INFO line repeated at
// every retry.
func TestLoginRefusedToldOnce(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Extra: brokertest.Passwords(t, "till-1", "s3cret-pw")})
	var logged nodetest.Buffer
	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		o.Username, o.Password = "till-1", "wrong-pw"
		o.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	centraltest.Eventually(t, 10*time.Second, "three refused logins", func() bool {
		return strings.Count(logged.String(), "not Authorized") >= 3
	})
	n.stop()
	l := logged.String()
	if got := strings.Count(l, "level=ERROR msg=\"the broker refused the node's login"); got != 1 {
		t.Errorf("the refused login is told %d times at ERROR, want once:\n%s", got, l)
	}
	if strings.Contains(l, "level=INFO msg=\"broker connection down") {
		t.Errorf("the refused login is logged at INFO:\n%s", l)
	}
	if strings.Contains(l, "wrong-pw") {
		t.Errorf("the password is logged:\n%s", l)
	}
}

// TestSameNodeIDsTold: two boxes given the same store and node ids throw
// each other off the broker, each taking the other's client id; the log
// says what the drops soon after connecting likely mean.
func TestSameNodeIDsTold(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	var logged nodetest.Buffer
	tune := func(o *syncqueue.Options) { o.BackoffMax = 2 * time.Second }
	startNode(t, b.URL(), filepath.Join(t.TempDir(), "a.db"), func(o *syncqueue.Options) {
		tune(o)
		o.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	})
	startNode(t, b.URL(), filepath.Join(t.TempDir(), "b.db"), tune)
	centraltest.Eventually(t, 30*time.Second, "the drops told", func() bool {
		return strings.Contains(logged.String(), "level=WARN msg=\"the broker dropped the connection")
	})
	if l := logged.String(); !strings.Contains(l, "same store and node ids") || !strings.Contains(l, "client_id=pos-"+store+"-"+node) {
		t.Errorf("the warning does not say what the drops likely mean:\n%s", l)
	}
}
