package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/printer/printertest"
)

// TestTrainingReceiptPrinted closes a training cart at a till whose
// receipt printer is on a pseudo-terminal: the receipt prints marked as
// training at the top and the bottom with its training number, and the
// drawer stays shut; the real cash sale after it prints as a receipt and
// opens the drawer. A copy of the training receipt, asked for at the
// till, prints marked as training as the original did, and as a copy.
func TestTrainingReceiptPrinted(t *testing.T) {
	prn, addr, p := startTillWithPrinter(t)
	c := login(t, addr, "1", "1111")
	// The drawer opens only on a printer that answers: wait for it, so
	// that a kick asked for would be seen.
	c.waitPrinter("till-1")
	sell := func(cart map[string]any, close string) map[string]any {
		id := cart["id"].(string)
		c.call("POST", "/api/v1/carts/"+id+"/scan", map[string]string{"code": "7310865004703"}, 200)
		c.call("POST", "/api/v1/carts/"+id+"/payments", map[string]any{"method": "cash", "amount": 50000}, 200)
		return c.call("POST", "/api/v1/carts/"+id+"/"+close, nil, 200)
	}
	training := c.call("POST", "/api/v1/cart", map[string]any{"training": true,
		"supervisor": map[string]string{"staff": "2", "pin": "2222"}}, 200)
	if tr := sell(training, "training"); num(tr["no"]) != 1 {
		t.Fatalf("training receipt = %v", tr)
	}
	if sale := sell(c.call("GET", "/api/v1/cart", nil, 200), "complete"); num(sale["receipt_no"]) != 1 {
		t.Fatalf("sale after training = %v", sale)
	}
	var jobs []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if jobs = prn.Jobs(); len(jobs) >= 2 && prn.Kicks() > 0 {
			break
		}
	}
	if len(jobs) != 2 || prn.Kicks() != 1 {
		t.Fatalf("printer got %d jobs and %d drawer kicks, want 2 and 1 (the sale's):\n%s\n%s", len(jobs), prn.Kicks(),
			strings.Join(jobs, "\n-----\n"), p.out)
	}
	// The demo store prints in Swedish.
	tr := jobs[0]
	if n := strings.Count(tr, "ÖVNING"); n != 2 || !strings.Contains(tr, "INGET KVITTO") || !strings.Contains(tr, "Övning nr 1") {
		t.Errorf("training receipt not marked (%d marks):\n%s", n, tr)
	}
	if strings.Contains(tr, "[BARCODE") || !strings.Contains(tr, "Ryggsäck 20 l") {
		t.Errorf("training receipt:\n%s", tr)
	}
	if sale := jobs[1]; strings.Contains(sale, "ÖVNING") || !printedReceiptCode(1).MatchString(sale) {
		t.Errorf("sale's receipt:\n%s", sale)
	}

	c.call("POST", "/api/v1/receipts/copies", map[string]string{"kind": "training", "ref": "1"}, 200)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(jobs) < 3; time.Sleep(20 * time.Millisecond) {
		jobs = prn.Jobs()
	}
	if len(jobs) != 3 || prn.Kicks() != 1 {
		t.Fatalf("printer got %d jobs and %d drawer kicks after the copy, want 3 and 1", len(jobs), prn.Kicks())
	}
	if cp := jobs[2]; strings.Count(cp, "ÖVNING") != 2 || !strings.Contains(cp, "Övning nr 1") || !strings.Contains(cp, "KOPIA") ||
		strings.Contains(cp, "[BARCODE") {
		t.Errorf("copy of the training receipt:\n%s", cp)
	}
}

// startTillWithPrinter starts a node whose station till-1 has a receipt
// printer on a pseudo-terminal.
func startTillWithPrinter(t *testing.T) (*printertest.Sim, string, *proc) {
	t.Helper()
	prn := newTillPrinter(t)
	cfg := fmt.Sprintf(`
[[stations]]
id = "till-1"
kind = "till"
printer = %q
printer_profile = "tm-t20"
`, prn.Path())
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	return prn, addr, startNode(t, t.TempDir(), addr, "--config", cfgPath)
}
