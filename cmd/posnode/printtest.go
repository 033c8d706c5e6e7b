package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/hardware/serialdev"
)

// cmdPrintTest prints the test page (every store language's sample line,
// the styles, a barcode and a QR code) straight to a printer's port, after
// asking the printer for its status.
func cmdPrintTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("print-test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.String("printer", "", "the printer's serial port: a path, or usb:VID:PID[:SERIAL] as `posnode ports` shows it (required)")
	profile := fs.String("profile", "tm-t20", "printer model: tm-t20, tm-t88, tm-t88-zh-hant or generic-58")
	line := fs.String("serial", "38400,8,none,1", "baud,data bits,parity,stop bits")
	lang := fs.String("lang", "en", "language of the headings: en, sv, sk, ro or zh-Hant")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *port == "" || fs.NArg() > 0 {
		return errors.New("usage: posnode print-test --printer PORT [--profile NAME] [--serial 38400,8,none,1] [--lang en]")
	}
	prof, ok := escpos.ProfileByName(*profile)
	if !ok {
		return fmt.Errorf("unknown printer profile %q; use one of %s", *profile, strings.Join(profileNames(), ", "))
	}
	cfg, err := parseSerial(*line, "38400,8,none,1")
	if err != nil {
		return err
	}
	path, err := findPort(*port)
	if err != nil {
		return err
	}
	p, err := serialdev.Open(path, cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	if st, err := readStatus(p); errors.Is(err, errNoStatus) {
		fmt.Fprintf(stdout, "status: no answer within a second (a printer that does not answer status requests, or check the port and --serial %s); printing anyway\n", *line)
	} else if err != nil {
		fmt.Fprintf(stdout, "status: a reply that is not a status (%v; check --serial %s: a wrong speed garbles replies); printing anyway\n", err, *line)
	} else {
		fmt.Fprintf(stdout, "status: %s\n", st)
		if !st.Ready() {
			return fmt.Errorf("printer not ready: %s", st)
		}
	}
	font, err := escpos.OpenDefaultFont()
	if err != nil {
		fmt.Fprintf(stdout, "note: %v; Chinese prints only in Big5 mode\n", err)
	}
	e := escpos.NewEncoder(prof, escpos.Options{Font: font})
	page := receipt.TestPage{Store: receipt.Store{Name: "posnode " + version, Lang: *lang, Currency: "EUR"}, Time: time.Now()}
	if err := page.Encode(e); err != nil {
		return err
	}
	if _, err := p.Write(e.Bytes()); err != nil {
		return fmt.Errorf("write to %s: %w", *port, err)
	}
	fmt.Fprintf(stdout, "printed the test page (%d bytes, profile %s) on %s\n", len(e.Bytes()), prof.Name, *port)
	return nil
}

// profileNames are the names of the built-in printer profiles.
func profileNames() []string {
	names := make([]string, len(escpos.Profiles))
	for i, p := range escpos.Profiles {
		names[i] = p.Name
	}
	return names
}

// errNoStatus is readStatus's error when not a byte came back.
var errNoStatus = errors.New("no status reply")

// findPort is the path of the serial device named target, by a path or
// by USB identity as in the config, among the ports present now.
func findPort(target string) (string, error) {
	path, usb, err := serialdev.ParseTarget(target)
	if err != nil || usb == nil {
		return path, err
	}
	ports, err := serialdev.Ports()
	if err != nil {
		return "", err
	}
	return usb.Find(ports)
}

// readStatus asks for the printer's real-time status and reads the reply
// within a second; errNoStatus when nothing came back.
func readStatus(p serialdev.Port) (escpos.Status, error) {
	if _, err := p.Write(escpos.StatusPoll()); err != nil {
		return escpos.Status{}, err
	}
	if err := p.SetReadTimeout(200 * time.Millisecond); err != nil {
		return escpos.Status{}, err
	}
	reply := make([]byte, 0, escpos.StatusReplyLen)
	buf := make([]byte, escpos.StatusReplyLen)
	for deadline := time.Now().Add(time.Second); len(reply) < escpos.StatusReplyLen && time.Now().Before(deadline); {
		n, err := p.Read(buf[:escpos.StatusReplyLen-len(reply)])
		if err != nil {
			return escpos.Status{}, err
		}
		reply = append(reply, buf[:n]...)
	}
	if len(reply) == 0 {
		return escpos.Status{}, errNoStatus
	}
	return escpos.ParseStatus(reply, escpos.StatusOptions{})
}
