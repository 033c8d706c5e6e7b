package pos

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrCSV reports a catalog file that cannot be imported. Nothing of such a
// file is applied.
var ErrCSV = errors.New("pos: catalog CSV")

// CatalogCSVHeader is the header a catalog file must start with. Columns
// may come in any order; sku, unit, price and tax_rate_bp are required,
// the rest optional. barcodes holds several codes separated by ";".
// price is in minor units; active is true or false (default true).
var CatalogCSVHeader = []string{"sku", "barcodes", "unit", "price", "tax_rate_bp", "active",
	"name_en", "name_sv", "name_sk", "name_ro", "name_zh-Hant", "location"}

// MaxCatalogRows bounds a catalog file.
const MaxCatalogRows = 1_000_000

// ParseCatalogCSV reads a whole catalog file and validates every row. It
// returns the items, or an error naming the first bad line and column.
func ParseCatalogCSV(r io.Reader) ([]Item, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCSV, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("%w: column %q twice", ErrCSV, h)
		}
		col[h] = i
	}
	for _, req := range []string{"sku", "unit", "price", "tax_rate_bp"} {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("%w: missing column %q (header: %s)", ErrCSV, req, strings.Join(CatalogCSVHeader, ","))
		}
	}
	known := map[string]bool{}
	for _, h := range CatalogCSVHeader {
		known[h] = true
	}
	for h := range col {
		if !known[h] {
			return nil, fmt.Errorf("%w: unknown column %q", ErrCSV, h)
		}
	}
	var items []Item
	seen := map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrCSV, line, err)
		}
		if len(items) >= MaxCatalogRows {
			return nil, fmt.Errorf("%w: more than %d rows", ErrCSV, MaxCatalogRows)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		num := func(name string) (int64, error) {
			v, err := strconv.ParseInt(get(name), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%w: line %d: %s must be a whole number of minor units or basis points, not %q", ErrCSV, line, name, get(name))
			}
			return v, nil
		}
		it := Item{SKU: get("sku"), Unit: get("unit"), Active: true, Names: map[string]string{}, Location: get("location"), Barcodes: []string{}}
		if it.Price, err = num("price"); err != nil {
			return nil, err
		}
		if it.TaxRateBP, err = num("tax_rate_bp"); err != nil {
			return nil, err
		}
		switch a := strings.ToLower(get("active")); a {
		case "", "true", "1", "yes":
		case "false", "0", "no":
			it.Active = false
		default:
			return nil, fmt.Errorf("%w: line %d: active must be true or false, not %q", ErrCSV, line, a)
		}
		for _, l := range Languages {
			if n := get("name_" + l); n != "" {
				it.Names[l] = n
			}
		}
		for _, b := range strings.Split(get("barcodes"), ";") {
			if b = strings.TrimSpace(b); b != "" {
				it.Barcodes = append(it.Barcodes, b)
			}
		}
		if err := it.Validate(); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrCSV, line, err)
		}
		if prev, dup := seen[it.SKU]; dup {
			return nil, fmt.Errorf("%w: line %d: sku %s already on line %d", ErrCSV, line, it.SKU, prev)
		}
		seen[it.SKU] = line
		items = append(items, it)
	}
	return items, nil
}
