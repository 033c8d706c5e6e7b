package pos

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCatalogCSV(t *testing.T) {
	good := "sku,barcodes,unit,price,tax_rate_bp,name_en,name_sv\n" +
		"100234,7310865004703;73108658,each,49900,2500,Backpack,Ryggsäck\n" +
		"300100,2300100,kg,2990,1200,Apples,Äpplen\n"
	items, err := ParseCatalogCSV(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || len(items[0].Barcodes) != 2 || items[1].Unit != UnitKg || items[0].Names["sv"] != "Ryggsäck" || !items[0].Active {
		t.Fatalf("items = %+v", items)
	}
	for _, tc := range []struct{ name, csv, want string }{
		{"missing column", "sku,unit,price\n1,each,5\n", "missing column \"tax_rate_bp\""},
		{"float price", "sku,unit,price,tax_rate_bp\n1,each,4.99,2500\n", "line 2: price"},
		{"bad unit", "sku,unit,price,tax_rate_bp\n1,litre,499,2500\n", "unit"},
		{"duplicate sku", "sku,unit,price,tax_rate_bp\n1,each,1,0\n1,each,2,0\n", "line 3: sku 1 already on line 2"},
		{"unknown column", "sku,unit,price,tax_rate_bp,colour\n1,each,1,0,red\n", "unknown column"},
		{"ragged row", "sku,unit,price,tax_rate_bp\n1,each,1\n", "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCatalogCSV(strings.NewReader(tc.csv))
			if !errors.Is(err, ErrCSV) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrCSV mentioning %q", err, tc.want)
			}
		})
	}
}

func FuzzParseCatalogCSV(f *testing.F) {
	f.Add("sku,barcodes,unit,price,tax_rate_bp\n1,7310865004703,each,100,2500\n")
	f.Add("sku,unit,price,tax_rate_bp\n\"a\nb\",kg,1,1\n")
	f.Fuzz(func(t *testing.T, s string) {
		items, err := ParseCatalogCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, it := range items {
			if it.Validate() != nil {
				t.Fatalf("accepted invalid item %+v", it)
			}
		}
	})
}
