package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/printer/printertest"
	"github.com/posnode/posnode/pos"
)

// TestDrawerAlarms runs a node with two tills whose printers are on
// pseudo-terminals and answer status with the drawer open or closed.
// till-1's drawer is followed: its till hears, over the websocket and in
// the status it reads, and the journal keeps, an opening with no kick, the
// drawer left open and a kick that did not open it; a kick that opens it
// raises nothing. till-2's drawer has no switch to trust
// (drawer_no_sensor): it raises nothing whatever its printer says.
func TestDrawerAlarms(t *testing.T) {
	t.Parallel() // it waits on the node's timers, beside the others that do
	prn1 := printertest.New(t, printertest.Options{})
	prn2 := printertest.New(t, printertest.Options{})
	cfgPath := writeConfig(t, fmt.Sprintf(`
[[stations]]
id = "till-1"
kind = "till"
printer = %q
drawer_open_alarm = "1s"

[[stations]]
id = "till-2"
kind = "till"
printer = %q
drawer_no_sensor = true
`, prn1.Path(), prn2.Path()))
	data, addr := t.TempDir(), freeAddr(t)
	p := startNode(t, data, addr, "--config", cfgPath)
	c1 := login(t, addr, "1", "1111")
	till1 := openWSScreen(t, addr, c1.token)
	c2 := &client{t: t, base: "http://" + addr}
	c2.token = c2.call("POST", "/api/v1/login", map[string]string{"staff": "2", "pin": "2222", "station": "till-2"}, 200)["token"].(string)
	till2 := openWSScreen(t, addr, c2.token)
	open, shut := escpos.Status{Online: true, DrawerKnown: true, DrawerOpen: true}, escpos.Status{Online: true, DrawerKnown: true}
	drawer := func(state, code string) func(map[string]any) bool {
		return func(d map[string]any) bool {
			v, _ := d["drawer"].(map[string]any)
			got, _ := v["code"].(string)
			return v != nil && v["state"] == state && got == code
		}
	}
	noSale := func(c *client) {
		c.call("POST", "/api/v1/shift/cash", map[string]any{"kind": "no_sale", "reason": "change for a customer"}, 200)
	}

	// till-2's printer says its drawer is open, and a kick goes out: with
	// no switch to trust, neither is news. What its till hears is checked
	// at the end, after the alarms of till-1 have had their time.
	c2.waitPrinter("till-2")
	prn2.SetStatus(open)
	c2.call("POST", "/api/v1/shift/open", map[string]int64{"float": 0}, 200)
	noSale(c2)

	// The drawer is seen shut before it opens: the screen may have
	// connected after that was news, so the status says it.
	waitFor(t, func() bool {
		dev := c1.call("GET", "/api/v1/status", nil, 200)["devices"].(map[string]any)["till-1"].(map[string]any)
		return drawer("closed", "")(dev)
	})
	prn1.SetStatus(open) // by its key
	till1.await("device", drawer("open", problemDrawerOpenedUnasked))
	till1.await("device", drawer("open", problemDrawerLeftOpen))
	dev := c1.call("GET", "/api/v1/status", nil, 200)["devices"].(map[string]any)["till-1"].(map[string]any)
	if v, _ := dev["drawer"].(map[string]any); v["code"] != problemDrawerLeftOpen || v["error"] == "" {
		t.Errorf("till-1's status with the drawer left open: %v", dev)
	}
	prn1.SetStatus(shut)
	till1.await("device", drawer("closed", ""))

	// A no-sale kicks the drawer, which stays shut; the next opens it.
	c1.call("POST", "/api/v1/shift/open", map[string]int64{"float": 0}, 200)
	noSale(c1)
	till1.await("device", drawer("closed", problemDrawerNotOpened))
	noSale(c1)
	till1.await("device", drawer("closed", "")) // the new kick ends the alarm
	prn1.SetStatus(open)
	till1.await("device", drawer("open", ""))
	if prn1.Kicks() != 2 || prn2.Kicks() != 1 {
		t.Errorf("drawer kicks: till-1 %d, till-2 %d; want 2 and 1", prn1.Kicks(), prn2.Kicks())
	}

	dev = c2.call("GET", "/api/v1/status", nil, 200)["devices"].(map[string]any)["till-2"].(map[string]any)
	if _, ok := dev["drawer"]; ok || dev["printer"].(map[string]any)["drawer"] != "unknown" {
		t.Errorf("till-2's drawer without a switch shows in its status: %v", dev)
	}
	p.kill()
	for m := range till2.msgs {
		if d, _ := m["data"].(map[string]any); m["type"] == "device" && d["drawer"] != nil {
			t.Errorf("till-2 heard of its drawer without a switch: %v", m)
		}
	}

	db, err := openExisting(context.Background(), Config{Data: data})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, err := db.Journal(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var alarms []string
	for _, e := range entries {
		if e.Kind != pos.JournalDrawerAlarm {
			continue
		}
		var a pos.DrawerAlarm
		if err := json.Unmarshal(e.Data, &a); err != nil {
			t.Fatal(err)
		}
		alarms = append(alarms, a.Station+" "+a.Alarm+fmt.Sprintf(" shift:%t", a.ShiftID != ""))
	}
	want := []string{"till-1 opened_unasked shift:false", "till-1 left_open shift:false", "till-1 not_opened shift:true"}
	if fmt.Sprint(alarms) != fmt.Sprint(want) {
		t.Errorf("journalled drawer alarms %q, want %q\n%s", alarms, want, p.out)
	}
}
