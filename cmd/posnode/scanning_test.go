package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/hardware/printer/printertest"
)

// TestScanNotReadIsSaid: bytes from a till's scanner that are no code
// (noise of a wrong baud rate, a code too long, a control byte) reach the
// till's screen as scan_unread, and to the log, once for the burst rather
// than once per frame, and a good code after them still goes into the cart.
func TestScanNotReadIsSaid(t *testing.T) {
	scanMaster, scanSlave := printertest.OpenPTY(t)
	defer scanMaster.Close()
	defer scanSlave.Close()
	cfg := writeConfig(t, fmt.Sprintf("[[stations]]\nid = \"till-1\"\nkind = \"till\"\nscanner = %q\n", scanSlave.Name()))
	addr := freeAddr(t)
	p := startNode(t, t.TempDir(), addr, "--config", cfg)
	c := login(t, addr, "1", "1111")
	c.call("GET", "/api/v1/cart", nil, 200)
	screen := openWSScreen(t, addr, c.token)
	c.waitDevice("till-1", "scanner")

	noise := "\xff\xfe\x80\x00\r" + "12\x013\r" + strings.Repeat("7", 300) + "\r"
	if _, err := scanMaster.Write([]byte(noise + "7310865004703\r")); err != nil {
		t.Fatal(err)
	}
	unread := 0
	timeout := time.After(15 * time.Second)
	for {
		var m map[string]any
		select {
		case m = <-screen.msgs:
		case <-timeout:
			t.Fatalf("the good code after the noise never reached the screen (%d scan_unread):\n%s", unread, p.out)
		}
		d, _ := m["data"].(map[string]any)
		if m["type"] != "scan" || m["station"] != "till-1" {
			continue
		}
		if e, _ := d["error"].(map[string]any); e != nil {
			if e["code"] != "scan_unread" {
				t.Fatalf("scan error %v, want scan_unread", e)
			}
			unread++
			continue
		}
		if d["route"] != "cart" || d["code"] != "7310865004703" {
			t.Fatalf("scan = %v", d)
		}
		break
	}
	if unread != 1 {
		t.Errorf("%d scan_unread notices for one burst of noise, want 1", unread)
	}
	// The log has the first frame refused; the others are counted, for
	// a line every 30 s while the noise lasts.
	if n := strings.Count(p.out.String(), "scan rejected"); n != 1 {
		t.Errorf("%d log lines for one burst of noise, want 1:\n%s", n, p.out)
	}
	for _, lang := range screenLanguages {
		if screenStrings(t, lang)["err.scan_unread"] == "" {
			t.Errorf("%s.json has no err.scan_unread", lang)
		}
	}
}

// TestScanWhilePaidIsHeld: a code from a till's serial scanner while the
// till's sale has a payment in is neither added to it nor refused: the
// till's screen is handed it as held, exactly as scanned, to add once
// the payment is through, as it does with a wedge scanner's codes.
func TestScanWhilePaidIsHeld(t *testing.T) {
	scanMaster, scanSlave := printertest.OpenPTY(t)
	defer scanMaster.Close()
	defer scanSlave.Close()
	cfg := writeConfig(t, fmt.Sprintf("[[stations]]\nid = \"till-1\"\nkind = \"till\"\nscanner = %q\n", scanSlave.Name()))
	addr := freeAddr(t)
	startNode(t, t.TempDir(), addr, "--config", cfg)
	c := login(t, addr, "1", "1111")
	id := c.call("GET", "/api/v1/cart", nil, 200)["id"].(string)
	c.call("POST", "/api/v1/carts/"+id+"/scan", map[string]string{"code": "7310865004703"}, 200)
	paid := c.call("POST", "/api/v1/carts/"+id+"/payments", map[string]any{"method": "cash", "amount": 100}, 200)
	screen := openWSScreen(t, addr, c.token)
	c.waitDevice("till-1", "scanner")

	if _, err := scanMaster.Write([]byte("7310865004703\r")); err != nil {
		t.Fatal(err)
	}
	d := screen.await("scan", nil)
	if d["route"] != "held" || d["code"] != "7310865004703" || d["error"] != nil {
		t.Errorf("scan while paying = %v, want held with its code and no error", d)
	}
	cart := c.call("GET", "/api/v1/carts/"+id, nil, 200)
	if got, want := len(cart["lines"].([]any)), len(paid["lines"].([]any)); got != want || num(cart["rev"]) != num(paid["rev"]) {
		t.Errorf("the sale being paid changed: %d lines at rev %v, want %d at rev %v", got, cart["rev"], want, paid["rev"])
	}
}

// TestScanWithNobodySignedIn: a code from a till's serial scanner while
// no one is signed in at the till (the cashier signed out for a break, a
// presentation scanner reading a label left on the counter) goes into no
// sale: the next cashier to sign in finds the sale as it was left, and
// the log says why the code was not taken.
func TestScanWithNobodySignedIn(t *testing.T) {
	scanMaster, scanSlave := printertest.OpenPTY(t)
	defer scanMaster.Close()
	defer scanSlave.Close()
	cfg := writeConfig(t, fmt.Sprintf("[[stations]]\nid = \"till-1\"\nkind = \"till\"\nscanner = %q\n", scanSlave.Name()))
	addr := freeAddr(t)
	p := startNode(t, t.TempDir(), addr, "--config", cfg)
	c := login(t, addr, "1", "1111")
	c.waitDevice("till-1", "scanner")
	c.call("POST", "/api/v1/logout", nil, 200)

	if _, err := scanMaster.Write([]byte("7310865004703\r")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.out.String(), "scan refused"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(p.out.String(), "no one is signed in") {
		t.Errorf("the log does not say the code was refused for no one signed in:\n%s", p.out)
	}
	c = login(t, addr, "1", "1111")
	if lines := c.call("GET", "/api/v1/cart", nil, 200)["lines"].([]any); len(lines) != 0 {
		t.Errorf("the sale at the till has %d lines scanned while no one was signed in, want none", len(lines))
	}
}

// TestTabletScanIsTheScreens: a code from a tablet station's serial
// scanner goes to the tablet's screen as it was read, for the price check
// a wedge scanner's code gets there. A pickup QR opens no order there: it
// verified the customer at a screen that shows no order, and its wrong
// codes counted against the station.
func TestTabletScanIsTheScreens(t *testing.T) {
	scanMaster, scanSlave := printertest.OpenPTY(t)
	defer scanMaster.Close()
	defer scanSlave.Close()
	cfg := writeConfig(t, fmt.Sprintf("[[stations]]\nid = \"tab\"\nkind = \"tablet\"\nscanner = %q\n", scanSlave.Name()))
	addr := freeAddr(t)
	startNode(t, t.TempDir(), addr, "--config", cfg)
	c := &client{t: t, base: "http://" + addr}
	r := c.call("POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "1111", "station": "tab"}, 200)
	c.token = r["token"].(string)
	screen := openWSScreen(t, addr, c.token)
	c.waitDevice("tab", "scanner")
	for _, code := range []string{"7310865004703", "PICKUP:W-NONE:111111"} {
		if _, err := scanMaster.Write([]byte(code + "\r")); err != nil {
			t.Fatal(err)
		}
		if d := screen.await("scan", nil); d["code"] != code || d["route"] != nil || d["error"] != nil {
			t.Fatalf("tablet's scan of %s = %v, want the code alone", code, d)
		}
	}
}

// show tells the node, as the app does, which screen s shows, and returns
// once the node has read it: it answers a ping sent after it.
func (s *wsScreen) show(screen string) {
	s.t.Helper()
	pong := make(chan struct{}, 1)
	s.conn.SetPongHandler(func(string) error {
		select {
		case pong <- struct{}{}:
		default:
		}
		return nil
	})
	if err := s.conn.WriteMessage(websocket.TextMessage, []byte(screen)); err != nil {
		s.t.Fatal(err)
	}
	if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)); err != nil {
		s.t.Fatal(err)
	}
	select {
	case <-pong:
	case <-time.After(15 * time.Second):
		s.t.Fatal("no pong")
	}
}

// TestScanAtATillShowingAnotherScreen: a code from a till's serial scanner
// while the till shows its pickup or tablet screen is for that screen, as
// a wedge scanner's code is there (an item picked into an order, a price
// checked): it goes into no sale. It went into the till's sale, and the
// screen only said so. Back on the till, codes go into the sale again.
func TestScanAtATillShowingAnotherScreen(t *testing.T) {
	scanMaster, scanSlave := printertest.OpenPTY(t)
	defer scanMaster.Close()
	defer scanSlave.Close()
	cfg := writeConfig(t, fmt.Sprintf("[[stations]]\nid = \"till-1\"\nkind = \"till\"\nscanner = %q\n", scanSlave.Name()))
	addr := freeAddr(t)
	startNode(t, t.TempDir(), addr, "--config", cfg)
	c := login(t, addr, "1", "1111")
	id := c.call("GET", "/api/v1/cart", nil, 200)["id"].(string)
	screen := openWSScreen(t, addr, c.token)
	other := openWSScreen(t, addr, c.token) // a second screen of the till, saying nothing yet
	c.waitDevice("till-1", "scanner")
	// Codes differ from the one before: a repeat within the scanner's
	// repeat window is dropped.
	scan := func(code string) map[string]any {
		t.Helper()
		if _, err := scanMaster.Write([]byte(code + "\r")); err != nil {
			t.Fatal(err)
		}
		return screen.await("scan", nil)
	}
	screen.show("pickup")
	if d := scan("7310865004703"); d["route"] != "cart" {
		t.Fatalf("scan with another screen of the till on the till = %v, want it in the cart", d)
	}
	other.show("tablet")
	if d := scan("7310865004727"); d["route"] != nil || d["code"] != "7310865004727" || d["error"] != nil {
		t.Fatalf("scan at the till's pickup and tablet screens = %v, want the code alone", d)
	}
	if lines := c.call("GET", "/api/v1/carts/"+id, nil, 200)["lines"].([]any); len(lines) != 1 {
		t.Fatalf("the till's sale has %d lines, want the one scanned while the till was shown", len(lines))
	}
	screen.show("till")
	if d := scan("7310865004703"); d["route"] != "cart" {
		t.Fatalf("scan back at the till = %v, want it in the cart", d)
	}
}
