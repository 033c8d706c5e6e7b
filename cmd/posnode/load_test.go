package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// loadResult is what one load run measured.
type loadResult struct {
	calls      []time.Duration // every API call of tills and tablets
	errors     []string
	sales      int
	rssWarm    int64 // node's resident memory after the first round, KiB
	rssEnd     int64
	wsMessages int
}

// rssKiB reads a process's resident set size.
func rssKiB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}

// runLoad starts a node with tills tills and drives it: every till rings
// up rounds sales of three items paid in cash, every tablet searches the
// catalog and looks up stock while holding a websocket open.
func runLoad(t testing.TB, tills, tablets, rounds int) loadResult {
	var cfg strings.Builder
	for i := 1; i <= tills; i++ {
		fmt.Fprintf(&cfg, "[[stations]]\nid = \"till-%d\"\nkind = \"till\"\n", i)
	}
	cfg.WriteString("[[stations]]\nid = \"tablet\"\nkind = \"tablet\"\n")
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := startNode(t, t.TempDir(), addr, "--config", cfgPath)
	pid := p.cmd.Process.Pid

	var mu sync.Mutex
	var res loadResult
	record := func(d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		res.calls = append(res.calls, d)
		if err != nil && len(res.errors) < 20 {
			res.errors = append(res.errors, err.Error())
		} else if err != nil {
			res.errors = append(res.errors[:19], "…")
		}
	}
	// call is client.call without failing the test from a goroutine.
	call := func(c *client, method, path string, body any) map[string]any {
		t0 := time.Now()
		out := c.callE(method, path, body)
		var err error
		if out == nil {
			err = fmt.Errorf("%s %s failed", method, path)
		}
		record(time.Since(t0), err)
		return out
	}
	var tillClients []*client
	for i := 1; i <= tills; i++ {
		c := &client{t: t, base: "http://" + addr}
		r := c.callE("POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "1111", "station": fmt.Sprintf("till-%d", i)})
		if r == nil {
			t.Fatal("till login failed")
		}
		c.token = r["token"].(string)
		tillClients = append(tillClients, c)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < tablets; i++ {
		c := &client{t: t, base: "http://" + addr}
		r := c.callE("POST", "/api/v1/login", map[string]string{"staff": "2", "pin": "2222", "station": "tablet"})
		if r == nil {
			t.Fatal("tablet login failed")
		}
		c.token = r["token"].(string)
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws?watch=till-1", map[string][]string{"Authorization": {"Bearer " + c.token}})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(2)
		go func() { // the tablet's screen reads every push
			defer wg.Done()
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
				mu.Lock()
				res.wsMessages++
				mu.Unlock()
			}
		}()
		go func() {
			defer wg.Done()
			defer ws.Close()
			queries := []string{"kaffe", "backpack", "äpplen", "背包", "7310"}
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				call(c, "GET", "/api/v1/items?q="+url.QueryEscape(queries[k%len(queries)]), nil)
				call(c, "GET", "/api/v1/stock/100234", nil)
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	var tillsDone sync.WaitGroup
	for i, c := range tillClients {
		tillsDone.Add(1)
		go func() {
			defer tillsDone.Done()
			for r := 0; r < rounds; r++ {
				cart := call(c, "GET", "/api/v1/cart", nil)
				if cart == nil {
					continue
				}
				id := cart["id"].(string)
				for _, code := range []string{"7310865004703", "7310865004727", "73108658"} {
					call(c, "POST", "/api/v1/carts/"+id+"/scan", map[string]string{"code": code})
				}
				v := call(c, "POST", "/api/v1/carts/"+id+"/payments", map[string]any{"method": "cash", "amount": 100000})
				if v == nil {
					continue
				}
				if s := call(c, "POST", "/api/v1/carts/"+id+"/complete", nil); s != nil {
					mu.Lock()
					res.sales++
					mu.Unlock()
				}
				if r == 0 && i == 0 {
					mu.Lock()
					res.rssWarm = rssKiB(pid)
					mu.Unlock()
				}
			}
		}()
	}
	tillsDone.Wait()
	res.rssEnd = rssKiB(pid)
	close(stop)
	wg.Wait()
	return res
}

// callE is call without failing the test: nil on any error.
func (c *client) callE(method, path string, body any) map[string]any {
	var out map[string]any
	ok := c.try(method, path, body, &out)
	if !ok {
		return nil
	}
	return out
}

func summarize(t testing.TB, res loadResult, tills, rounds int) (p50, p99 time.Duration) {
	if len(res.errors) > 0 {
		t.Errorf("%d API errors under load, first: %v", len(res.errors), res.errors)
	}
	if res.sales != tills*rounds {
		t.Errorf("%d sales completed, want %d", res.sales, tills*rounds)
	}
	slices.Sort(res.calls)
	return percentile(res.calls, 50), percentile(res.calls, 99)
}

// TestLoadShort is the short slice of the load run that make test runs:
// 20 tills and 10 tablets at once, no errors, every sale recorded.
func TestLoadShort(t *testing.T) {
	if testing.Short() {
		t.Skip("load run")
	}
	const tills, tablets, rounds = 20, 10, 5
	res := runLoad(t, tills, tablets, rounds)
	p50, p99 := summarize(t, res, tills, rounds)
	t.Logf("%d calls, p50 %v p99 %v, %d sales, %d websocket messages, RSS %d→%d KiB",
		len(res.calls), p50, p99, res.sales, res.wsMessages, res.rssWarm, res.rssEnd)
}

// BenchmarkLoad is the sustained load run of make bench: 20 tills and 10
// tablets for b.N rounds of sales each; API latency p50/p99 and the node's
// memory after warm-up and at the end.
func BenchmarkLoad(b *testing.B) {
	const tills, tablets = 20, 10
	rounds := max(b.N, 1)
	res := runLoad(b, tills, tablets, rounds)
	p50, p99 := summarize(b, res, tills, rounds)
	b.ReportMetric(float64(p50.Microseconds()), "api-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "api-p99-µs")
	b.ReportMetric(float64(res.rssWarm)/1024, "rss-warm-MiB")
	b.ReportMetric(float64(res.rssEnd)/1024, "rss-end-MiB")
	b.ReportMetric(float64(res.sales), "sales")
}
