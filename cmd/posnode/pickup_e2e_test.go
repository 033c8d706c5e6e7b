package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/hardware/printer/printertest"
	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
)

// wsScreen is a websocket client standing in for a station's wsScreen.
type wsScreen struct {
	t    *testing.T
	conn *websocket.Conn
	msgs chan map[string]any
}

func openWSScreen(t *testing.T, addr, token string) *wsScreen {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatal(err)
	}
	s := &wsScreen{t: t, conn: conn, msgs: make(chan map[string]any, 1024)}
	go func() {
		defer close(s.msgs)
		for {
			var m map[string]any
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			s.msgs <- m
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return s
}

// await returns the next message of type typ for which ok holds.
func (s *wsScreen) await(typ string, ok func(data map[string]any) bool) map[string]any {
	s.t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case m, open := <-s.msgs:
			if !open {
				s.t.Fatalf("wsScreen disconnected waiting for %s", typ)
			}
			if d, _ := m["data"].(map[string]any); m["type"] == typ && (ok == nil || ok(d)) {
				return d
			}
		case <-timeout:
			s.t.Fatalf("no %s message", typ)
		}
	}
}

const testOrderID = "W-2026-000123"

func orderJSON(version int, arrival string) string {
	now := time.Now()
	if arrival == "" {
		arrival = "null"
	}
	return fmt.Sprintf(`{"order_id": %q, "version": %d, "status": "placed",
 "placed_at": %q, "collect_by": %q,
 "customer": {"id": "C-88412", "name": "Ana Popescu", "phone": "+40712345678", "language": "ro"},
 "pickup_code": "483920",
 "payment": {"status": "paid", "amount": 105790, "currency": "SEK"},
 "lines": [{"line_id": "1", "sku": "100234", "name": "Ryggsäck", "qty": 2, "unit_price": 49900},
           {"line_id": "2", "sku": "200100", "name": "Kaffe", "qty": 1, "unit_price": 5990}],
 "arrival": %s}`, testOrderID, version, now.Add(-time.Hour).Format(time.RFC3339), now.Add(72*time.Hour).Format(time.RFC3339), arrival)
}

// TestClickAndCollect runs an order from central to handover through a
// real Mosquitto, a pickup counter with a scanner and a printer on
// pseudo-terminals, and the API as the counter's wsScreen uses it. The
// second run loses the broker right after intake: the store goes on, and
// every event reaches central once the broker is back.
func TestClickAndCollect(t *testing.T) {
	for _, brokerDown := range []bool{false, true} {
		t.Run(map[bool]string{false: "online", true: "broker down after intake"}[brokerDown], func(t *testing.T) {
			clickAndCollect(t, brokerDown)
		})
	}
}

func clickAndCollect(t *testing.T, brokerDown bool) {
	br := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, br.URL(), "demo", "till-1")
	central.KeepEvents()
	scanM, scanS := printertest.OpenPTY(t)
	t.Cleanup(func() { scanM.Close(); scanS.Close() })
	prn := newTillPrinter(t)
	cfg := fmt.Sprintf("[sync]\nbackoff_max = \"500ms\"\nresend_after = \"1s\"\n[[stations]]\nid = \"till-1\"\nkind = \"till\"\n[[stations]]\nid = \"pickup\"\nkind = \"pickup\"\nscanner = %q\nprinter = %q\n",
		scanS.Name(), prn.Path())
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := startNode(t, t.TempDir(), addr, "--config", cfgPath, "--mqtt", br.URL())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("node output:\n%s", p.out)
		}
	})
	c := &client{t: t, base: "http://" + addr}
	r := c.call("POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "1111", "station": "pickup"}, 200)
	c.token = r["token"].(string)
	scr := openWSScreen(t, addr, c.token)
	order := "/api/v1/pickup/orders/" + url.PathEscape(testOrderID)

	// Intake: central publishes the order; it shows on the counter's wsScreen.
	central.Publish(t, "orders/"+testOrderID, true, orderJSON(1, ""))
	scr.await("pickup", func(d map[string]any) bool { return d["order"].(map[string]any)["order_id"] == testOrderID })
	var epoch string
	centraltest.Eventually(t, 15*time.Second, "pos.pickup.accepted at central", func() bool {
		st := c.call("GET", "/api/v1/status", nil, 200)
		epoch, _ = st["epoch"].(string)
		return central.Applied(epoch) >= 1
	})
	if brokerDown {
		br.Kill()
	}

	// Picking by scanning at the counter: the scanner's codes reach the
	// wsScreen, which picks them into the order.
	c.call("POST", order+"/start", nil, 200)
	for _, code := range []string{"7310865004703", "7310865004727", "7310865004703"} {
		if _, err := scanM.Write([]byte(code + "\r")); err != nil {
			t.Fatal(err)
		}
		d := scr.await("scan", nil)
		if d["code"] != code {
			t.Fatalf("scan message %v for %s", d, code)
		}
		c.call("POST", order+"/pick", map[string]string{"code": code}, 200)
	}
	c.call("POST", order+"/ready", map[string]any{"location": "B-3", "bags": 2}, 200)
	centraltest.Eventually(t, 10*time.Second, "slip and two bag labels printed", func() bool { return len(prn.Jobs()) == 3 })
	jobs := prn.Jobs()
	if !strings.Contains(jobs[0], testOrderID) || !strings.Contains(jobs[0], "Ana Popescu") || !strings.Contains(jobs[2], "[QR "+testOrderID+"]") {
		t.Errorf("slip and labels:\n%s", strings.Join(jobs, "\n-----\n"))
	}
	for _, j := range jobs {
		if strings.Contains(j, "483920") {
			t.Errorf("the customer's pickup code is on paper: %s", j)
		}
	}

	// The customer arrives: through central's order, or told to staff
	// while central cannot be reached.
	if brokerDown {
		c.call("POST", order+"/arrive", map[string]string{"bay": "3", "note": "red Volvo"}, 200)
	} else {
		central.Publish(t, "orders/"+testOrderID, true, orderJSON(2, `{"at": "`+time.Now().Format(time.RFC3339)+`", "bay": "3", "note": "red Volvo"}`))
	}
	scr.await("pickup", func(d map[string]any) bool {
		a, _ := d["arrival"].(map[string]any) // the store's record of the arrival
		return a != nil && a["bay"] == "3"
	})

	// Handover: the customer's QR at the counter's scanner opens the order.
	if _, err := scanM.Write([]byte("PICKUP:" + testOrderID + ":483920\r")); err != nil {
		t.Fatal(err)
	}
	if d := scr.await("scan", nil); d["route"] != "pickup" || d["order_id"] != testOrderID || d["error"] != nil {
		t.Fatalf("QR scan = %v", d)
	}
	c.call("POST", order+"/collect", nil, 200)

	if brokerDown {
		br.Start()
	}
	var want = []string{"pos.pickup.accepted", "pos.pickup.ready", "pos.pickup.collected"}
	if !brokerDown {
		want = []string{"pos.pickup.accepted", "pos.pickup.ready", "pos.pickup.accepted", "pos.pickup.collected"}
	}
	centraltest.Eventually(t, 30*time.Second, "every event at central", func() bool { return central.Applied(epoch) == int64(len(want)) })
	central.Check()
	evs := central.Log(epoch).Applied
	for i, ev := range evs {
		if ev.Seq != int64(i+1) || ev.Type != want[i] {
			t.Errorf("event %d = %s seq %d, want %s seq %d", i, ev.Type, ev.Seq, want[i], i+1)
		}
		if ev.Data["order_id"] != testOrderID {
			t.Errorf("%s lacks the order id: %v", ev.Type, ev.Data)
		}
		switch ev.Type {
		case "pos.pickup.accepted":
			if _, ok := ev.Data["version"].(float64); !ok {
				t.Errorf("accepted without version: %v", ev.Data)
			}
		case "pos.pickup.ready":
			lines, _ := ev.Data["lines"].([]any)
			if ev.Data["location"] != "B-3" || len(lines) != 2 {
				t.Errorf("ready = %v", ev.Data)
			}
			for _, l := range lines {
				l := l.(map[string]any)
				if _, ok := l["substitute_sku"]; !ok || l["line_id"] == nil || l["qty_picked"] == nil {
					t.Errorf("ready line %v lacks contract fields", l)
				}
			}
		case "pos.pickup.collected":
			lines, _ := ev.Data["lines"].([]any)
			if ev.Data["verified_by"] != "qr" || ev.Data["staff"] == nil || len(lines) != 2 {
				t.Errorf("collected = %v", ev.Data)
			}
		}
	}
	if t.Failed() {
		t.Logf("node output:\n%s", p.out)
	}

}

// TestPickupQRNotReadyFromTheScanner: the customer's QR read by the pickup
// counter's serial scanner before the order is ready opens the order as
// it stands, with why it cannot be handed over yet, as the QR typed by a
// wedge scanner does; it came with the refusal alone, and the counter
// showed no order.
func TestPickupQRNotReadyFromTheScanner(t *testing.T) {
	br := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, br.URL(), "demo", "till-1")
	scanM, scanS := printertest.OpenPTY(t)
	t.Cleanup(func() { scanM.Close(); scanS.Close() })
	cfg := writeConfig(t, fmt.Sprintf("[[stations]]\nid = \"pickup\"\nkind = \"pickup\"\nscanner = %q\n", scanS.Name()))
	addr := freeAddr(t)
	startNode(t, t.TempDir(), addr, "--config", cfg, "--mqtt", br.URL())
	c := &client{t: t, base: "http://" + addr}
	c.token = c.call("POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "1111", "station": "pickup"}, 200)["token"].(string)
	scr := openWSScreen(t, addr, c.token)
	c.waitDevice("pickup", "scanner")
	central.Publish(t, "orders/"+testOrderID, true, orderJSON(1, ""))
	scr.await("pickup", func(d map[string]any) bool { return d["order"].(map[string]any)["order_id"] == testOrderID })

	if _, err := scanM.Write([]byte("PICKUP:" + testOrderID + ":483920\r")); err != nil {
		t.Fatal(err)
	}
	d := scr.await("scan", nil)
	e, _ := d["error"].(map[string]any)
	o, _ := d["order"].(map[string]any)
	if d["route"] != "pickup" || e == nil || e["code"] != "pickup_state" || o == nil || o["state"] != "new" {
		t.Fatalf("QR of a new order = %v, want route pickup, the order as it stands and pickup_state", d)
	}
	// A wrong code opens nothing.
	if _, err := scanM.Write([]byte("PICKUP:" + testOrderID + ":111111\r")); err != nil {
		t.Fatal(err)
	}
	if d := scr.await("scan", nil); d["route"] != nil || d["order"] != nil || d["error"] == nil {
		t.Fatalf("QR with a wrong code = %v, want a refusal alone", d)
	}
}

// TestPickupQRWithNobodySignedIn: a customer's QR read by the pickup
// counter's serial scanner while no one is signed in there verifies no
// one, as a till takes no code then: it verified the customer unseen, and
// whoever signed in next found the order ready to hand over to anyone.
func TestPickupQRWithNobodySignedIn(t *testing.T) {
	br := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, br.URL(), "demo", "till-1")
	scanM, scanS := printertest.OpenPTY(t)
	t.Cleanup(func() { scanM.Close(); scanS.Close() })
	cfg := writeConfig(t, fmt.Sprintf("[[stations]]\nid = \"pickup\"\nkind = \"pickup\"\nscanner = %q\n", scanS.Name()))
	addr := freeAddr(t)
	p := startNode(t, t.TempDir(), addr, "--config", cfg, "--mqtt", br.URL())
	signIn := func() *client {
		c := &client{t: t, base: "http://" + addr}
		c.token = c.call("POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "1111", "station": "pickup"}, 200)["token"].(string)
		return c
	}
	c := signIn()
	scr := openWSScreen(t, addr, c.token)
	c.waitDevice("pickup", "scanner")
	central.Publish(t, "orders/"+testOrderID, true, orderJSON(1, ""))
	scr.await("pickup", func(d map[string]any) bool { return d["order"].(map[string]any)["order_id"] == testOrderID })
	order := "/api/v1/pickup/orders/" + url.PathEscape(testOrderID)
	c.call("POST", order+"/start", nil, 200)
	for _, code := range []string{"7310865004703", "7310865004727", "7310865004703"} {
		c.call("POST", order+"/pick", map[string]string{"code": code}, 200)
	}
	c.call("POST", order+"/ready", map[string]any{"location": "B-3", "bags": 1}, 200)
	c.call("POST", "/api/v1/logout", nil, 200)

	if _, err := scanM.Write([]byte("PICKUP:" + testOrderID + ":483920\r")); err != nil {
		t.Fatal(err)
	}
	refused := false
	for deadline := time.Now().Add(10 * time.Second); !refused && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		refused = strings.Contains(p.out.String(), "scan refused")
	}
	c = signIn()
	if v := c.call("GET", order, nil, 200); v["verified"] != nil {
		t.Fatalf("the order was verified by a QR read with no one signed in at the counter: %v\n%s", v, p.out)
	}
	if !refused {
		t.Fatalf("no scan refused for the QR read with no one signed in at the counter:\n%s", p.out)
	}
}
