package drawer

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// step is one poll (o: open, c: closed, u: unknown), a kick when MayKick
// allows it (k), a kick regardless (K), or a second without a reading (-, the
// printer busy printing), each one second after the previous step.
func run(o Options, steps string) (string, *Tracker) {
	tr := NewTracker(o)
	var out []string
	for i, c := range steps {
		at := t0.Add(time.Duration(i) * time.Second)
		var r Reading
		switch c {
		case '-':
			continue
		case 'k':
			if !tr.MayKick(at) {
				out = append(out, fmt.Sprintf("%d:refused", i))
				continue
			}
			tr.Kicked(at)
			continue
		case 'K':
			tr.Kicked(at)
			continue
		case 'o':
			r = Reading{Known: true, Open: true}
		case 'c':
			r = Reading{Known: true}
		}
		for _, e := range tr.Observe(r, at) {
			s := fmt.Sprintf("%d:%s", i, e.Kind)
			if e.OpenFor > 0 {
				s += fmt.Sprintf("(%v)", e.OpenFor)
			}
			if e.Kicked {
				s += "(kicked)"
			}
			if e.First {
				s += "(first)"
			}
			out = append(out, s)
		}
	}
	return strings.Join(out, " "), tr
}

func TestTracker(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		steps string
		want  string
		state State
	}{
		{"settles closed quietly", Options{}, "cc", "", Closed},
		{"kick opens and closes", Options{}, "cckoocc", "4:opened(kicked) 6:closed(2s)", Closed},
		{"single misread ignored", Options{}, "ccocc", "", Closed},
		{"opened by key, no kick", Options{}, "ccoo", "3:opened", Open},
		{"kick that does not open", Options{}, "ccoocckcccc", "3:opened 5:closed(2s) 9:did not open", Closed},
		{"second kick while open refused", Options{}, "cckookc", "4:opened(kicked) 5:refused", Open},
		{"second kick within grace refused", Options{}, "cckkc", "3:refused", Closed},
		{"kick allowed again after grace", Options{KickGrace: 2 * time.Second}, "ccoocckcck", "3:opened 5:closed(2s) 8:did not open", Closed},
		{"left open alarm once", Options{OpenAlarm: 3 * time.Second}, "ccoooooocc", "3:opened 6:left open(3s) 9:closed(6s)", Closed},
		{"alarm disabled", Options{OpenAlarm: -1}, "ccoooooo", "3:opened", Open},
		{"printer offline is news at once", Options{}, "ccuu", "2:state unknown", Unknown},
		{"back online open", Options{}, "ccuoo", "2:state unknown 4:opened", Open},
		// An opening that outlasts a spell without status (the printer
		// busy or briefly offline) is one opening, timed from its start.
		{"open through a spell unknown is one opening", Options{}, "ccoouoocc", "3:opened 4:state unknown 8:closed(5s)", Closed},
		{"left open alarm counts from before the spell unknown", Options{OpenAlarm: 4 * time.Second}, "ccoouuoo", "3:opened 4:state unknown 7:left open(4s)", Open},
		{"closed during a spell unknown", Options{}, "ccoouucc", "3:opened 4:state unknown 7:closed(4s)", Closed},
		{"debounce 1", Options{Debounce: 1}, "coc", "1:opened 2:closed(1s)", Closed},
		// The kick goes out with the receipt and the printer answers no
		// status until the receipt is printed: the first reading after the
		// grace shows the drawer open, and the next one settles it.
		{"kick seen open only after the grace", Options{}, "cck--oo", "6:opened(kicked)", Open},
		// Nor is a drawer seen shut after it proof: the cashier may have
		// opened and shut it, paid in exact cash, while the receipt
		// printed. Only readings within the grace judge a kick.
		{"kick unseen through the grace, then closed", Options{}, "cck---cc", "", Closed},
		{"kick seen open once after the grace, then closed", Options{}, "cck--oc", "", Closed},
		{"kick seen shut within the grace, then open once", Options{}, "ccoocckc-occ", "3:opened 5:closed(2s) 10:did not open", Closed},
		// A printer busy with the receipt may not answer in time: no
		// state is no proof that the kick failed, and the opening seen
		// after it is the kick's.
		{"kick, then no state, then open", Options{}, "cckuuuuoo", "3:state unknown 8:opened(kicked)", Open},
		{"kick, then no state, then closed", Options{}, "cckuuuucc", "3:state unknown", Closed},
		// A drawer open at the first reading may have opened before
		// anyone watched it.
		{"open at the first reading", Options{}, "oo", "1:opened(first)", Open},
		// A connector with no drawer on it reads one level for good, which
		// may be either: no alarm until the switch is seen to move.
		{"never seen to move, a kick is not judged", Options{}, "cckcccc", "", Closed},
		{"never seen to move, open is not left open", Options{OpenAlarm: 3 * time.Second}, "oooooo", "1:opened(first)", Open},
		{"left open once seen to move", Options{OpenAlarm: 3 * time.Second}, "ooccooooo", "1:opened(first) 3:closed(2s) 5:opened 8:left open(3s)", Open},
		{"kick while open changes nothing", Options{}, "cckooKccc", "4:opened(kicked) 7:closed(3s)", Closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tr := run(tt.opts, tt.steps)
			if got != tt.want {
				t.Errorf("events %q, want %q", got, tt.want)
			}
			if tr.State() != tt.state {
				t.Errorf("state %v, want %v", tr.State(), tt.state)
			}
		})
	}
}

func TestParsePolarity(t *testing.T) {
	for in, want := range map[string]Polarity{"": OpenLow, "open-low": OpenLow, "LOW": OpenLow, " open-high ": OpenHigh, "high": OpenHigh} {
		got, err := ParsePolarity(in)
		if err != nil || got != want {
			t.Errorf("ParsePolarity(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParsePolarity("inverted"); err == nil {
		t.Error("ParsePolarity(inverted) succeeded")
	}
	if OpenLow.OpenWhenHigh() || !OpenHigh.OpenWhenHigh() {
		t.Error("OpenWhenHigh wrong")
	}
}
