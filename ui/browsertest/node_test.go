package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/internal/nodetest"
)

// startNode runs posnode with the demo store on a port of its own choosing
// and returns its base URL once /healthz answers.
func startNode(t testing.TB, extra ...string) string {
	t.Helper()
	return launch(t, t.TempDir(), "127.0.0.1:0", extra...).base
}

// node is a posnode process started by a test.
type node struct {
	base string
	cmd  *exec.Cmd
	out  *nodetest.Buffer
	once sync.Once
}

// launch runs posnode on data and addr and waits until it serves.
func launch(t testing.TB, data, addr string, extra ...string) *node {
	t.Helper()
	bin, err := nodetest.Build()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"run", "--demo", "--data", data, "--http", addr}, extra...)
	n := &node{cmd: exec.Command(bin, args...), out: &nodetest.Buffer{}}
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.stop)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if base := startedAt(n.out.String()); base != "" {
			if r, err := http.Get(base + "/healthz"); err == nil {
				r.Body.Close()
				if r.StatusCode == http.StatusOK {
					n.base = base
					return n
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("node did not start:\n%s", n.out)
	return nil
}

// stop ends the node as a service manager does, killing it if it hangs.
func (n *node) stop() {
	n.once.Do(func() {
		_ = n.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = n.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = n.cmd.Process.Kill()
			<-done
		}
	})
}

// startedAt finds the URL in the node's "posnode started" log line.
func startedAt(log string) string {
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var rec struct {
			Msg  string `json:"msg"`
			HTTP string `json:"http"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "posnode started" && rec.HTTP != "" {
			return rec.HTTP
		}
	}
	return ""
}

// chromium finds the browser, or skips the test when it is missing and CI
// is unset.
func chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("POSNODE_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "" {
		t.Skip("chromium is not installed (apt-get install chromium, or make test-deps); set CI to make this a failure")
	}
	t.Fatal("chromium is not installed and CI is set")
	return ""
}

// browser returns a context for the first tab of a browser of the
// test's own: its own cookies, storage and cache, in a browser context of
// the package's shared Chromium, closed when the test ends. Starting a
// Chromium costs about two seconds of CPU, which a hundred tests paid
// each. With extra options (its environment, say), a Chromium is started
// for the test alone.
func browser(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	var ctx context.Context
	var cancel context.CancelFunc
	if len(extra) == 0 {
		ctx, cancel = chromedp.NewContext(sharedChromium(t), chromedp.WithNewBrowserContext())
	} else {
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), append(chromiumOptions(t, t.TempDir()), extra...)...)
		t.Cleanup(cancelA)
		ctx, cancel = chromedp.NewContext(actx)
	}
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1024, 768)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// chromiumOptions are how the tests run Chromium: headless, in the profile
// dir, without what would reach out of the machine.
func chromiumOptions(t testing.TB, dir string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1024, 768),
	)
}

// shared is the package's Chromium, started by the first test that asks
// for a browser and stopped by TestMain once every test has ended.
var shared struct {
	mu     sync.Mutex
	ctx    context.Context // a tab of it, the parent of every test's browser
	cancel func()
}

// sharedChromium returns the shared Chromium, starting it if need be.
func sharedChromium(t testing.TB) context.Context {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ctx != nil {
		return shared.ctx
	}
	dir, err := os.MkdirTemp("", "posnode-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Its profile outlives the test that started it.
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), chromiumOptions(t, dir)...)
	ctx, cancelB := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancelB()
		cancelA()
		os.RemoveAll(dir)
		t.Fatalf("start chromium: %v", err)
	}
	shared.ctx = ctx
	shared.cancel = func() {
		cancelB()
		cancelA()
		os.RemoveAll(dir)
	}
	return ctx
}

// stopSharedChromium stops the shared Chromium, if one was started.
func stopSharedChromium() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cancel != nil {
		shared.cancel()
		shared.ctx, shared.cancel = nil, nil
	}
}

// run runs actions with a deadline, failing the test with what was done.
func run(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v\npage text:\n%s", what, err, pageText(ctx))
	}
}

// value runs one action that returns a value, failing the test on error.
func value[T any](t testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v\npage text:\n%s", what, err, pageText(ctx))
	}
	return v
}

func pageText(ctx context.Context) string {
	c, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	body, _ := chromedp.Run(c, chromedp.Text(chromedp.CSS("body")))
	return body
}

// shot saves a screenshot of the page as name.png when POSNODE_SCREENSHOTS
// names a directory.
func shot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("POSNODE_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Let pushed updates settle before the picture.
	run(t, ctx, "settle", chromedp.Sleep(150*time.Millisecond))
	png := value(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
