package scanner

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/serialdev"
)

// reportLatency reports the median and 99th percentile of d.
func reportLatency(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	q := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
}

// BenchmarkScanToHandler measures a scan from its bytes being written to
// the scanner's pty until the Scanner calls the station's handler: the pty
// round trip (BenchmarkPtyRoundTrip in hardware/serialdev) plus framing.
func BenchmarkScanToHandler(b *testing.B) {
	p := newScannerPTY(b)
	quiet := slog.New(slog.DiscardHandler) // log lines would break the benchmark output
	connected := make(chan struct{}, 1)
	dev, err := serialdev.New(serialdev.Options{Path: p.path, Logger: quiet, OnState: func(s serialdev.State) {
		if s.Connected {
			connected <- struct{}{}
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	handled := make(chan time.Time, 1)
	sc, err := New(dev, Options{
		Station: "till-1",
		Logger:  quiet,
		Framing: FramingOptions{RepeatWindow: -1},
		Handler: func(context.Context, Scan) { handled <- time.Now() },
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	devDone, scDone := make(chan error, 1), make(chan error, 1)
	go func() { devDone <- dev.Run(ctx) }()
	go func() { scDone <- sc.Run(ctx) }()
	defer func() {
		cancel()
		<-scDone
		<-devDone
	}()
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		b.Fatal("scanner pty never connected")
	}

	codes := make([][]byte, 100)
	for i := range codes {
		codes[i] = []byte(fmt.Sprintf("]E0%013d\r", 7310865000000+int64(i)))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := p.master.Write(codes[i%len(codes)]); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-handled:
			lat = append(lat, at.Sub(start))
		case <-time.After(10 * time.Second):
			b.Fatalf("scan %d never reached the handler", i)
		}
	}
	b.StopTimer()
	reportLatency(b, lat)
	if st := sc.Stats(); st.Accepted != int64(b.N) {
		b.Fatalf("accepted %d of %d scans (%+v)", st.Accepted, b.N, st)
	}
}
