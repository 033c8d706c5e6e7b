package escpos

import (
	"strings"
	"unicode"

	"golang.org/x/text/encoding/charmap"
)

// CodePage is a single-byte character table a printer selects with ESC t n.
type CodePage struct {
	// Number is the n of ESC t n in the Epson numbering, which most
	// ESC/POS printers follow.
	Number byte
	// Name is the usual name of the table, such as "CP858".
	Name string
	// Charmap encodes and decodes the upper half of the table. The lower
	// half (0x20..0x7E) is ASCII on every page used here.
	Charmap *charmap.Charmap
}

// Standard ESC t numbers (Epson ESC/POS Application Programming Guide,
// "ESC t: Select character code table"). Only tables that
// golang.org/x/text can encode are listed.
var (
	PC437    = CodePage{0, "CP437", charmap.CodePage437}
	PC850    = CodePage{2, "CP850", charmap.CodePage850}
	PC860    = CodePage{3, "CP860", charmap.CodePage860}
	PC863    = CodePage{4, "CP863", charmap.CodePage863}
	PC865    = CodePage{5, "CP865", charmap.CodePage865}
	WPC1252  = CodePage{16, "CP1252", charmap.Windows1252}
	PC866    = CodePage{17, "CP866", charmap.CodePage866}
	PC852    = CodePage{18, "CP852", charmap.CodePage852}
	PC858    = CodePage{19, "CP858", charmap.CodePage858}
	PC862    = CodePage{36, "CP862", charmap.CodePage862}
	ISO88592 = CodePage{39, "ISO-8859-2", charmap.ISO8859_2}
	ISO88595 = CodePage{40, "ISO-8859-15", charmap.ISO8859_15}
	WPC1250  = CodePage{45, "CP1250", charmap.Windows1250}
	WPC1251  = CodePage{46, "CP1251", charmap.Windows1251}
)

// KnownCodePages lists every code page this package can encode, by ESC t
// number. Decoders use it to turn printer bytes back into text.
var KnownCodePages = []CodePage{
	PC437, PC850, PC860, PC863, PC865, WPC1252, PC866, PC852, PC858,
	PC862, ISO88592, ISO88595, WPC1250, WPC1251,
}

// CodePageByNumber returns the known code page selected by ESC t n.
func CodePageByNumber(n byte) (CodePage, bool) {
	for _, cp := range KnownCodePages {
		if cp.Number == n {
			return cp, true
		}
	}
	return CodePage{}, false
}

// DoubleByte says how a printer prints Traditional Chinese natively.
type DoubleByte int

const (
	// NoDoubleByte: the printer has no Chinese font; Chinese text is
	// rendered by the node and sent as a raster image (GS v 0).
	NoDoubleByte DoubleByte = iota
	// Big5Kanji: Traditional Chinese firmware (Epson "Traditional Chinese
	// model"). FS & enters Kanji mode, in which a byte pair of standard
	// Big5 prints one 24x24 character; FS . leaves it. FS C (Kanji code
	// system) exists only on Japanese models and is never sent.
	Big5Kanji
)

// Profile describes one printer model.
type Profile struct {
	// Name identifies the profile in configuration, e.g. "tm-t88".
	Name string
	// Columns is the number of Font A characters (12x24 dots) on a line.
	Columns int
	// Dots is the printable width in dots (203 dpi).
	Dots int
	// CodePages lists the tables the model has, in order of preference.
	// The first one is selected after every ESC @.
	CodePages []CodePage
	// DoubleByte says whether Chinese prints in the printer's own font.
	DoubleByte DoubleByte
	// DrawerStatus reports whether the model reports the drawer-open
	// switch (connector pin 3) in DLE EOT 1.
	DrawerStatus bool
	// QR reports whether the model prints QR codes natively (GS ( k).
	QR bool
}

// CellDots is the width of one Font A column in dots.
const CellDots = 12

// LineDots is the height of one Font A text line in dots.
const LineDots = 24

// Profiles. The Epson 80 mm models are used with Font A at 48 columns
// (576 dots); their "42 column mode" memory switch must stay off.
var (
	// TMT88 is an Epson TM-T88V/VI/VII, 80 mm, international firmware.
	TMT88 = Profile{
		Name: "tm-t88", Columns: 48, Dots: 576,
		CodePages: []CodePage{PC858, WPC1252, PC852, WPC1250, ISO88592, ISO88595,
			PC437, PC850, PC865, PC866, WPC1251},
		DrawerStatus: true, QR: true,
	}
	// TMT88TraditionalChinese is the same printer with Traditional Chinese
	// firmware: Big5 through Kanji mode, and the usual code pages.
	TMT88TraditionalChinese = Profile{
		Name: "tm-t88-zh-hant", Columns: 48, Dots: 576,
		CodePages: []CodePage{PC858, WPC1252, PC852, WPC1250, ISO88592, ISO88595,
			PC437, PC850, PC865, PC866, WPC1251},
		DoubleByte: Big5Kanji, DrawerStatus: true, QR: true,
	}
	// TMT20 is an Epson TM-T20/TM-T20II, 80 mm.
	TMT20 = Profile{
		Name: "tm-t20", Columns: 48, Dots: 576,
		CodePages:    []CodePage{PC858, WPC1252, PC852, PC437, PC850, PC866},
		DrawerStatus: true, QR: true,
	}
	// Generic58 is a common 58 mm printer (384 dots, 32 columns). Such
	// printers usually ship with a GB18030 font, not Big5, so Chinese is
	// sent as a raster image, and power up in Chinese mode, which Init
	// leaves; the drawer switch is not reported.
	Generic58 = Profile{
		Name: "generic-58", Columns: 32, Dots: 384,
		CodePages: []CodePage{PC858, WPC1252, PC852, PC437, PC850},
		QR:        true,
	}
)

// Profiles lists the built-in profiles.
var Profiles = []Profile{TMT88, TMT88TraditionalChinese, TMT20, Generic58}

// ProfileByName returns the built-in profile with the given name. Case,
// '-', '_' and spaces are ignored, so "TM-T20", "tm_t20" and "tmt20" name
// the same profile, and "generic58" is "generic-58".
func ProfileByName(name string) (Profile, bool) {
	want := normName(name)
	for _, p := range Profiles {
		if normName(p.Name) == want {
			return p, true
		}
	}
	return Profile{}, false
}

func normName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ' ':
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}
