package pos

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseCatalogCSV(t *testing.T) {
	good := "sku,barcodes,unit,price,tax_rate_bp,name_en,name_sv\n" +
		"100234,7310865004703;73108658,each,49900,2500,Backpack,Ryggsäck\n" +
		"300100,2300100000008,kg,2990,1200,Apples,Äpplen\n"
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

// TestCatalogCSVFromSpreadsheets reads files as spreadsheets save them:
// with a byte order mark, separated by semicolons where the decimal
// separator is a comma (Swedish, Slovak and Romanian settings), with
// headers typed in capitals or with spaces.
func TestCatalogCSVFromSpreadsheets(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		want      Item
	}{
		{"semicolons", "sku;barcodes;unit;price;tax_rate_bp;name_sv\n" +
			"100235;\"7310865004710;73108658\";each;14900;2500;\"Vattenflaska 0,75 l\"\n",
			Item{SKU: "100235", Barcodes: []string{"7310865004710", "73108658"}, Price: 14900, Names: map[string]string{"sv": "Vattenflaska 0,75 l"}}},
		{"byte order mark and quoted header", "\ufeff\"sku\",\"unit\",\"price\",\"tax_rate_bp\"\r\n1,each,100,2500\r\n",
			Item{SKU: "1", Barcodes: []string{}, Price: 100, Names: map[string]string{}}},
		{"byte order mark and semicolons", "\ufeffsku;unit;price;tax_rate_bp;name_en\r\n1;each;100;2500;Mug, large\r\n",
			Item{SKU: "1", Barcodes: []string{}, Price: 100, Names: map[string]string{"en": "Mug, large"}}},
		{"header case and spaces", "SKU, Unit ,PRICE,Tax_Rate_BP,NAME_ZH-HANT,Name_EN\n1,each,100,2500,背包,Backpack\n",
			Item{SKU: "1", Barcodes: []string{}, Price: 100, Names: map[string]string{"zh-Hant": "背包", "en": "Backpack"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := ParseCatalogCSV(strings.NewReader(tc.csv))
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 {
				t.Fatalf("items = %+v", items)
			}
			got := items[0]
			if got.SKU != tc.want.SKU || got.Price != tc.want.Price || got.Unit != UnitEach || got.TaxRateBP != 2500 ||
				!slices.Equal(got.Barcodes, tc.want.Barcodes) || len(got.Names) != len(tc.want.Names) {
				t.Fatalf("item = %+v, want %+v", got, tc.want)
			}
			for l, n := range tc.want.Names {
				if got.Names[l] != n {
					t.Errorf("name in %s = %q, want %q", l, got.Names[l], n)
				}
			}
		})
	}
}

// TestCatalogCSVErrors checks that a file is refused with an error that
// names the file line (as an editor numbers it: blank lines and values
// over several lines counted) once, says what is wrong in plain words,
// and carries no message of the CSV reader's inside.
func TestCatalogCSVErrors(t *testing.T) {
	const head = "sku,barcodes,unit,price,tax_rate_bp\n"
	for _, tc := range []struct {
		name, csv string
		want      []string
	}{
		{"decimal comma price", "sku;unit;price;tax_rate_bp\n1;each;499,00;2500\n",
			[]string{"line 2: price", "whole", "minor units", "49900"}},
		{"decimal point price", "sku,unit,price,tax_rate_bp\n1,each,4.99,2500\n",
			[]string{"line 2: price", "499"}},
		{"tax in percent", "sku,unit,price,tax_rate_bp\n1,each,499,25%\n",
			[]string{"line 2: tax_rate_bp", "basis points", "2500"}},
		{"wrong check digit", head + "1,7310865004704,each,1,0\n",
			[]string{"line 2: barcode 7310865004704", "check digit", "3"}},
		{"wrong check digit in a list", head + "1,\"73108658;7310865004704\",each,1,0\n",
			[]string{"line 2: barcode 7310865004704", "check digit"}},
		{"scientific notation", head + "1,7.31087E+12,each,1,0\n",
			[]string{"line 2: barcode 7.31087E+12", "scientific notation", "text"}},
		{"scientific notation, decimal comma", "sku;barcodes;unit;price;tax_rate_bp\n1;7,31087E+12;each;1;0\n",
			[]string{"line 2: barcode 7,31087E+12", "scientific notation"}},
		{"leading zero lost", head + "1,12345678905,each,1,0\n",
			[]string{"line 2: barcode 12345678905", "leading zero", "012345678905"}},
		{"barcode on two items", head + "1,7310865004703,each,1,0\n\n2,\"73108658;7310865004703\",each,1,0\n",
			[]string{"line 4: barcode 7310865004703", "sku 1", "line 2"}},
		{"UPC-A and its EAN-13 on two items", head + "1,012345678905,each,1,0\n2,0012345678905,each,1,0\n",
			[]string{"line 3: barcode 0012345678905", "sku 1", "line 2"}},
		{"ragged row after blank lines", head + "\n1,,each,1,0\n\n2,,each,1\n",
			[]string{"line 5 has 4 values", "header has 5"}},
		{"two barcodes not in quotes", "sku;barcodes;unit;price;tax_rate_bp\n1;7310865004703;73108658;each;1;0\n",
			[]string{"line 2 has 6 values", "header has 5", "';'", "double quotes"}},
		{"price after a name over two lines", "sku,name_en,unit,price,tax_rate_bp\n1,\"Mug\nlarge\",each,x,0\n",
			[]string{"line 3: price"}},
		{"row after a name over two lines", "sku,name_en,unit,price,tax_rate_bp\n1,\"Mug\nlarge\",each,1,0\n2,Cup,each,x,0\n",
			[]string{"line 4: price"}},
		{"duplicate sku after a blank line", head + "1,,each,1,0\n\n1,,each,2,0\n",
			[]string{"line 4: sku 1 already on line 2"}},
		{"bad unit after a blank line", head + "\n1,,litre,1,0\n",
			[]string{"line 3:", "unit"}},
		{"bare quote", head + "1,,each,1,0\n2,,each \"x\",1,0\n",
			[]string{"line 3, column 9", "quote"}},
		{"bare quote after letters of several bytes", "sku,name_en,unit,price,tax_rate_bp\n1,Skärm 背包 24\" tum,each,1,0\n",
			[]string{"line 2, column 14", "quote"}},
		{"quote not closed", head + "1,,each,1,0\n2,,\"each,1,0\n",
			[]string{"line 3", "quote"}},
		{"tab separated", "sku\tunit\tprice\ttax_rate_bp\n1\teach\t1\t0\n",
			[]string{"separated", "','", "';'"}},
		{"empty file", "", []string{"empty"}},
		{"header twice in capitals", "sku,SKU,unit,price,tax_rate_bp\n", []string{"column \"sku\" twice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCatalogCSV(strings.NewReader(tc.csv))
			if !errors.Is(err, ErrCSV) {
				t.Fatalf("err = %v, want ErrCSV", err)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("err = %q, want it to mention %q", msg, w)
				}
			}
			if strings.Count(msg, "line") > 2 || strings.Contains(msg, "record on line") || strings.Contains(msg, "parse error") ||
				strings.Contains(msg, "strconv") || strings.Contains(msg, "wrong number of fields") || strings.Contains(msg, "bare \"") {
				t.Errorf("err = %q, want one plain message", msg)
			}
		})
	}
}

// TestCatalogCSVErrorDeepInAFile: the line and the column, in characters,
// of an error far past the start of a file, with names of several bytes
// on every line before it.
func TestCatalogCSVErrorDeepInAFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("sku,name_zh-Hant,unit,price,tax_rate_bp\n")
	for i := range 20_000 {
		fmt.Fprintf(&b, "%d,背包 20 公升,each,49900,2500\n", i)
	}
	b.WriteString("x,背包 24\" 公升,each,1,0\n")
	_, err := ParseCatalogCSV(strings.NewReader(b.String()))
	if !errors.Is(err, ErrCSV) || !strings.Contains(err.Error(), "line 20002, column 8:") {
		t.Fatalf("err = %v, want line 20002, column 8", err)
	}
}

// TestCatalogCSVBarcodesAccepted: codes of the lengths of EAN/UPC with
// a right check digit, and codes of other lengths (a store's own, a
// variable-measure item key, Code 128 text) are taken as they are.
func TestCatalogCSVBarcodesAccepted(t *testing.T) {
	// Eleven digits that are no UPC-A with a lost zero: the store's own.
	own11 := "1234567890" + string('0'+(GTINCheckDigit("01234567890")-'0'+1)%10)
	codes := []string{"7310865004703", "73108658", "012345678905", "00012345678905", "2300100000008", "1234567890", own11, "ABC-123/4", "E12"}
	csv := "sku,barcodes,unit,price,tax_rate_bp\n1,\"" + strings.Join(codes, ";") + "\",each,1,0\n"
	items, err := ParseCatalogCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(items[0].Barcodes, codes) {
		t.Fatalf("barcodes = %v, want %v", items[0].Barcodes, codes)
	}
	// One item may list a code twice, or as UPC-A and as EAN-13.
	if _, err := ParseCatalogCSV(strings.NewReader("sku,barcodes,unit,price,tax_rate_bp\n1,012345678905;0012345678905;012345678905,each,1,0\n")); err != nil {
		t.Fatal(err)
	}
}

// TestReadCatalogCSVMarket: under a market's variable-measure layouts two
// scale labels that differ in their price only are one item's key, which
// two items cannot share.
func TestReadCatalogCSVMarket(t *testing.T) {
	a := "230010000123" + string(GTINCheckDigit("230010000123"))
	b := "230010000567" + string(GTINCheckDigit("230010000567"))
	csv := "sku,barcodes,unit,price,tax_rate_bp\n1," + a + ",kg,1,0\n2," + b + ",kg,1,0\n"
	if _, err := ReadCatalogCSV(strings.NewReader(csv), VariableMeasure{}); err != nil {
		t.Fatalf("without a market: %v", err)
	}
	_, err := ReadCatalogCSV(strings.NewReader(csv), Sweden)
	if !errors.Is(err, ErrCSV) || !strings.Contains(err.Error(), "line 3: barcode "+b) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("in Sweden: %v, want line 3 refused for line 2's key", err)
	}
	// A weighed item listed by its key: eight digits in Sweden, which
	// without a market are an EAN-8 with a wrong check digit.
	key := "sku,barcodes,unit,price,tax_rate_bp\n1,23001000,kg,1,0\n"
	if f, err := ReadCatalogCSV(strings.NewReader(key), Sweden); err != nil || f.Items[0].Barcodes[0] != "23001000" {
		t.Fatalf("a Swedish item key: %+v, %v", f, err)
	}
	if _, err := ReadCatalogCSV(strings.NewReader(key), VariableMeasure{}); !errors.Is(err, ErrCSV) || !strings.Contains(err.Error(), "check digit") {
		t.Fatalf("an item key without a market: %v, want a wrong check digit", err)
	}
	// Seven digits, the key older versions read, would find no label.
	old := "sku,barcodes,unit,price,tax_rate_bp\n1,2300100,kg,1,0\n"
	if _, err := ReadCatalogCSV(strings.NewReader(old), Sweden); !errors.Is(err, ErrCSV) || !strings.Contains(err.Error(), "line 2: barcode 2300100 is one digit short") {
		t.Fatalf("a seven-digit key in Sweden: %v", err)
	}
	if _, err := ReadCatalogCSV(strings.NewReader(old), VariableMeasure{}); err != nil {
		t.Fatalf("seven digits without a market: %v", err)
	}
	if _, err := ReadCatalogCSV(strings.NewReader("sku,barcodes,unit,price,tax_rate_bp\n1,2;7,kg,1,0\n"), Sweden); err != nil {
		t.Fatalf("one-digit codes in Sweden: %v", err)
	}
}

// TestReadCatalogCSVColumns checks what a file tells about the columns it
// has and the lines its rows start on.
func TestReadCatalogCSVColumns(t *testing.T) {
	f, err := ReadCatalogCSV(strings.NewReader("SKU,unit,price,tax_rate_bp,Name_SV\n\n1,each,1,0,\"Två\nrader\"\n2,each,1,0,\n"), Sweden)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Lines, []int{3, 5}) || len(f.Items) != 2 {
		t.Fatalf("lines = %v of %d items, want [3 5]", f.Lines, len(f.Items))
	}
	for col, want := range map[string]bool{"sku": true, "price": true, "name_sv": true, "name_en": false, "barcodes": false, "active": false, "location": false} {
		if f.Has(col) != want {
			t.Errorf("Has(%s) = %v, want %v", col, !want, want)
		}
	}
}

// TestCatalogFileMerge: a column the file lacks leaves the stored item's
// field as it is; a column it has, even with an empty value, sets it.
func TestCatalogFileMerge(t *testing.T) {
	old := Item{SKU: "1", Active: false, Names: map[string]string{"en": "Backpack", "sv": "Ryggsäck", "de": "Rucksack"},
		Barcodes: []string{"7310865004703"}, Unit: UnitEach, Price: 49900, TaxRateBP: 2500, Location: "A1"}
	for _, tc := range []struct {
		name, csv string
		want      Item
	}{
		{"price only", "sku,unit,price,tax_rate_bp\n1,each,44900,1200\n",
			Item{SKU: "1", Active: false, Names: old.Names, Barcodes: old.Barcodes, Unit: UnitEach, Price: 44900, TaxRateBP: 1200, Location: "A1"}},
		{"empty values", "sku,unit,price,tax_rate_bp,active,location,barcodes,name_sv\n1,kg,44900,1200,,,,\n",
			Item{SKU: "1", Active: true, Names: map[string]string{"en": "Backpack", "de": "Rucksack"}, Barcodes: []string{}, Unit: UnitKg, Price: 44900, TaxRateBP: 1200}},
		{"values", "sku,unit,price,tax_rate_bp,active,location,barcodes,name_en\n1,each,1,0,yes,B2,73108658,Rucksack\n",
			Item{SKU: "1", Active: true, Names: map[string]string{"en": "Rucksack", "sv": "Ryggsäck", "de": "Rucksack"}, Barcodes: []string{"73108658"}, Unit: UnitEach, Price: 1, Location: "B2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ReadCatalogCSV(strings.NewReader(tc.csv), Sweden)
			if err != nil {
				t.Fatal(err)
			}
			got := f.Merge(f.Items[0], old)
			if got.SKU != tc.want.SKU || got.Active != tc.want.Active || got.Unit != tc.want.Unit || got.Price != tc.want.Price ||
				got.TaxRateBP != tc.want.TaxRateBP || got.Location != tc.want.Location || !slices.Equal(got.Barcodes, tc.want.Barcodes) ||
				len(got.Names) != len(tc.want.Names) {
				t.Fatalf("merged = %+v, want %+v", got, tc.want)
			}
			for l, n := range tc.want.Names {
				if got.Names[l] != n {
					t.Errorf("name in %s = %q, want %q", l, got.Names[l], n)
				}
			}
			if old.Names["sv"] != "Ryggsäck" || len(old.Names) != 3 {
				t.Fatalf("the stored item's names were changed: %v", old.Names)
			}
		})
	}
}

func FuzzParseCatalogCSV(f *testing.F) {
	f.Add("sku,barcodes,unit,price,tax_rate_bp\n1,7310865004703,each,100,2500\n")
	f.Add("sku,unit,price,tax_rate_bp\n\"a\nb\",kg,1,1\n")
	f.Fuzz(func(t *testing.T, s string) {
		file, err := ReadCatalogCSV(strings.NewReader(s), Sweden)
		if err != nil {
			if !errors.Is(err, ErrCSV) {
				t.Fatalf("error %v is not ErrCSV", err)
			}
			return
		}
		if len(file.Lines) != len(file.Items) {
			t.Fatalf("%d lines for %d items", len(file.Lines), len(file.Items))
		}
		owner := map[string]string{}
		for i, it := range file.Items {
			if it.Validate() != nil {
				t.Fatalf("accepted invalid item %+v", it)
			}
			if i > 0 && file.Lines[i] <= file.Lines[i-1] {
				t.Fatalf("lines %v not increasing", file.Lines)
			}
			for _, b := range it.Barcodes {
				if _, err := ParseCode(b, Sweden); errors.Is(err, ErrBadCheckDigit) {
					t.Fatalf("accepted barcode %q with a wrong check digit", b)
				}
				key := NormalizeBarcode(b, Sweden)
				if sku, ok := owner[key]; ok && sku != it.SKU {
					t.Fatalf("barcode %q on items %s and %s", key, sku, it.SKU)
				}
				owner[key] = it.SKU
			}
		}
	})
}
