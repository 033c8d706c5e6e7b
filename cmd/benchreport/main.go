// Command benchreport turns `go test -bench` output into docs/benchmarks.md:
// every benchmark with its figures, and for each group of sub-benchmarks
// that has a `baseline*` member, each member's time as a ratio to that
// baseline, measured in the same run. A benchmark that measures its own
// baseline reports the ratio as a metric with the unit "ratio".
//
// Usage: go test -run '^$' -bench . ./... | benchreport -intro docs/benchmarks.intro.md > docs/benchmarks.md
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

type result struct {
	pkg, name string
	n         int64
	metrics   []metric // in the order printed
}

type metric struct {
	value float64
	unit  string
}

func (r result) get(unit string) (float64, bool) {
	for _, m := range r.metrics {
		if m.unit == unit {
			return m.value, true
		}
	}
	return 0, false
}

func main() {
	intro := flag.String("intro", "", "markdown file whose text goes before the figures (methods)")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *intro); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func parse(r io.Reader) ([]result, error) {
	var out []result
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || len(f)%2 != 0 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		res := result{pkg: pkg, name: trimProcs(f[0]), n: n}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			res.metrics = append(res.metrics, metric{v, f[i+1]})
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

// trimProcs drops the -N GOMAXPROCS suffix.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}

func group(name string) (parent, leaf string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i+1:]
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(string(b))
		if len(f) > 1 {
			if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				mem = fmt.Sprintf(", %d GiB memory", (kb+(1<<19))>>20)
			}
		}
	}
	kernel, _ := exec.Command("uname", "-sr").Output()
	return fmt.Sprintf("%s, %d cores%s, %s, %s/%s, %s", cpu, runtime.NumCPU(), mem,
		strings.TrimSpace(string(kernel)), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func run(in io.Reader, out io.Writer, introPath string) error {
	results, err := parse(in)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	fmt.Fprintln(out, "# Benchmarks")
	fmt.Fprintln(out)
	fmt.Fprintf(out, "Measured by `make bench` on %s, %s. Each ratio compares two figures\n",
		time.Now().UTC().Format("2006-01-02"), machine())
	fmt.Fprintln(out, "measured in the same run on the same machine; absolute times vary between machines, ratios much less.")
	fmt.Fprintln(out)
	if introPath != "" {
		b, err := os.ReadFile(introPath)
		if err != nil {
			return err
		}
		out.Write(b)
		fmt.Fprintln(out)
	}
	fmt.Fprintln(out, "## Ratios to baselines")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| benchmark | time/op | baseline | baseline time/op | ratio |")
	fmt.Fprintln(out, "|---|---:|---|---:|---:|")
	base := map[string]result{}
	for _, r := range results {
		if p, leaf := group(r.name); strings.HasPrefix(leaf, "baseline") {
			base[r.pkg+" "+p] = r
		}
	}
	for _, r := range results {
		p, leaf := group(r.name)
		b, ok := base[r.pkg+" "+p]
		if !ok || strings.HasPrefix(leaf, "baseline") {
			continue
		}
		t, ok1 := r.get("ns/op")
		bt, ok2 := b.get("ns/op")
		if !ok1 || !ok2 || bt == 0 {
			continue
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | **%.2f×** |\n", r.name, dur(t), b.name, dur(bt), t/bt)
	}
	for _, r := range results {
		if v, ok := r.get("ratio"); ok {
			fmt.Fprintf(out, "| %s | | (paired in the benchmark) | | **%.2f×** |\n", r.name, v)
		}
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "## All figures")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| package | benchmark | runs | figures |")
	fmt.Fprintln(out, "|---|---|---:|---|")
	sort.SliceStable(results, func(i, j int) bool { return results[i].pkg < results[j].pkg })
	for _, r := range results {
		var fs []string
		for _, m := range r.metrics {
			if m.unit == "ns/op" {
				fs = append(fs, dur(m.value)+"/op")
				continue
			}
			fs = append(fs, fmt.Sprintf("%s %s", strconv.FormatFloat(m.value, 'f', -1, 64), m.unit))
		}
		fmt.Fprintf(out, "| %s | %s | %d | %s |\n", strings.TrimPrefix(r.pkg, "github.com/posnode/posnode/"), r.name, r.n, strings.Join(fs, ", "))
	}
	return nil
}

func dur(ns float64) string {
	return time.Duration(ns).Round(time.Duration(max(1, ns/1000))).String()
}
