package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/serialdev"
	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// fakePrinter is a printer on a pseudo-terminal that answers the status
// request with st.
func fakePrinter(t *testing.T, st escpos.Status) string {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	if err := serialdev.MakeRaw(int(s.Fd())); err != nil {
		t.Fatal(err)
	}
	if err := serialdev.MakeRaw(int(m.Fd())); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		poll := escpos.StatusPoll()
		buf := make([]byte, len(poll))
		if _, err := io.ReadFull(m, buf); err != nil || !bytes.Equal(buf, poll) {
			return
		}
		m.Write(escpos.EncodeStatus(st, escpos.StatusOptions{}))
	}()
	t.Cleanup(func() {
		m.Close()
		s.Close()
		<-done
	})
	return s.Name()
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDoctorHealthyNode(t *testing.T) {
	cfg, db := testNodeDB(t, 1)
	// A store's staff have PINs of their own, not the demo's.
	for _, s := range demoStaff {
		h, err := pos.HashPIN("4829" + s.id)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PutStaff(context.Background(), pos.Staff{ID: s.id, Name: s.name, Role: s.role, PINHash: h, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	printer := fakePrinter(t, escpos.Status{Online: true})
	scanner := fakePrinter(t, escpos.Status{}) // a line that opens; never polled
	tlsDir := brokertest.TLSFiles(t)
	port := brokertest.FreePort(t)
	brokertest.Start(t, brokertest.Options{Extra: brokertest.TLSListener(port, tlsDir)})
	broker, ca := fmt.Sprintf("ssl://127.0.0.1:%d", port), filepath.Join(tlsDir, "ca.pem")
	path := writeConfig(t, fmt.Sprintf(`
data = %q
http = %q
store = "s1"
node = "till-1"
[mqtt]
url = %q
ca_file = %q
cert_file = %q
key_file = %q
[backup]
every = "6h"
[[stations]]
id = "till-1"
kind = "till"
name = "Till 1"
scanner = %q
printer = %q
printer_serial = "38400,8,none,1"
`, cfg.Data, freeAddr(t), broker, ca, filepath.Join(tlsDir, "client.pem"), filepath.Join(tlsDir, "client.key"), scanner, printer))
	var out bytes.Buffer
	err := cmdDoctor(context.Background(), []string{"--config", path, "--timeout", "5s"}, &out, io.Discard)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatalf("doctor: %v", err)
	}
	for _, want := range []string{
		"OK    database  ", "schema " + fmt.Sprint(sqlite.SchemaVersion()), "integrity ok", "1 sales",
		"till-1 printer: " + printer + ": printer ready",
		"till-1 scanner: " + scanner,
		"TLS ok", "OK    broker    MQTT login accepted",
		"OK    data",
		"OK    http",
		" 0 FAIL",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The clock is right; whether it is synchronised (a WARN) depends on
	// the machine running the test.
	if !strings.Contains(out.String(), "OK    clock") && !strings.Contains(out.String(), "not synchronised") {
		t.Errorf("output lacks the clock")
	}
}

func TestDoctorFindsProblems(t *testing.T) {
	cfg, db := testNodeDB(t, 0)
	db.Close()
	// A database written by a newer posnode.
	raw, err := openRaw(dbPath(cfg), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", sqlite.SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	// A broker nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadBroker := ln.Addr().String()
	ln.Close()
	paperOut := fakePrinter(t, escpos.Status{Online: true, PaperOut: true})
	path := writeConfig(t, fmt.Sprintf(`
data = %q
store = "s1"
node = "till-1"
demo = true
[mqtt]
url = "ssl://%s"
[[stations]]
id = "till-1"
kind = "till"
name = "Till 1"
scanner = "/dev/posnode/no-such-scanner"
printer = %q
[[stations]]
id = "till-2"
kind = "till"
name = "Till 2"
printer = "/dev/null"
printer_serial = "12345,8,none,1"
`, cfg.Data, deadBroker, paperOut))
	var out bytes.Buffer
	err = cmdDoctor(context.Background(), []string{"--config", path, "--timeout", "2s"}, &out, io.Discard)
	t.Log("\n" + out.String())
	if !errors.Is(err, errDoctorFailed) {
		t.Fatalf("doctor = %v, want errDoctorFailed", err)
	}
	lines := out.String()
	for _, want := range []string{
		"FAIL  config    stations[1].printer_serial \"12345,8,none,1\"",
		"FAIL  database  schema " + fmt.Sprint(sqlite.SchemaVersion()+1) + " was written by a newer posnode",
		"FAIL  serial    till-1 scanner: /dev/posnode/no-such-scanner is not there",
		"WARN  serial    till-1 printer: " + paperOut + ": printer not ready: ",
		"paper-out",
		"FAIL  serial    till-2 printer: line settings",
		"FAIL  broker    " + deadBroker + " unreachable",
		"WARN  config    demo = true",
		"WARN  config    scheduled backups are off",
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Every problem says how to fix it.
	problems := strings.Count("\n"+lines, "\nFAIL ") + strings.Count("\n"+lines, "\nWARN ")
	if fixes := strings.Count(lines, "fix: "); fixes != problems {
		t.Errorf("%d problems but %d fixes", problems, fixes)
	}
}

func TestDoctorBadConfig(t *testing.T) {
	path := writeConfig(t, "store = \"s1\"\nnode = \"till-1\"\ndata = \"/tmp\"\nbogus_key = 1\n")
	var out bytes.Buffer
	err := cmdDoctor(context.Background(), []string{"--config", path}, &out, io.Discard)
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out.String(), "FAIL  config") || !strings.Contains(out.String(), "bogus_key") {
		t.Fatalf("doctor on a config with an unknown key: %v\n%s", err, out.String())
	}
}

func TestDoctorClock(t *testing.T) {
	tests := []struct {
		name   string
		now    time.Time
		newest time.Time
		synced bool
		want   level
		text   string // in the finding
	}{
		{"fine", time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 9, 59, 0, 0, time.UTC), true, levelOK, ""},
		{"no records", time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), time.Time{}, true, levelOK, ""},
		{"not synchronised", time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), time.Time{}, false, levelWarn, "not synchronised"},
		{"battery died", time.Date(1970, 1, 1, 0, 0, 5, 0, time.UTC), time.Time{}, false, levelFail, "cannot be right"},
		{"behind the newest sale", time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC), false, levelFail, "is 1 hour behind"},
		{"months behind", time.Date(2026, 12, 7, 3, 52, 43, 0, time.UTC), time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC), false, levelFail, "is 84 days behind"},
		{"slightly behind", time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 10, 1, 0, 0, time.UTC), true, levelOK, ""},
		// The node takes a synchronised clock as right: the records were
		// made while it was set ahead, and setting it is no fix.
		{"synchronised, records ahead", time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 12, 30, 0, 0, time.UTC), true, levelWarn, "made while the clock was set ahead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &doctor{now: func() time.Time { return tt.now }, newest: tt.newest, synced: func() bool { return tt.synced }}
			d.checkClock()
			if len(d.out) != 1 {
				t.Fatalf("findings = %+v", d.out)
			}
			if got := d.out[0]; got.level != tt.want || !strings.Contains(got.text, tt.text) {
				t.Fatalf("%v %q, want %v with %q", got.level, got.text, tt.want, tt.text)
			}
		})
	}
}

// TestDoctorRolledBackDatabase: a database central is found ahead of (put
// back to an older copy) is told apart, with what to do.
func TestDoctorRolledBackDatabase(t *testing.T) {
	cfg, db := testNodeDB(t, 1)
	var ahead *pos.AheadError
	if _, _, err := db.Ack(context.Background(), db.Epoch(), 5, nil); !errors.As(err, &ahead) {
		t.Fatalf("ack beyond the last event: %v", err)
	}
	db.Close()
	path := writeConfig(t, fmt.Sprintf("data = %q\nstore = \"s1\"\nnode = \"till-1\"\n", cfg.Data))
	var out bytes.Buffer
	cmdDoctor(context.Background(), []string{"--config", path, "--timeout", "2s"}, &out, io.Discard)
	t.Log("\n" + out.String())
	for _, want := range []string{"WARN  events    central has acknowledged events through seq 5", "begins a new event epoch by itself"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestDoctorUSBIdentities: doctor finds a device named by USB identity
// among the ports present, shows the identity of a device named by a path
// so that it can be pasted into the config, and for an identity not
// plugged in lists the ports present with theirs.
func TestDoctorUSBIdentities(t *testing.T) {
	printer := fakePrinter(t, escpos.Status{Online: true})
	scanner := fakePrinter(t, escpos.Status{Online: true})
	present := []serialdev.PortInfo{
		{Path: "/dev/ttyS0"},
		{Path: printer, USB: true, VID: "0403", PID: "6001", SerialNumber: "A50285BI", Manufacturer: "FTDI", Product: "FT232R USB UART"},
		{Path: scanner, USB: true, VID: "05E0", PID: "1200", SerialNumber: "S0123"},
	}
	d := &doctor{timeout: 2 * time.Second, now: time.Now, ports: func() ([]serialdev.PortInfo, error) { return present, nil }}
	d.cfg = Config{Stations: []StationConfig{{ID: "till-1", Kind: "till", Printer: "usb:0403:6001:A50285BI", Scanner: scanner, Display: "usb:1a86:7523"}}}
	d.checkSerial()
	var out bytes.Buffer
	d.report(&out)
	t.Log("\n" + out.String())
	for _, want := range []string{
		"OK    serial    till-1 printer: usb:0403:6001:A50285BI at " + printer + ": printer ready",
		"OK    serial    till-1 scanner: " + scanner + ", by USB identity usb:05e0:1200:S0123 opens",
		"FAIL  serial    till-1 display: no USB device usb:1a86:7523 is plugged in",
		"the ports present are /dev/ttyS0, " + printer + " usb:0403:6001:A50285BI (FTDI FT232R USB UART), " + scanner + " usb:05e0:1200:S0123;",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestPortsListing: `posnode ports` shows the identity to paste into the
// config for each USB port, with its stable names, and says when an
// identity names more than one port.
func TestPortsListing(t *testing.T) {
	var out bytes.Buffer
	writePorts(&out, []serialdev.PortInfo{
		{Path: "/dev/ttyS0"},
		{Path: "/dev/ttyUSB0", USB: true, VID: "0403", PID: "6001", SerialNumber: "A50285BI", Manufacturer: "FTDI", Product: "FT232R USB UART",
			ByID: []string{"/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"}},
		{Path: "/dev/ttyUSB1", USB: true, VID: "1A86", PID: "7523"},
		{Path: "/dev/ttyUSB2", USB: true, VID: "1A86", PID: "7523"},
	})
	want := `/dev/ttyS0
/dev/ttyUSB0 usb:0403:6001:A50285BI (FTDI FT232R USB UART)
    /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0
/dev/ttyUSB1 usb:1a86:7523
    usb:1a86:7523 names 2 ports (no serial number tells them apart): name this one by a path, such as a udev rule's by USB socket
/dev/ttyUSB2 usb:1a86:7523
    usb:1a86:7523 names 2 ports (no serial number tells them apart): name this one by a path, such as a udev rule's by USB socket

Name a device in the config (scanner, printer, display) by its usb:... identity, found on whatever port it is plugged into, or by a path.
`
	if out.String() != want {
		t.Errorf("ports listed:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	writePorts(&out, nil)
	if out.String() != "no serial ports found\n" {
		t.Errorf("no ports listed as %q", out.String())
	}
}

// A port path that names a directory or a file, such as /dev/serial/by-id
// itself or a typo of a /dev name, is no serial device: doctor says so,
// also while the node runs and holds its real ports.
func TestDoctorPortNotADevice(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, "a file, not a tty")
	path := writeConfig(t, fmt.Sprintf(`
data = %q
store = "s1"
node = "till-1"
[[stations]]
id = "till-1"
kind = "till"
name = "Till 1"
printer = %q
scanner = %q
`, dir, dir, file))
	for _, running := range []bool{false, true} {
		if running {
			release, err := lockData(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer release()
		}
		var out bytes.Buffer
		_ = cmdDoctor(context.Background(), []string{"--config", path, "--timeout", "1s"}, &out, io.Discard)
		t.Log("\n" + out.String())
		for _, want := range []string{
			"FAIL  serial    till-1 printer: " + dir + " is a directory, not a serial device",
			"FAIL  serial    till-1 scanner: " + file + " is a regular file, not a serial device",
			"fix: name the device's port",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("node running %v: output lacks %q", running, want)
			}
		}
	}
}

// A config file doctor cannot open is no config to fix: it says to check
// the path given.
func TestDoctorConfigMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posnode.tmol")
	var out bytes.Buffer
	err := cmdDoctor(context.Background(), []string{"--config", path}, &out, io.Discard)
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out.String(), "FAIL  config    no config file at "+path) ||
		!strings.Contains(out.String(), "fix: check the path given to --config (the package installs /etc/posnode/posnode.toml)") {
		t.Errorf("doctor on a config file that is not there: %v\n%s", err, out.String())
	}
}

// A USB device named by the number the kernel gave it (/dev/ttyUSB0) may
// be another device after the next boot or replug: doctor warns.
func TestDoctorNumberedPort(t *testing.T) {
	path := writeConfig(t, fmt.Sprintf(`
data = %q
store = "s1"
node = "till-1"
[[stations]]
id = "till-1"
kind = "till"
name = "Till 1"
printer = "/dev/ttyUSB77"
scanner = "/dev/ttyACM77"
`, t.TempDir()))
	var out bytes.Buffer
	_ = cmdDoctor(context.Background(), []string{"--config", path, "--timeout", "1s"}, &out, io.Discard)
	t.Log("\n" + out.String())
	for _, want := range []string{
		"WARN  serial    till-1 printer: /dev/ttyUSB77 is numbered in the order devices appear",
		"WARN  serial    till-1 scanner: /dev/ttyACM77 is numbered in the order devices appear",
		"fix: name it by its USB identity",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
