package sqlite_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// importCSV reads a catalog file for Sweden and imports it.
func importCSV(t *testing.T, db *sqlite.DB, csv string) (sqlite.CatalogImport, error) {
	t.Helper()
	f, err := pos.ReadCatalogCSV(strings.NewReader(csv), pos.Sweden)
	if err != nil {
		t.Fatal(err)
	}
	return db.ImportCatalog(context.Background(), f, pos.Sweden)
}

// storedItem reads an item as SQLite holds it, past the catalog index
// that ItemByCode answers from.
func storedItem(t *testing.T, db *sqlite.DB, sku string) (active bool, location string, codes []string) {
	t.Helper()
	if err := db.Read().QueryRow("SELECT active, location FROM items WHERE sku = ?", sku).Scan(&active, &location); err != nil {
		t.Fatalf("item %s: %v", sku, err)
	}
	rows, err := db.Read().Query("SELECT code FROM barcodes WHERE sku = ? ORDER BY code", sku)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	codes = []string{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		codes = append(codes, c)
	}
	return active, location, codes
}

// TestImportKeepsWhatTheFileLacks: a file of prices only (the required
// columns) changes the prices and leaves the items' names, location,
// barcodes and active flag as they were; an item it brings new gets the
// defaults. A column the file has with an empty value clears the field.
func TestImportKeepsWhatTheFileLacks(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	names := map[string]string{"en": "Backpack 20 L", "sv": "Ryggsäck 20 l", "zh-Hant": "背包 20 公升"}
	if err := db.PutItems(ctx, []pos.Item{
		{SKU: "100234", Active: false, Names: names, Barcodes: []string{"7310865004703", "73108658"},
			Unit: pos.UnitEach, Price: 49900, TaxRateBP: 2500, Location: "A1"},
		{SKU: "100235", Active: true, Names: map[string]string{"en": "Water bottle"}, Barcodes: []string{"7310865004710"},
			Unit: pos.UnitEach, Price: 14900, TaxRateBP: 2500, Location: "A2"},
	}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	if _, err := importCSV(t, db, "sku,unit,price,tax_rate_bp\n100234,each,44900,2500\n100235,each,12900,2500\n200001,each,100,1200\n"); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"7310865004703", "73108658"} {
		it, err := db.ItemByCode(ctx, code)
		if err != nil {
			t.Fatalf("scan %s after a price update: %v", code, err)
		}
		if it.SKU != "100234" || it.Price != 44900 || it.Active || it.Location != "A1" || !maps.Equal(it.Names, names) ||
			!slices.Equal(it.Barcodes, []string{"7310865004703", "73108658"}) {
			t.Fatalf("scan %s: %+v, want the new price and all else kept", code, it)
		}
	}
	if active, loc, codes := storedItem(t, db, "100234"); active || loc != "A1" || len(codes) != 2 {
		t.Fatalf("stored: active %v, location %q, codes %v", active, loc, codes)
	}
	if it, err := db.ItemByCode(ctx, "7310865004710"); err != nil || it.SKU != "100235" || it.Price != 12900 || it.Location != "A2" || it.Names["en"] != "Water bottle" {
		t.Fatalf("100235: %+v %v", it, err)
	}
	if it, err := db.ItemByCode(ctx, "200001"); err != nil || !it.Active || len(it.Names) != 0 || len(it.Barcodes) != 0 || it.Location != "" || it.TaxRateBP != 1200 {
		t.Fatalf("new item: %+v %v", it, err)
	}

	// Columns given with empty values: location and the Swedish name
	// cleared, active by default; barcodes, not in the file, kept.
	if _, err := importCSV(t, db, "sku,unit,price,tax_rate_bp,location,name_sv,active\n100234,each,44900,2500,,,\n"); err != nil {
		t.Fatal(err)
	}
	it, err := db.ItemByCode(ctx, "7310865004703")
	if err != nil || !it.Active || it.Location != "" || it.Names["sv"] != "" || it.Names["en"] != names["en"] || it.Names["zh-Hant"] != names["zh-Hant"] || len(it.Barcodes) != 2 {
		t.Fatalf("after empty values: %+v %v", it, err)
	}
	// An empty barcodes value takes the item's codes away.
	if _, err := importCSV(t, db, "sku,barcodes,unit,price,tax_rate_bp\n100235,,each,12900,2500\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ItemByCode(ctx, "7310865004710"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("code after an empty barcodes value: %v, want not found", err)
	}
	if _, _, codes := storedItem(t, db, "100235"); len(codes) != 0 {
		t.Fatalf("stored codes %v", codes)
	}
}

// TestImportMovesBarcodes: a file that gives an item a code another item
// not in the file has moves the code, and says so; codes exchanged
// between items of the file are no surprise, and not reported.
func TestImportMovesBarcodes(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := db.PutItems(ctx, []pos.Item{
		{SKU: "100234", Active: true, Barcodes: []string{"7310865004703", "73108658"}, Unit: pos.UnitEach, Price: 49900, TaxRateBP: 2500},
		{SKU: "100235", Active: true, Barcodes: []string{"7310865004710"}, Unit: pos.UnitEach, Price: 14900, TaxRateBP: 2500},
	}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	res, err := importCSV(t, db, "sku,barcodes,unit,price,tax_rate_bp\n100236,7310865004703,each,19900,2500\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := []sqlite.MovedCode{{Code: "7310865004703", From: "100234", To: "100236", Line: 2}}; !slices.Equal(res.Moved, want) {
		t.Fatalf("moved = %+v, want %+v", res.Moved, want)
	}
	if it, err := db.ItemByCode(ctx, "7310865004703"); err != nil || it.SKU != "100236" {
		t.Fatalf("moved code finds %+v %v", it, err)
	}
	if _, _, codes := storedItem(t, db, "100234"); !slices.Equal(codes, []string{"73108658"}) {
		t.Fatalf("codes left to 100234: %v", codes)
	}

	// Two items of the file exchange their codes.
	res, err = importCSV(t, db, "sku,barcodes,unit,price,tax_rate_bp\n100234,7310865004710,each,1,0\n100235,73108658,each,1,0\n")
	if err != nil || len(res.Moved) != 0 {
		t.Fatalf("exchange: moved %+v, %v", res.Moved, err)
	}
	for code, sku := range map[string]string{"7310865004710": "100234", "73108658": "100235", "7310865004703": "100236"} {
		if it, err := db.ItemByCode(ctx, code); err != nil || it.SKU != sku || len(it.Barcodes) != 1 {
			t.Errorf("%s finds %+v %v, want %s", code, it, err, sku)
		}
	}
}

// TestImportRefusesACodeOnTwoItems: a file whose rows give one barcode key
// to two items (however it came past the reader) is refused whole.
func TestImportRefusesACodeOnTwoItems(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	f := &pos.CatalogFile{
		Items: []pos.Item{
			{SKU: "1", Active: true, Barcodes: []string{"012345678905"}, Unit: pos.UnitEach, Price: 100, TaxRateBP: 2500},
			{SKU: "2", Active: true, Barcodes: []string{"0012345678905"}, Unit: pos.UnitEach, Price: 200, TaxRateBP: 2500},
		},
		Lines:   []int{2, 7},
		Columns: []string{"sku", "barcodes", "unit", "price", "tax_rate_bp"},
	}
	_, err := db.ImportCatalog(ctx, f, pos.Sweden)
	if !errors.Is(err, pos.ErrCSV) || !strings.Contains(err.Error(), "line 7") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want ErrCSV naming lines 2 and 7", err)
	}
	if n, err := db.CountItems(ctx); err != nil || n != 0 {
		t.Fatalf("%d items stored from a refused file (%v)", n, err)
	}
}
