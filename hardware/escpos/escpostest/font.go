package escpostest

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/posnode/posnode/hardware/escpos"
)

// SyntheticFont returns a .hex font with a made-up, distinct glyph for
// every rune of runes plus printable ASCII and '?'. Wide runes get 16x16
// glyphs. Tests use it in place of a real font so they run anywhere and
// ship no font data.
func SyntheticFont(runes string) *escpos.Font {
	f, err := escpos.ParseFont(strings.NewReader(SyntheticHex(runes)))
	if err != nil {
		panic(err) // SyntheticHex always writes a valid font
	}
	return f
}

// SyntheticHex is the .hex text of SyntheticFont.
func SyntheticHex(runes string) string {
	seen := map[rune]bool{}
	var b strings.Builder
	add := func(r rune) {
		if seen[r] || escpos.RuneWidth(r) == 0 {
			return
		}
		seen[r] = true
		h := fnv.New64a()
		fmt.Fprintf(h, "%d", r)
		seed := h.Sum64()
		fmt.Fprintf(&b, "%04X:", r)
		wide := escpos.RuneWidth(r) == 2
		for y := 0; y < 16; y++ {
			seed = seed*6364136223846793005 + 1442695040888963407
			row := uint16(seed >> 40)
			if y == 0 || y == 15 {
				// A blank top and bottom row; every other row has its
				// outer dots clear and a mark inside, so no glyph is blank.
				if wide {
					b.WriteString("0000")
				} else {
					b.WriteString("00")
				}
				continue
			}
			if wide {
				fmt.Fprintf(&b, "%04X", row&0x7FFE|0x4002)
			} else {
				fmt.Fprintf(&b, "%02X", byte(row)&0x7E|0x42)
			}
		}
		b.WriteByte('\n')
	}
	for r := rune(0x20); r < 0x7F; r++ {
		if r != ' ' {
			add(r)
		}
	}
	for _, r := range runes {
		if r != ' ' {
			add(r)
		}
	}
	return b.String()
}
