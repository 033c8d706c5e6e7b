package pos

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCode(t *testing.T) {
	for _, tc := range []struct {
		name, in  string
		kind, key string
		price     int64
		grams     int64
		err       error
	}{
		{"EAN-13", "7310865004703", CodeGTIN, "7310865004703", 0, 0, nil},
		{"EAN-13 bad check digit", "7310865004704", "", "", 0, 0, ErrBadCheckDigit},
		{"EAN-8", "73108658", CodeGTIN, "73108658", 0, 0, nil},
		{"UPC-A becomes EAN-13", "012345678905", CodeGTIN, "0012345678905", 0, 0, nil},
		{"UPC-A bad check digit", "012345678901", "", "", 0, 0, ErrBadCheckDigit},
		{"GTIN-14 with leading zero", "07310865004703", CodeGTIN, "7310865004703", 0, 0, nil},
		{"GTIN-14 of an EAN-8 is the EAN-8", "00000073108658", CodeGTIN, "73108658", 0, 0, nil},
		{"GS1 (01) of an EAN-8 is the EAN-8", "(01)00000073108658", CodeGS1, "73108658", 0, 0, nil},
		{"UPC-E is its UPC-A", "04252614", CodeGTIN, "0042100005264", 0, 0, nil},
		{"UPC-E ending 3", "01234531", CodeGTIN, "0012300000451", 0, 0, nil},
		{"UPC-E ending 9", "01234596", CodeGTIN, "0012345000096", 0, 0, nil},
		{"the UPC-A of a UPC-E", "042100005264", CodeGTIN, "0042100005264", 0, 0, nil},
		{"EAN-8 starting with 0", "04252610", CodeGTIN, "04252610", 0, 0, nil},
		{"UPC-E bad check digit", "04252615", "", "", 0, 0, ErrBadCheckDigit},
		{"Swedish weight in grams (23)", "2300100012346", CodeVariable, "23001000", 0, 1234, nil},
		{"Swedish weight kg two decimals (24)", "2400101001255", CodeVariable, "24001010", 0, 1250, nil},
		{"Swedish price two decimals (20)", "2012345049902", CodeVariable, "20123450", 4990, 0, nil},
		{"Swedish price whole kronor (22)", "2212345000490", CodeVariable, "22123450", 4900, 0, nil},
		// GS1 Sweden: eight digits name the item, so items 20012341 and
		// 20012342 are two items, each at 49.90, not one at 149.90 and
		// 249.90.
		{"Swedish item number ending in the eighth digit", "2001234149907", CodeVariable, "20012341", 4990, 0, nil},
		{"the next Swedish item number", "2001234249904", CodeVariable, "20012342", 4990, 0, nil},
		{"Swedish weight kg one decimal (25)", "2500200999992", CodeVariable, "25002009", 0, 999900, nil},
		{"restricted prefix without a layout stays a GTIN", "2912345678906", CodeGTIN, "2912345678906", 0, 0, nil},
		{"internal code", "SKU-100234", CodeInternal, "SKU-100234", 0, 0, nil},
		{"short numeric internal code", "2300100", CodeInternal, "2300100", 0, 0, nil},
		{"a Swedish item key typed", "23001000", CodeInternal, "23001000", 0, 0, nil},
		{"an EAN-8 of a store's range with a wrong check digit", "29001000", "", "", 0, 0, ErrBadCheckDigit},
		{"receipt code", "R0000000042", CodeReceipt, "R0000000042", 0, 0, nil},
		{"tagged receipt code", "R7KQ20000000042", CodeReceipt, "R7KQ20000000042", 0, 0, nil},
		{"receipt code with a tag outside the alphabet", "R7KQZ0000000042", CodeInternal, "R7KQZ0000000042", 0, 0, nil},
		{"receipt code with a lower-case tag", "R7kq20000000042", CodeInternal, "R7kq20000000042", 0, 0, nil},
		{"receipt code with a short tag", "R7KQ0000000042", CodeInternal, "R7KQ0000000042", 0, 0, nil},
		{"pickup QR", "PICKUP:W-2026-000123:483920", CodePickup, "W-2026-000123", 0, 0, nil},
		{"pickup QR without code", "PICKUP:W-1", "", "", 0, 0, ErrBadCode},
		{"control byte", "731086\x0004703", "", "", 0, 0, ErrBadCode},
		{"a SKU typed with letters beyond ASCII", "ÄPPLE-1", CodeInternal, "ÄPPLE-1", 0, 0, nil},
		{"a byte of no UTF-8 text", "ÄPP\xffLE", "", "", 0, 0, ErrBadCode},
		{"a C1 control character", "A\u0085B", "", "", 0, 0, ErrBadCode},
		{"delete", "A\x7fB", "", "", 0, 0, ErrBadCode},
		{"empty", "  ", "", "", 0, 0, ErrBadCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if tc.kind == CodeVariable {
				in = in[:12] + string(GTINCheckDigit(in[:12])) // keep the fixtures honest
			}
			c, err := ParseCode(in, Sweden)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != tc.kind || c.Key != tc.key || c.Price != tc.price || c.Grams != tc.grams {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"7310865004703", "012345678905", "2300100012346", "PICKUP:a:b", "R0000000001", "R7KQ20000000001", "x",
		"]e00107310865004703", "01073108650047033103001250\x1d39222490", "(01)07310865004703(3202)000100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s, Sweden)
		if err != nil {
			return
		}
		if c.Key == "" || c.Price < 0 || c.Grams < 0 {
			t.Fatalf("accepted %q as %+v", s, c)
		}
		if c.Kind == CodeReceipt && ReceiptBarcode(c.ReceiptTag, c.ReceiptNo) != c.Raw {
			t.Fatalf("receipt code %q read as tag %q number %d", s, c.ReceiptTag, c.ReceiptNo)
		}
		for i := 0; i < len(c.Raw); i++ {
			if c.Raw[i] < 0x20 && c.Kind != CodeInternal {
				t.Fatalf("accepted %q with a control byte in Raw: %+v", s, c)
			}
		}
	})
}

// A receipt code names the node that printed it; one of another node is
// refused, R and ten digits are this node's.
func TestReceiptCode(t *testing.T) {
	tag := ReceiptTag("S-001", "till-1", "2026-11-22T09:00:00Z")
	if len(tag) != 4 || strings.Trim(tag, receiptTagAlphabet) != "" {
		t.Fatalf("tag %q: want four of %s", tag, receiptTagAlphabet)
	}
	for _, other := range []string{ReceiptTag("S-002", "till-1", "2026-11-22T09:00:00Z"),
		ReceiptTag("S-001", "till-2", "2026-11-22T09:00:00Z"), ReceiptTag("S-001", "till-1", "2026-12-01T07:30:00Z")} {
		if other == tag {
			t.Fatalf("another node or database has the tag %s", tag)
		}
	}
	for _, tc := range []struct {
		name, code string
		no         int64
		err        error
	}{
		{"this node's", ReceiptBarcode(tag, 42), 42, nil},
		{"printed before tags", "R0000000042", 42, nil},
		{"another store's", ReceiptBarcode(ReceiptTag("S-002", "till-1", "2026-11-22T09:00:00Z"), 42), 42, ErrOtherReceipt},
		{"largest number", ReceiptBarcode(tag, 9999999999), 9999999999, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCode(tc.code, Sweden)
			if err != nil || c.Kind != CodeReceipt || c.ReceiptNo != tc.no {
				t.Fatalf("ParseCode(%q) = %+v, %v", tc.code, c, err)
			}
			if err := OwnReceipt(c, tag); !errors.Is(err, tc.err) {
				t.Fatalf("OwnReceipt(%q) = %v, want %v", tc.code, err, tc.err)
			}
		})
	}
}

func TestParseGS1(t *testing.T) {
	const gtin = "07310865004703" // EAN-13 7310865004703 as a GTIN-14
	for _, tc := range []struct {
		name, in   string
		kind, key  string
		price      int64
		grams      int64
		raw        string
		err        error
		notGS1Kind string // set when the input is not read as GS1 at all
	}{
		{"DataBar with its AIM identifier", "]e001" + gtin, CodeGS1, "7310865004703", 0, 0, "(01)" + gtin, nil, ""},
		{"DataBar without AIM identifier", "01" + gtin, CodeGS1, "7310865004703", 0, 0, "(01)" + gtin, nil, ""},
		{"net weight kg, three decimals", "01" + gtin + "3103001250", CodeGS1, "7310865004703", 0, 1250, "(01)" + gtin + "(3103)001250", nil, ""},
		{"batch ended by GS, then weight", "01" + gtin + "10ABC123\x1d3103001250", CodeGS1, "7310865004703", 0, 1250, "(01)" + gtin + "(10)ABC123(3103)001250", nil, ""},
		{"leading FNC1 as GS", "\x1d01" + gtin + "3103001250", CodeGS1, "7310865004703", 0, 1250, "(01)" + gtin + "(3103)001250", nil, ""},
		{"price, two decimals", "]C101" + gtin + "3922004990", CodeGS1, "7310865004703", 4990, 0, "(01)" + gtin + "(3922)004990", nil, ""},
		{"weight and price", "01" + gtin + "3103001250\x1d39222490", CodeGS1, "7310865004703", 2490, 1250, "(01)" + gtin + "(3103)001250(3922)2490", nil, ""},
		{"weight, price after it without GS", "01" + gtin + "310300125039222490", CodeGS1, "7310865004703", 2490, 1250, "(01)" + gtin + "(3103)001250(3922)2490", nil, ""},
		{"price in whole units", "(01)" + gtin + "(3920)25", CodeGS1, "7310865004703", 2500, 0, "(01)" + gtin + "(3920)25", nil, ""},
		{"price with three decimals rounds", "(01)" + gtin + "(3923)12345", CodeGS1, "7310865004703", 1235, 0, "(01)" + gtin + "(3923)12345", nil, ""},
		{"typed in brackets", "(01)" + gtin + "(3102)000125", CodeGS1, "7310865004703", 0, 1250, "(01)" + gtin + "(3102)000125", nil, ""},
		{"pounds", "(01)" + gtin + "(3202)000100", CodeGS1, "7310865004703", 0, 454, "(01)" + gtin + "(3202)000100", nil, ""},
		{"dates and batch read past", "(01)" + gtin + "(17)261231(10)L1", CodeGS1, "7310865004703", 0, 0, "(01)" + gtin + "(17)261231(10)L1", nil, ""},
		{"case GTIN-14 keeps 14 digits", "(01)17310865004700", CodeGS1, "17310865004700", 0, 0, "(01)17310865004700", nil, ""},
		{"Swedish variable measure in AI 01", "(01)02300100012346", CodeVariable, "23001000", 0, 1234, "(01)02300100012346", nil, ""},
		{"Swedish variable measure with a weight AI", "(01)02300100000008(3103)000750", CodeVariable, "23001000", 0, 750, "(01)02300100000008(3103)000750", nil, ""},
		{"wrong GTIN check digit", "(01)07310865004704", "", "", 0, 0, "", ErrBadCheckDigit, ""},
		{"unknown AI after GS", "01" + gtin + "\x1d5512", "", "", 0, 0, "", ErrBadCode, ""},
		{"no GTIN", "(10)ABC", "", "", 0, 0, "", ErrBadCode, ""},
		{"price in a named currency", "(01)" + gtin + "(3932)752004990", "", "", 0, 0, "", ErrBadCode, ""},
		{"two weights", "(01)" + gtin + "(3103)001250(3102)000125", "", "", 0, 0, "", ErrBadCode, ""},
		{"a weight in kg and one in lb", "(01)" + gtin + "(3103)001250(3202)000100", "", "", 0, 0, "", ErrBadCode, ""},
		{"two prices", "(01)" + gtin + "(3922)2490(3921)249", "", "", 0, 0, "", ErrBadCode, ""},
		{"batch given twice", "(01)" + gtin + "(10)A(10)B", "", "", 0, 0, "", ErrBadCode, ""},
		{"two AIs of one family", "(01)" + gtin + "(7003)2612311200(7006)261201", CodeGS1, "7310865004703", 0, 0, "(01)" + gtin + "(7003)2612311200(7006)261201", nil, ""},
		{"weight too short", "]e001" + gtin + "310300125", "", "", 0, 0, "", ErrBadCode, ""},
		{"zero weight", "(01)" + gtin + "(3103)000000", "", "", 0, 0, "", ErrBadCode, ""},
		{"batch longer than 20", "(01)" + gtin + "(10)ABCDEFGHIJKLMNOPQRSTU", "", "", 0, 0, "", ErrBadCode, ""},
		{"letters in a weight", "(01)" + gtin + "(3103)00A250", "", "", 0, 0, "", ErrBadCode, ""},
		{"unclosed bracket", "(01" + gtin, "", "", 0, 0, "", ErrBadCode, ""},
		{"other control byte", "01" + gtin + "10A\x1e", "", "", 0, 0, "", ErrBadCode, ""},
		{"digits that do not parse as GS1 stay an internal code", "01" + gtin + "5512", "", "", 0, 0, "", nil, CodeInternal},
		{"a store's 16 digits after 01 that are no GTIN stay its own code", "0112345678901234", "", "", 0, 0, "", nil, CodeInternal},
		{"a store's code after 01 that is no GTIN, then a weight", "01123456789012343103001250", "", "", 0, 0, "", nil, CodeInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCode(tc.in, Sweden)
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			case err != nil:
				t.Fatal(err)
			case tc.notGS1Kind != "":
				if c.Kind != tc.notGS1Kind || c.Raw != tc.in {
					t.Fatalf("got %+v, want kind %s", c, tc.notGS1Kind)
				}
				return
			}
			if c.Kind != tc.kind || c.Key != tc.key || c.Price != tc.price || c.Grams != tc.grams || c.Raw != tc.raw {
				t.Errorf("got %+v", c)
			}
		})
	}
}

// TestScaleLayouts: a layout is checked before use; With puts one in
// place of a market's without changing the market; String tells tables
// apart by what they read, whatever their name.
func TestScaleLayouts(t *testing.T) {
	for _, tc := range []struct {
		l    VMLayout
		want string
	}{
		{VMLayout{KeyLen: 8, ValueStart: 8, PriceFactor: 1}, ""},
		{VMLayout{KeyLen: 2, ValueStart: 2, GramFactor: 1000}, ""},
		{VMLayout{KeyLen: 7, ValueStart: 8, PriceFactor: 10}, ""},
		{VMLayout{KeyLen: 1, ValueStart: 2, PriceFactor: 1}, "item key is 1 digits"},
		{VMLayout{KeyLen: 12, ValueStart: 12, PriceFactor: 1}, "item key is 12 digits"},
		{VMLayout{KeyLen: 8, ValueStart: 7, PriceFactor: 1}, "value starts at digit 8"},
		{VMLayout{KeyLen: 8, ValueStart: 12, PriceFactor: 1}, "value starts at digit 13"},
		{VMLayout{KeyLen: 8, ValueStart: 8}, "one of them"},
		{VMLayout{KeyLen: 8, ValueStart: 8, PriceFactor: 1, GramFactor: 1}, "one of them"},
		{VMLayout{KeyLen: 8, ValueStart: 8, GramFactor: 3}, "factor 3"},
	} {
		err := tc.l.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.l, err, tc.want)
		}
	}
	own := Sweden.With('8', VMLayout{KeyLen: 7, ValueStart: 8, PriceFactor: 1})
	if _, ok := Sweden.Layouts['8']; ok {
		t.Fatal("With changed Sweden")
	}
	body := "281234590499"
	c, err := ParseCode(body+string(GTINCheckDigit(body)), own)
	if err != nil || c.Kind != CodeVariable || c.Key != "2812345" || c.Price != 499 {
		t.Fatalf("a layout with a price check digit: %+v, %v", c, err)
	}
	if s := Sweden.String(); s != "20:8/8/p1,21:8/8/p10,22:8/8/p100,23:8/8/g1,24:8/8/g10,25:8/8/g100" {
		t.Errorf("Sweden = %s", s)
	}
	same := NoScaleLabels
	for d, l := range Sweden.Layouts {
		same = same.With(d, l)
	}
	if same.String() != Sweden.String() || own.String() == Sweden.String() || NoScaleLabels.String() != "" {
		t.Errorf("tables: %q, %q, %q", same, own, NoScaleLabels)
	}
}
