package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/printer/printertest"
)

// A printer out of paper shows on the manager's device list in the
// screen's language, English or Swedish, with the node's English detail
// kept beside it.
func TestDeviceProblemTranslated(t *testing.T) {
	t.Parallel()
	prn := printertest.New(t, printertest.Options{})
	cfg := fmt.Sprintf("[[stations]]\nid = %q\nkind = \"till\"\nname = \"Till 1\"\nprinter = %q\nprinter_profile = \"tm-t20\"\n",
		tillStation, prn.Path())
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--config", cfgPath)

	manager := browser(t)
	login(t, manager, n.base, tillStation, "3", "3333")
	run(t, manager, "the manager's health page", visible(`[data-device=printer].ok`),
		click(`[data-test=nav-manager]`), visible(`.manager`))
	prn.SetStatus(escpos.Status{Online: true, PaperOut: true, DrawerKnown: true})
	row := `[data-test="device-` + tillStation + `-printer"]`
	run(t, manager, "paper out in English", hasText(row, loadStrings(t, "en")["device.problem.paper_out"]))
	shot(t, manager, "manager-printer-paper-out")
	run(t, manager, "switch to Swedish",
		click(`header [data-test=lang]`),
		click(`[data-lang=sv]`),
		hasText(row, loadStrings(t, "sv")["device.problem.paper_out"]))
}
