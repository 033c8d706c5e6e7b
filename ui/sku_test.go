package ui_test

import (
	"net/url"
	"testing"

	"github.com/posnode/posnode/pos"
)

// TestSKUsAsCentralWritesThem: items whose SKUs hold spaces, slashes,
// letters beyond ASCII or signs are sold, looked up and counted through
// the API as any other, their SKUs escaped in the path as the screens
// escape them.
func TestSKUsAsCentralWritesThem(t *testing.T) {
	s := newStore(t)
	skus := []string{"JKT 100/M", "ÄPPLE-1", "100234#2", "a+b?c"}
	var items []pos.Item
	for i, sku := range skus {
		items = append(items, pos.Item{SKU: sku, Active: true, Names: map[string]string{"en": "Item " + sku}, Unit: pos.UnitEach,
			Price: int64(1000 * (i + 1)), TaxRateBP: 2500})
	}
	if err := s.db.PutItems(s.ctx, items, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	sup := s.login(t, "2", "till-1")
	var c pos.CartView
	s.ok(t, sup, "GET", "/api/v1/cart", nil, &c)
	for i, sku := range skus {
		var st pos.StockLevel
		s.ok(t, sup, "GET", "/api/v1/stock/"+url.PathEscape(sku), nil, &st)
		if st.SKU != sku || st.OnHand != 0 {
			t.Errorf("stock of %q: %+v", sku, st)
		}
		s.ok(t, sup, "POST", "/api/v1/stock/"+url.PathEscape(sku)+"/adjustments", map[string]any{"reason": "delivery", "delta": 5}, &st)
		if st.SKU != sku || st.OnHand != 5 {
			t.Errorf("stock of %q after a delivery: %+v", sku, st)
		}
		s.ok(t, sup, "POST", "/api/v1/carts/"+c.ID+"/items", map[string]any{"sku": sku, "qty": 1}, &c)
		if len(c.Lines) != i+1 || c.Lines[i].SKU != sku {
			t.Fatalf("cart after %q: %+v", sku, c.Lines)
		}
	}
	if c.Balance.Total != 10000 {
		t.Errorf("total %d, want 100.00", c.Balance.Total)
	}
	// Typed in the code field, as a SKU with no barcode is.
	for _, sku := range []string{"ÄPPLE-1", "JKT 100/M"} {
		var scanned struct{ Cart pos.CartView }
		s.ok(t, sup, "POST", "/api/v1/carts/"+c.ID+"/scan", map[string]string{"code": sku}, &scanned)
		c = scanned.Cart
	}
	if c.Balance.Total != 13000 {
		t.Errorf("total after typing two SKUs %d, want 130.00", c.Balance.Total)
	}
}
