// Package brokertest runs a real Mosquitto broker for tests: on a free
// local port, without persistence, so that killing it loses everything it
// held, as a crashed broker does.
package brokertest

import (
	"github.com/posnode/posnode/internal/nodetest"

	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Binary is where Mosquitto is looked for before $PATH.
const Binary = "/usr/sbin/mosquitto"

// Options tune the broker. The zero value is Mosquitto's defaults on a free
// port.
type Options struct {
	// MaxQueued is max_queued_messages; zero keeps Mosquitto's default
	// (1000).
	MaxQueued int
	// MaxInflight is max_inflight_messages; zero keeps the default (20).
	MaxInflight int
	// Extra is appended to the configuration.
	Extra string
}

// Broker is a running (or stopped) Mosquitto.
type Broker struct {
	t    testing.TB
	bin  string
	conf string
	Port int
	cmd  *exec.Cmd
	done chan struct{}
	log  nodetest.Buffer // the broker's stderr, shown when the test fails
}

// find returns the mosquitto binary, skipping the test when it is missing
// and the CI environment variable is unset, failing it under CI.
func find(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(Binary); err == nil {
		return Binary
	}
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("mosquitto is not installed (looked for %s and in $PATH); CI must have it", Binary)
	}
	t.Skipf("mosquitto is not installed (looked for %s and in $PATH); skipping because CI is unset", Binary)
	return ""
}

// FreePort returns a TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// New prepares a broker on a free port without starting it.
func New(t testing.TB, opt Options) *Broker {
	t.Helper()
	b := &Broker{t: t, bin: find(t), Port: FreePort(t)}
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\n", b.Port)
	if os.Geteuid() == 0 {
		// Started as root, mosquitto would switch to its own user, which
		// cannot read the test's files (certificates in a private TempDir).
		conf += "user root\n"
	}
	if opt.MaxQueued != 0 {
		conf += fmt.Sprintf("max_queued_messages %d\n", opt.MaxQueued)
	}
	if opt.MaxInflight != 0 {
		conf += fmt.Sprintf("max_inflight_messages %d\n", opt.MaxInflight)
	}
	conf += opt.Extra
	b.conf = filepath.Join(t.TempDir(), "mosquitto.conf")
	if err := os.WriteFile(b.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		b.Kill()
		if t.Failed() {
			t.Logf("mosquitto log:\n%s", b.log.String())
		}
	})
	return b
}

// Start runs a broker with opt and waits until it accepts connections.
func Start(t testing.TB, opt Options) *Broker {
	t.Helper()
	b := New(t, opt)
	b.Start()
	return b
}

// URL is the broker's tcp:// URL.
func (b *Broker) URL() string { return "tcp://127.0.0.1:" + strconv.Itoa(b.Port) }

// Start starts the broker (again, on the same port) and waits until it
// accepts connections.
func (b *Broker) Start() {
	b.t.Helper()
	if b.cmd != nil {
		b.t.Fatal("brokertest: broker already running")
	}
	var lastErr error
	for attempt := 0; attempt < 50; attempt++ {
		cmd := exec.Command(b.bin, "-c", b.conf)
		cmd.Stderr = &b.log
		if err := cmd.Start(); err != nil {
			b.t.Fatalf("start mosquitto: %v", err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case <-done:
				lastErr = errors.New("mosquitto exited at start (port still in use?)")
			default:
			}
			if lastErr != nil {
				break
			}
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(b.Port), 200*time.Millisecond)
			if err == nil {
				c.Close()
				b.cmd, b.done = cmd, done
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		if lastErr == nil {
			cmd.Process.Kill()
			<-done
			lastErr = errors.New("mosquitto did not accept connections within 5 s")
		}
		// The port of a killed broker can linger briefly: try again.
		time.Sleep(100 * time.Millisecond)
		lastErr = nil
	}
	b.t.Fatalf("brokertest: could not start mosquitto on port %d", b.Port)
}

// Kill stops the broker with SIGKILL: everything it held is lost.
func (b *Broker) Kill() {
	if b.cmd == nil {
		return
	}
	b.cmd.Process.Signal(syscall.SIGKILL)
	<-b.done
	b.cmd, b.done = nil, nil
}

// Running reports whether the broker is started.
func (b *Broker) Running() bool { return b.cmd != nil }

// Passwords writes a Mosquitto password file that lets user in with
// password and returns the configuration line naming it, for
// Options.Extra. Clients without a name stay welcome (central's among
// them); a name with the wrong password is refused.
func Passwords(t testing.TB, user, password string) string {
	t.Helper()
	find(t)
	bin, err := exec.LookPath("mosquitto_passwd")
	if err != nil {
		t.Fatalf("mosquitto_passwd, part of Mosquitto, is missing: %v", err)
	}
	file := filepath.Join(t.TempDir(), "passwords")
	if out, err := exec.Command(bin, "-c", "-b", file, user, password).CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v: %s", err, out)
	}
	return "password_file " + file + "\n"
}
