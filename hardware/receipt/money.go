package receipt

import (
	"strconv"
	"strings"
)

// currency says how amounts of one currency are written.
type currency struct {
	digits int    // minor digits
	prefix string // before the amount, e.g. "NT$"
	suffix string // after the amount, e.g. " kr"
	// wholeIfRound drops the decimals when they are zero (NT$499).
	wholeIfRound bool
}

// currencies by ISO 4217 code and language; the "" language is the
// default for that currency.
var currencies = map[string]map[string]currency{
	"SEK": {"": {digits: 2, suffix: " kr"}, "en": {digits: 2, prefix: "SEK "}},
	"EUR": {"": {digits: 2, suffix: " €"}, "en": {digits: 2, prefix: "€"}, "zh-Hant": {digits: 2, prefix: "€"}},
	"RON": {"": {digits: 2, suffix: " lei"}, "en": {digits: 2, prefix: "RON "}},
	"TWD": {"": {digits: 2, prefix: "NT$", wholeIfRound: true}},
	// Pounds and dollars in English only: other languages write the code
	// after the amount, as their norms do, and in Taiwan $ is the NT$.
	"GBP": {"en": {digits: 2, prefix: "£"}},
	"USD": {"en": {digits: 2, prefix: "$"}},
}

// separators by language: decimal mark and thousands separator.
var separators = map[string][2]string{
	"sv":      {",", " "},
	"sk":      {",", " "},
	"ro":      {",", "."},
	"zh-Hant": {".", ","},
	"en":      {".", ","},
}

// Money formats an amount in minor units of a currency (ISO 4217 code)
// the way people reading lang expect it:
//
//	sv SEK 49900  -> "499,00 kr"      sk EUR 4990  -> "49,90 €"
//	ro RON 49900  -> "499,00 lei"     zh-Hant TWD 49900 -> "NT$499"
//	en EUR 4990   -> "€49.90"         en SEK 149900 -> "SEK 1,499.00"
//	en GBP 149900 -> "£1,499.00"      en USD 4990   -> "$49.90"
//	sv GBP 149900 -> "1 499,00 GBP"   zh-Hant USD 4990 -> "49.90 USD"
//
// Every currency is taken to have two minor digits (TWD too, as in ISO
// 4217); TWD amounts print without decimals when they are whole. An
// unknown currency prints with its code after the amount.
func Money(amount int64, code, lang string) string {
	c, ok := currencies[code][lang]
	if !ok {
		c, ok = currencies[code][""]
	}
	if !ok {
		c = currency{digits: 2, suffix: " " + code}
	}
	sep, ok := separators[lang]
	if !ok {
		sep = separators["en"]
	}
	neg := amount < 0
	u := uint64(amount)
	if neg {
		u = uint64(-amount)
	}
	div := uint64(1)
	for i := 0; i < c.digits; i++ {
		div *= 10
	}
	whole, frac := u/div, u%div
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(c.prefix)
	b.WriteString(group(strconv.FormatUint(whole, 10), sep[1]))
	if c.digits > 0 && !(c.wholeIfRound && frac == 0) {
		f := strconv.FormatUint(frac, 10)
		b.WriteString(sep[0])
		b.WriteString(strings.Repeat("0", c.digits-len(f)))
		b.WriteString(f)
	}
	b.WriteString(c.suffix)
	return b.String()
}

func group(digits, sep string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	lead := len(digits) % 3
	if lead > 0 {
		b.WriteString(digits[:lead])
	}
	for i := lead; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// Percent formats a rate in basis points as the screens do (Intl, after
// CLDR): 2500 -> "25 %" and 1250 -> "12,5 %" in Swedish, Slovak and
// Romanian, which put a space before the sign, "25%" and "12.5%" in
// English and Chinese.
func Percent(bp int64, lang string) string {
	sep, ok := separators[lang]
	if !ok {
		sep = separators["en"]
	}
	s := strconv.FormatInt(bp/100, 10)
	if r := bp % 100; r != 0 {
		f := strconv.FormatInt(r, 10)
		if len(f) == 1 {
			f = "0" + f
		}
		s += sep[0] + strings.TrimRight(f, "0")
	}
	switch lang {
	case LangSwedish, LangSlovak, LangRomanian:
		return s + " %"
	}
	return s + "%"
}
