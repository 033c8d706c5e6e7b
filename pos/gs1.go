package pos

import (
	"fmt"
	"strings"
)

// GS1 element strings
//
// GS1 DataBar (the small stickers on fresh produce and meat), GS1-128
// and GS1 DataMatrix carry element strings: application identifiers (AIs)
// each followed by its data, as 01 and a GTIN-14, 3103 and a net weight
// in kilograms with three decimals, 3922 and a price with two decimals.
// A scanner sends them as digits with the ASCII group separator (GS,
// 0x1D, the FNC1 of the symbol) after each field of variable length that
// is not the last, usually after an AIM identifier such as "]e0" or "]C1"
// (which hardware/scanner strips). Staff typing from the label write the
// AIs in brackets: "(01)07310865004703(3103)001250".
//
// The till reads the GTIN (AI 01), a net weight (310n in kilograms, 320n
// in pounds) and a price to pay (392n, in the store's currency); the other
// AIs of consumer goods (batch, dates, serial numbers, counts) are read
// past and ignored. A code without a GTIN, or with an AI this table does
// not know, is refused: guessing where its field ends could misread the
// weight or the price.

// gs is the ASCII group separator ending a GS1 field of variable length.
const gs = 0x1d

// gs1Symbologies are the AIM identifiers of symbols that carry GS1 element
// strings (GS1-128, GS1 DataBar, GS1 DataMatrix, GS1 QR Code).
var gs1Symbologies = []string{"]C1", "]e0", "]d2", "]Q3", "]J1"}

// gs1AI describes the AIs that begin with two digits: how many digits the
// AI has, and the length of its data when that is fixed (0: variable, up
// to max, ended by GS or the end).
type gs1AI struct {
	digits, fixed, max int
}

// gs1AIs is GS1's table of AIs by their first two digits, for the AIs
// found on consumer goods and their labels.
var gs1AIs = map[string]gs1AI{
	"00": {2, 18, 18}, // SSCC
	"01": {2, 14, 14}, // GTIN
	"02": {2, 14, 14}, // GTIN of contained items
	"10": {2, 0, 20},  // batch or lot
	"11": {2, 6, 6},   // production date
	"12": {2, 6, 6},   // due date
	"13": {2, 6, 6},   // packaging date
	"15": {2, 6, 6},   // best before
	"16": {2, 6, 6},   // sell by
	"17": {2, 6, 6},   // expiration date
	"20": {2, 2, 2},   // variant
	"21": {2, 0, 20},  // serial number
	"22": {2, 0, 20},  // consumer product variant
	"30": {2, 0, 8},   // variable count
	"31": {4, 6, 6},   // measures, metric (310n net weight kg)
	"32": {4, 6, 6},   // measures, imperial (320n net weight lb)
	"33": {4, 6, 6},
	"34": {4, 6, 6},
	"35": {4, 6, 6},
	"36": {4, 6, 6},
	"37": {2, 0, 8},   // count of trade items
	"39": {4, 0, 18},  // amounts (392n price, 393n price with currency)
	"41": {3, 13, 13}, // GLNs
	"70": {4, 0, 30},
	"80": {4, 0, 30},
	"90": {2, 0, 30}, // internal
	"91": {2, 0, 90},
	"92": {2, 0, 90},
	"93": {2, 0, 90},
	"94": {2, 0, 90},
	"95": {2, 0, 90},
	"96": {2, 0, 90},
	"97": {2, 0, 90},
	"98": {2, 0, 90},
	"99": {2, 0, 90},
}

// gs1Input recognises s as a GS1 element string: after a GS1 AIM
// identifier, in brackets, with a group separator, or as digits that begin
// with AI 01 and run on past its GTIN. It returns the fields as AI and
// data, or ok false when s is not one.
func gs1Input(s string) (fields [][2]string, ok bool, err error) {
	for _, id := range gs1Symbologies {
		if rest, found := strings.CutPrefix(s, id); found {
			fields, err := gs1Fields(rest)
			return fields, true, err
		}
	}
	switch {
	case strings.HasPrefix(s, "("):
		fields, err := gs1Bracketed(s)
		return fields, true, err
	case strings.IndexByte(s, gs) >= 0:
		fields, err := gs1Fields(s)
		return fields, true, err
	case len(s) >= 16 && strings.HasPrefix(s, "01") && allDigits(s[:16]):
		// A store's own long code could look like this by chance: it is
		// read as GS1 only if it parses whole into the AIs of a label on
		// goods and begins with a GTIN whose check digit holds (a scanner
		// checks the symbol's own), so that a store's 16-digit code
		// beginning with 01 stays its own.
		fields, err := gs1Fields(s)
		return fields, err == nil && onGoods(fields) && validGTIN(fields[0][1]), nil
	}
	return nil, false, nil
}

// validGTIN reports whether the 14 digits of AI 01 end in their check
// digit.
func validGTIN(d string) bool {
	return len(d) == 14 && GTINCheckDigit(d[:13]) == d[13]
}

// onGoods reports whether every field is one a label on consumer goods
// carries: the GTIN, a batch, dates, a serial number, a net weight, a
// price.
func onGoods(fields [][2]string) bool {
	for _, f := range fields {
		switch ai := f[0]; {
		case ai == "01", ai == "10", ai == "11", ai == "13", ai == "15", ai == "16", ai == "17", ai == "21":
		case strings.HasPrefix(ai, "310"), strings.HasPrefix(ai, "320"), strings.HasPrefix(ai, "392"):
		default:
			return false
		}
	}
	return true
}

// gs1Fields splits an element string as scanned: AIs and data, variable
// fields ended by GS.
func gs1Fields(s string) ([][2]string, error) {
	s = strings.TrimLeft(s, string(rune(gs))) // a leading FNC1
	var fields [][2]string
	for s != "" {
		if len(s) < 2 {
			return nil, fmt.Errorf("%w: GS1 code ends in a broken field %q", ErrBadCode, s)
		}
		def, ok := gs1AIs[s[:2]]
		if !ok || len(s) < def.digits || !allDigits(s[:def.digits]) {
			return nil, fmt.Errorf("%w: GS1 application identifier %.4q is not one this till reads", ErrBadCode, s)
		}
		ai := s[:def.digits]
		s = s[def.digits:]
		var data string
		if def.fixed > 0 {
			if len(s) < def.fixed {
				return nil, fmt.Errorf("%w: GS1 (%s) needs %d characters", ErrBadCode, ai, def.fixed)
			}
			data, s = s[:def.fixed], s[def.fixed:]
			s = strings.TrimPrefix(s, string(rune(gs))) // a needless separator
		} else {
			end := strings.IndexByte(s, gs)
			if end < 0 {
				end = len(s)
			}
			data, s = s[:end], s[min(end+1, len(s)):]
		}
		if err := gs1Check(ai, data, def); err != nil {
			return nil, err
		}
		fields = append(fields, [2]string{ai, data})
	}
	return fields, nil
}

// gs1Bracketed splits an element string written with its AIs in brackets.
func gs1Bracketed(s string) ([][2]string, error) {
	var fields [][2]string
	for s != "" {
		rest, ok := strings.CutPrefix(s, "(")
		end := strings.IndexByte(rest, ')')
		if !ok || end < 0 {
			return nil, fmt.Errorf("%w: GS1 code in brackets: (AI)data(AI)data", ErrBadCode)
		}
		ai, rest := rest[:end], rest[end+1:]
		def, known := gs1AIs[ai[:min(2, len(ai))]]
		if !known || len(ai) != def.digits || !allDigits(ai) {
			return nil, fmt.Errorf("%w: GS1 application identifier (%s) is not one this till reads", ErrBadCode, ai)
		}
		next := strings.IndexByte(rest, '(')
		if next < 0 {
			next = len(rest)
		}
		data := rest[:next]
		if def.fixed > 0 && len(data) != def.fixed {
			return nil, fmt.Errorf("%w: GS1 (%s) needs %d characters", ErrBadCode, ai, def.fixed)
		}
		if err := gs1Check(ai, data, def); err != nil {
			return nil, err
		}
		fields = append(fields, [2]string{ai, data})
		s = rest[next:]
	}
	return fields, nil
}

// gs1Check checks one field's data: not empty, not too long, printable,
// and digits where the AI holds a number.
func gs1Check(ai, data string, def gs1AI) error {
	if data == "" || len(data) > def.max {
		return fmt.Errorf("%w: GS1 (%s) holds %d characters, at most %d", ErrBadCode, ai, len(data), def.max)
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7e {
			return fmt.Errorf("%w: GS1 (%s) holds a control byte", ErrBadCode, ai)
		}
	}
	numeric := def.fixed > 0 || ai[:2] == "30" || ai[:2] == "37" || ai[:2] == "39"
	if numeric && !allDigits(data) {
		return fmt.Errorf("%w: GS1 (%s) %q is not a number", ErrBadCode, ai, data)
	}
	return nil
}

// gs1Code turns the fields of an element string into a Code: the GTIN
// as the catalog key, the net weight in grams, the price in minor units.
// A restricted-circulation GTIN (a variable-measure EAN-13 of vm's market
// in AI 01) is read as that EAN-13 would be, its weight or price from
// the AIs when they give one.
func gs1Code(c Code, fields [][2]string, vm VariableMeasure) (Code, error) {
	seen := map[string]bool{}
	for _, f := range fields {
		ai, data := f[0], f[1]
		// An AI given twice, or two of one measure (weights 310n and
		// 320n, prices 392n and 393n, whatever their decimals).
		what := ai
		switch {
		case strings.HasPrefix(ai, "310"), strings.HasPrefix(ai, "320"):
			what = "weight"
		case strings.HasPrefix(ai, "392"), strings.HasPrefix(ai, "393"):
			what = "price"
		}
		if seen[what] {
			return c, fmt.Errorf("%w: GS1 (%s) given twice", ErrBadCode, ai)
		}
		seen[what] = true
		switch {
		case ai == "01":
			if GTINCheckDigit(data[:13]) != data[13] {
				return c, fmt.Errorf("%w: GS1 (01) %s (expected %c)", ErrBadCheckDigit, data, GTINCheckDigit(data[:13]))
			}
			c.Key = gtinKey(data)
		case strings.HasPrefix(ai, "310"), strings.HasPrefix(ai, "320"):
			n, v := int64(ai[3]-'0'), digitsValue(data)
			if n > 5 {
				return c, fmt.Errorf("%w: GS1 (%s) has %d decimals", ErrBadCode, ai, n)
			}
			if ai[:3] == "310" { // kilograms with n decimals
				c.Grams = RoundDiv(v*1000, pow10(n))
			} else { // pounds with n decimals: 1 lb = 453.59237 g
				c.Grams = RoundDiv(v*45359237, pow10(n+5))
			}
			if c.Grams <= 0 {
				return c, fmt.Errorf("%w: GS1 (%s) net weight %s", ErrBadCode, ai, data)
			}
		case strings.HasPrefix(ai, "392"):
			n, v := int64(ai[3]-'0'), digitsValue(data)
			if len(data) > 15 {
				return c, fmt.Errorf("%w: GS1 (%s) price longer than 15 digits", ErrBadCode, ai)
			}
			if n <= 2 {
				c.Price = v * pow10(2-n)
			} else {
				c.Price = RoundDiv(v, pow10(n-2))
			}
			if c.Price <= 0 {
				return c, fmt.Errorf("%w: GS1 (%s) price %s", ErrBadCode, ai, data)
			}
		case strings.HasPrefix(ai, "393"):
			return c, fmt.Errorf("%w: GS1 (%s): a price in a named currency is not read; key the price", ErrBadCode, ai)
		}
	}
	if c.Key == "" {
		return c, fmt.Errorf("%w: GS1 code without a GTIN (01)", ErrBadCode)
	}
	// Raw, which goes on the cart line, is written with the AIs in
	// brackets, as on the label: no group separator reaches a screen.
	var b strings.Builder
	for _, f := range fields {
		b.WriteString("(" + f[0] + ")" + f[1])
	}
	c.Kind, c.Raw = CodeGS1, b.String()
	if len(c.Key) != 13 || c.Key[0] != '2' {
		return c, nil
	}
	if l, ok := vm.Layouts[c.Key[1]]; ok {
		if c.Grams == 0 && c.Price == 0 {
			v := digitsValue(c.Key[l.ValueStart:12])
			c.Price, c.Grams = v*l.PriceFactor, v*l.GramFactor
		}
		c.Kind, c.Key = CodeVariable, c.Key[:l.KeyLen]
	}
	return c, nil
}

// digitsValue is the value of at most 18 decimal digits.
func digitsValue(s string) int64 {
	var v int64
	for i := 0; i < len(s); i++ {
		v = v*10 + int64(s[i]-'0')
	}
	return v
}

func pow10(n int64) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
