package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/printer/printertest"
	"github.com/posnode/posnode/pos"
)

var printedCode = regexp.MustCompile(`\[BARCODE CODE128 (R[0-9A-Z]+)\]`)

// printedReceiptCode matches the code of receipt no as the node prints it:
// R, the node's tag and the number in ten digits.
func printedReceiptCode(no int64) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`\bR[0-9A-HJ-NP-X]{4}%010d\b`, no))
}

// sellAndPrint completes a sale of one item at the till and returns its
// receipt number and the code in its printed receipt's barcode.
func sellAndPrint(t *testing.T, c *client, prn *printertest.Sim) (no int64, code string) {
	t.Helper()
	cart := c.call("GET", "/api/v1/cart", nil, 200)["id"].(string)
	c.call("POST", "/api/v1/carts/"+cart+"/scan", map[string]string{"code": "7310865004703"}, 200)
	c.call("POST", "/api/v1/carts/"+cart+"/payments", map[string]any{"method": "cash", "amount": 100000}, 200)
	no = num(c.call("POST", "/api/v1/carts/"+cart+"/complete", nil, 200)["receipt_no"])
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, j := range prn.Jobs() {
			if m := printedCode.FindStringSubmatch(j); m != nil {
				return no, m[1]
			}
		}
	}
	t.Fatalf("no receipt with a barcode printed:\n%s", strings.Join(prn.Jobs(), "\n-----\n"))
	return 0, ""
}

// TestScanReceiptOfAnotherNode: the same store's till, on a new database,
// numbers its receipts from 1 again, as a till of another store does. Its
// receipt no 1 scanned at this till's serial scanner opened this node's
// receipt no 1, another sale, for a return. A receipt's code names the
// node and database that printed it: another's is refused with
// other_receipt, by the scanner, the scan field, the receipt lookup and
// the return, while this node's code, and R and the ten digits (receipts
// printed before codes were tagged, the number typed), start its return.
func TestScanReceiptOfAnotherNode(t *testing.T) {
	station := func(prn *printertest.Sim, scanner string) string {
		s := fmt.Sprintf("[[stations]]\nid = \"till-1\"\nkind = \"till\"\nprinter = %q\nprinter_profile = \"tm-t20\"\n", prn.Path())
		if scanner != "" {
			s += fmt.Sprintf("scanner = %q\n", scanner)
		}
		return s
	}
	// The till's previous database: its receipt no 1.
	oldPrn := newTillPrinter(t)
	addr := freeAddr(t)
	p := startNode(t, t.TempDir(), addr, "--config", writeConfig(t, station(oldPrn, "")))
	oldNo, oldCode := sellAndPrint(t, login(t, addr, "1", "1111"), oldPrn)
	p.kill()

	scanMaster, scanSlave := printertest.OpenPTY(t)
	defer scanMaster.Close()
	defer scanSlave.Close()
	prn := newTillPrinter(t)
	addr = freeAddr(t)
	p = startNode(t, t.TempDir(), addr, "--config", writeConfig(t, station(prn, scanSlave.Name())))
	c := login(t, addr, "1", "1111")
	no, code := sellAndPrint(t, c, prn)
	if no != oldNo || len(code) != 15 || code == oldCode || code == pos.ReceiptBarcode("", no) {
		t.Fatalf("receipt %d printed %s, the old database's %d printed %s: want the same number under codes naming their database",
			no, code, oldNo, oldCode)
	}
	screen := openWSScreen(t, addr, c.token)
	c.waitDevice("till-1", "scanner")
	scan := func(code string) map[string]any {
		t.Helper()
		if _, err := scanMaster.Write([]byte(code + "\r")); err != nil {
			t.Fatal(err)
		}
		return screen.await("scan", func(d map[string]any) bool { return d["code"] == code })
	}

	for _, own := range []string{code, pos.ReceiptBarcode("", no)} {
		if d := scan(own); d["route"] != "return" || num(d["receipt_no"]) != no || d["error"] != nil {
			t.Errorf("scan of this node's receipt %s = %v, want route return to receipt %d", own, d, no)
		}
	}
	d := scan(oldCode)
	if e, _ := d["error"].(map[string]any); d["route"] != nil || e == nil || e["code"] != "other_receipt" {
		t.Errorf("scan of the old database's receipt %s = %v, want other_receipt and no route", oldCode, d)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(p.out.String(), "scan refused") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(p.out.String(), "scan refused") {
		t.Errorf("the log does not say the old database's receipt was refused:\n%s", p.out)
	}

	cart := c.call("GET", "/api/v1/cart", nil, 200)["id"].(string)
	refused := func(what string, got map[string]any) {
		t.Helper()
		if e, _ := got["error"].(map[string]any); e == nil || e["code"] != "other_receipt" {
			t.Errorf("%s of %s = %v, want other_receipt", what, oldCode, got)
		}
	}
	refused("scan field", c.call("POST", "/api/v1/carts/"+cart+"/scan", map[string]string{"code": oldCode}, 409))
	refused("receipt lookup", c.call("GET", "/api/v1/receipts/"+oldCode, nil, 409))
	refused("return", c.call("POST", "/api/v1/returns", map[string]any{"receipt": oldCode, "reason": "changed_mind",
		"items": []map[string]any{{"line": "1", "qty": 1, "restock": true}}}, 409))
	if got := c.call("GET", "/api/v1/receipts/"+code, nil, 200); num(got["receipt_no"]) != no {
		t.Errorf("receipt lookup of %s = %v, want receipt %d", code, got, no)
	}
	if got := c.call("GET", "/api/v1/sales/"+c.call("GET", "/api/v1/receipts/"+fmt.Sprint(no), nil, 200)["sale_id"].(string)+"/returned", nil, 200); len(got["lines"].(map[string]any)) != 0 {
		t.Errorf("goods were taken back against this node's receipt %d by another's code: %v", no, got)
	}
}
