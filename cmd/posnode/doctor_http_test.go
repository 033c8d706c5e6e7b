package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// doctorHTTP runs doctor on a config of data and addr and returns its
// lines about the UI's address.
func doctorHTTP(t *testing.T, data, addr, stations string) string {
	t.Helper()
	path := writeConfig(t, fmt.Sprintf("data = %q\nhttp = %q\n%s", data, addr, stations))
	var out bytes.Buffer
	_ = cmdDoctor(context.Background(), []string{"--config", path, "--timeout", "2s"}, &out, io.Discard)
	var lines []string
	take := false
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) > 1 {
			switch {
			case f[1] == "http":
				take = true
			case f[0] != "fix:":
				take = false
			}
		}
		if take {
			lines = append(lines, l)
		}
	}
	t.Logf("doctor on %s:\n%s", addr, strings.Join(lines, "\n"))
	return strings.Join(lines, "\n")
}

func TestDoctorHTTP(t *testing.T) {
	data := t.TempDir()
	want := func(t *testing.T, got string, parts ...string) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(got, p) {
				t.Errorf("doctor's http check lacks %q", p)
			}
		}
	}

	t.Run("stopped, port free", func(t *testing.T) {
		addr := freeAddr(t)
		want(t, doctorHTTP(t, data, addr, ""), "OK    http      "+addr+" is free for the UI")
	})
	t.Run("stopped, another web server on the port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.NotFoundHandler()}
		go srv.Serve(ln)
		defer srv.Close()
		got := doctorHTTP(t, data, ln.Addr().String(), "")
		want(t, got, "FAIL  http      another program answers on http://"+ln.Addr().String()+" (not posnode)", "ss -ltnp")
	})
	t.Run("stopped, a program that does not speak HTTP on the port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		got := doctorHTTP(t, data, ln.Addr().String(), "")
		want(t, got, "FAIL  http      the node could not listen on "+ln.Addr().String(), "another program holds the port")
	})
	t.Run("loopback only with tablets", func(t *testing.T) {
		addr := freeAddr(t)
		_, port, _ := net.SplitHostPort(addr)
		got := doctorHTTP(t, data, addr, "[[stations]]\nid = \"tab\"\nkind = \"tablet\"\nname = \"Tablets\"\n")
		want(t, got, "WARN  http      the UI listens on "+addr+": only this machine can open it, not the tablets", `http = ":`+port+`"`)
		till := "[[stations]]\nid = \"till-1\"\nkind = \"till\"\nname = \"Till 1\"\n"
		if got := doctorHTTP(t, data, addr, till); strings.Contains(got, "WARN") {
			t.Errorf("a loopback address without tablets is warned of")
		}
	})
	t.Run("running", func(t *testing.T) {
		run := t.TempDir()
		addr := freeAddr(t)
		startNode(t, run, addr)
		want(t, doctorHTTP(t, run, addr, ""), "OK    http      the UI answers on http://"+addr)
		// The same node, with a config naming another address than
		// the one it listens on.
		other := freeAddr(t)
		want(t, doctorHTTP(t, run, other, ""), "FAIL  http      the node is running but its UI does not answer on http://"+other, "journalctl -u posnode")
	})
}
