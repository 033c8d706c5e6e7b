package pos

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Units in which an item is sold.
const (
	UnitEach = "each" // quantities are pieces
	UnitKg   = "kg"   // quantities are grams; the price is per kilogram
)

// Languages are the languages the node speaks, in the order it prefers them
// when a text lacks the one asked for.
var Languages = []string{"en", "sv", "sk", "ro", "zh-Hant"}

// Limits that keep every amount far from int64 overflow.
const (
	MaxPrice    = 1_000_000_000 // minor units per piece or per kg
	MaxQuantity = 1_000_000     // pieces, or grams (1 t)
	MaxLines    = 500           // lines in one cart
	// MaxCartAmount bounds a cart's gross amount (10^13 minor units), so
	// that tax and discount arithmetic stays far inside int64.
	MaxCartAmount = 10_000_000_000_000
)

// Limits of an item's names and barcodes: an item within them always
// fits in one record of the node's catalog index.
const (
	MaxItemNames    = 16 // languages an item is named in
	MaxItemBarcodes = 64
)

// clipText shortens a value for an error message: a payload may carry a
// megabyte where a few characters are due.
func clipText(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// Item is a catalog item as the till sells it.
type Item struct {
	SKU       string            `json:"sku"`
	Active    bool              `json:"active"`
	Names     map[string]string `json:"name"` // by language tag
	Barcodes  []string          `json:"barcodes"`
	Unit      string            `json:"unit"`        // UnitEach or UnitKg
	Price     int64             `json:"price"`       // per piece or per kg, minor units
	TaxRateBP int64             `json:"tax_rate_bp"` // 2500 = 25 %
	Location  string            `json:"location,omitempty"`
}

// Name returns the item's name in lang, falling back to the other node
// languages and finally to the SKU.
func (it Item) Name(lang string) string {
	if n := it.Names[lang]; n != "" {
		return n
	}
	for _, l := range Languages {
		if n := it.Names[l]; n != "" {
			return n
		}
	}
	return it.SKU
}

// skuRule says what ValidSKU takes.
const skuRule = "1-64 bytes of UTF-8, without control characters or spaces at either end, and not . or .."

// ValidSKU reports whether s can be an item's SKU: 1-64 bytes of UTF-8
// without control characters, spaces at either end, or a name of a
// directory ("." and "..", which a URL path would take for one). Central
// names items as its systems do (the contract sets no form): "JKT 100/M",
// "ÄPPLE-1" and "100234#2" are SKUs, and refusing one would refuse its
// whole catalog page. It is on the path of every catalog item, so it is a
// loop, not a regular expression.
func ValidSKU(s string) bool {
	if len(s) == 0 || len(s) > 64 || s == "." || s == ".." || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) && (i == 0 || i+n == len(s)) {
			return false
		}
		i += n
	}
	return true
}

// ErrInvalidItem reports a catalog item that cannot be sold as described.
var ErrInvalidItem = errors.New("pos: invalid item")

// Validate reports whether the item can be stored and sold. The error wraps
// ErrInvalidItem and names the field.
func (it Item) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidItem, clipText(it.SKU), fmt.Sprintf(format, a...))
	}
	if !ValidSKU(it.SKU) {
		return bad("sku must be %s", skuRule)
	}
	if it.Unit != UnitEach && it.Unit != UnitKg {
		return bad("unit must be %q or %q, not %q", UnitEach, UnitKg, clipText(it.Unit))
	}
	if it.Price < 0 || it.Price > MaxPrice {
		return bad("price %d out of range 0..%d", it.Price, MaxPrice)
	}
	if it.TaxRateBP < 0 || it.TaxRateBP > 10000 {
		return bad("tax_rate_bp %d out of range 0..10000", it.TaxRateBP)
	}
	if len(it.Names) > MaxItemNames {
		return bad("%d names, more than %d", len(it.Names), MaxItemNames)
	}
	// Names are taken as central and the store's files give them, tabs
	// and line breaks included (catalogs exported from other systems hold
	// them): refusing one would refuse its whole catalog page. Every place
	// they are shown cleans them (receipts: escpos.Clean; the customer
	// display; the screens write them as text).
	for lang, n := range it.Names {
		if lang == "" || len(lang) > 16 || !utf8.ValidString(lang) {
			return bad("language %q must be 1-16 bytes of UTF-8", clipText(lang))
		}
		if !utf8.ValidString(n) || len(n) > 200 {
			return bad("name in %q is not valid UTF-8 of at most 200 bytes", lang)
		}
	}
	if len(it.Location) > 64 || !utf8.ValidString(it.Location) || hasControl(it.Location) {
		return bad("location is not text of at most 64 bytes of UTF-8 without control characters")
	}
	if len(it.Barcodes) > MaxItemBarcodes {
		return bad("%d barcodes, more than %d", len(it.Barcodes), MaxItemBarcodes)
	}
	for _, b := range it.Barcodes {
		if b == "" || len(b) > 64 || strings.ContainsFunc(b, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return bad("barcode %q must be 1-64 printable ASCII characters", clipText(b))
		}
	}
	return nil
}

// hasControl reports whether s holds a control character (C0 or DEL).
func hasControl(s string) bool {
	return strings.ContainsFunc(s, isControl)
}

// Matches reports whether every word of query occurs in the SKU, a barcode
// or the item's name in any language, ignoring case.
func (it Item) Matches(query string) bool {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return false
	}
	var hay strings.Builder
	hay.WriteString(strings.ToLower(it.SKU))
	for _, n := range it.Names {
		hay.WriteByte(' ')
		hay.WriteString(strings.ToLower(n))
	}
	for _, b := range it.Barcodes {
		hay.WriteByte(' ')
		hay.WriteString(b)
	}
	h := hay.String()
	for _, w := range words {
		if !strings.Contains(h, w) {
			return false
		}
	}
	return true
}
