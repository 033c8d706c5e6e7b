package main

import (
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
)

// TestReturnOfOnlineOrder returns part of an order bought online at the
// till: the node asks central's order.lookup over the rpc topics of a real
// Mosquitto, refunds to the online payment and tells central with
// pos.return.completed. With the broker gone the same return is refused
// as offline, and goes through only without receipt, with a supervisor,
// as cash up to the store's limit.
func TestReturnOfOnlineOrder(t *testing.T) {
	br := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, br.URL(), "demo", "till-1")
	central.KeepEvents()
	central.SetAnswer(func(method string, p map[string]any) (any, string) {
		if method == "order.lookup" && p["order_id"] == "W-77" {
			return map[string]any{
				"lines": []any{
					map[string]any{"line_id": "1", "sku": "100234", "qty": 2, "unit_price": 49900, "tax_rate_bp": 2500},
					map[string]any{"line_id": "2", "sku": "200100", "qty": 1, "unit_price": 5990, "tax_rate_bp": 1200},
					// Weighed, and not in this node's catalog: 1 250 g.
					map[string]any{"line_id": "3", "sku": "900001", "qty": 1250, "unit": "kg", "unit_price": 19900, "tax_rate_bp": 1200},
				},
				"payment": map[string]any{"status": "paid", "amount": 130665, "currency": "SEK"},
			}, ""
		}
		return nil, "not_found"
	})
	addr := freeAddr(t)
	startNode(t, t.TempDir(), addr, "--mqtt", br.URL())
	c := login(t, addr, "1", "1111")
	centraltest.Eventually(t, 15*time.Second, "node online", func() bool {
		st := c.call("GET", "/api/v1/status", nil, 200)
		return st["sync"].(map[string]any)["state"] == "online"
	})

	ret := c.call("POST", "/api/v1/returns", map[string]any{"order_id": "W-77", "reason": "too small",
		"items": []any{map[string]any{"line": "1", "qty": 1, "restock": true}}}, 200)
	if num(ret["total"]) != 49900 || ret["order_id"] != "W-77" {
		t.Fatalf("return = %v", ret)
	}
	refunds := ret["refunds"].([]any)
	if len(refunds) != 1 || refunds[0].(map[string]any)["method"] != "online" || num(refunds[0].(map[string]any)["amount"]) != 49900 {
		t.Errorf("refunds = %v", refunds)
	}
	// More than was bought is refused.
	m := c.call("POST", "/api/v1/returns", map[string]any{"order_id": "W-77", "reason": "x",
		"items": []any{map[string]any{"line": "1", "qty": 2, "restock": true}}}, 409)
	if m["error"].(map[string]any)["code"] != "over_return" {
		t.Errorf("over-return: %v", m)
	}
	// The weighed line comes back by its grams, as central says.
	if w := c.call("POST", "/api/v1/returns", map[string]any{"order_id": "W-77", "reason": "mould",
		"items": []any{map[string]any{"line": "3", "qty": 1250}}}, 200); num(w["total"]) != 24875 {
		t.Errorf("weighed order line's return = %v, want a total of 24875", w)
	}
	epoch := c.call("GET", "/api/v1/status", nil, 200)["epoch"].(string)
	centraltest.Eventually(t, 10*time.Second, "pos.return.completed at central", func() bool { return central.Applied(epoch) == 2 })
	ev := central.Log(epoch).Applied[0]
	orig, _ := ev.Data["original"].(map[string]any)
	lines, _ := ev.Data["lines"].([]any)
	if ev.Type != "pos.return.completed" || orig["order_id"] != "W-77" || len(lines) != 1 || ev.Data["reason"] != "too small" {
		t.Errorf("event = %s %v", ev.Type, ev.Data)
	}
	for _, k := range []string{"return_id", "refunds", "approved_by"} {
		if _, ok := ev.Data[k]; !ok {
			t.Errorf("event lacks %s: %v", k, ev.Data)
		}
	}

	// Offline: the lookup answers at once that central cannot be asked,
	// from the node's state, not after waiting for an answer in vain.
	br.Kill()
	centraltest.Eventually(t, 15*time.Second, "node offline", func() bool {
		st := c.call("GET", "/api/v1/status", nil, 200)
		return st["sync"].(map[string]any)["state"] == "offline"
	})
	m = c.call("POST", "/api/v1/returns", map[string]any{"order_id": "W-77", "reason": "x",
		"items": []any{map[string]any{"line": "2", "qty": 1, "restock": true}}}, 503)
	e := m["error"].(map[string]any)
	if msg, _ := e["message"].(string); e["code"] != "offline" || !strings.Contains(msg, "not reachable") || strings.Contains(msg, "in time") {
		t.Fatalf("offline lookup: %v", m)
	}
	// Without receipt: a supervisor must approve; cash within the limit.
	noReceipt := map[string]any{"reason": "online order, central unreachable", "claimed_ref": "W-77",
		"items": []any{map[string]any{"sku": "200100", "qty": 1, "restock": true}}}
	m = c.call("POST", "/api/v1/returns", noReceipt, 403)
	if m["error"].(map[string]any)["code"] != "approval_required" {
		t.Fatalf("no receipt without supervisor: %v", m)
	}
	noReceipt["supervisor"] = map[string]string{"staff": "2", "pin": "2222"}
	ret = c.call("POST", "/api/v1/returns", noReceipt, 200)
	refunds = ret["refunds"].([]any)
	if ret["approved_by"] != "2" || len(refunds) != 1 || refunds[0].(map[string]any)["method"] != "cash" {
		t.Errorf("offline return = %v", ret)
	}
}
