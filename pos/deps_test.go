package pos_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainImportsStandardLibraryOnly fails when package pos depends on
// anything outside the standard library: storage, devices, the network and
// the screens reach the domain through its interfaces, never the reverse.
func TestDomainImportsStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/posnode/posnode/pos" {
			t.Errorf("package pos depends on %s; the domain may use the standard library only", dep)
		}
	}
	// The rule is about I/O too: no database/sql, net or logging in the domain.
	out, err = exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "database/sql", "net", "net/http", "log", "log/slog", "os/exec":
			t.Errorf("package pos imports %s; the domain does no I/O", dep)
		}
	}
}
