package pos

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrCSV reports a catalog file that cannot be imported. Nothing of such a
// file is applied.
var ErrCSV = errors.New("pos: catalog CSV")

// CatalogCSVHeader is the header a catalog file must start with. Columns
// may come in any order, named in any case; sku, unit, price and
// tax_rate_bp are required, the rest optional (see CatalogFile.Merge for
// what a column left out means). barcodes holds several codes separated
// by ";". price is in minor units; active is true or false (default
// true).
var CatalogCSVHeader = []string{"sku", "barcodes", "unit", "price", "tax_rate_bp", "active",
	"name_en", "name_sv", "name_sk", "name_ro", "name_zh-Hant", "location"}

// requiredColumns are the columns every catalog file has.
var requiredColumns = []string{"sku", "unit", "price", "tax_rate_bp"}

// MaxCatalogRows bounds a catalog file.
const MaxCatalogRows = 1_000_000

// CatalogFile is a catalog file as ReadCatalogCSV read it.
type CatalogFile struct {
	// Items are the file's rows in its order, each with the defaults for
	// the columns the file lacks: no names, no barcodes, no location,
	// active. Merge gives what is to be stored over an item that exists.
	Items []Item
	// Lines are the lines of the file the rows begin on, Lines[i]
	// Items[i]'s, counted as an editor counts them.
	Lines []int
	// Columns are the file's columns, named as in CatalogCSVHeader, in
	// the file's order.
	Columns []string
}

// Has reports whether the file has column, named as in CatalogCSVHeader.
func (f *CatalogFile) Has(column string) bool { return slices.Contains(f.Columns, column) }

// Merge returns it, a row of the file, as it is to be stored over old,
// the item stored under its SKU. A column the file lacks leaves old's
// field as it is: a file of prices alone (the required columns) changes
// prices and leaves the items' names, location, barcodes and active flag
// alone, so that a price update neither makes items unscannable nor
// sells items the store took off sale. A column the file has sets the
// field, an empty value to the default (no name in that language, no
// location, no barcodes, active). old is not changed.
func (f *CatalogFile) Merge(it, old Item) Item {
	if !f.Has("active") {
		it.Active = old.Active
	}
	if !f.Has("location") {
		it.Location = old.Location
	}
	if !f.Has("barcodes") {
		it.Barcodes = slices.Clone(old.Barcodes)
	}
	names := maps.Clone(old.Names)
	if names == nil {
		names = map[string]string{}
	}
	for _, l := range Languages {
		if !f.Has("name_" + l) {
			continue
		}
		if n := it.Names[l]; n != "" {
			names[l] = n
		} else {
			delete(names, l)
		}
	}
	it.Names = names
	return it
}

// ParseCatalogCSV reads a catalog file as ReadCatalogCSV does for a till
// without variable-measure codes, and returns its items.
func ParseCatalogCSV(r io.Reader) ([]Item, error) {
	f, err := ReadCatalogCSV(r, VariableMeasure{})
	if err != nil {
		return nil, err
	}
	return f.Items, nil
}

// utf8BOM is the byte order mark spreadsheets put before a CSV file saved
// as UTF-8.
const utf8BOM = "\ufeff"

// ReadCatalogCSV reads a whole catalog file and checks every row, and
// every barcode as a till of market vm reads it: a code that no scan
// could find (see catalogBarcode), or one that finds two items of the
// file, is refused. It returns the file, or an error wrapping ErrCSV that
// names the first thing to fix by the line of the file (and the column
// where the line alone does not find it).
//
// It reads files as spreadsheets save them: a UTF-8 byte order mark is
// skipped; values are separated by commas, or by semicolons when the
// header line has semicolons and no comma (as a spreadsheet saves CSV
// where the decimal separator is a comma: Swedish, Slovak and Romanian
// settings); header names are matched regardless of case and of spaces
// around them.
func ReadCatalogCSV(r io.Reader, vm VariableMeasure) (*CatalogFile, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(len(utf8BOM)); string(b) == utf8BOM {
		br.Discard(len(utf8BOM))
	}
	sep := separator(br)
	lines := &recentLines{r: br, first: 1}
	cr := csv.NewReader(lines)
	cr.Comma = sep
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: the file is empty: its first line must be the header, such as %s", ErrCSV, strings.Join(CatalogCSVHeader, ","))
	}
	if err != nil {
		return nil, csvError(err, lines)
	}
	f := &CatalogFile{Columns: make([]string, len(head))}
	col := map[string]int{}
	for i, h := range head {
		name, ok := catalogColumn(h)
		if !ok && len(head) == 1 {
			return nil, fmt.Errorf("%w: line 1: the header is one column, %q: values must be separated by ',' or ';'", ErrCSV, clipText(h))
		}
		if !ok {
			return nil, fmt.Errorf("%w: line 1: unknown column %q (the columns are %s)", ErrCSV, clipText(strings.TrimSpace(h)), strings.Join(CatalogCSVHeader, ","))
		}
		if _, dup := col[name]; dup {
			return nil, fmt.Errorf("%w: line 1: column %q twice", ErrCSV, name)
		}
		col[name], f.Columns[i] = i, name
	}
	for _, req := range requiredColumns {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("%w: line 1: missing column %q (header: %s)", ErrCSV, req, strings.Join(CatalogCSVHeader, ","))
		}
	}
	seen := map[string]int{} // SKU → its line
	type row struct {
		sku  string
		line int
	}
	owner := map[string]row{} // barcode key → the first row with it
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, csv.ErrFieldCount) {
			line, _ := cr.FieldPos(0)
			hint := fmt.Sprintf("a value holding %q must be in double quotes", sep)
			if len(rec) < len(head) {
				hint = "a row has a value, maybe empty, for every column"
			}
			return nil, fmt.Errorf("%w: line %d has %d values where the header has %d: %s", ErrCSV, line, len(rec), len(head), hint)
		}
		if err != nil {
			return nil, csvError(err, lines)
		}
		if len(f.Items) >= MaxCatalogRows {
			return nil, fmt.Errorf("%w: more than %d rows", ErrCSV, MaxCatalogRows)
		}
		line, _ := cr.FieldPos(0)
		// lineOf is the line the value of column name begins on, which
		// is a later one than the row's after a value of several lines.
		lineOf := func(name string) int {
			l, _ := cr.FieldPos(col[name])
			return l
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		it := Item{SKU: get("sku"), Unit: get("unit"), Active: true, Names: map[string]string{}, Location: get("location"), Barcodes: []string{}}
		if it.Price, err = catalogNumber("price", get("price")); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrCSV, lineOf("price"), err)
		}
		if it.TaxRateBP, err = catalogNumber("tax_rate_bp", get("tax_rate_bp")); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrCSV, lineOf("tax_rate_bp"), err)
		}
		switch a := strings.ToLower(get("active")); a {
		case "", "true", "1", "yes":
		case "false", "0", "no":
			it.Active = false
		default:
			return nil, fmt.Errorf("%w: line %d: active must be true or false (or empty, for true), not %q", ErrCSV, lineOf("active"), clipText(a))
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
		for _, b := range it.Barcodes {
			if err := catalogBarcode(b, vm); err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrCSV, lineOf("barcodes"), err)
			}
		}
		if prev, dup := seen[it.SKU]; dup {
			return nil, fmt.Errorf("%w: line %d: sku %s already on line %d", ErrCSV, line, it.SKU, prev)
		}
		seen[it.SKU] = line
		// A scan finds one item by a code: a file that gives a code to
		// two would leave the first without it, unsaid.
		for _, b := range it.Barcodes {
			key := NormalizeBarcode(b, vm)
			prev, taken := owner[key]
			if !taken {
				owner[key] = row{it.SKU, line}
				continue
			}
			if prev.sku != it.SKU {
				return nil, fmt.Errorf("%w: line %d: barcode %s is already sku %s's, on line %d: a code can find one item only",
					ErrCSV, lineOf("barcodes"), b, prev.sku, prev.line)
			}
		}
		f.Items = append(f.Items, it)
		f.Lines = append(f.Lines, line)
	}
	return f, nil
}

// separator returns the separator of the file br reads, read from its
// header line: ';' when it has semicolons and no comma, else ','. Header
// names hold neither.
func separator(br *bufio.Reader) rune {
	b, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if bytes.IndexByte(b, ',') < 0 && bytes.IndexByte(b, ';') >= 0 {
		return ';'
	}
	return ','
}

// catalogColumn returns the column of CatalogCSVHeader that header h
// names, regardless of case and of spaces around it.
func catalogColumn(h string) (string, bool) {
	h = strings.TrimSpace(h)
	for _, c := range CatalogCSVHeader {
		if strings.EqualFold(c, h) {
			return c, true
		}
	}
	return "", false
}

// catalogNumber reads v, the value of column name, as a whole number. A
// price written with decimals, as spreadsheets show money, is refused
// with the number it is in minor units.
func catalogNumber(name, v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err == nil {
		return n, nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%s %s is too large", name, clipText(v))
	}
	hint := "tax rates are whole basis points, hundredths of a percent: 25 % is written 2500, 12 % 1200"
	if name == "price" {
		hint = "prices are whole minor units (öre, cents, bani): 499,00 is written 49900"
		if m, ok := minorUnits(v); ok {
			hint = fmt.Sprintf("prices are whole minor units (öre, cents, bani): %s is written %d", v, m)
		}
	}
	return 0, fmt.Errorf("%s %q is not a whole number: %s", name, clipText(v), hint)
}

// minorUnits reads v as an amount with up to two decimals after a point
// or a comma ("499,00", "4.9") and returns it in hundredths.
func minorUnits(v string) (int64, bool) {
	i := strings.IndexAny(v, ".,")
	if i < 1 || i > 15 || !allDigits(v[:i]) {
		return 0, false
	}
	frac := v[i+1:]
	if len(frac) < 1 || len(frac) > 2 || !allDigits(frac) {
		return 0, false
	}
	whole, _ := strconv.ParseInt(v[:i], 10, 64)
	cents, _ := strconv.ParseInt(frac, 10, 64)
	if len(frac) == 1 {
		cents *= 10
	}
	return whole*100 + cents, true
}

// catalogBarcode refuses a barcode of a catalog file that no scan could
// find: digits of an EAN/UPC length whose check digit is wrong (checked
// as ParseCode checks a scan, which refuses such a code); a number a
// spreadsheet wrote in scientific notation, its last digits lost; and
// eleven digits that a leading zero makes a UPC-A code, whose zero a
// spreadsheet dropped (a scan reads twelve digits and looks up the
// EAN-13 key 0012345678905, never 12345678905); and a number one digit
// short of a scale label's item key under vm (2300100 in Sweden, the key
// versions before read, which finds no label now). Other codes (a
// store's own, a scale label's item key, Code 128 text) are taken as
// they are: they are scanned as they are printed.
func catalogBarcode(b string, vm VariableMeasure) error {
	switch {
	case scientific(b):
		return fmt.Errorf("barcode %s is a number in scientific notation, as a spreadsheet shows long numbers, and its last digits are lost: "+
			"format the barcodes column as text and enter the codes again", b)
	case !allDigits(b):
		return nil
	case len(b) == 11 && GTINCheckDigit("0"+b[:10]) == b[10]:
		return fmt.Errorf("barcode %s is a UPC-A code whose leading zero a spreadsheet dropped: write it 0%s, in a column formatted as text", b, b)
	}
	if l, ok := vm.layout(b); ok && len(b) == l.KeyLen-1 {
		// Seven digits were a Swedish scale label's item key before the
		// node read GS1 Sweden's eight: such a key finds no label now.
		return fmt.Errorf("barcode %s is one digit short of a scale label's item key (%d digits here, 2%c and %d more): "+
			"write the item's label with a value of 0 (13 digits with its check digit) or its first %d digits",
			b, l.KeyLen, b[1], l.KeyLen-2, l.KeyLen)
	}
	if _, err := ParseCode(b, vm); errors.Is(err, ErrBadCheckDigit) {
		return fmt.Errorf("barcode %s has a wrong check digit (an EAN/UPC code of these digits ends in %c): a typing error? No till can scan it",
			b, GTINCheckDigit(b[:len(b)-1]))
	}
	return nil
}

// scientific reports whether b is a number in scientific notation as
// spreadsheets write one: digits, maybe a decimal point or comma and
// more digits, E and a signed exponent (7.31087E+12). The sign tells it
// from a store's own code such as 1E5.
func scientific(b string) bool {
	i := strings.IndexAny(b, "Ee")
	if i < 1 || i+2 >= len(b) || (b[i+1] != '+' && b[i+1] != '-') || !allDigits(b[i+2:]) {
		return false
	}
	mant := b[:i]
	if j := strings.IndexAny(mant, ".,"); j >= 0 {
		return j > 0 && allDigits(mant[:j]) && allDigits(mant[j+1:])
	}
	return allDigits(mant)
}

// csvError says in plain words what the CSV reader found wrong in the
// file, at the line it found it on and the column, counted in characters
// when lines still holds the line.
func csvError(err error, lines *recentLines) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%w: %v", ErrCSV, err)
	}
	at := fmt.Sprintf("line %d, column %d", pe.Line, lines.column(pe.Line, pe.Column))
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Errorf(`%w: %s: a double quote (") in a value that does not begin with one: put the whole value in double quotes and write each quote in it twice ("")`, ErrCSV, at)
	case errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line:
		return fmt.Errorf(`%w: %s: a value in double quotes from line %d goes on after its closing quote, or its quote is never closed: write each quote in a quoted value twice ("")`, ErrCSV, at, pe.StartLine)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Errorf(`%w: %s: a value in double quotes goes on after its closing quote, or its quote is never closed: write each quote in a quoted value twice ("")`, ErrCSV, at)
	}
	return fmt.Errorf("%w: %s: %v", ErrCSV, at, pe.Err)
}

// recentLines reads r and keeps the last lines it read, so that an error
// of the CSV reader, which counts columns in bytes, can be told in
// characters, as an editor counts them. The CSV reader reads at most a
// few kilobytes ahead of the line it is on.
type recentLines struct {
	r     io.Reader
	buf   []byte // the lines read, from the beginning of line first
	first int
}

// keptLines is how much of the file recentLines keeps at least.
const keptLines = 64 << 10

func (l *recentLines) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.buf = append(l.buf, p[:n]...)
	if len(l.buf) > 2*keptLines {
		cut := len(l.buf) - keptLines
		if i := bytes.LastIndexByte(l.buf[:cut], '\n'); i >= 0 {
			l.first += bytes.Count(l.buf[:i+1], []byte{'\n'})
			l.buf = append(l.buf[:0], l.buf[i+1:]...)
		}
	}
	return n, err
}

// column returns byte column col (1-based) of line as a character column,
// or col if the line is no longer kept.
func (l *recentLines) column(line, col int) int {
	b := l.buf
	for n := l.first; n < line; n++ {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return col
		}
		b = b[i+1:]
	}
	if line < l.first || col < 1 || col-1 > len(b) {
		return col
	}
	return utf8.RuneCount(b[:col-1]) + 1
}
