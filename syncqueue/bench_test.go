package syncqueue_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/internal/gcpolicy"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/syncqueue"
)

// Sizes of the benchmarks: small for go test -bench, the full
// sizes with POSNODE_BENCH_FULL=1 (make bench), or set one by one through
// the environment variable name.
func benchSize(name string, small, full int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	if os.Getenv("POSNODE_BENCH_FULL") != "" {
		return full
	}
	return small
}

// benchBroker allows deep queues so that neither run loses messages to
// the broker's per-client limit while the subscriber catches up.
func benchBroker(b *testing.B) *brokertest.Broker {
	return brokertest.Start(b, brokertest.Options{MaxQueued: 10_000_000, MaxInflight: 100})
}

// filledDB makes a database holding n sale-sized events.
func filledDB(b *testing.B, path string, n int) {
	b.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	data := map[string]any{"sale_id": "x", "receipt_no": 1, "station": "till-1", "cashier": "1",
		"lines": []any{map[string]any{"sku": "100234", "qty": 1, "unit_price": 49900, "discount": 0, "tax_rate_bp": 2500, "amount": 49900}},
		"tax":   []any{map[string]any{"rate_bp": 2500, "base": 39920, "tax": 9980}},
		"total": 49900, "payments": []any{map[string]any{"method": "cash", "amount": 50000}}, "change": 100}
	for done := 0; done < n; {
		k := min(5000, n-done)
		err := db.Update(context.Background(), func(tx *sqlite.Tx) error {
			for i := 0; i < k; i++ {
				ev, err := pos.NewEvent("", pos.EventSaleCompleted, time.Now(), data)
				if err != nil {
					return err
				}
				if err := tx.AppendEvent(&ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += k
	}
}

// BenchmarkDrain drains N queued events (POSNODE_BENCH_EVENTS; 2,000, or
// 100,000 in full) to a local Mosquitto until a test central has acknowledged all of
// them, and, in the same run, a bare paho client publishing the same
// payloads with the same window until the central has received them all.
func BenchmarkDrain(b *testing.B) {
	n := benchSize("POSNODE_BENCH_EVENTS", 2000, 100_000)
	br := benchBroker(b)
	central := centraltest.New(b, br.URL(), store, node)
	central.EnvelopeOnly()
	centraltest.Eventually(b, 5*time.Second, "central connected", central.Connected)
	var nodeTime, bareTime time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "pos.db")
		filledDB(b, path, n)
		b.StartTimer()
		start := time.Now()
		nd := startNode(b, br.URL(), path, func(o *syncqueue.Options) { o.ResendAfter = 10 * time.Second })
		centraltest.Eventually(b, 10*time.Minute, "drain acked", func() bool {
			st, _ := nd.db.OutboxStats(context.Background())
			return st.AckedThrough == int64(n)
		})
		nodeTime += time.Since(start)
		b.StopTimer()
		nd.stop()

		// The same payloads from a bare client, pipelined 256 deep.
		evs, err := nd.db.EventsAfter(context.Background(), 0, n)
		if err != nil {
			b.Fatal(err)
		}
		// An epoch of its own, so that central keeps the runs apart.
		bareEpoch := pos.NewUUID()
		payloads := make([][]byte, len(evs))
		for j, ev := range evs {
			ev.Epoch = bareEpoch
			payloads[j], _ = syncqueue.EncodeEvent(store, node, ev)
		}
		b.StartTimer()
		start = time.Now()
		bare := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(br.URL()).SetClientID("bare").SetCleanSession(true))
		if t := bare.Connect(); !t.WaitTimeout(5*time.Second) || t.Error() != nil {
			b.Fatal(t.Error())
		}
		window := make([]mqtt.Token, 0, 256)
		for _, p := range payloads {
			if len(window) == cap(window) {
				window[0].Wait()
				window = window[1:]
			}
			window = append(window, bare.Publish("pos/v1/stores/"+store+"/nodes/"+node+"/events", 1, false, p))
		}
		centraltest.Eventually(b, 10*time.Minute, "bare run received", func() bool { return central.Applied(bareEpoch) == int64(n) })
		bareTime += time.Since(start)
		bare.Disconnect(0)
	}
	central.Check()
	b.ReportMetric(float64(n), "events")
	b.ReportMetric(nodeTime.Seconds()/float64(b.N), "node-s")
	b.ReportMetric(bareTime.Seconds()/float64(b.N), "bare-s")
	b.ReportMetric(nodeTime.Seconds()/bareTime.Seconds(), "ratio")
	b.ReportMetric(float64(n)*float64(b.N)/nodeTime.Seconds(), "node-events/s")
}

// peakRSSMB is this process's peak resident set (VmHWM) in MB, or 0.
// gcCycles returns how many garbage collections the process has run.
func gcCycles() uint32 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NumGC
}

func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkCatalogIngest fetches and applies a catalog of
// POSNODE_BENCH_PAGES pages of POSNODE_BENCH_ITEMS items (20 × 1,000, or
// 300 × 1,000 in full) from retained topics until every item is searchable, beside two
// baselines in the same run: a bare subscriber receiving the same pages,
// and a plain batched insert of the same rows into one SQLite table. The
// node runs in a process of its own (TestCatalogIngestNode), so that its
// peak RSS is its own, with a till's barcode lookups running in it during
// and after the ingest; it also reports the time to apply one page
// changed afterwards.
func BenchmarkCatalogIngest(b *testing.B) {
	pages := benchSize("POSNODE_BENCH_PAGES", 20, 300)
	per := benchSize("POSNODE_BENCH_ITEMS", 1000, 1000)
	br := benchBroker(b)
	central := centraltest.New(b, br.URL(), store, node)
	central.EnvelopeOnly()
	centraltest.Eventually(b, 5*time.Second, "central connected", central.Connected)
	mf := map[string]int64{}
	var rows [][]any
	for p := 0; p < pages; p++ {
		var items []string
		for i := 0; i < per; i++ {
			sku := fmt.Sprintf("%d", 1_000_000+p*per+i)
			items = append(items, fmt.Sprintf(`{"sku":%q,"active":true,"name":{"en":"Item %s","sv":"Vara %s","sk":"Tovar %s","ro":"Articol %s","zh-Hant":"商品 %s"},"barcodes":["20%s"],"unit":"each","price":%d,"tax_rate_bp":2500}`, sku, sku, sku, sku, sku, sku, sku, 1000+i))
			rows = append(rows, []any{sku, true, fmt.Sprintf(`{"en":"Item %s","sv":"Vara %s","sk":"Tovar %s","ro":"Articol %s","zh-Hant":"商品 %s"}`, sku, sku, sku, sku, sku),
				`["20` + sku + `"]`, "each", 1000 + i, 2500})
		}
		central.Publish(b, fmt.Sprintf("catalog/pages/%d", p), true, fmt.Sprintf(`{"page":"%d","version":1,"items":[%s]}`, p, strings.Join(items, ",")))
		mf[strconv.Itoa(p)] = 1
	}
	mfb, _ := json.Marshal(map[string]any{"version": 1, "pages": mf})
	central.Publish(b, "catalog/manifest", true, string(mfb))
	var nodeT, bareT, insertT, oneT time.Duration
	var look ingestLookups
	var rssMB float64
	var gcs uint32
	for i := 0; i < b.N; i++ {
		// Each measured part starts with the disk writes of the one
		// before done, as each group of make bench does.
		syscall.Sync()
		child := exec.Command(os.Args[0], "-test.run=^TestCatalogIngestNode$", "-test.v")
		child.Env = append(os.Environ(), ingestNodeEnv+"="+strings.Join([]string{br.URL(),
			filepath.Join(b.TempDir(), "pos.db"), fmt.Sprintf("ingest-%d", i), strconv.Itoa(pages), strconv.Itoa(per)}, "|"))
		var stderr strings.Builder
		child.Stderr = &stderr
		out, err := child.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := child.Start(); err != nil {
			b.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		expect := func(word string) []string {
			for lines.Scan() {
				if f := strings.Fields(lines.Text()); len(f) > 0 && f[0] == word {
					return f[1:]
				}
			}
			child.Wait()
			b.Fatalf("node process ended before %q: %s", word, stderr.String())
			return nil
		}
		d, _ := strconv.ParseInt(expect("applied")[0], 10, 64)
		nodeT += time.Duration(d)
		// One page's prices change: only that page is fetched again.
		var items []string
		for k := 0; k < per; k++ {
			sku := fmt.Sprintf("%d", 1_000_000+k)
			items = append(items, fmt.Sprintf(`{"sku":%q,"active":true,"name":{"en":"Item %s"},"barcodes":["20%s"],"unit":"each","price":%d,"tax_rate_bp":2500}`, sku, sku, sku, 5000+k))
		}
		v := int64(i + 2)
		central.Publish(b, "catalog/pages/0", true, fmt.Sprintf(`{"page":"0","version":%d,"items":[%s]}`, v, strings.Join(items, ",")))
		mf["0"] = v
		mfb, _ := json.Marshal(map[string]any{"version": v, "pages": mf})
		central.Publish(b, "catalog/manifest", true, string(mfb))
		d, _ = strconv.ParseInt(expect("changed")[0], 10, 64)
		oneT += time.Duration(d)
		var it ingestLookups
		if err := json.Unmarshal([]byte(strings.Join(expect("lookups"), " ")), &it); err != nil {
			b.Fatal(err)
		}
		look.Node.worst(it.Node)
		look.After.worst(it.After)
		look.Control.worst(it.Control)
		io.Copy(io.Discard, out)
		if err := child.Wait(); err != nil {
			b.Fatalf("node process: %v: %s", err, stderr.String())
		}
		rssMB = max(rssMB, it.PeakRSSMB)
		gcs += it.GCCycles

		// Baseline 1: a bare subscriber receiving the same pages.
		start := time.Now()
		var got atomic.Int64
		bare := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(br.URL()).SetClientID(fmt.Sprintf("bare-sub-%d", i)).SetCleanSession(true))
		if t := bare.Connect(); !t.WaitTimeout(5*time.Second) || t.Error() != nil {
			b.Fatal(t.Error())
		}
		bare.Subscribe("pos/v1/stores/"+store+"/catalog/pages/+", 1, func(mqtt.Client, mqtt.Message) { got.Add(1) })
		centraltest.Eventually(b, time.Minute, "bare subscriber received", func() bool { return got.Load() >= int64(pages) })
		bareT += time.Since(start)
		bare.Disconnect(0)

		// Baseline 2: a plain batched insert of the same rows: every
		// field of each item as central sends it, names and barcodes as
		// their JSON, one row per item.
		syscall.Sync()
		start = time.Now()
		sdb, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "plain.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sdb.Exec("CREATE TABLE items (sku TEXT PRIMARY KEY, active INTEGER, name TEXT, barcodes TEXT, unit TEXT, price INTEGER, tax_rate_bp INTEGER)"); err != nil {
			b.Fatal(err)
		}
		for off := 0; off < len(rows); off += per {
			tx, _ := sdb.Begin()
			st, _ := tx.Prepare("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?)")
			for _, r := range rows[off:min(off+per, len(rows))] {
				if _, err := st.Exec(r...); err != nil {
					b.Fatal(err)
				}
			}
			st.Close()
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		insertT += time.Since(start)
		sdb.Close()
	}
	central.Check()
	nb := float64(b.N)
	b.ReportMetric(float64(pages*per), "items")
	b.ReportMetric(nodeT.Seconds()/nb, "node-s")
	b.ReportMetric(bareT.Seconds()/nb, "bare-sub-s")
	b.ReportMetric(insertT.Seconds()/nb, "plain-insert-s")
	b.ReportMetric(nodeT.Seconds()/(bareT+insertT).Seconds(), "ratio")
	b.ReportMetric(float64(oneT.Milliseconds())/nb, "one-page-ms")
	b.ReportMetric(float64(look.Node.P50)/1e3, "p50-lookup-µs")
	b.ReportMetric(float64(look.Node.P99)/1e3, "p99-lookup-µs")
	b.ReportMetric(float64(look.Node.Max)/1e3, "max-lookup-µs")
	b.ReportMetric(float64(look.Node.Count), "lookups")
	b.ReportMetric(float64(look.Node.Over1ms), "lookups-over-1ms")
	b.ReportMetric(float64(look.Node.Over1msGC), "lookups-over-1ms-gc")
	b.ReportMetric(float64(look.After.P99)/1e3, "after-p99-lookup-µs")
	b.ReportMetric(float64(look.After.Max)/1e3, "after-max-lookup-µs")
	b.ReportMetric(float64(look.Control.P99)/1e3, "control-p99-lookup-µs")
	b.ReportMetric(float64(look.Control.Max)/1e3, "control-max-lookup-µs")
	b.ReportMetric(float64(look.Control.Over1ms), "control-lookups-over-1ms")
	b.ReportMetric(float64(look.Control.Over1msGC), "control-lookups-over-1ms-gc")
	b.ReportMetric(rssMB, "node-peak-rss-MB")
	b.ReportMetric(float64(gcs)/float64(b.N), "node-gc-cycles")
}

// ingestNodeEnv passes BenchmarkCatalogIngest's node process its broker,
// database, node id, pages and items per page.
const ingestNodeEnv = "POSNODE_INGEST_NODE"

// ingestLookups are the barcode lookups a node process made, on its
// database and on the control, and its peak RSS. The peak is the
// process's own VmHWM: the rusage of a child started with vfork counts
// its parent's RSS too.
type ingestLookups struct {
	Node, After, Control lookupStats
	PeakRSSMB            float64
	GCCycles             uint32 // garbage collections in the node process
}

// lookupStats summarize lookup times, in nanoseconds. Over1msGC counts
// the lookups over 1 ms during which the Go runtime stopped the world for
// its garbage collector.
type lookupStats struct {
	P50, P99, Max             int64
	Count, Over1ms, Over1msGC int
}

func summarize(ds []time.Duration, overGC int) lookupStats {
	slices.Sort(ds)
	if len(ds) == 0 {
		return lookupStats{}
	}
	over := len(ds) - sort.Search(len(ds), func(i int) bool { return ds[i] > time.Millisecond })
	return lookupStats{P50: int64(ds[len(ds)/2]), P99: int64(ds[len(ds)*99/100]), Max: int64(ds[len(ds)-1]), Count: len(ds), Over1ms: over, Over1msGC: overGC}
}

// worst merges the lookups of another iteration: the worse percentiles,
// the counts added.
func (s *lookupStats) worst(o lookupStats) {
	s.P50, s.P99, s.Max = max(s.P50, o.P50), max(s.P99, o.P99), max(s.Max, o.Max)
	s.Count += o.Count
	s.Over1ms += o.Over1ms
	s.Over1msGC += o.Over1msGC
}

// TestCatalogIngestNode is the node process of BenchmarkCatalogIngest and
// is skipped otherwise. It starts a node, looks up a barcode every
// millisecond as a till would, and prints "applied <ns>" when every page
// is applied and searchable, "changed <ns>" when page 0's new prices are
// there, then "lookups <json>" with the lookups made meanwhile.
func TestCatalogIngestNode(t *testing.T) {
	cfg := strings.Split(os.Getenv(ingestNodeEnv), "|")
	if len(cfg) != 5 {
		t.Skip("the node process of BenchmarkCatalogIngest; runs only from it")
	}
	gcpolicy.Apply() // as posnode runs
	url, path, id := cfg[0], cfg[1], cfg[2]
	pages, _ := strconv.Atoi(cfg[3])
	per, _ := strconv.Atoi(cfg[4])
	total := pages * per
	ctx := context.Background()
	// A control: a small database nobody writes, looked up by the same
	// goroutine as the node's. Its slow lookups are the machine's (CPU and
	// scheduling), not the ingest's database work.
	control, err := sqlite.Open(ctx, path+".control", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer control.Close()
	var items []pos.Item
	for i := range 1000 {
		sku := strconv.Itoa(1_000_000 + i)
		items = append(items, pos.Item{SKU: sku, Active: true, Names: map[string]string{"en": "Item " + sku}, Barcodes: []string{"20" + sku},
			Unit: pos.UnitEach, Price: 1000, TaxRateBP: 2500})
	}
	if err := control.PutItems(ctx, items, pos.VariableMeasure{}); err != nil {
		t.Fatal(err)
	}
	if file := os.Getenv(ingestTraceEnv); file != "" {
		stopTrace := startTrace(t, file+"."+id)
		defer stopTrace()
	}
	if file := os.Getenv(ingestCPUProfileEnv); file != "" {
		f, err := os.Create(file + "." + id)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if file := os.Getenv(ingestMemProfileEnv); file != "" {
		runtime.MemProfileRate = 64 << 10
		defer writeAllocs(t, file+"."+id)
	}
	start := time.Now()
	nd := startNode(t, url, path, func(o *syncqueue.Options) { o.Node = id })
	var lookups, controls, afterwards []time.Duration
	var lookupsGC, controlsGC, afterGC int // of them, over 1 ms across a GC pause
	var ingested atomic.Bool               // lookups go to afterwards once set
	stop := make(chan struct{})
	var lk sync.WaitGroup
	lk.Add(1)
	go func() {
		defer lk.Done()
		// A slow lookup is told apart by whether the runtime paused
		// every goroutine for the GC meanwhile; the count is read
		// outside the timed part.
		pauses := []metrics.Sample{{Name: "/sched/pauses/total/gc:seconds"}}
		gcPauses := func() (n uint64) {
			metrics.Read(pauses)
			for _, c := range pauses[0].Value.Float64Histogram().Counts {
				n += c
			}
			return n
		}
		timed := func(db *sqlite.DB, code string, gcSlow *int) time.Duration {
			p0 := gcPauses()
			t0 := time.Now()
			trace.WithRegion(ctx, "lookup", func() { db.ItemByCode(ctx, code) })
			d := time.Since(t0)
			if d > time.Millisecond && gcPauses() != p0 {
				*gcSlow++
			}
			return d
		}
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			code := "20" + strconv.Itoa(1_000_000+k%total)
			if ingested.Load() {
				afterwards = append(afterwards, timed(nd.db, code, &afterGC))
			} else {
				lookups = append(lookups, timed(nd.db, code, &lookupsGC))
			}
			time.Sleep(time.Millisecond / 2)
			controls = append(controls, timed(control, "20"+strconv.Itoa(1_000_000+k%1000), &controlsGC))
			time.Sleep(time.Millisecond / 2)
		}
	}()
	// Polled on the small table of page versions, not by counting items,
	// which would compete with the ingest.
	centraltest.Eventually(t, 10*time.Minute, "catalog applied", func() bool {
		vs, _ := nd.db.PageVersions(ctx, sqlite.KindCatalog)
		return len(vs) == pages
	})
	applied := time.Since(start)
	if n, err := nd.db.CountItems(ctx); err != nil || n != total {
		t.Fatalf("%d items applied, want %d (%v)", n, total, err)
	}
	if its, err := nd.db.SearchItems(ctx, "Vara "+strconv.Itoa(1_000_000+total-1), 5); err != nil || len(its) != 1 {
		t.Fatalf("last item not searchable: %v %v", its, err)
	}
	fmt.Printf("applied %d\n", applied.Nanoseconds())
	t1 := time.Now()
	centraltest.Eventually(t, time.Minute, "one page changed", func() bool {
		it, _ := nd.db.ItemByCode(ctx, "201000000")
		return it.Price == 5000
	})
	fmt.Printf("changed %d\n", time.Since(t1).Nanoseconds())
	if it, err := nd.db.ItemByCode(ctx, "20"+strconv.Itoa(1_000_000+per)); err != nil || it.Price != 1000 {
		t.Fatalf("page 1 changed with page 0: %+v %v", it, err)
	}
	// A second of a till's lookups after the ingest and the change.
	ingested.Store(true)
	time.Sleep(time.Second)
	close(stop)
	lk.Wait()
	nd.stop()
	if len(lookups) == 0 {
		t.Fatal("no lookups made")
	}
	res, _ := json.Marshal(ingestLookups{Node: summarize(lookups, lookupsGC), After: summarize(afterwards, afterGC),
		Control: summarize(controls, controlsGC), PeakRSSMB: peakRSSMB(), GCCycles: gcCycles()})
	fmt.Printf("lookups %s\n", res)
}

// ingestTraceEnv names a file to which each node process of
// BenchmarkCatalogIngest writes a runtime trace, suffixed with the node's
// id. `go tool trace` shows the till's and the control's lookups as
// regions named "lookup", each with the time it ran, waited for a
// processor, and was blocked in system calls and on locks.
const ingestTraceEnv = "POSNODE_INGEST_TRACE"

// ingestCPUProfileEnv and ingestMemProfileEnv name files to which each
// node process of BenchmarkCatalogIngest writes its CPU profile and its
// allocations (one sample per 64 KiB allocated), suffixed with the node's
// id, for `go tool pprof`.
const (
	ingestCPUProfileEnv = "POSNODE_INGEST_CPUPROFILE"
	ingestMemProfileEnv = "POSNODE_INGEST_MEMPROFILE"
)

// writeAllocs writes the allocation profile of the process to file.
func writeAllocs(t *testing.T, file string) {
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		t.Error(err)
	}
	if err := f.Close(); err != nil {
		t.Error(err)
	}
}

// startTrace writes a runtime trace to file until the returned function
// is called.
func startTrace(t *testing.T, file string) func() {
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		t.Fatal(err)
	}
	return func() {
		trace.Stop()
		if err := f.Close(); err != nil {
			t.Error(err)
		}
	}
}

// BenchmarkFleet runs POSNODE_BENCH_NODES nodes (10, or 200 in full) in
// one process, each with POSNODE_BENCH_NODE_EVENTS queued events (200, or
// 1,000 in full), connecting at once when the broker comes back after an outage,
// and reports the time until every event of every node is acknowledged,
// and the first and last node to finish.
func BenchmarkFleet(b *testing.B) {
	nodes := benchSize("POSNODE_BENCH_NODES", 10, 200)
	per := benchSize("POSNODE_BENCH_NODE_EVENTS", 200, 1000)
	// A node whose first events go out before its test central has
	// subscribed sends them again once the ack has not moved for this
	// long: 10 s in full, as docs/benchmarks.md was measured, 2 s in the
	// small run of make test, which would otherwise wait it out.
	resend := time.Duration(benchSize("POSNODE_BENCH_RESEND_S", 2, 10)) * time.Second
	var total, first, last time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		br := brokertest.New(b, brokertest.Options{MaxQueued: 10_000_000, MaxInflight: 100})
		type member struct {
			n    *node_
			c    *centraltest.Central
			done time.Duration
		}
		fleet := make([]*member, nodes)
		for k := range fleet {
			path := filepath.Join(b.TempDir(), "pos.db")
			filledDB(b, path, per)
			id := fmt.Sprintf("till-%03d", k)
			fleet[k] = &member{n: startNode(b, br.URL(), path, func(o *syncqueue.Options) {
				o.Node, o.BackoffMin, o.BackoffMax, o.ResendAfter = id, 200*time.Millisecond, 2*time.Second, resend
			})}
		}
		// The outage ends.
		b.StartTimer()
		br.Start()
		start := time.Now()
		for k := range fleet {
			fleet[k].c = centraltest.New(b, br.URL(), store, fmt.Sprintf("till-%03d", k))
			fleet[k].c.EnvelopeOnly()
		}
		left := nodes
		for left > 0 {
			for _, m := range fleet {
				if m.done != 0 {
					continue
				}
				if st, _ := m.n.db.OutboxStats(context.Background()); st.AckedThrough == int64(per) {
					m.done = time.Since(start)
					left--
				}
			}
			if time.Since(start) > 10*time.Minute {
				b.Fatal("fleet did not drain")
			}
			time.Sleep(5 * time.Millisecond)
		}
		total += time.Since(start)
		b.StopTimer()
		f, l := fleet[0].done, fleet[0].done
		for _, m := range fleet {
			f, l = min(f, m.done), max(l, m.done)
			m.c.Check()
			m.n.stop()
			m.c.Close()
		}
		first += f
		last += l
		br.Kill()
		b.StartTimer()
	}
	nb := float64(b.N)
	b.ReportMetric(float64(nodes), "nodes")
	b.ReportMetric(float64(nodes*per), "events")
	b.ReportMetric(total.Seconds()/nb, "all-acked-s")
	b.ReportMetric(first.Seconds()/nb, "first-node-s")
	b.ReportMetric(last.Seconds()/nb, "last-node-s")
}
