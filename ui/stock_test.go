package ui_test

import (
	"encoding/json"
	"testing"

	"github.com/posnode/posnode/pos"
)

// A supervisor records stock adjustments: damage takes stock off, a count
// makes on-hand what was counted (and records nothing when it already
// is), each with its pos.stock.adjusted event and journal entry; a
// cashier may not, and what cannot be recorded is refused whole.
func TestStockAdjustments(t *testing.T) {
	s := newStore(t)
	sup := s.login(t, "2", "till-1")
	s.fails(t, s.login(t, "1", "till-1"), "POST", "/api/v1/stock/1/adjustments", map[string]any{"reason": "damage", "delta": -1}, 403, "forbidden")

	var st pos.StockLevel
	s.ok(t, sup, "POST", "/api/v1/stock/1/adjustments", map[string]any{"reason": "damage", "delta": -2, "note": "dropped"}, &st)
	if st.SKU != "1" || st.OnHand != -2 || !st.Negative {
		t.Fatalf("after damage: %+v", st)
	}
	// By barcode, as a scan gives it.
	s.ok(t, sup, "POST", "/api/v1/stock/"+teaCode+"/adjustments", map[string]any{"reason": "count", "counted": 12}, &st)
	if st.SKU != "1" || st.OnHand != 12 {
		t.Fatalf("after count: %+v", st)
	}
	s.ok(t, sup, "POST", "/api/v1/stock/1/adjustments", map[string]any{"reason": "count", "counted": 12}, &st)
	s.ok(t, sup, "POST", "/api/v1/stock/2/adjustments", map[string]any{"reason": "delivery", "delta": 24}, &st)
	if st.SKU != "2" || st.OnHand != 24 {
		t.Fatalf("after delivery: %+v", st)
	}

	for _, bad := range []struct {
		sku    string
		body   map[string]any
		status int
		code   string
	}{
		{"1", map[string]any{"reason": "lost", "delta": -1}, 400, "invalid_adjustment"},
		{"1", map[string]any{"reason": "damage", "delta": 0}, 400, "invalid_adjustment"},
		{"1", map[string]any{"reason": "damage", "counted": 3}, 400, "invalid_adjustment"},
		{"1", map[string]any{"reason": "count", "delta": 3}, 400, "invalid_adjustment"},
		{"1", map[string]any{"reason": "count", "counted": -1}, 400, "invalid_adjustment"},
		{"1", map[string]any{"reason": "theft", "delta": -1, "note": "bell\u0007"}, 400, "invalid_adjustment"},
		{"1", map[string]any{"reason": "theft", "delta": 1.5}, 400, "bad_request"},
		{"999", map[string]any{"reason": "theft", "delta": -1}, 404, "not_found"},
	} {
		s.fails(t, sup, "POST", "/api/v1/stock/"+bad.sku+"/adjustments", bad.body, bad.status, bad.code)
	}

	// Three adjustments changed stock: three events, three journal entries.
	rows, err := s.db.Read().Query("SELECT data FROM outbox WHERE type = ? ORDER BY seq", pos.EventStockAdjusted)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []pos.StockAdjustedData
	for rows.Next() {
		var raw string
		var d pos.StockAdjustedData
		if err := rows.Scan(&raw); err != nil || json.Unmarshal([]byte(raw), &d) != nil {
			t.Fatalf("event data %q: %v", raw, err)
		}
		got = append(got, d)
	}
	if len(got) != 3 || got[0].Delta != -2 || got[0].Reason != "damage" || got[0].Note != "dropped" || got[0].Staff != "2" ||
		got[1].Delta != 14 || got[1].Reason != "count" || got[1].Counted == nil || *got[1].Counted != 12 ||
		got[2].SKU != "2" || got[2].Delta != 24 || got[2].AdjustmentID == "" {
		t.Fatalf("stock events %+v", got)
	}
	var journaled int
	if err := s.db.Read().QueryRow("SELECT count(*) FROM journal WHERE kind = ?", pos.JournalStock).Scan(&journaled); err != nil || journaled != 3 {
		t.Fatalf("%d stock journal entries, want 3 (%v)", journaled, err)
	}
}
