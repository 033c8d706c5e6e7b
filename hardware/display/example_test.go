package display_test

import (
	"fmt"
	"strings"

	"github.com/posnode/posnode/hardware/display"
)

// screenPrinter shows the text bytes of each screen, with commands
// abbreviated, as a stand-in for a serial device.
type screenPrinter struct{}

func (screenPrinter) Write(p []byte) (int, error) {
	r := strings.NewReplacer("\x1b@", "<init>", "\x1f\x01", "<overwrite>", "\x0c", "<clear>", "\x0b", "<home>", "\x1f$\x01\x02", "<line2>")
	s := string(p)
	if i := strings.Index(s, "\x1bt"); i >= 0 {
		s = s[:i] + fmt.Sprintf("<page %d>", s[i+2]) + s[i+3:]
	}
	fmt.Printf("%q\n", r.Replace(s))
	return len(p), nil
}

func Example() {
	// An ASCII-only display: Swedish text is transliterated.
	d, err := display.New(screenPrinter{}, display.Options{Language: "sv"})
	if err != nil {
		fmt.Println(err)
		return
	}
	d.ShowItem("Räksmörgås", "79,00 kr")
	d.ShowTotal("104,00 kr")
	// Output:
	// "<init><overwrite><clear><home>Raksmorgas          <line2>            79,00 kr"
	// "<clear><home>Att betala          <line2>           104,00 kr"
}
