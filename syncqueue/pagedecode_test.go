package syncqueue

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
	"weak"

	"github.com/posnode/posnode/pos"
)

// catalogItem is an item as parseCatalogPageReference decodes it; nil
// pointers are missing (or null) fields.
type catalogItem struct {
	SKU       *string            `json:"sku"`
	Active    *bool              `json:"active"`
	Names     *map[string]string `json:"name"`
	Barcodes  []string           `json:"barcodes"`
	Unit      *string            `json:"unit"`
	Price     *int64             `json:"price"`
	TaxRateBP *int64             `json:"tax_rate_bp"`
}

func (c *catalogItem) missing() string {
	switch {
	case c.SKU == nil:
		return "sku"
	case c.Active == nil:
		return "active"
	case c.Names == nil:
		return "name"
	case c.Unit == nil:
		return "unit"
	case c.Price == nil:
		return "price"
	case c.TaxRateBP == nil:
		return "tax_rate_bp"
	}
	return ""
}

// parseCatalogPageReference is ParseCatalogPage as it was with
// encoding/json: the reference the page decoder must agree with.
func parseCatalogPageReference(b []byte, page string) (pos.CatalogPage, error) {
	if len(b) > maxPayload || !utf8.Valid(b) {
		return pos.CatalogPage{}, invalid("payload is not UTF-8 of at most %d bytes", maxPayload)
	}
	var raw struct {
		Page    *string        `json:"page"`
		Version *int64         `json:"version"`
		Items   *[]catalogItem `json:"items"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return pos.CatalogPage{}, invalid("catalog page: %v", err)
	}
	if raw.Page == nil || raw.Version == nil || raw.Items == nil {
		return pos.CatalogPage{}, invalid("a catalog page needs page, version and items")
	}
	id, version, items := *raw.Page, *raw.Version, *raw.Items
	if err := checkPageHead(id, page, version, len(items)); err != nil {
		return pos.CatalogPage{}, err
	}
	p := pos.CatalogPage{Page: id, Version: version, Items: make([]pos.Item, 0, len(items))}
	seen := make(map[string]bool, len(items))
	for i, c := range items {
		if f := c.missing(); f != "" {
			return pos.CatalogPage{}, invalid("page %s item %d: field %q is missing", id, i, f)
		}
		it := pos.Item{SKU: *c.SKU, Active: *c.Active, Names: *c.Names, Barcodes: c.Barcodes,
			Unit: *c.Unit, Price: *c.Price, TaxRateBP: *c.TaxRateBP}
		if err := it.Validate(); err != nil {
			return pos.CatalogPage{}, fmt.Errorf("%w: page %s: %v", ErrInvalidPayload, id, err)
		}
		if seen[it.SKU] {
			return pos.CatalogPage{}, invalid("page %s: sku %s appears twice", id, it.SKU)
		}
		seen[it.SKU] = true
		if it.Barcodes == nil {
			it.Barcodes = []string{}
		}
		p.Items = append(p.Items, it)
	}
	return p, nil
}

// checkDecodersAgree fails t unless ParseCatalogPage and the reference
// both reject b, or both accept it with equal pages.
func checkDecodersAgree(t *testing.T, b []byte, page string) {
	t.Helper()
	want, werr := parseCatalogPageReference(b, page)
	got, err := ParseCatalogPage(b, page)
	switch {
	case err != nil && !errors.Is(err, ErrInvalidPayload):
		t.Fatalf("error %v does not wrap ErrInvalidPayload", err)
	case (err == nil) != (werr == nil):
		t.Fatalf("ParseCatalogPage(%.200q):\n got error %v\nwant error %v", b, err, werr)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Fatalf("ParseCatalogPage(%.200q):\n got %+v\nwant %+v", b, got, want)
	}
	// As a page worker decodes it: in memory a page decoded before
	// held, with names, barcodes and fields b may lack, and again after
	// itself.
	var sc pageScratch
	if _, err := parseOwnedCatalogPage([]byte(dirtyPage), "", &sc); err != nil {
		t.Fatal(err)
	}
	for _, after := range []string{"another page", "itself"} {
		got, err := parseOwnedCatalogPage(b, page, &sc)
		switch {
		case (err == nil) != (werr == nil):
			t.Fatalf("after %s: parseCatalogPage(%.200q):\n got error %v\nwant error %v", after, b, err, werr)
		case err == nil && !reflect.DeepEqual(got, want):
			t.Fatalf("after %s: parseCatalogPage(%.200q):\n got %+v\nwant %+v", after, b, got, want)
		}
	}
}

// dirtyPage is decoded into a page worker's scratch before the page
// under test: every field of every item set, names in every language.
var dirtyPage = strings.ReplaceAll(catalogPageJSON(40), `"name":{`, `"name":{"ro":"Articol","sk":"Tovar","zh-Hant":"商品","xx":"extra",`)

// FuzzCatalogPageDecodersAgree holds ParseCatalogPage to the results of
// encoding/json (parseCatalogPageReference) on any payload. The seeds in
// testdata cover the rules listed in pagedecode.go.
func FuzzCatalogPageDecodersAgree(f *testing.F) {
	f.Add([]byte(catalogPageJSON(3)))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecodersAgree(t, b, "")
	})
}

// Pages too large for a seed file.
func TestCatalogPageDecodersAgreeOnLargePages(t *testing.T) {
	tests := map[string]string{
		"20000 items":                        catalogPageJSON(maxPageItems),
		"20001 items":                        catalogPageJSON(maxPageItems + 1),
		"20001 items replaced by 2":          strings.TrimSuffix(catalogPageJSON(maxPageItems+1), "}") + `,"items":[{"price":1},null]}`,
		"20001 items replaced by 20001":      strings.TrimSuffix(catalogPageJSON(maxPageItems+1), "}") + `,"items":[` + strings.Repeat("null,", maxPageItems) + `null]}`,
		"20001 items replaced by null, then": strings.TrimSuffix(catalogPageJSON(maxPageItems+1), "}") + `,"items":null,"items":[null]}`,
		"nesting of 10000":                   `{"page":"0","version":1,"items":[],"x":` + strings.Repeat("[", maxNesting-1) + strings.Repeat("]", maxNesting-1) + `}`,
		"nesting of 10001":                   `{"page":"0","version":1,"items":[],"x":` + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + `}`,
		"nesting of 10000 in an item":        strings.Replace(catalogPageJSON(1), `"unit"`, `"x":`+strings.Repeat(`{"a":`, maxNesting-3)+`0`+strings.Repeat("}", maxNesting-3)+`,"unit"`, 1),
		"nesting of 10001 in an item":        strings.Replace(catalogPageJSON(1), `"unit"`, `"x":`+strings.Repeat(`{"a":`, maxNesting-2)+`0`+strings.Repeat("}", maxNesting-2)+`,"unit"`, 1),
		"many barcodes":                      strings.Replace(catalogPageJSON(1), `"barcodes":[`, `"barcodes":[`+strings.Repeat(`"1",`, 100_000), 1),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) { checkDecodersAgree(t, []byte(in), "0") })
	}
}

// Pages built at random from the keys and values that the rules in
// pagedecode.go are about: keys in other cases, repeated keys and arrays,
// nulls, values of the wrong type, escapes, and now and then a broken byte.
func TestCatalogPageDecodersAgreeOnGeneratedPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	accepted := 0
	for range n {
		b := []byte(genPage(rng))
		if rng.IntN(10) == 0 {
			const junk = "{}[],:\"0a-. \\"
			b[rng.IntN(len(b))] = junk[rng.IntN(len(junk))]
		}
		checkDecodersAgree(t, b, "")
		if _, err := ParseCatalogPage(b, ""); err == nil {
			accepted++
		}
	}
	// The generator must give pages that pass, or it tests only errors.
	if accepted < n/20 {
		t.Fatalf("only %d of %d generated pages accepted", accepted, n)
	}
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

// genSpace returns whitespace, mostly none.
func genSpace(rng *rand.Rand) string {
	if rng.IntN(8) != 0 {
		return ""
	}
	return pick(rng, " ", "\n", "\t ", "\r\n  ")
}

// genObject returns an object of n members made by member.
func genObject(rng *rand.Rand, n int, member func() string) string {
	var b strings.Builder
	b.WriteString("{" + genSpace(rng))
	for i := range n {
		if i > 0 {
			b.WriteString("," + genSpace(rng))
		}
		b.WriteString(member() + genSpace(rng))
	}
	b.WriteString("}")
	return b.String()
}

func genArray(rng *rand.Rand, n int, element func() string) string {
	var b strings.Builder
	b.WriteString("[" + genSpace(rng))
	for i := range n {
		if i > 0 {
			b.WriteString("," + genSpace(rng))
		}
		b.WriteString(element() + genSpace(rng))
	}
	b.WriteString("]")
	return b.String()
}

// genOther returns a value of any type, for unknown keys and wrong types.
func genOther(rng *rand.Rand) string {
	return pick(rng, `null`, `true`, `false`, `0`, `-1.5e3`, `"x"`, `"\u00e9\ud800"`, `[]`, `{}`, `[1,{"a":[null]}]`, `{"sku":"1"}`)
}

func genMember(rng *rand.Rand, keys []string, value func(key string) string) string {
	k := pick(rng, keys...)
	return fmt.Sprintf("%q:%s%s", k, genSpace(rng), value(strings.ToLower(k)))
}

func genPage(rng *rand.Rand) string {
	keys := []string{"page", "version", "items", "items", "PAGE", "Version", "ITEMS", "itemſ", "x"}
	members := []string{`"page":"0"`, `"version":1`, `"items":` + genItems(rng)}
	for range rng.IntN(4) {
		members = append(members, genMember(rng, keys, func(k string) string {
			switch {
			case rng.IntN(6) == 0:
				return genOther(rng)
			case k == "page":
				return pick(rng, `"0"`, `"P-1"`, `"a/b"`, `""`)
			case k == "version":
				return pick(rng, `1`, `17`, `0`, `-0`, `9223372036854775807`, `9223372036854775808`, `1.0`)
			case strings.HasPrefix(k, "item"):
				return genItems(rng)
			}
			return genOther(rng)
		}))
	}
	rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	i := 0
	return genSpace(rng) + genObject(rng, len(members), func() string { i++; return members[i-1] }) + genSpace(rng)
}

func genItems(rng *rand.Rand) string {
	if rng.IntN(10) == 0 {
		return pick(rng, `null`, `[]`)
	}
	return genArray(rng, rng.IntN(4), func() string {
		switch rng.IntN(12) {
		case 0:
			return `null`
		case 1:
			return genOther(rng)
		}
		return genItem(rng)
	})
}

func genItem(rng *rand.Rand) string {
	members := []string{
		`"sku":` + pick(rng, `"1"`, `"2"`, `"3"`, `"A-1/b.c"`, `"4"`, `"5"`),
		`"active":` + pick(rng, `true`, `false`),
		`"name":` + genNames(rng),
		`"unit":` + pick(rng, `"each"`, `"kg"`),
		`"price":` + pick(rng, `0`, `49900`, `1000000000`),
		`"tax_rate_bp":` + pick(rng, `0`, `2500`, `10000`),
	}
	if rng.IntN(3) != 0 {
		members = append(members, `"barcodes":`+genBarcodes(rng))
	}
	if rng.IntN(4) == 0 {
		members = members[:rng.IntN(len(members))]
	}
	keys := []string{"sku", "SKU", "ſku", "ſKu", "active", "Active", "name", "NAME", "barcodes", "BARCODES", "unit",
		"price", "Price", "tax_rate_bp", "TAX_RATE_BP", "taxratebp", "location", "x"}
	for range rng.IntN(4) {
		members = append(members, genMember(rng, keys, func(k string) string {
			switch {
			case rng.IntN(5) == 0:
				return genOther(rng)
			case k == "sku" || k == "ſku":
				return pick(rng, `"6"`, `"7"`, `"bad sku"`, `null`)
			case k == "active":
				return pick(rng, `true`, `false`, `null`)
			case k == "name":
				return genNames(rng)
			case k == "barcodes":
				return genBarcodes(rng)
			case k == "unit":
				return pick(rng, `"kg"`, `"each"`, `"piece"`, `null`)
			case k == "price" || k == "tax_rate_bp":
				return pick(rng, `1`, `-0`, `10001`, `1.5`, `1e2`, `null`)
			}
			return genOther(rng)
		}))
	}
	rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	i := 0
	return genObject(rng, len(members), func() string { i++; return members[i-1] })
}

func genNames(rng *rand.Rand) string {
	if rng.IntN(10) == 0 {
		return pick(rng, `null`, `"x"`, `[]`)
	}
	return genObject(rng, rng.IntN(6), func() string {
		return fmt.Sprintf("%s:%s", pick(rng, `"en"`, `"sv"`, `"zh-Hant"`, `"EN"`, `"e\u006e"`, `""`),
			pick(rng, `"Backpack"`, `"Ryggsäck"`, `"背包"`, `null`, `"\ud83d\ude00"`, `"\udc00x"`, `"a\"\\\/\b\f\n\r\t"`, `1`))
	})
}

func genBarcodes(rng *rand.Rand) string {
	if rng.IntN(8) == 0 {
		return pick(rng, `null`, `"7310865004703"`, `{}`)
	}
	return genArray(rng, rng.IntN(4), func() string {
		return pick(rng, `"7310865004703"`, `"20001"`, `null`, `null`, `""`, `" "`, `1`)
	})
}

// The errors of the page decoder say what is wrong and where.
func TestCatalogPageErrors(t *testing.T) {
	item := `{"sku":"1","active":true,"name":{"en":"A"},"unit":"each","price":1,"tax_rate_bp":0}`
	tests := []struct{ in, want string }{
		{`[]`, "a catalog page must be a JSON object, not an array"},
		{`{"page":"0","version":1.5,"items":[]}`, `field "version": 1.5 is not an integer`},
		{`{"page":"0","version":1,"items":[` + item + `,{"sku":"2","price":1e3}]}`, `item 1 field "price": 1e3 is not an integer`},
		{`{"page":"0","version":9223372036854775808,"items":[]}`, `field "version": 9223372036854775808 is out of the range`},
		{`{"page":"0","version":1,"items":[{"sku":7}]}`, `item 0 field "sku": must be a string, not a number`},
		{`{"page":"0","version":1,"items":[{"name":{"en":1}}]}`, `item 0 field "name": name in "en" must be a string, not a number`},
		{`{"page":"0","version":1,"items":[{"barcodes":["1",true]}]}`, `item 0 field "barcodes": barcode 1 must be a string, not a boolean`},
		{`{"page":"0","version":1,"items":[{"active":"yes"}]}`, `item 0 field "active": must be true or false, not a string`},
		{`{"page":"0","version":1,"items":[7]}`, `item 0: must be an object, not a number`},
		{`{"page":"0","version":1,"items":[]} x`, `the character 'x' after the page's object`},
		{`{"page":"0","version":1,"items":[],}`, `expected a key in quotes, found the character '}'`},
		{`{"page":"0","version":1,"items":[],"x":[1 2]}`, `field "x": expected , or ] after a value`},
		{`{"page":"0","version":1,"items":[],"x":"\q"}`, `field "x": invalid escape \q`},
		{`{"page":"0","version":1,"items":[{"sku":"1","active":true,"name":{},"unit":"each","price":1}]}`, `item 0: field "tax_rate_bp" is missing`},
	}
	for _, tt := range tests {
		_, err := ParseCatalogPage([]byte(tt.in), "0")
		if !errors.Is(err, ErrInvalidPayload) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseCatalogPage(%.80q) = %v, want an invalid payload error containing %q", tt.in, err, tt.want)
		}
	}
}

// catalogPageJSON returns page "0" of n items as central sends them:
// names in five languages, one barcode, sold by the piece at 25 % tax.
func catalogPageJSON(n int) string {
	var b strings.Builder
	b.WriteString(`{"page":"0","version":17,"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		sku := fmt.Sprint(1_000_000 + i)
		fmt.Fprintf(&b, `{"sku":%q,"active":true,"name":{"en":"Backpack %[2]s","sv":"Ryggsäck %[2]s","sk":"Batoh %[2]s","ro":"Rucsac %[2]s","zh-Hant":"背包 %[2]s"},"barcodes":["20%[2]s"],"unit":"each","price":%d,"tax_rate_bp":2500}`, sku, sku, 1000+i)
	}
	b.WriteString(`]}`)
	return b.String()
}

// BenchmarkParseCatalogPage decodes a page of 1,000 items with
// ParseCatalogPage and with the encoding/json reference.
func BenchmarkParseCatalogPage(b *testing.B) {
	const items = 1000
	page := []byte(catalogPageJSON(items))
	for _, bm := range []struct {
		name  string
		parse func([]byte, string) (pos.CatalogPage, error)
	}{
		{"pagedecode", ParseCatalogPage},
		{"baseline-encoding-json", parseCatalogPageReference},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(page)))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				if p, err := bm.parse(page, "0"); err != nil || len(p.Items) != items {
					b.Fatalf("%d items, %v", len(p.Items), err)
				}
			}
			runtime.ReadMemStats(&after)
			n := float64(b.N * items)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/item")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/item")
		})
	}
}

// TestPageScratchKeepsNothingOfEarlierPages decodes a hostile page (items
// with thousands of names and barcodes) and then a small one in the same
// worker's memory: neither the hostile page's payload nor its large maps
// and arrays may stay in memory.
func TestPageScratchKeepsNothingOfEarlierPages(t *testing.T) {
	var items []string
	for i := range 40 {
		var names, codes []string
		for k := range 2000 {
			names = append(names, fmt.Sprintf(`"l%d":"name %d"`, k, k))
			codes = append(codes, fmt.Sprintf(`"%d%04d"`, 20+i, k))
		}
		items = append(items, fmt.Sprintf(`{"sku":"%d","active":true,"name":{%s},"barcodes":[%s],"unit":"each","price":1,"tax_rate_bp":2500}`,
			1000+i, strings.Join(names, ","), strings.Join(codes, ",")))
	}
	var sc pageScratch
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	base := heap()
	hostile := []byte(`{"page":"0","version":1,"items":[` + strings.Join(items, ",") + `]}`)
	payload := weak.Make(&hostile[0])
	parseOwnedCatalogPage(hostile, "0", &sc) // refused or not, it leaves memory behind
	hostile = nil
	items = nil
	grown := heap()
	if _, err := parseOwnedCatalogPage([]byte(catalogPageJSON(3)), "0", &sc); err != nil {
		t.Fatal(err)
	}
	after := heap()
	if payload.Value() != nil {
		t.Error("the worker's memory keeps the payload of a page decoded before")
	}
	if after > base+1<<20 {
		t.Errorf("the worker's memory holds %d KB after a small page (%d KB after the hostile one)", (after-base)>>10, (grown-base)>>10)
	}
	runtime.KeepAlive(&sc)
}
