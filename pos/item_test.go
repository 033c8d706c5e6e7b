package pos

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestValidSKU: SKUs are taken as central's systems write them, but for
// what no screen, receipt or URL path can carry.
func TestValidSKU(t *testing.T) {
	for _, s := range []string{"100234", "JKT 100/M", "ÄPPLE-1", "100234#2", "a+b", `x"y\z`, "背包-20", "...", "a.", strings.Repeat("a", 64), strings.Repeat("ä", 32)} {
		if !ValidSKU(s) {
			t.Errorf("ValidSKU(%q) = false", s)
		}
	}
	for _, s := range []string{"", ".", "..", " 100234", "100234 ", "a\tb", "a\nb", "a\x00b", "a\x7fb", "a\u0085b", "\u00a0x", "x\u3000",
		"a\xffb", strings.Repeat("a", 65), strings.Repeat("ä", 32) + "a"} {
		if ValidSKU(s) {
			t.Errorf("ValidSKU(%q) = true", s)
		}
	}
}

// TestItemValidateLimits checks the limits on an item's names and
// barcodes, and that a refusal quotes at most a short piece of a value.
func TestItemValidateLimits(t *testing.T) {
	base := func() Item {
		return Item{SKU: "100", Active: true, Unit: UnitEach, Price: 100, TaxRateBP: 2500,
			Names: map[string]string{"en": "Apple"}, Barcodes: []string{"7310000000001"}}
	}
	huge := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name string
		edit func(*Item)
		ok   bool
	}{
		{"as is", func(*Item) {}, true},
		{"16 names", func(it *Item) {
			for i := range 15 {
				it.Names["l"+strconv.Itoa(i)] = "n"
			}
		}, true},
		{"17 names", func(it *Item) {
			for i := range 16 {
				it.Names["l"+strconv.Itoa(i)] = "n"
			}
		}, false},
		{"empty language", func(it *Item) { it.Names[""] = "n" }, false},
		{"language of 16 bytes", func(it *Item) { it.Names["zh-Hant-TW-x-abc"] = "n" }, true},
		{"language of 17 bytes", func(it *Item) { it.Names["zh-Hant-TW-x-abcd"] = "n" }, false},
		{"huge language", func(it *Item) { it.Names[huge] = "n" }, false},
		{"64 barcodes", func(it *Item) {
			for i := range 63 {
				it.Barcodes = append(it.Barcodes, "20"+strconv.Itoa(i))
			}
		}, true},
		{"65 barcodes", func(it *Item) {
			for i := range 64 {
				it.Barcodes = append(it.Barcodes, "20"+strconv.Itoa(i))
			}
		}, false},
		{"huge barcode", func(it *Item) { it.Barcodes = []string{huge} }, false},
		{"huge unit", func(it *Item) { it.Unit = huge }, false},
		{"huge sku", func(it *Item) { it.SKU = huge }, false},
		// Names are taken as given: what shows them cleans them.
		{"name with an escape", func(it *Item) { it.Names["en"] = "Apple\x1b[2J" }, true},
		{"name with a line break", func(it *Item) { it.Names["sv"] = "Äpple\nRöd" }, true},
		{"name with DEL", func(it *Item) { it.Names["en"] = "Apple\x7f" }, true},
		{"language with a tab", func(it *Item) { it.Names["e\tn"] = "Apple" }, true},
		{"accented and Chinese names", func(it *Item) { it.Names["sk"] = "Čučoriedky"; it.Names["zh-Hant"] = "蘋果" }, true},
		{"location", func(it *Item) { it.Location = "A-12" }, true},
		{"location with a line break", func(it *Item) { it.Location = "A-12\nB" }, false},
		{"location of 65 bytes", func(it *Item) { it.Location = strings.Repeat("A", 65) }, false},
	} {
		it := base()
		tc.edit(&it)
		err := it.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if err != nil && (!errors.Is(err, ErrInvalidItem) || len(err.Error()) > 200) {
			t.Errorf("%s: error of %d bytes: %.300s", tc.name, len(err.Error()), err)
		}
	}
}
