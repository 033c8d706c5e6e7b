package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// checkHTTP checks the UI's address. With the node running, its health
// endpoint must answer there; with the node stopped, no other program may
// hold the port, or the node would not start. A UI on the loopback address
// only is named when tablets are configured, since they cannot reach it.
func (d *doctor) checkHTTP(ctx context.Context) {
	addr := d.cfg.HTTP
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return // the config check has named it
	}
	scheme := "http"
	if d.cfg.TLS.Enabled {
		scheme = "https"
	}
	probe := host
	switch probe {
	case "", "0.0.0.0":
		probe = "127.0.0.1"
	case "::":
		probe = "::1"
	}
	url := scheme + "://" + net.JoinHostPort(probe, port)
	answered, ours, err := d.health(ctx, url+"/healthz")
	switch {
	case ours && d.running:
		d.add(levelOK, "http", "the UI answers on "+url, "")
	case ours:
		d.add(levelWarn, "http", "a posnode answers on "+url+", but none is seen running on "+d.cfg.Data,
			"if it is another node, stop it or give this one another http address: two cannot share the port")
	case answered:
		d.add(levelFail, "http", "another program answers on "+url+" (not posnode)",
			fmt.Sprintf("stop it, or set http in the config to a free port; ss -ltnp 'sport = :%s' names the program", port))
	case d.running:
		d.add(levelFail, "http", fmt.Sprintf("the node is running but its UI does not answer on %s: %v", url, err),
			"read the node's log (journalctl -u posnode) for why it could not listen, and restart it (systemctl restart posnode)")
	default:
		l, lerr := net.Listen("tcp", addr)
		if lerr != nil {
			fix := "set http in the config to an address of this machine"
			if errors.Is(lerr, syscall.EADDRINUSE) {
				fix = fmt.Sprintf("another program holds the port: stop it, or set http in the config to a free port; ss -ltnp 'sport = :%s' names the program", port)
			}
			d.add(levelFail, "http", fmt.Sprintf("the node could not listen on %s: %v", addr, lerr), fix)
			return
		}
		l.Close()
		d.add(levelOK, "http", addr+" is free for the UI (the node is not running)", "")
	}
	if loopback(host) && d.hasTablets() {
		d.add(levelWarn, "http", "the UI listens on "+addr+": only this machine can open it, not the tablets",
			fmt.Sprintf("set http = \":%s\" in the config (and [tls] enabled = true for tablets on Wi-Fi)", port))
	}
}

// health asks url for the node's health answer: answered is set when
// anything spoke HTTP there, ours when it was posnode's {"status":"ok"}.
func (d *doctor) health(ctx context.Context, url string) (answered, ours bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, false, err
	}
	// The probe sends nothing secret and only asks whether the node
	// answers; the certificate may be one the node made for its tablets.
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		return false, false, err
	}
	defer resp.Body.Close()
	var v struct {
		Status string `json:"status"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	ours = resp.StatusCode == http.StatusOK && json.Unmarshal(b, &v) == nil && v.Status == "ok"
	return true, ours, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (d *doctor) hasTablets() bool {
	for _, s := range d.cfg.Stations {
		if s.Kind == "tablet" {
			return true
		}
	}
	return false
}
