package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
)

// Central's stock reaches open screens at once, and cheaply: a page of a
// thousand items is one "stock_changed" message naming them all, not a
// message per item, and the count it brings is the one the API answers.
func TestCentralStockPushedToScreens(t *testing.T) {
	br := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, br.URL(), "demo", "till-1")
	addr := freeAddr(t)
	p := startNode(t, t.TempDir(), addr, "--mqtt", br.URL())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("node output:\n%s", p.out)
		}
	})
	c := login(t, addr, "1", "1111")
	scr := openWSScreen(t, addr, c.token)

	items := []string{`{"sku":"100234","on_hand":25}`}
	for i := 1; i < 1000; i++ {
		items = append(items, fmt.Sprintf(`{"sku":"9%05d","on_hand":%d}`, i, i))
	}
	central.Publish(t, "stock/pages/p1", true, `{"page":"p1","version":1,"items":[`+strings.Join(items, ",")+`]}`)
	central.Publish(t, "stock/manifest", true, `{"version":1,"pages":{"p1":1}}`)

	// One notice for the page, and no message item by item before it.
	var d map[string]any
	timeout := time.After(15 * time.Second)
	for d == nil {
		select {
		case m, open := <-scr.msgs:
			if !open {
				t.Fatal("the screen's websocket closed")
			}
			switch m["type"] {
			case "stock":
				t.Fatalf("stock pushed item by item: %v", m["data"])
			case "stock_changed":
				d, _ = m["data"].(map[string]any)
			}
		case <-timeout:
			t.Fatal("no stock_changed message")
		}
	}
	skus, _ := d["skus"].([]any)
	if len(skus) != 1000 || skus[0] != "100234" {
		t.Fatalf("stock_changed names %d skus from %v, want the page's 1000 from 100234", len(skus), skus[:min(len(skus), 3)])
	}
	if st := c.call("GET", "/api/v1/stock/100234", nil, 200); num(st["on_hand"]) != 25 {
		t.Fatalf("stock of 100234 after central's page = %v, want 25", st)
	}
}
