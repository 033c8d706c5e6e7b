package receipt_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/escpos/escpostest"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

var when = time.Date(2026, 11, 22, 14, 5, 0, 0, time.UTC)

// stores is one store per language, with the items it sells.
var stores = map[string]struct {
	store   receipt.Store
	items   [3]string
	profile escpos.Profile
}{
	"sv": {receipt.Store{Name: "Butik Norr", Address: []string{"Storgatan 1", "903 26 Umeå"}, TaxID: "Org.nr 556677-8899", Lang: "sv", Currency: "SEK", Footer: "Öppet mån–fre 10–19", TimeZone: "Europe/Stockholm", ReceiptTag: "7KQ2"},
		[3]string{"Räksmörgås", "Kaffe bryggt", "Blåbär lösvikt"}, escpos.TMT88},
	"sk": {receipt.Store{Name: "Obchod Žilina", Address: []string{"Hlavná 12", "010 01 Žilina"}, TaxID: "IČ DPH SK2020123456", Lang: "sk", Currency: "EUR"},
		[3]string{"Bryndzové halušky", "Kofola čapovaná", "Čučoriedky voľné"}, escpos.TMT20},
	"ro": {receipt.Store{Name: "Magazin Iași", Address: []string{"Str. Ștefan cel Mare 5", "Iași"}, TaxID: "CUI RO12345678", Lang: "ro", Currency: "RON"},
		[3]string{"Covrigi cu susan", "Cafea țărănească", "Afine vrac"}, escpos.Generic58},
	"zh-Hant": {receipt.Store{Name: "台北門市", Address: []string{"台北市信義區松高路1號"}, TaxID: "統一編號 12345678", Lang: "zh-Hant", Currency: "TWD"},
		[3]string{"珍珠奶茶", "鳳梨酥 禮盒", "藍莓 散裝"}, escpos.TMT88TraditionalChinese},
	"en": {receipt.Store{Name: "Corner Shop", Address: []string{"1 High Street", "Dublin"}, TaxID: "VAT IE1234567X", Lang: "en", Currency: "EUR"},
		[3]string{"Ham sandwich", "Filter coffee", "Blueberries loose"}, escpos.TMT88},
}

func sampleReceipt(lang string) receipt.Receipt {
	s := stores[lang]
	unit := int64(100)
	if s.store.Currency == "TWD" {
		unit = 1000 // whole dollars in a currency with cents
	}
	return receipt.Receipt{
		Store: s.store, ReceiptNo: 1, Barcode: "R7KQ20000000001", Station: "T1", Cashier: "Anna",
		Time: when,
		Lines: []receipt.Line{
			{Name: s.items[0], Qty: 1, UnitPrice: 49 * unit, Amount: 49 * unit},
			{Name: s.items[1], Qty: 2, UnitPrice: 25 * unit, Amount: 50 * unit},
			{Name: s.items[2], Qty: 350, ByWeight: true, UnitPrice: 200 * unit, Discount: 10 * unit, Amount: 60 * unit},
		},
		Subtotal: 169 * unit, Discount: 10 * unit, Total: 159 * unit,
		Tax: []receipt.Tax{
			{RateBP: 1200, Base: 142 * unit * 100 / 112, Tax: 159*unit - 142*unit*100/112},
		},
		Payments: []receipt.Payment{{Method: "card", Amount: 100 * unit}, {Method: "cash", Amount: 60 * unit}},
		Change:   1 * unit,
	}
}

func render(t *testing.T, d receipt.Document, p escpos.Profile, font *escpos.Font) string {
	t.Helper()
	e := escpos.NewEncoder(p, escpos.Options{Font: font})
	if err := d.Encode(e); err != nil {
		t.Fatalf("encode: %v", err)
	}
	dec := escpos.Decoder{Font: font}
	got, err := dec.Decode(e.Bytes())
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, got)
	}
	return got
}

func TestReceiptGolden(t *testing.T) {
	for _, lang := range receipt.Langs {
		t.Run(lang, func(t *testing.T) {
			s := stores[lang]
			r := sampleReceipt(lang)
			got := render(t, r, s.profile, nil)
			if strings.Contains(got, "?") {
				t.Errorf("receipt has '?':\n%s", got)
			}
			for _, w := range []string{receipt.T(lang, "total"), receipt.T(lang, "thanks"), "[BARCODE CODE128 R7KQ20000000001]", "[CUT partial]",
				receipt.Money(r.Total, s.store.Currency, lang)} {
				if lang == "ro" {
					w = strings.NewReplacer("ș", "ş", "ț", "ţ", "Ș", "Ş", "Ț", "Ţ").Replace(w)
				}
				if !strings.Contains(got, w) {
					t.Errorf("receipt lacks %q:\n%s", w, got)
				}
			}
			golden(t, "receipt-"+lang, got)
		})
	}
}

func TestReceiptRasterChinese(t *testing.T) {
	r := sampleReceipt("zh-Hant")
	var all strings.Builder
	for _, l := range r.Lines {
		all.WriteString(l.Name)
	}
	for _, k := range []string{"receipt", "receipt_no", "station", "cashier", "total", "thanks", "vat", "net", "gross", "change", "cash", "card", "subtotal", "discount"} {
		all.WriteString(receipt.T("zh-Hant", k))
	}
	all.WriteString(r.Store.Name + r.Store.TaxID + strings.Join(r.Store.Address, ""))
	font := escpostest.SyntheticFont(all.String())
	got := render(t, r, escpos.Generic58, font)
	if strings.Contains(got, "?") {
		t.Errorf("receipt has '?':\n%s", got)
	}
	if !strings.Contains(got, "[RASTER 384x24]") || !strings.Contains(got, "謝謝惠顧！") {
		t.Errorf("Chinese not rastered and read back:\n%s", got)
	}
	golden(t, "receipt-zh-Hant-raster", got)
}

func TestCopyAndReprint(t *testing.T) {
	r := sampleReceipt("sv")
	d, err := receipt.Decode(receipt.KindReceipt, mustJSON(t, r))
	if err != nil {
		t.Fatal(err)
	}
	c := receipt.AsCopy(d)
	got := render(t, c, escpos.TMT88, nil)
	if !strings.Contains(got, "2026-11-22 15:05") {
		t.Errorf("copy not in the store's time zone:\n%s", got)
	}
	if n := strings.Count(got, " KOPIA "); n != 2 {
		t.Errorf("COPY printed %d times, want 2:\n%s", n, got)
	}
	if orig := render(t, r, escpos.TMT88, nil); strings.Contains(orig, "KOPIA") {
		t.Errorf("original marked as copy")
	}
}

// A training receipt says in every language, at the top and the bottom,
// that it is not a receipt, with its training number and no barcode to
// return against; a reprint keeps the mark.
func TestTrainingReceipt(t *testing.T) {
	for _, lang := range receipt.Langs {
		t.Run(lang, func(t *testing.T) {
			s := stores[lang]
			r := sampleReceipt(lang)
			r.ReceiptNo, r.Barcode, r.Training = 7, "", true
			got := render(t, r, s.profile, nil)
			if strings.Contains(got, "?") {
				t.Errorf("training receipt has '?':\n%s", got)
			}
			mark := strings.Fields(receipt.T(lang, "training"))[0]
			if n := strings.Count(got, mark); n != 2 {
				t.Errorf("%q printed %d times, want 2:\n%s", mark, n, got)
			}
			if !strings.Contains(got, receipt.T(lang, "training_no")+" 7") || strings.Contains(got, "[BARCODE") {
				t.Errorf("training number or barcode wrong:\n%s", got)
			}
			golden(t, "training-"+lang, got)

			d, err := receipt.Decode(receipt.KindReceipt, mustJSON(t, r))
			if err != nil {
				t.Fatal(err)
			}
			c := render(t, receipt.AsCopy(d), s.profile, nil)
			if n := strings.Count(c, mark); n != 2 || strings.Count(c, receipt.T(lang, "copy")) != 2 {
				t.Errorf("reprint of a training receipt:\n%s", c)
			}
		})
	}
	if got := render(t, sampleReceipt("en"), escpos.TMT88, nil); strings.Contains(got, "TRAINING") {
		t.Errorf("a sale's receipt marked as training:\n%s", got)
	}
}

func TestOtherDocuments(t *testing.T) {
	sv := stores["sv"].store
	docs := []struct {
		name string
		doc  receipt.Document
		p    escpos.Profile
		want []string
	}{
		{"pickup-sv", receipt.PickupSlip{Store: sv, OrderID: "ORD-1042", Customer: "Åsa Öberg", Bag: 2, Bags: 3, Time: when,
			Items: []receipt.Line{{Name: "Räksmörgås", Qty: 2}, {Name: "Blåbär", Qty: 500, ByWeight: true}}}, escpos.TMT88,
			[]string{"[QR ORD-1042]", "Påse 2 av 3", "Åsa Öberg", "ORD-1042"}},
		{"baglabel-sk", receipt.BagLabel{Store: stores["sk"].store, OrderID: "ORD-7", Customer: "Ľubica Šťastná", Bag: 1, Bags: 1}, escpos.Generic58,
			[]string{"[QR ORD-7]", "Taška 1 z 1", "Ľubica Šťastná"}},
		{"xreport-en", receipt.Report{Store: stores["en"].store, Station: "T2", From: when.Add(-2 * time.Hour), To: when, Sales: 3, Gross: 4990, Printed: when}, escpos.TMT88,
			[]string{"X REPORT", "€49.90"}},
		{"salesreport-sv", receipt.SalesReport{Store: sv, By: "tender", From: when.Add(-24 * time.Hour), To: when, Printed: when,
			Rows: []receipt.SalesRow{{Key: "cash", Count: 12, Amount: 45000}, {Key: "card", Count: 30, Amount: 254990}}}, escpos.TMT88,
			[]string{"FÖRSÄLJNING", "per betalsätt", "Kontant (12)", "450,00 kr", "Kort (30)"}},
		{"testpage-tmt88-zh", receipt.TestPage{Store: sv, Time: when}, escpos.TMT88TraditionalChinese,
			[]string{"Räksmörgås", "kôň", "Mulţumim", "謝謝惠顧", "£5 $5 €5", "[BARCODE CODE128 RTEST0000000001]", "[QR PICKUP:TEST:0000]"}},
	}
	for _, tt := range docs {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, tt.doc, tt.p, nil)
			if strings.Contains(got, "?") {
				t.Errorf("document has '?':\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			golden(t, tt.name, got)
		})
	}
}

func TestColumnsFit(t *testing.T) {
	// Every printed text line of every document fits the paper.
	for _, lang := range receipt.Langs {
		s := stores[lang]
		for _, p := range []escpos.Profile{s.profile, escpos.Generic58} {
			if lang == "zh-Hant" && p.DoubleByte != escpos.Big5Kanji {
				continue
			}
			r := sampleReceipt(lang)
			r.Tax = append(r.Tax, receipt.Tax{RateBP: 2500, Base: 123456789, Tax: 30864197})
			got := render(t, r, p, nil)
			checkFit(t, lang+"/"+p.Name, got, p.Columns)
		}
	}
}

func checkFit(t *testing.T, name, got string, cols int) {
	t.Helper()
	{
		for _, line := range strings.Split(got, "\n") {
			text := stripCommands(line)
			limit := cols
			if strings.Contains(line, "[SIZE 2x2]") {
				limit /= 2
			}
			if w := escpos.Width(text); w > limit {
				t.Errorf("%s: line %q is %d columns, paper has %d", name, text, w, limit)
			}
		}
	}
}

func stripCommands(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Names with invisible characters, tabs, line breaks and combining
// accents are laid out as they print: every line fits the paper, amounts
// stay flush right, and an accent is composed with its letter.
func TestNamesLaidOutAsPrinted(t *testing.T) {
	r := sampleReceipt("sv")
	names := []string{
		"Mjo\u0308lk la\u0308ttmjo\u0308lk 1,5 % i kartong fra\u030An Norrmejerier",
		"Kaffe\tbryggt\tstor\tkopp\tmed\tpåtår\tingår\tnu",
		"Te med\nmjölk\u00ad och honung\nfrån Gotland\u200b\u2060\ufeff",
		"\ufeff\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200bSmörgås\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad med ost och skinka",
	}
	for i := range r.Lines {
		r.Lines[i].Name = names[i]
	}
	r.Lines = append(r.Lines, receipt.Line{Name: names[3], Qty: 1, UnitPrice: 1234500, Amount: 1234500})
	got := render(t, r, escpos.TMT88, nil)
	checkFit(t, "sv", got, escpos.TMT88.Columns)
	for _, line := range strings.Split(got, "\n") {
		text := stripCommands(line)
		if strings.Contains(text, "12 345,00") && escpos.Width(text) != escpos.TMT88.Columns {
			t.Errorf("amount not flush right: %q", text)
		}
	}
	for _, want := range []string{"Mjölk lättmjölk", "från", "Te med mjölk och", "Smörgås med ost"} {
		if !strings.Contains(got, want) {
			t.Errorf("receipt lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "?") {
		t.Errorf("receipt has a '?':\n%s", got)
	}
}

// checkPrintedFit checks that every line of got is at most cols columns
// as p prints it, and that every line holding amount ends at the edge.
func checkPrintedFit(t *testing.T, name, got string, p escpos.Profile, font *escpos.Font, amount string) {
	t.Helper()
	e := escpos.NewEncoder(p, escpos.Options{Font: font})
	found := false
	for _, line := range strings.Split(got, "\n") {
		text := stripCommands(line)
		if w := e.Width(text); w > p.Columns {
			t.Errorf("%s: line %q is %d columns, paper has %d", name, text, w, p.Columns)
		}
		if strings.Contains(text, amount) {
			found = true
			if !strings.HasSuffix(strings.TrimRight(text, " "), amount) || e.Width(text) != p.Columns {
				t.Errorf("%s: amount not flush right: %q", name, text)
			}
		}
	}
	if !found {
		t.Errorf("%s: amount %s not printed:\n%s", name, amount, got)
	}
}

// Characters a Big5 printer prints full width, though they are narrow in
// Unicode's eyes, take two columns in the layout.
func TestBig5FullWidthLaidOutAsPrinted(t *testing.T) {
	r := sampleReceipt("zh-Hant")
	r.Lines[0].Name = "珍珠奶茶‧大杯 ※ 熱飲 80℃ → Ⅱ α 加珍珠 加椰果 ‧‧‧‧"
	r.Lines[0].Amount = 12345000
	amount := receipt.Money(12345000, "TWD", "zh-Hant")
	got := render(t, r, escpos.TMT88TraditionalChinese, nil)
	checkPrintedFit(t, "big5", got, escpos.TMT88TraditionalChinese, nil, amount)
}

// A raster line gives every character the columns the layout gave it: a
// character whose glyph is full width takes two in both, so the end of
// the line is not cut off at the paper's edge.
func TestRasterLaidOutAsPrinted(t *testing.T) {
	r := sampleReceipt("zh-Hant")
	r.Lines[0].Amount = 12345000
	amount := receipt.Money(12345000, "TWD", "zh-Hant")
	// Counted narrow, the name and the amount would just fit one line.
	fill := escpos.TMT88.Columns - 1 - escpos.Width(amount) - escpos.Width("αβγ‧※ ")
	r.Lines[0].Name = "αβγ‧※ " + strings.Repeat("茶", fill/2) + strings.Repeat("a", fill%2)
	var all strings.Builder
	all.WriteString(r.Lines[0].Name)
	for _, l := range r.Lines {
		all.WriteString(l.Name)
	}
	for _, k := range []string{"receipt", "receipt_no", "station", "cashier", "total", "thanks", "vat", "net", "gross", "change", "cash", "card", "subtotal", "discount"} {
		all.WriteString(receipt.T("zh-Hant", k))
	}
	all.WriteString(r.Store.Name + r.Store.TaxID + strings.Join(r.Store.Address, ""))
	// As in GNU Unifont, these narrow characters have full-width glyphs.
	hex := escpostest.SyntheticHex(all.String())
	for _, c := range "αβγ‧※" {
		glyph := "0000" + strings.Repeat(fmt.Sprintf("%04X", 0x4002|uint16(c)<<2&0x3FFC), 14) + "0000"
		hex = strings.ReplaceAll(hex, fmt.Sprintf("%04X:", c), fmt.Sprintf("%04X:%s\n#", c, glyph))
	}
	font, err := escpos.ParseFont(strings.NewReader(hex))
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, r, escpos.TMT88, font)
	checkPrintedFit(t, "raster", got, escpos.TMT88, font, amount)
}

// sampleShift is a shift that ends with everything a Z report shows: a
// return, a void, cash rounding, every kind of cash operation, gift
// cards sold for cash and store credit given, drawer alarms, and a count
// short of what the drawer should hold.
func sampleShift(kind string) *pos.ShiftReport {
	rep := &pos.ShiftReport{Kind: kind, ShiftID: "sh1", Station: "T1", OpenedAt: when.Add(-10 * time.Hour), At: when,
		Float: 100000, Sales: 5, SalesTotal: 31146, Returns: 1, ReturnsTotal: 2000, Voids: 1, VoidsTotal: 4500,
		Total: 29146, Rounding: -96,
		ByMethod:  []pos.MethodTotal{{Method: pos.MethodCard, Count: 3, Amount: 18950}, {Method: pos.MethodCash, Count: 4, Amount: 10100}},
		ByTaxRate: []pos.TaxLine{{RateBP: 1200, Base: 26023, Tax: 3123}},
		PaidIn:    5000, PaidOut: 2500, Drops: 20000, NoSales: 2, DrawerAlarms: &pos.DrawerAlarmCounts{OpenedUnasked: 3, LeftOpen: 4},
		VouchersIssued: []pos.VoucherTotal{{Kind: pos.MethodGiftCard, Count: 2, Amount: 50000}, {Kind: pos.MethodStoreCredit, Count: 1, Amount: 10000}},
		VoucherCash:    50000,
		ExpectedCash:   100000 + 10100 + 5000 - 2500 - 20000 + 50000}
	if kind == "Z" {
		rep.ClosedAt, rep.ZNo = when, 12
		rep.CountedCash, rep.Difference = 142500, 142500-rep.ExpectedCash
		rep.JournalN, rep.JournalHead = 137, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	}
	return rep
}

// A Z report reconciles on paper in every language: net sales and the
// cash rounding against the tenders, and the drawer from the float to
// the cash expected, the cash counted and the difference. An X report
// has no count.
func TestZReportGolden(t *testing.T) {
	for _, lang := range receipt.Langs {
		t.Run(lang, func(t *testing.T) {
			s := stores[lang]
			rep := sampleShift("Z")
			r := receipt.FromShiftReport(rep, s.store, when)
			got := render(t, r, s.profile, nil)
			if strings.Contains(got, "?") {
				t.Errorf("Z report has '?':\n%s", got)
			}
			cur := s.store.Currency
			money := func(v int64) string { return receipt.Money(v, cur, lang) }
			want := []string{
				receipt.T(lang, "card") + " (3)", receipt.T(lang, "cash") + " (4)", receipt.T(lang, "voids") + " (1)", receipt.T(lang, "returns") + " (1)",
				money(29146), money(-96), money(29050), // net sales + rounding = tendered
				money(100000), money(10100), money(5000), money(-2500), money(-20000), // float, cash, in, out, drops
				money(50000), money(142600), money(142500), money(-100), // gift cards sold, expected, counted, difference
				receipt.T(lang, "gift_card") + " (2)", receipt.T(lang, "store_credit") + " (1)", money(10000), // vouchers issued
				"9f86d081884c7d659a2feaa0c55ad015",
			}
			for _, k := range []string{"rounding", "tendered", "voids", "float", "cash_net", "paid_in", "paid_out", "drops",
				"vouchers", "voucher_cash", "expected", "counted_cash", "difference", "journal_no"} {
				want = append(want, receipt.T(lang, k))
			}
			for _, w := range want {
				if !strings.Contains(stripCommands(got), printedAs(lang, w)) {
					t.Errorf("Z report lacks %q:\n%s", w, got)
				}
			}
			for k, n := range map[string]string{"no_sales": "2", "unasked": "3", "left_open": "4"} {
				if !printedPair(stripCommands(got), printedAs(lang, receipt.T(lang, k)), n) {
					t.Errorf("Z report lacks %s %s:\n%s", k, n, got)
				}
			}
			// Refunds are a line of the report like the others, not the
			// capitals of a refund receipt's banner.
			if refund := receipt.T(lang, "refund"); refund != receipt.T(lang, "returns") && strings.Contains(stripCommands(got), printedAs(lang, refund)) {
				t.Errorf("Z report prints the refund banner's %q:\n%s", refund, got)
			}
			if !strings.Contains(stripCommands(got), "137\n") {
				t.Errorf("Z report lacks its journal entry number 137:\n%s", got)
			}
			if strings.Contains(got, receipt.T(lang, "cash_other")) {
				t.Errorf("Z report whose drawer adds up prints other cash:\n%s", got)
			}
			checkFit(t, lang, got, s.profile.Columns)
			if lang != "zh-Hant" {
				checkFit(t, lang+"/58mm", render(t, r, escpos.Generic58, nil), escpos.Generic58.Columns)
			}
			golden(t, "zreport-"+lang, got)

			more := sampleShift("Z")
			more.ExpectedCash += 1000 // cash the domain counts for a reason the report has no line for
			m := stripCommands(render(t, receipt.FromShiftReport(more, s.store, when), s.profile, nil))
			if !strings.Contains(m, printedAs(lang, receipt.T(lang, "cash_other"))) || !strings.Contains(m, money(1000)) {
				t.Errorf("Z report whose drawer holds more than its lines name does not say so:\n%s", m)
			}

			x := render(t, receipt.FromShiftReport(sampleShift("X"), s.store, when), s.profile, nil)
			for _, k := range []string{"counted_cash", "difference"} {
				if strings.Contains(x, printedAs(lang, receipt.T(lang, k))) {
					t.Errorf("X report prints %s:\n%s", k, x)
				}
			}
			if !strings.Contains(x, printedAs(lang, receipt.T(lang, "expected"))) {
				t.Errorf("X report lacks the cash expected:\n%s", x)
			}
		})
	}
}

// printedPair reports whether text has a line with label and value
// printed as a pair: the label at the left, the value flush right.
func printedPair(text, label, value string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, label+" ") && strings.HasSuffix(strings.TrimRight(l, " "), " "+value) {
			return true
		}
	}
	return false
}

// printedAs is s as the printers of lang print it: Romanian's comma
// below is printed as a cedilla, which their code page has.
func printedAs(lang, s string) string {
	if lang != "ro" {
		return s
	}
	return strings.NewReplacer("ș", "ş", "ț", "ţ", "Ș", "Ş", "Ț", "Ţ").Replace(s)
}

// A sales report by tax rate prints each rate as a percentage, and a
// period of whole days prints as its first and last day, not running
// into the midnight after it.
func TestSalesReportRatesAndDays(t *testing.T) {
	sk := stores["sk"]
	loc, err := time.LoadLocation("Europe/Bratislava")
	if err != nil {
		t.Fatal(err)
	}
	sk.store.TimeZone = "Europe/Bratislava"
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, loc)
	r := receipt.SalesReport{Store: sk.store, By: "tax_rate", From: day, To: day.AddDate(0, 0, 1), Printed: when,
		Rows: []receipt.SalesRow{{Key: "1000", Count: 4, Amount: 1200, Tax: 120}, {Key: "2300", Count: 9, Amount: 45678, Tax: 10506},
			{Key: "550", Count: 1, Amount: 100, Tax: 6}}}
	got := render(t, r, sk.profile, nil)
	text := stripCommands(got)
	for _, w := range []string{"10 % (4)", "23 % (9)", "5,5 % (1)", "22.11.2026\n"} {
		if !strings.Contains(text, w) {
			t.Errorf("sales report lacks %q:\n%s", w, got)
		}
	}
	for _, w := range []string{"2300", "23.11.2026", "00:00"} {
		if strings.Contains(text, w) {
			t.Errorf("sales report prints %q:\n%s", w, got)
		}
	}
	golden(t, "salesreport-sk", got)

	r.From, r.To = time.Date(2026, 11, 1, 0, 0, 0, 0, loc), time.Date(2026, 12, 1, 0, 0, 0, 0, loc)
	if text := stripCommands(render(t, r, sk.profile, nil)); !strings.Contains(text, "01.11.2026 - 30.11.2026\n") {
		t.Errorf("month printed as:\n%s", text)
	}
	// A period that is not whole days prints the times it runs between.
	r.From, r.To = day.Add(8*time.Hour), day.Add(12*time.Hour)
	if text := stripCommands(render(t, r, sk.profile, nil)); !strings.Contains(text, "22.11.2026 08:00 -\n") ||
		!strings.Contains(text, "22.11.2026 12:00\n") {
		t.Errorf("hours printed as:\n%s", text)
	}
}

// A refund receipt gives the goods and the money back under its banner
// and does not thank the customer for a purchase.
func TestRefundReceipt(t *testing.T) {
	for _, lang := range receipt.Langs {
		t.Run(lang, func(t *testing.T) {
			s := stores[lang]
			r := sampleReceipt(lang)
			r.Refund, r.Original, r.Change = true, 41, 0
			r.Payments = []receipt.Payment{{Method: "cash", Amount: r.Total}}
			text := stripCommands(render(t, r, s.profile, nil))
			printed := strings.NewReplacer("ș", "ş", "ț", "ţ") // as a code page prints Romanian
			for _, w := range []string{receipt.T(lang, "refund"), receipt.T(lang, "return_no") + " 1", receipt.T(lang, "orig_receipt") + " 41",
				receipt.Money(r.Total, s.store.Currency, lang)} {
				if w = printed.Replace(w); !strings.Contains(text, w) {
					t.Errorf("refund receipt lacks %q:\n%s", w, text)
				}
			}
			if thanks := printed.Replace(receipt.T(lang, "thanks")); strings.Contains(text, thanks) {
				t.Errorf("refund receipt thanks for a purchase, %q:\n%s", thanks, text)
			}
		})
	}
}

// A document's title prints whole on 58 mm paper, over two lines when it
// is wider than the 16 double-width columns: "POKLADNIČNÝ DOKLAD" was
// cut off. The lines of the title hold its words, all and in order, and
// nothing else.
func TestTitlesPrintWhole(t *testing.T) {
	printed := strings.NewReplacer("ș", "ş", "ț", "ţ", "Ș", "Ş", "Ț", "Ţ") // as a code page prints Romanian
	for _, lang := range receipt.Langs {
		t.Run(lang, func(t *testing.T) {
			s := stores[lang]
			docs := []struct {
				doc   receipt.Document
				title string
			}{
				{sampleReceipt(lang), receipt.T(lang, "receipt")},
				{receipt.FromShiftReport(sampleShift("Z"), s.store, when), receipt.T(lang, "z_report") + " #12"},
				{receipt.FromShiftReport(sampleShift("X"), s.store, when), receipt.T(lang, "x_report")},
			}
			for _, d := range docs {
				var font *escpos.Font
				if lang == receipt.LangTraditionalChinese {
					// Chinese on 58 mm prints as a raster of a font: one
					// of the characters the document prints reads it back.
					font = escpostest.SyntheticFont(stripCommands(render(t, d.doc, s.profile, nil)))
				}
				text := stripCommands(render(t, d.doc, escpos.Generic58, font))
				want := strings.Fields(printed.Replace(d.title))
				var got []string
				for _, l := range strings.Split(text, "\n") {
					words := strings.Fields(l)
					if len(words) > 0 && !slices.ContainsFunc(words, func(w string) bool { return !slices.Contains(want, w) }) {
						got = append(got, words...)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%q is printed as %q:\n%s", d.title, got, text)
				}
			}
		})
	}
}

// The store's header lines from central print whole on 58 mm paper,
// wrapped: they carry what the law asks a receipt to name, such as the
// company's registration, and were cut at the paper's edge.
func TestHeaderLinesPrintWhole(t *testing.T) {
	s := stores["ro"].store
	s.Address = []string{"Str. Ștefan cel Mare și Sfânt nr. 5, 700063 Iași", "CUI RO12345678, Reg. Com. J22/1234/2020"}
	s.TaxID = "Atribut fiscal RO, capital social 200 lei"
	r := sampleReceipt("ro")
	r.Store = s
	text := stripCommands(render(t, r, escpos.Generic58, nil))
	printed := strings.NewReplacer("ș", "ş", "ț", "ţ", "Ș", "Ş", "Ț", "Ţ") // as a code page prints Romanian
	// Read across its line breaks, the paper has each line whole, its
	// words in order: a word found elsewhere, as Iași in the store's
	// name, does not stand in for it.
	words := " " + strings.Join(strings.Fields(text), " ") + " "
	for _, line := range append(s.Address, s.TaxID) {
		if w := " " + strings.Join(strings.Fields(printed.Replace(line)), " ") + " "; !strings.Contains(words, w) {
			t.Errorf("header line %q is not printed whole:\n%s", line, text)
		}
	}
}
