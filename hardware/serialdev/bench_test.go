package serialdev

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"
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

// BenchmarkPtyRoundTrip measures one scan's worth of bytes (an EAN-13 and
// CR) from being written to a pty master until a Device reading the slave
// returns all of them: the floor under every serial latency in the node.
func BenchmarkPtyRoundTrip(b *testing.B) {
	p := newPTY(b)
	states := newStateLog()
	d, err := New(Options{Path: p.path, OnState: states.add, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	states.wait(b, "connected", connected)

	code := []byte("4006381333931\r")
	buf := make([]byte, 64)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := p.master.Write(code); err != nil {
			b.Fatal(err)
		}
		for got := 0; got < len(code); {
			n, err := d.ReadContext(ctx, buf)
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, lat)
}
