package syncqueue

import (
	"fmt"
	"runtime"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/posnode/posnode/pos"
)

// Catalog pages are most of what central sends, and they are decoded on
// the 2-core node beside the SQLite writer and the tills. decodeCatalogPage
// reads one in a single pass, without reflection, and gives the results of
// encoding/json's Unmarshal into structs with pointers for the required
// fields, a map for the names and a slice for the barcodes (the tests'
// parseCatalogPageReference), so that a payload is accepted or rejected
// the same way by either. Those rules, including the surprising ones:
//
//   - The payload is one JSON object with optional whitespace around it;
//     arrays and objects nest at most 10000 deep, counting the page itself.
//   - A key fills the field of that name, or else the one it equals under
//     Unicode case folding ("SKU" and "ſku" fill sku). Other keys and their
//     values, of any type, are skipped.
//   - null leaves a field missing (a required one is then reported as
//     missing), sets a name to "", and leaves an element of items or
//     barcodes as it was.
//   - A key given again overwrites the field, except that objects and
//     arrays are decoded over what is there: names merge, and element k of
//     a repeated items or barcodes array is decoded over element k of the
//     earlier arrays (since the field was last null or []), keeping what
//     the new element does not set. Elements no earlier array had start
//     empty.
//   - Integers must be written without fraction or exponent and fit int64.
//   - Escapes are decoded; a \u escape of a surrogate that is not the first
//     half of a pair followed by the second becomes U+FFFD.
//
// FuzzCatalogPageDecodersAgree holds these rules against encoding/json.

// maxNesting is encoding/json's limit on nested arrays and objects.
const maxNesting = 10000

// pageItem is an item of a page being decoded. The has fields tell a field
// that was given from one missing or null; names is nil when missing or
// null.
type pageItem struct {
	sku, unit        string
	names            map[string]string
	namesSpare       map[string]string // an empty map left from a page before, for names to reuse
	barcodes         []string          // the value is barcodes[:nBarcodes]; the rest are left from longer arrays given before
	nBarcodes        int
	price, taxRateBP int64
	active           bool

	hasSKU, hasActive, hasUnit, hasPrice, hasTaxRateBP bool
}

// reset makes c as a new pageItem, keeping its names map (emptied) and
// its barcodes array (cleared) for reuse, unless a page made them larger
// than an item needs: a hostile page must not leave a worker holding
// megabytes. Nothing of the payloads c was read from is kept.
func (c *pageItem) reset() {
	spare := c.names
	if spare == nil {
		spare = c.namesSpare
	}
	if len(spare) > maxKeptNames {
		spare = nil
	}
	clear(spare)
	codes := c.barcodes[:0]
	if cap(codes) > maxKeptBarcodes {
		codes = nil
	}
	clear(codes[:cap(codes)])
	*c = pageItem{namesSpare: spare, barcodes: codes}
}

// The largest names map and barcode array of an item that a page worker
// keeps for the next page.
const (
	maxKeptNames    = 10 // twice the languages the node speaks
	maxKeptBarcodes = 16
)

func (c *pageItem) missing() string {
	switch {
	case !c.hasSKU:
		return "sku"
	case !c.hasActive:
		return "active"
	case c.names == nil:
		return "name"
	case !c.hasUnit:
		return "unit"
	case !c.hasPrice:
		return "price"
	case !c.hasTaxRateBP:
		return "tax_rate_bp"
	}
	return ""
}

// rawPage is a catalog page as decoded, before its checks.
type rawPage struct {
	page    string
	version int64
	items   []pageItem // the value is items[:nItems], as for pageItem.barcodes
	nItems  int

	hasPage, hasVersion, hasItems bool
}

// Fields of a page and of an item, as decodeCatalogPage matches keys.
const (
	fieldPage = iota
	fieldVersion
	fieldItems
)

const (
	fieldSKU = iota
	fieldActive
	fieldName
	fieldBarcodes
	fieldUnit
	fieldPrice
	fieldTaxRateBP
)

var (
	pageFields = []string{fieldPage: "page", fieldVersion: "version", fieldItems: "items"}
	itemFields = []string{fieldSKU: "sku", fieldActive: "active", fieldName: "name", fieldBarcodes: "barcodes",
		fieldUnit: "unit", fieldPrice: "price", fieldTaxRateBP: "tax_rate_bp"}
)

// foldedField returns the index of the name in names that key equals under
// Unicode case folding, or -1. No two names fold to the same string, so
// encoding/json's preference for an exact match needs no handling here.
func foldedField(key string, names []string) int {
	for i, n := range names {
		if strings.EqualFold(key, n) {
			return i
		}
	}
	return -1
}

func pageField(key string) int {
	switch key {
	case "page":
		return fieldPage
	case "version":
		return fieldVersion
	case "items":
		return fieldItems
	}
	return foldedField(key, pageFields)
}

func itemField(key string) int {
	switch key {
	case "sku":
		return fieldSKU
	case "active":
		return fieldActive
	case "name":
		return fieldName
	case "barcodes":
		return fieldBarcodes
	case "unit":
		return fieldUnit
	case "price":
		return fieldPrice
	case "tax_rate_bp":
		return fieldTaxRateBP
	}
	return foldedField(key, itemFields)
}

// decodeCatalogPage decodes s, which is valid UTF-8. Strings without
// escapes are not copied: they are substrings of s.
func decodeCatalogPage(s string) (rawPage, error) {
	var p rawPage
	err := decodeCatalogPageInto(s, &p)
	return p, err
}

// decodeCatalogPageInto is decodeCatalogPage into p, which may hold a page
// decoded before: its items' memory is reused.
func decodeCatalogPageInto(s string, p *rawPage) error {
	d := pageDecoder{s: s, item: -1}
	// Every slot is reset, used by this page or not, so that none keeps
	// a payload before this one in memory.
	for i := range p.items[:cap(p.items)] {
		p.items[:cap(p.items)][i].reset()
	}
	*p = rawPage{items: p.items[:0]}
	return d.page(p)
}

// pageDecoder reads a catalog page from s. Every method that reads a value
// starts at its first byte and leaves i just after its last one.
type pageDecoder struct {
	s     string
	i     int    // offset in s of the next byte to read
	depth int    // arrays and objects open at i
	buf   []byte // scratch for strings with escapes
	spare pageItem

	// Where the decoder is, for errors.
	top  string // key of the page's field being read, "" when none
	item int    // index of the item being read, -1 when none
	key  string // key of the item's field being read, "" when none
}

// fail reports what is wrong at the current offset, and in which field.
func (d *pageDecoder) fail(format string, a ...any) error {
	where := ""
	switch {
	case d.item >= 0 && d.key != "":
		where = fmt.Sprintf("item %d field %q: ", d.item, clip(d.key))
	case d.item >= 0:
		where = fmt.Sprintf("item %d: ", d.item)
	case d.top != "":
		where = fmt.Sprintf("field %q: ", clip(d.top))
	}
	return invalid("catalog page: %s%s (at byte %d)", where, fmt.Sprintf(format, a...), d.i)
}

// clip shortens a key for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// what names the value that starts at the current offset, for errors.
func (d *pageDecoder) what() string {
	if d.i >= len(d.s) {
		return "the end of the payload"
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case strings.HasPrefix(d.s[d.i:], "true"), strings.HasPrefix(d.s[d.i:], "false"):
		return "a boolean"
	case strings.HasPrefix(d.s[d.i:], "null"):
		return "null"
	case c == '-' || '0' <= c && c <= '9':
		return "a number"
	}
	r, _ := utf8.DecodeRuneInString(d.s[d.i:])
	return fmt.Sprintf("the character %q", r)
}

func (d *pageDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\n', '\r', '\t':
			d.i++
		default:
			return
		}
	}
}

func (d *pageDecoder) at(c byte) bool { return d.i < len(d.s) && d.s[d.i] == c }

// member reads up to the value of an object's next member: the comma
// before it unless first, the key and the colon. ok is false when the
// object ends instead.
func (d *pageDecoder) member(first bool) (key string, ok bool, err error) {
	d.space()
	if d.at('}') {
		d.i++
		d.depth--
		return "", false, nil
	}
	if !first {
		if !d.at(',') {
			return "", false, d.fail("expected , or } after a value, found %s", d.what())
		}
		d.i++
		d.space()
	}
	if !d.at('"') {
		return "", false, d.fail("expected a key in quotes, found %s", d.what())
	}
	if key, err = d.str(); err != nil {
		return "", false, err
	}
	d.space()
	if !d.at(':') {
		return "", false, d.fail("expected : after key %q, found %s", clip(key), d.what())
	}
	d.i++
	d.space()
	return key, true, nil
}

// element reads up to an array's next element: the comma before it unless
// first. ok is false when the array ends instead.
func (d *pageDecoder) element(first bool) (ok bool, err error) {
	d.space()
	if d.at(']') {
		d.i++
		d.depth--
		return false, nil
	}
	if !first {
		if !d.at(',') {
			return false, d.fail("expected , or ] after a value, found %s", d.what())
		}
		d.i++
		d.space()
	}
	return true, nil
}

// null reads a null if there is one.
func (d *pageDecoder) null() bool {
	if strings.HasPrefix(d.s[d.i:], "null") {
		d.i += 4
		return true
	}
	return false
}

func (d *pageDecoder) page(p *rawPage) error {
	d.space()
	if !d.at('{') {
		return d.fail("a catalog page must be a JSON object, not %s", d.what())
	}
	d.i++
	d.depth = 1
	for first := true; ; first = false {
		key, ok, err := d.member(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		d.top = key
		f := pageField(key)
		switch {
		case f < 0:
			err = d.skip()
		case d.null():
			switch f {
			case fieldPage:
				p.hasPage = false
			case fieldVersion:
				p.hasVersion = false
			case fieldItems:
				p.items, p.nItems, p.hasItems = p.items[:0], 0, false
			}
		case f == fieldPage:
			p.page, err = d.text()
			p.hasPage = true
		case f == fieldVersion:
			p.version, err = d.int()
			p.hasVersion = true
		case f == fieldItems:
			err = d.items(p)
			p.hasItems = true
		}
		if err != nil {
			return err
		}
		d.top = ""
	}
	d.space()
	if d.i < len(d.s) {
		return d.fail("%s after the page's object", d.what())
	}
	return nil
}

// yieldItems is how many items the decoder decodes between yields to
// other goroutines.
const yieldItems = 100

func (d *pageDecoder) items(p *rawPage) error {
	if !d.at('[') {
		return d.fail("must be an array of items, not %s", d.what())
	}
	d.i++
	d.depth++
	k := 0
	for first := true; ; first = false {
		ok, err := d.element(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		// An element past maxPageItems makes the page invalid unless a
		// later items array is shorter, and then it is not part of the
		// value: it is decoded for its errors only.
		it := &d.spare
		if k < maxPageItems {
			if k == len(p.items) {
				if k < cap(p.items) {
					// A slot left from a page decoded before, or from an
					// earlier items array of this page.
					p.items = p.items[:k+1]
					p.items[k].reset()
				} else {
					p.items = append(p.items, pageItem{})
				}
			}
			it = &p.items[k]
		} else {
			d.spare = pageItem{}
		}
		d.item, d.key = k, ""
		if !d.null() {
			if !d.at('{') {
				return d.fail("must be an object, not %s", d.what())
			}
			if err := d.itemObject(it); err != nil {
				return err
			}
		}
		d.key = ""
		if k++; k%yieldItems == 0 {
			// A page takes milliseconds to decode; a till's lookup that
			// became ready meanwhile runs now, not after the page.
			runtime.Gosched()
		}
	}
	d.item = -1
	if k == 0 {
		p.items = p.items[:0]
	}
	p.nItems = k
	return nil
}

func (d *pageDecoder) itemObject(it *pageItem) error {
	d.i++
	d.depth++
	for first := true; ; first = false {
		key, ok, err := d.member(first)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		d.key = key
		f := itemField(key)
		switch {
		case f < 0:
			err = d.skip()
		case d.null():
			switch f {
			case fieldSKU:
				it.hasSKU = false
			case fieldActive:
				it.hasActive = false
			case fieldName:
				it.names = nil
			case fieldBarcodes:
				it.barcodes, it.nBarcodes = it.barcodes[:0], 0
			case fieldUnit:
				it.hasUnit = false
			case fieldPrice:
				it.hasPrice = false
			case fieldTaxRateBP:
				it.hasTaxRateBP = false
			}
		case f == fieldSKU:
			it.sku, err = d.text()
			it.hasSKU = true
		case f == fieldActive:
			it.active, err = d.bool()
			it.hasActive = true
		case f == fieldName:
			err = d.names(it)
		case f == fieldBarcodes:
			err = d.barcodes(it)
		case f == fieldUnit:
			it.unit, err = d.text()
			it.hasUnit = true
		case f == fieldPrice:
			it.price, err = d.int()
			it.hasPrice = true
		case f == fieldTaxRateBP:
			it.taxRateBP, err = d.int()
			it.hasTaxRateBP = true
		}
		if err != nil {
			return err
		}
		d.key = ""
	}
}

func (d *pageDecoder) names(it *pageItem) error {
	if !d.at('{') {
		return d.fail("must be an object of names by language, not %s", d.what())
	}
	d.i++
	d.depth++
	if it.names == nil {
		if it.namesSpare != nil {
			it.names, it.namesSpare = it.namesSpare, nil
		} else {
			it.names = make(map[string]string, len(pos.Languages))
		}
	}
	for first := true; ; first = false {
		lang, ok, err := d.member(first)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		var n string
		if !d.null() {
			if !d.at('"') {
				return d.fail("name in %q must be a string, not %s", clip(lang), d.what())
			}
			if n, err = d.str(); err != nil {
				return err
			}
		}
		it.names[lang] = n
	}
}

func (d *pageDecoder) barcodes(it *pageItem) error {
	if !d.at('[') {
		return d.fail("must be an array of strings, not %s", d.what())
	}
	d.i++
	d.depth++
	k := 0
	for first := true; ; first = false {
		ok, err := d.element(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if k == len(it.barcodes) {
			it.barcodes = append(it.barcodes, "")
		}
		if !d.null() {
			if !d.at('"') {
				return d.fail("barcode %d must be a string, not %s", k, d.what())
			}
			if it.barcodes[k], err = d.str(); err != nil {
				return err
			}
		}
		k++
	}
	if k == 0 {
		it.barcodes = it.barcodes[:0]
	}
	it.nBarcodes = k
	return nil
}

// text reads a string value.
func (d *pageDecoder) text() (string, error) {
	if !d.at('"') {
		return "", d.fail("must be a string, not %s", d.what())
	}
	return d.str()
}

func (d *pageDecoder) bool() (bool, error) {
	switch {
	case strings.HasPrefix(d.s[d.i:], "true"):
		d.i += 4
		return true, nil
	case strings.HasPrefix(d.s[d.i:], "false"):
		d.i += 5
		return false, nil
	}
	return false, d.fail("must be true or false, not %s", d.what())
}

// int reads an integer: a JSON number without fraction or exponent that
// fits in an int64.
func (d *pageDecoder) int() (int64, error) {
	s, j := d.s, d.i
	neg := j < len(s) && s[j] == '-'
	if neg {
		j++
	}
	start := j
	if j < len(s) && s[j] == '0' {
		j++
	} else {
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
	}
	if j == start {
		if neg {
			return 0, d.fail("invalid number")
		}
		return 0, d.fail("must be an integer, not %s", d.what())
	}
	if j < len(s) && (s[j] == '.' || s[j] == 'e' || s[j] == 'E') {
		end := j
		for end < len(s) && strings.IndexByte("0123456789.eE+-", s[end]) >= 0 {
			end++
		}
		return 0, d.fail("%s is not an integer", clip(s[d.i:end]))
	}
	digits := s[start:j]
	var u uint64
	if len(digits) <= 19 { // 19 digits cannot overflow a uint64
		for k := 0; k < len(digits); k++ {
			u = u*10 + uint64(digits[k]-'0')
		}
	}
	if len(digits) > 19 || !neg && u > 1<<63-1 || neg && u > 1<<63 {
		return 0, d.fail("%s is out of the range of a 64-bit integer", clip(s[d.i:j]))
	}
	d.i = j
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// str reads a string; the opening quote is at the current offset.
func (d *pageDecoder) str() (string, error) {
	s := d.s
	start := d.i + 1
	j := start
	for j < len(s) && plain[s[j]] {
		j++
	}
	switch {
	case j == len(s):
		d.i = j
		return "", d.fail("a string does not end")
	case s[j] == '"':
		d.i = j + 1
		return s[start:j], nil
	case s[j] == '\\':
		return d.escaped(start, j)
	}
	d.i = j
	return "", d.fail("control character %U in a string", s[j])
}

// plain tells the bytes that stand for themselves in a string: all but the
// quote, the backslash and control characters.
var plain = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

// escaped reads the rest of a string whose content starts at start and has
// its first backslash at j, decoding escapes as encoding/json does.
func (d *pageDecoder) escaped(start, j int) (string, error) {
	s := d.s
	buf := append(d.buf[:0], s[start:j]...)
	defer func() { d.buf = buf }()
	for j < len(s) {
		c := s[j]
		switch {
		case c == '"':
			d.i = j + 1
			return string(buf), nil
		case c < 0x20:
			d.i = j
			return "", d.fail("control character %U in a string", c)
		case c != '\\':
			buf = append(buf, c)
			j++
			continue
		}
		if j+1 >= len(s) {
			break
		}
		e := s[j+1]
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r := hex4(s, j)
			if r < 0 {
				d.i = j
				return "", d.fail("\\u must be followed by four hexadecimal digits")
			}
			j += 6
			if utf16.IsSurrogate(r) {
				// A high surrogate and a low one make a pair; any other
				// surrogate becomes U+FFFD, and what follows it is read
				// on its own.
				if p := utf16.DecodeRune(r, hex4(s, j)); p != utf8.RuneError {
					r = p
					j += 6
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			d.i = j
			return "", d.fail("invalid escape \\%c in a string", e)
		}
		j += 2
	}
	d.i = len(s)
	return "", d.fail("a string does not end")
}

// hex4 returns the code unit of the escape \uXXXX at s[j:], or -1 if there
// is none.
func hex4(s string, j int) rune {
	if j+6 > len(s) || s[j] != '\\' || s[j+1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range []byte(s[j+2 : j+6]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// skip reads a value of any type and discards it, checking its syntax,
// including the limit on nesting.
func (d *pageDecoder) skip() error {
	var stack [32]byte
	open := stack[:0] // the closing bracket of each array and object open in the value, innermost last
	s := d.s
	for {
		// A value starts here.
		if d.i >= len(s) {
			return d.fail("the payload ends before a value")
		}
		switch c := s[d.i]; c {
		case '{', '[':
			if d.depth >= maxNesting {
				return d.fail("arrays and objects nest more than %d deep", maxNesting)
			}
			d.depth++
			d.i++
			d.space()
			end := byte(']')
			if c == '{' {
				end = '}'
			}
			open = append(open, end)
			if d.at(end) {
				d.i++
				d.depth--
				open = open[:len(open)-1]
				break
			}
			if c == '{' {
				if err := d.skipKey(); err != nil {
					return err
				}
			}
			continue
		case '"':
			if err := d.skipString(); err != nil {
				return err
			}
		case 't', 'f', 'n':
			lit := "true"
			if c == 'f' {
				lit = "false"
			} else if c == 'n' {
				lit = "null"
			}
			if !strings.HasPrefix(s[d.i:], lit) {
				return d.fail("invalid literal, expected %s", lit)
			}
			d.i += len(lit)
		default:
			if err := d.skipNumber(); err != nil {
				return err
			}
		}
		// A value ended: close the arrays and objects that end after it,
		// up to the comma before the next value.
		for {
			if len(open) == 0 {
				return nil
			}
			d.space()
			end := open[len(open)-1]
			if d.at(end) {
				d.i++
				d.depth--
				open = open[:len(open)-1]
				continue
			}
			if !d.at(',') {
				return d.fail("expected , or %c after a value, found %s", end, d.what())
			}
			d.i++
			d.space()
			if end == '}' {
				if err := d.skipKey(); err != nil {
					return err
				}
			}
			break
		}
	}
}

// skipKey reads a key, the colon after it and the whitespace up to the
// value.
func (d *pageDecoder) skipKey() error {
	if !d.at('"') {
		return d.fail("expected a key in quotes, found %s", d.what())
	}
	if err := d.skipString(); err != nil {
		return err
	}
	d.space()
	if !d.at(':') {
		return d.fail("expected : after a key, found %s", d.what())
	}
	d.i++
	d.space()
	return nil
}

// skipString reads a string without decoding it.
func (d *pageDecoder) skipString() error {
	s := d.s
	for j := d.i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			d.i = j + 1
			return nil
		case c < 0x20:
			d.i = j
			return d.fail("control character %U in a string", c)
		case c == '\\':
			if j+1 >= len(s) {
				break
			}
			switch s[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if hex4(s, j) < 0 {
					d.i = j
					return d.fail("\\u must be followed by four hexadecimal digits")
				}
				j += 5
			default:
				d.i = j
				return d.fail("invalid escape \\%c in a string", s[j+1])
			}
		}
	}
	d.i = len(s)
	return d.fail("a string does not end")
}

// skipNumber reads a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *pageDecoder) skipNumber() error {
	s, j := d.s, d.i
	digits := func() bool {
		k := j
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(s) && s[j] == '-' {
		j++
	}
	switch {
	case j < len(s) && s[j] == '0':
		j++
	case !digits():
		return d.fail("expected a value, found %s", d.what())
	}
	if j < len(s) && s[j] == '.' {
		j++
		if !digits() {
			d.i = j
			return d.fail("a number's fraction needs digits")
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if !digits() {
			d.i = j
			return d.fail("a number's exponent needs digits")
		}
	}
	d.i = j
	return nil
}
