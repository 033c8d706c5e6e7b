package sqlite_test

import (
	"context"
	"testing"

	"github.com/posnode/posnode/pos"
)

// TestCatalogPageWithSKUsAsCentralWritesThem: a page whose SKUs hold
// spaces, quotes, backslashes and letters beyond ASCII is applied whole,
// and each item is found by its SKU and its barcode.
func TestCatalogPageWithSKUsAsCentralWritesThem(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	skus := []string{"JKT 100/M", "ÄPPLE-1", `say "hi"\now`, "背包-20"}
	codes := []string{"7310865004703", "7310865004710", "7310865004727", "7310865004734"}
	var items []pos.Item
	for i, sku := range skus {
		items = append(items, pos.Item{SKU: sku, Active: true, Names: map[string]string{"en": "Item"}, Barcodes: []string{codes[i]},
			Unit: pos.UnitEach, Price: 100, TaxRateBP: 2500})
	}
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 1, Items: items}, pos.Sweden); err != nil || !ok {
		t.Fatalf("page: %v, %v", ok, err)
	}
	for i, sku := range skus {
		for _, key := range []string{sku, codes[i]} {
			if it, err := db.ItemByCode(ctx, key); err != nil || it.SKU != sku {
				t.Errorf("by %q: %+v, %v", key, it, err)
			}
		}
	}
}
