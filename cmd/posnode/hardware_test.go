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

// TestTillWithSerialDevices runs a node whose till has a scanner and a
// receipt printer on pseudo-terminals: codes typed into the scanner's pty
// reach the cart, a cash sale prints its receipt on the printer's pty and
// kicks the drawer.
func TestTillWithSerialDevices(t *testing.T) {
	scanMaster, scanSlave := printertest.OpenPTY(t)
	defer scanMaster.Close()
	defer scanSlave.Close()
	prn := newTillPrinter(t)
	cfg := fmt.Sprintf(`
[[stations]]
id = "till-1"
kind = "till"
scanner = %q
printer = %q
printer_profile = "tm-t20"
`, scanSlave.Name(), prn.Path())
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := startNode(t, t.TempDir(), addr, "--config", cfgPath)
	c := login(t, addr, "1", "1111")
	// The devices connect in the first moments; the drawer opens only on a
	// printer that answers (a kick is never kept for later).
	c.waitPrinter("till-1")
	cart := c.call("GET", "/api/v1/cart", nil, 200)
	id := cart["id"].(string)

	// The last is a GS1 DataBar sticker from a scale, as a scanner sends
	// it: its AIM identifier, the GTIN of the weighed apples, a batch
	// ended by a group separator, then 0.750 kg.
	for _, code := range []string{"7310865004703", "7310865004727", weighedCode("23001000", 500),
		"]e00102300100000008" + "10LOT7\x1d" + "3103000750"} {
		if _, err := scanMaster.Write([]byte(code + "\r")); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		cart = c.call("GET", "/api/v1/carts/"+id, nil, 200)
		if len(cart["lines"].([]any)) == 4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(cart["lines"].([]any)); n != 4 {
		t.Fatalf("cart has %d lines after 4 scans:\n%s", n, p.out)
	}
	if l := cart["lines"].([]any)[3].(map[string]any); num(l["qty"]) != 750 || l["barcode"] != "(01)02300100000008(10)LOT7(3103)000750" {
		t.Fatalf("line of the GS1 sticker: %v", l)
	}
	cart = c.call("POST", "/api/v1/carts/"+id+"/payments", map[string]any{"method": "cash", "amount": 100000}, 200)
	sale := c.call("POST", "/api/v1/carts/"+id+"/complete", nil, 200)
	if num(sale["receipt_no"]) != 1 {
		t.Fatalf("sale = %v", sale)
	}
	var jobs []string
	for deadline = time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if jobs = prn.Jobs(); len(jobs) > 0 && prn.Kicks() > 0 {
			break
		}
	}
	if len(jobs) != 1 || prn.Kicks() != 1 {
		t.Fatalf("printer got %d jobs and %d drawer kicks, want 1 and 1:\n%s", len(jobs), prn.Kicks(), p.out)
	}
	// The kick opens the drawer, as the node sees through the printer's
	// status, so no alarm says it did not.
	c.waitDrawer("till-1", "open")
	if !printedReceiptCode(1).MatchString(jobs[0]) {
		t.Errorf("receipt lacks the code of receipt 1:\n%s", jobs[0])
	}
	for _, want := range []string{"Ryggsäck 20 l", "0,500 kg", "0,750 kg", "[CUT"} {
		if !strings.Contains(jobs[0], want) {
			t.Errorf("receipt lacks %q:\n%s", want, jobs[0])
		}
	}
	// A copy of the receipt and a return against it print at the till too.
	c.call("POST", "/api/v1/receipts/copies", map[string]string{"kind": "sale", "ref": sale["sale_id"].(string)}, 200)
	c.call("POST", "/api/v1/returns", map[string]any{"receipt": "R0000000001", "reason": "changed mind",
		"items": []any{map[string]any{"line": "1", "qty": 1, "restock": true}}}, 200)
	for deadline = time.Now().Add(10 * time.Second); len(prn.Jobs()) < 3 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if jobs = prn.Jobs(); len(jobs) != 3 || !strings.Contains(jobs[1], "KOPIA") || !strings.Contains(jobs[2], "RETUR") || !strings.Contains(jobs[2], "Ryggsäck 20 l") {
		t.Errorf("after a copy and a return the printer has %d jobs:\n%s", len(jobs), strings.Join(jobs, "\n-----\n"))
	}
	// A supervisor prints today's sales by tender at the till.
	sup := login(t, addr, "2", "2222")
	sup.call("POST", "/api/v1/reports/sales/print?by=tender", nil, 200)
	for deadline = time.Now().Add(10 * time.Second); len(prn.Jobs()) < 4 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if jobs = prn.Jobs(); len(jobs) != 4 || !strings.Contains(jobs[3], "FÖRSÄLJNING") || !strings.Contains(jobs[3], "Kontant (") {
		t.Errorf("sales report:\n%s", strings.Join(jobs, "\n-----\n"))
	}
	st := c.call("GET", "/api/v1/status", nil, 200)
	dev := st["devices"].(map[string]any)["till-1"].(map[string]any)
	if dev["printer"].(map[string]any)["connected"] != true || dev["scanner"].(map[string]any)["connected"] != true {
		t.Errorf("device status = %v", dev)
	}
	if strings.Contains(p.out.String(), "cash drawer alarm") {
		t.Errorf("a drawer that opened on its kick raised an alarm:\n%s", p.out)
	}
}

// drawerShutAfter is how long the drawer of a simulated till printer
// stays open after a kick: as long as a cashier takes to give change, and
// long enough for the node's status polls, a second apart, to see it open.
const drawerShutAfter = 3 * time.Second

// newTillPrinter starts a simulated receipt printer whose drawer opens on
// a kick and is shut again, as at a store, so that a cash sale raises no
// drawer alarm.
func newTillPrinter(t *testing.T) *printertest.Sim {
	return printertest.New(t, printertest.Options{DrawerOpenFor: drawerShutAfter})
}

// TestPrintTestPage prints the test page on a simulated printer.
func TestPrintTestPage(t *testing.T) {
	prn := printertest.New(t, printertest.Options{})
	var out strings.Builder
	if err := run(t.Context(), []string{"print-test", "--printer", prn.Path(), "--profile", "tm-t88-zh-hant"}, &out, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var jobs []string
	for deadline := time.Now().Add(5 * time.Second); len(jobs) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		jobs = prn.Jobs()
	}
	if len(jobs) != 1 || !strings.Contains(jobs[0], "[QR ") || !strings.Contains(jobs[0], "[BARCODE") || !strings.Contains(jobs[0], "Räksmörgås") {
		t.Fatalf("printed %q\noutput: %s", jobs, out.String())
	}
	if !strings.Contains(out.String(), "status: online") {
		t.Errorf("output = %s", out.String())
	}
}

// TestPrintTestUnknownProfile: a mistyped profile is refused with the
// profiles there are, before the port is opened.
func TestPrintTestUnknownProfile(t *testing.T) {
	var out strings.Builder
	err := run(t.Context(), []string{"print-test", "--printer", "/nonexistent/tty", "--profile", "tm-t82"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), `"tm-t82"`) || !strings.Contains(err.Error(), "tm-t20, ") || !strings.Contains(err.Error(), "generic-58") {
		t.Fatalf("err = %v", err)
	}
}

// waitPrinter waits up to 10 s for station's printer to answer, as the
// status shows it.
func (c *client) waitPrinter(station string) {
	c.t.Helper()
	c.waitDevice(station, "printer")
}

// waitDrawer waits up to 10 s for station's cash drawer to be in state
// ("open", "closed"), with no alarm, as the status shows it.
func (c *client) waitDrawer(station, state string) {
	c.t.Helper()
	var d map[string]any
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		dev := c.call("GET", "/api/v1/status", nil, 200)["devices"].(map[string]any)[station].(map[string]any)
		if d, _ = dev["drawer"].(map[string]any); d["state"] == state && d["code"] == nil {
			return
		}
	}
	c.t.Fatalf("%s's drawer after 10 s: %v; want it %s with no alarm", station, d, state)
}

// waitDevice waits up to 10 s for station's device of kind ("printer",
// "scanner", "display") to be connected, as the status shows it.
func (c *client) waitDevice(station, kind string) {
	c.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		dev := c.call("GET", "/api/v1/status", nil, 200)["devices"].(map[string]any)[station].(map[string]any)
		if d, _ := dev[kind].(map[string]any); d["connected"] == true {
			return
		}
	}
}
