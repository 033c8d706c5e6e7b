package pos

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kinds of scanned code.
const (
	CodeGTIN     = "gtin"     // EAN-13, EAN-8, UPC-A, GTIN-14 with a valid check digit
	CodeVariable = "variable" // GS1 variable measure (prefix 20-29) with embedded price or weight
	CodeGS1      = "gs1"      // a GS1 element string (DataBar, GS1-128): a GTIN, maybe a weight and a price
	CodeInternal = "internal" // anything else the store printed itself
	CodeReceipt  = "receipt"  // a receipt barcode: R, the printing node's tag, the receipt number
	CodePickup   = "pickup"   // a click-and-collect QR: PICKUP:{order_id}:{code}
)

// Errors from ParseCode.
var (
	ErrBadCheckDigit = errors.New("pos: barcode check digit is wrong")
	ErrBadCode       = errors.New("pos: not a code this till can read")
	// ErrOtherReceipt is a receipt code whose tag is not this node's:
	// the receipt was printed by another store's or till's node, or by
	// this node on a database since replaced by a new one. Its number
	// names another sale here. Permanent: the goods are returned as
	// another store's sale or without a receipt.
	ErrOtherReceipt = errors.New("pos: receipt printed by another store, till or database")
)

// Code is a scanned or typed code, decoded.
type Code struct {
	Raw  string
	Kind string
	// Key is what identifies the item in the catalog: a GTIN normalised to
	// 13 digits (8 for EAN-8), the variable-measure item key, or the raw
	// internal code.
	Key string
	// Price is the embedded price in minor units for variable-measure codes
	// that carry one.
	Price int64
	// Grams is the embedded weight for variable-measure codes that carry one.
	Grams int64
	// OrderID and PickupCode are set for CodePickup.
	OrderID, PickupCode string
	// ReceiptNo is set for CodeReceipt, and ReceiptTag (see ReceiptTag)
	// when the code has one; "" for a code of R and ten digits, printed
	// before receipts were tagged, which is taken as this node's.
	ReceiptNo  int64
	ReceiptTag string
}

// VariableMeasure describes how one market lays out GS1 variable-measure
// EAN-13 codes (prefixes 20-29). Each entry is keyed by the second digit.
type VariableMeasure struct {
	Market string
	// Layouts by the digit after the leading 2.
	Layouts map[byte]VMLayout
}

// VMLayout is one variable-measure layout of a 13-digit code: the item key
// is digits [0,KeyLen), the value is digits [ValueStart,12), digit 12 is the
// check digit.
type VMLayout struct {
	KeyLen     int
	ValueStart int
	// Exactly one of PriceFactor and GramFactor is non-zero: the value
	// times it gives minor units or grams.
	PriceFactor int64
	GramFactor  int64
}

// Sweden is GS1 Sweden's layout of variable-weight numbers: 2X and six
// more digits name the item (a company's weight-item prefix of five or six
// digits, then its serial number), four digits carry the value, and the
// check digit ends the code. X: 0 price with two decimals (up to 99.99
// kronor), 1 price with one decimal, 2 price in whole kronor, 4 weight in kg
// with two decimals (10 g steps), 5 weight in kg with one decimal (100 g
// steps). 3 is read as a weight in grams, as many Swedish scales print.
var Sweden = VariableMeasure{
	Market: "SE",
	Layouts: map[byte]VMLayout{
		'0': {KeyLen: 8, ValueStart: 8, PriceFactor: 1},
		'1': {KeyLen: 8, ValueStart: 8, PriceFactor: 10},
		'2': {KeyLen: 8, ValueStart: 8, PriceFactor: 100},
		'3': {KeyLen: 8, ValueStart: 8, GramFactor: 1},
		'4': {KeyLen: 8, ValueStart: 8, GramFactor: 10},
		'5': {KeyLen: 8, ValueStart: 8, GramFactor: 100},
	},
}

// layout returns the layout of vm that reads codes starting as s does:
// 2 and the layout's digit.
func (vm VariableMeasure) layout(s string) (VMLayout, bool) {
	if len(s) < 2 || s[0] != '2' {
		return VMLayout{}, false
	}
	l, ok := vm.Layouts[s[1]]
	return l, ok
}

// itemKey reports whether s is the item key of one of vm's layouts, as
// a catalog may list a variable-measure item: 2, the layout's digit and
// the rest of the key, with no value or check digit.
func (vm VariableMeasure) itemKey(s string) bool {
	l, ok := vm.layout(s)
	return ok && len(s) == l.KeyLen && allDigits(s)
}

// NoScaleLabels reads no code as a variable-measure code: a code of prefix
// 20-29 is a GTIN of the store's own range, listed in the catalog whole.
var NoScaleLabels = VariableMeasure{Market: "none", Layouts: map[byte]VMLayout{}}

// Markets lists the variable-measure tables by market code.
var Markets = map[string]VariableMeasure{"SE": Sweden, "none": NoScaleLabels}

// Validate checks that l describes a 13-digit code: a key of 2 to 11
// digits (the prefix 2X included), a value after it that ends before the
// check digit, and a value that is a price or a weight, by a factor of 1,
// 10, 100 or 1000.
func (l VMLayout) Validate() error {
	switch {
	case l.KeyLen < 2 || l.KeyLen > 11:
		return fmt.Errorf("pos: scale label: the item key is %d digits; 2 to 11 (with the prefix)", l.KeyLen)
	case l.ValueStart < l.KeyLen || l.ValueStart > 11:
		return fmt.Errorf("pos: scale label: the value starts at digit %d; after the %d of the key, and before the check digit", l.ValueStart+1, l.KeyLen)
	case (l.PriceFactor == 0) == (l.GramFactor == 0):
		return errors.New("pos: scale label: the value is a price or a weight, one of them")
	}
	switch max(l.PriceFactor, l.GramFactor) {
	case 1, 10, 100, 1000:
		return nil
	}
	return fmt.Errorf("pos: scale label: factor %d: 1, 10, 100 or 1000", max(l.PriceFactor, l.GramFactor))
}

// With returns vm with layout l for the codes of prefix 2 and digit d,
// in place of the one vm has. vm itself is not changed.
func (vm VariableMeasure) With(d byte, l VMLayout) VariableMeasure {
	m := make(map[byte]VMLayout, len(vm.Layouts)+1)
	for k, v := range vm.Layouts {
		m[k] = v
	}
	m[d] = l
	return VariableMeasure{Market: vm.Market, Layouts: m}
}

// String describes every layout of vm, in the order of the prefixes, as
// prefix:key digits/value start/p(rice) or g(rams) and the factor
// (23:8/8/g1). Two tables that read every code alike give the same
// string, whatever their market's name.
func (vm VariableMeasure) String() string {
	var b strings.Builder
	for d := byte('0'); d <= '9'; d++ {
		l, ok := vm.Layouts[d]
		if !ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		kind, f := "p", l.PriceFactor
		if l.GramFactor != 0 {
			kind, f = "g", l.GramFactor
		}
		fmt.Fprintf(&b, "2%c:%d/%d/%s%d", d, l.KeyLen, l.ValueStart, kind, f)
	}
	return b.String()
}

// GTINCheckDigit returns the GS1 check digit for the digits that precede it.
func GTINCheckDigit(body string) byte {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// NormalizeBarcode returns the catalog key for a barcode as central lists it:
// UPC-A and GTIN-14 with a leading zero become EAN-13; a variable-measure
// EAN-13 becomes its item key under vm. Codes that are not GTINs are kept as
// they are.
func NormalizeBarcode(s string, vm VariableMeasure) string {
	c, err := ParseCode(s, vm)
	if err != nil {
		return strings.TrimSpace(s)
	}
	return c.Key
}

// ParseCode decodes a scanned or typed code. A string of 8, 12, 13 or 14
// digits must carry a valid GS1 check digit; variable-measure codes are
// decoded by vm; GS1 element strings (see gs1.go) give their GTIN, weight
// and price. Receipt and pickup codes are recognised by their prefixes.
func ParseCode(s string, vm VariableMeasure) (Code, error) {
	s = strings.TrimSpace(s)
	c := Code{Raw: s}
	if s == "" || len(s) > 128 {
		return c, fmt.Errorf("%w: empty or longer than 128 characters", ErrBadCode)
	}
	// Scanners send ASCII; a SKU typed in place of a code may hold any
	// letter (ValidSKU), and is looked up as the store's own code.
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if (b < 0x20 || b == 0x7f) && b != gs {
				return c, fmt.Errorf("%w: contains a control byte at %d", ErrBadCode, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsControl(r) {
			return c, fmt.Errorf("%w: contains a control character or a byte of no UTF-8 text at %d", ErrBadCode, i)
		}
		i += n
	}
	if fields, ok, err := gs1Input(s); err != nil {
		return c, err
	} else if ok {
		return gs1Code(c, fields, vm)
	}
	if rest, ok := strings.CutPrefix(s, "PICKUP:"); ok {
		id, code, ok := strings.Cut(rest, ":")
		if !ok || id == "" || code == "" || strings.Contains(code, ":") {
			return c, fmt.Errorf("%w: pickup code must be PICKUP:{order_id}:{code}", ErrBadCode)
		}
		c.Kind, c.Key, c.OrderID, c.PickupCode = CodePickup, id, id, code
		return c, nil
	}
	if no, tag, ok := receiptCode(s); ok {
		c.Kind, c.Key, c.ReceiptNo, c.ReceiptTag = CodeReceipt, s, no, tag
		return c, nil
	}
	if !allDigits(s) {
		c.Kind, c.Key = CodeInternal, s
		return c, nil
	}
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		c.Kind, c.Key = CodeInternal, s
		return c, nil
	}
	if a, ok := upcE(s); ok {
		c.Kind, c.Key = CodeGTIN, gtinKey(a)
		return c, nil
	}
	if GTINCheckDigit(s[:len(s)-1]) != s[len(s)-1] {
		if vm.itemKey(s) {
			// A weighed item's key as the catalog lists it, typed.
			c.Kind, c.Key = CodeInternal, s
			return c, nil
		}
		return c, fmt.Errorf("%w: %s (expected %c)", ErrBadCheckDigit, s, GTINCheckDigit(s[:len(s)-1]))
	}
	key := gtinKey(s)
	c.Kind, c.Key = CodeGTIN, key
	if len(key) == 13 && key[0] == '2' {
		if l, ok := vm.Layouts[key[1]]; ok {
			var v int64
			for _, d := range key[l.ValueStart:12] {
				v = v*10 + int64(d-'0')
			}
			c.Kind, c.Key = CodeVariable, key[:l.KeyLen]
			c.Price, c.Grams = v*l.PriceFactor, v*l.GramFactor
		}
	}
	return c, nil
}

// gtinKey is the catalog key of a GTIN with a valid check digit: a UPC-A
// (GTIN-12) as its EAN-13, a GTIN-14 with a leading zero as the EAN-13 it
// holds, and an EAN-8 written in 13 or 14 digits (zeros before it) as the
// EAN-8 itself, as the catalog has it. GS1 keeps GTIN-12s starting 0000
// for this, so no UPC-A is taken for an EAN-8.
func gtinKey(s string) string {
	switch {
	case len(s) == 12:
		s = "0" + s
	case len(s) == 14 && s[0] == '0':
		s = s[1:]
	}
	if len(s) == 13 && strings.HasPrefix(s, "00000") {
		s = s[5:]
	}
	return s
}

// upcE returns the UPC-A a UPC-E code stands for: eight digits, number
// system 0 or 1, six digits and the check digit of the UPC-A they expand
// to. Scanners send UPC-E as printed unless set to expand it; read as an
// EAN-8 its check digit is wrong. A code that is both is taken as the
// UPC-E, where catalog and scans meet alike, as both go through here.
func upcE(s string) (string, bool) {
	if len(s) != 8 || (s[0] != '0' && s[0] != '1') {
		return "", false
	}
	d := s[1:7]
	var body string
	switch d[5] {
	case '0', '1', '2':
		body = d[:2] + d[5:6] + "0000" + d[2:5]
	case '3':
		body = d[:3] + "00000" + d[3:5]
	case '4':
		body = d[:4] + "00000" + d[4:5]
	default:
		body = d[:5] + "0000" + d[5:6]
	}
	body = s[:1] + body
	if GTINCheckDigit(body) != s[7] {
		return "", false
	}
	return body + s[7:], true
}

// A receipt's code is R, the tag of the node that printed it and the
// receipt number in ten digits: R7KQ20000001234, 15 characters of digits
// and capitals that Code 128 prints as short as R and ten digits did
// (the digits in code set C) and a keyboard-wedge scanner types alike on
// every layout. The tag is taken from receiptTagAlphabet, which leaves out
// I and O (read as 1 and 0 when typed) and Y and Z (swapped by scanners
// set to a QWERTZ layout).
const (
	receiptTagLen      = 4
	receiptTagAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWX"
)

// ReceiptTag returns the tag that names, in receipt codes, the node node
// of store numbering its receipts in series: whatever tells apart the runs
// of receipt numbers the node's databases issue, which start again at 1
// only with a new database. Tags are a hash: two nodes share one by chance
// once in about a million pairs, and such a node's receipts are read as
// this node's, as every receipt was before tags.
func ReceiptTag(store, node, series string) string {
	h := sha256.Sum256([]byte(store + "\x00" + node + "\x00" + series))
	v := binary.BigEndian.Uint32(h[:4])
	b := make([]byte, receiptTagLen)
	for i := range b {
		b[i] = receiptTagAlphabet[v%32]
		v /= 32
	}
	return string(b)
}

// ReceiptBarcode is the code printed on a receipt so that it can be scanned
// for a return: R, the node's tag (see ReceiptTag) and the receipt number in
// ten digits; with tag "", R and the ten digits alone.
func ReceiptBarcode(tag string, receiptNo int64) string {
	return fmt.Sprintf("R%s%010d", tag, receiptNo)
}

// receiptCode reads s as a receipt code: R and ten digits (untagged), or
// R, a tag and ten digits.
func receiptCode(s string) (no int64, tag string, ok bool) {
	if len(s) != 11 && len(s) != 11+receiptTagLen || s[0] != 'R' {
		return 0, "", false
	}
	tag, digits := s[1:len(s)-10], s[len(s)-10:]
	for i := 0; i < len(tag); i++ {
		if strings.IndexByte(receiptTagAlphabet, tag[i]) < 0 {
			return 0, "", false
		}
	}
	if !allDigits(digits) {
		return 0, "", false
	}
	for _, d := range digits {
		no = no*10 + int64(d-'0')
	}
	return no, tag, true
}

// OwnReceipt refuses, with ErrOtherReceipt, a receipt code c whose tag is
// not tag, this node's. A code without a tag is taken as this node's.
func OwnReceipt(c Code, tag string) error {
	if c.Kind == CodeReceipt && c.ReceiptTag != "" && c.ReceiptTag != tag {
		return fmt.Errorf("%w: %s is not a receipt of this till (its code names %s, this till's receipts %s)",
			ErrOtherReceipt, c.Raw, c.ReceiptTag, tag)
	}
	return nil
}
