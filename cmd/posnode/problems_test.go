package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/hardware/serialdev"
)

// Each condition that keeps a device from working reaches the screens as
// a code they translate, beside the English detail.
func TestDeviceProblemCodes(t *testing.T) {
	online := escpos.Status{Online: true}
	for _, c := range []struct {
		name    string
		state   printer.State
		virtual bool
		want    string
	}{
		{"ready", printer.State{Connected: true, Status: online}, false, ""},
		{"virtual", printer.State{}, true, ""},
		{"no port", printer.State{Err: "cannot open port: no such file"}, false, problemNotConnected},
		{"paper out", printer.State{Connected: true, Status: escpos.Status{Online: true, PaperOut: true}}, false, problemPaperOut},
		{"paper low prints", printer.State{Connected: true, Status: escpos.Status{Online: true, PaperNearEnd: true}}, false, ""},
		{"cover open", printer.State{Connected: true, Status: escpos.Status{CoverOpen: true}}, false, problemCoverOpen},
		{"cutter", printer.State{Connected: true, Status: escpos.Status{Online: true, CutterError: true}}, false, problemPrinterError},
		{"offline", printer.State{Connected: true}, false, problemOffline},
		{"stuck job", printer.State{Connected: true, Status: online, Stuck: "print job 7 was sent 3 times"}, false, problemStuck},
		{"paper out before stuck", printer.State{Connected: true, Status: escpos.Status{PaperOut: true}, Stuck: "print job 7"}, false, problemPaperOut},
		{"queue", printer.State{Connected: true, Status: online, Err: "read print queue: disk I/O error"}, false, problemQueue},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := viewPrinter(c.state, c.virtual)
			if v.Code != c.want {
				t.Errorf("code = %q, want %q", v.Code, c.want)
			}
			if c.want != "" && !slices.Contains(deviceProblems, c.want) {
				t.Errorf("code %q is not in deviceProblems", c.want)
			}
		})
	}
	lost := deviceView(serialdev.State{Name: "till-1 scanner", Reason: errors.New("unplugged")})
	if lost["code"] != problemNotConnected || lost["error"] != "unplugged" {
		t.Errorf("unplugged scanner = %v, want code %s and the detail", lost, problemNotConnected)
	}
	if v := deviceView(serialdev.State{Name: "till-1 scanner", Connected: true}); v["code"] != nil {
		t.Errorf("connected scanner has code %v", v["code"])
	}
}

// Every problem code the node sends has a string in each of the screens'
// languages.
func TestDeviceProblemsTranslated(t *testing.T) {
	for _, lang := range screenLanguages {
		strs := screenStrings(t, lang)
		for _, code := range deviceProblems {
			if strs["device.problem."+code] == "" {
				t.Errorf("%s.json has no device.problem.%s", lang, code)
			}
		}
	}
}

// screenLanguages are the languages the screens speak.
var screenLanguages = []string{"en", "sv", "sk", "ro", "zh-Hant"}

// screenStrings reads the screens' strings in lang.
func screenStrings(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "ui", "web", "i18n", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var strs map[string]string
	if err := json.Unmarshal(b, &strs); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return strs
}
