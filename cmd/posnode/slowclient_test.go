package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// A client that sends a request's headers and then its body a byte at a
// time, or not at all, does not hold a connection and its goroutine for
// ever: a few hundred such (a slowloris on the store network) would take
// the node's file descriptors. The node answers and closes when the body
// has not come within its read timeout.
func TestSlowBodyIsCutOff(t *testing.T) {
	t.Parallel() // it waits on the node's timers, beside the others that do
	p := startNode(t, t.TempDir(), freeAddr(t))
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", p.addr)
	// Far past the node's read timeout: a node without one answers never.
	_ = conn.SetReadDeadline(time.Now().Add(3 * httpReadTimeout))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a body that does not come: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 {
		t.Fatalf("a body that does not come: %s", resp.Status)
	}
}
