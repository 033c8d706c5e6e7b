package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/printer/printertest"
)

// TestSerialScansKeepTheTillSignedIn: a cashier scanning a customer's goods
// with the till's serial scanner is using the till, though the screen is
// not touched: the session is not ended as idle, mid-sale, while the codes
// go into the sale. A till left alone past its idle time is signed out all
// the same, and a code read then goes into no sale.
func TestSerialScansKeepTheTillSignedIn(t *testing.T) {
	t.Parallel() // it waits on the node's timers, beside the others that do
	const idle = 3 * time.Second
	scanMaster, scanSlave := printertest.OpenPTY(t)
	defer scanMaster.Close()
	defer scanSlave.Close()
	cfg := writeConfig(t, fmt.Sprintf("idle_lock = %q\n[[stations]]\nid = \"till-1\"\nkind = \"till\"\nscanner = %q\n", idle, scanSlave.Name()))
	addr := freeAddr(t)
	p := startNode(t, t.TempDir(), addr, "--config", cfg)
	c := login(t, addr, "1", "1111")
	id := c.call("GET", "/api/v1/cart", nil, 200)["id"].(string)
	screen := openWSScreen(t, addr, c.token)
	c.waitDevice("till-1", "scanner")

	const scans = 6 // one a second: twice the idle time with no request
	for range scans {
		time.Sleep(idle / 3)
		if _, err := scanMaster.Write([]byte("7310865004703\r")); err != nil {
			t.Fatal(err)
		}
		if d := screen.await("scan", nil); d["route"] != "cart" {
			t.Fatalf("a code scanned while the cashier scans: %v\n%s", d, p.out)
		}
	}
	c.call("GET", "/api/v1/me", nil, 200)
	if lines := c.call("GET", "/api/v1/carts/"+id, nil, 200)["lines"].([]any); len(lines) != 1 {
		t.Fatalf("the sale has %d lines, want the one line the codes went into", len(lines))
	}

	time.Sleep(idle + idle/2) // left alone
	if _, err := scanMaster.Write([]byte("7310865004703\r")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.out.String(), "scan refused"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a code read at a till left alone past its idle time was not refused:\n%s", p.out)
		}
	}
	c.call("GET", "/api/v1/me", nil, 401)
	c = login(t, addr, "1", "1111")
	cart := c.call("GET", "/api/v1/cart", nil, 200)
	if l := cart["lines"].([]any); cart["id"] != id || len(l) != 1 || num(l[0].(map[string]any)["qty"]) != scans {
		t.Fatalf("after signing in again: cart %v with %v, want %s with %d of the item", cart["id"], l, id, scans)
	}
}
