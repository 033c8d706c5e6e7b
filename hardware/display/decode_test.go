package display

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// screenState is what a 2×20 display shows after a byte stream, as the
// ESC/POS customer display command set defines it. It understands exactly
// the commands this package sends and records anything else as an error, so
// a stray byte fails the test that feeds it.
type screenState struct {
	lines    [2][]byte
	row, col int
	page     byte
	inits    int
	commands []string
	errs     []string
}

var testPages = map[byte]*charmap.Charmap{0: charmap.CodePage437, 2: charmap.CodePage850, 16: charmap.Windows1252, 18: charmap.CodePage852, 19: charmap.CodePage858}

func newScreenState() *screenState {
	s := &screenState{}
	s.clear()
	return s
}

func (s *screenState) clear() {
	for i := range s.lines {
		s.lines[i] = []byte(strings.Repeat(" ", 20))
	}
	s.row, s.col = 0, 0
}

func (s *screenState) feed(b []byte) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		need := func(n int) bool {
			if i+n >= len(b) {
				s.errs = append(s.errs, fmt.Sprintf("truncated command at %d", i))
				i = len(b)
				return false
			}
			return true
		}
		switch {
		case c == 0x1b:
			if !need(1) {
				return
			}
			switch b[i+1] {
			case '@':
				s.clear()
				s.page = 0
				s.inits++
				s.commands = append(s.commands, "init")
				i++
			case 't':
				if !need(2) {
					return
				}
				s.page = b[i+2]
				s.commands = append(s.commands, fmt.Sprintf("page %d", s.page))
				i += 2
			default:
				s.errs = append(s.errs, fmt.Sprintf("unknown ESC %#x", b[i+1]))
				i++
			}
		case c == 0x1f:
			if !need(1) {
				return
			}
			switch b[i+1] {
			case 0x01:
				s.commands = append(s.commands, "overwrite")
				i++
			case '$':
				if !need(3) {
					return
				}
				x, y := int(b[i+2]), int(b[i+3])
				if x < 1 || x > 20 || y < 1 || y > 2 {
					s.errs = append(s.errs, fmt.Sprintf("cursor out of range %d,%d", x, y))
				}
				s.col, s.row = x-1, y-1
				s.commands = append(s.commands, fmt.Sprintf("cursor %d,%d", x, y))
				i += 3
			default:
				s.errs = append(s.errs, fmt.Sprintf("unknown US %#x", b[i+1]))
				i++
			}
		case c == 0x0c:
			s.clear()
			s.commands = append(s.commands, "clear")
		case c == 0x0b:
			s.row, s.col = 0, 0
			s.commands = append(s.commands, "home")
		case c < 0x20 || c == 0x7f:
			s.errs = append(s.errs, fmt.Sprintf("control byte %#x", c))
		default:
			if s.col >= 20 {
				s.errs = append(s.errs, fmt.Sprintf("line %d overflows", s.row+1))
				continue
			}
			s.lines[s.row][s.col] = c
			s.col++
		}
	}
}

// text returns line n (0 or 1) decoded with the selected code page.
func (s *screenState) text(n int) string {
	cm := testPages[s.page]
	out, err := cm.NewDecoder().Bytes(s.lines[n])
	if err != nil {
		return fmt.Sprintf("<undecodable %q>", s.lines[n])
	}
	return string(out)
}
