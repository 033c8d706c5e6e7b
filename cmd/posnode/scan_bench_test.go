package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/hardware/printer/printertest"
)

// percentile returns the p-th percentile (0..100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func reportLatency(b *testing.B, prefix string, d []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(d)
	p50, p99 = percentile(d, 50), percentile(d, 99)
	b.ReportMetric(float64(p50.Microseconds()), prefix+"-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), prefix+"-p99-µs")
	return p50, p99
}

// BenchmarkScanToCart measures, for each of b.N scans, the time from the
// code's bytes written to the scanner's pseudo-terminal until the cart
// update reaches a websocket client of the till, through a whole node in
// this process (serial reader, framing, the sale service, the durable cart
// write and the websocket hub). The baseline, measured in the same run, is
// the bare pty round trip: bytes written to one end until read at the other.
// make bench runs it with 10,000 scans.
func BenchmarkScanToCart(b *testing.B) {
	// Baseline: the pty alone.
	m, s := printertest.OpenPTY(b)
	base := make([]time.Duration, 0, b.N)
	buf := make([]byte, 64)
	msg := []byte("7310865004703\r")
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := m.Write(msg); err != nil {
			b.Fatal(err)
		}
		for got := 0; got < len(msg); {
			n, err := s.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
		base = append(base, time.Since(t0))
	}
	m.Close()
	s.Close()

	// The node.
	scanM, scanS := printertest.OpenPTY(b)
	defer scanM.Close()
	defer scanS.Close()
	dir := b.TempDir()
	cfgPath := filepath.Join(dir, "posnode.toml")
	cfg := fmt.Sprintf("[[stations]]\nid = \"till-1\"\nkind = \"till\"\nscanner = %q\nscanner_repeat_window = \"-1ns\"\n", scanS.Name())
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	conf, err := LoadConfig(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	addr := freeAddr(b)
	conf.Data, conf.HTTP, conf.Demo = filepath.Join(dir, "data"), addr, true
	ctx, cancel := context.WithCancel(context.Background())
	n, err := newNode(ctx, conf, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.run(ctx) }()
	defer func() { cancel(); <-done; n.db.Close() }()
	var token string
	for i := 0; i < 200 && token == ""; i++ {
		body, _ := json.Marshal(map[string]string{"staff": "1", "pin": "1111", "station": "till-1"})
		resp, err := http.Post("http://"+addr+"/api/v1/login", "application/json", bytes.NewReader(body))
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		var r struct{ Token string }
		json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		token = r.Token
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	var first struct{ Type string }
	if err := ws.ReadJSON(&first); err != nil || first.Type != "hello" {
		b.Fatalf("hello: %v %v", first, err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := scanM.Write(msg); err != nil {
			b.Fatal(err)
		}
		for {
			_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, data, err := ws.ReadMessage()
			if err != nil {
				b.Fatalf("scan %d: %v", i, err)
			}
			if strings.HasPrefix(string(data), `{"type":"cart"`) {
				break
			}
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	p50, p99 := reportLatency(b, "scan-to-ws", lat)
	bp50, bp99 := reportLatency(b, "pty", base)
	b.ReportMetric(float64(p99)/float64(max(bp99, 1)), "ratio")
	b.Logf("scan to websocket p50 %v p99 %v; pty round trip p50 %v p99 %v (%d scans)", p50, p99, bp50, bp99, b.N)
}
