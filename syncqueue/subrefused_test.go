package syncqueue_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/centraltest"
)

// A broker that refuses the node's subscription to its ack topic leaves
// the node unconnected, saying why, rather than sending events whose
// delivery it could never see. Mosquitto grants every subscription and
// applies its access rules to delivery only, so the broker here is a
// minimal MQTT 3.1.1 peer that accepts the connection and refuses the ack
// topic in its SUBACK, as brokers with subscribe rules (EMQX, HiveMQ) do.
func TestSubscriptionRefused(t *testing.T) {
	n := startNode(t, refusingPeer(t, "/ack", nil), filepath.Join(t.TempDir(), "pos.db"), nil)
	centraltest.Eventually(t, 10*time.Second, "the refusal shown", func() bool {
		return strings.Contains(n.client.Status().LastError, "refused pos/v1/stores/"+store+"/nodes/"+node+"/ack")
	})
	if n.client.Status().Connected {
		t.Fatal("connected without the ack topic")
	}
}

// A broker whose access rules allow the contract's orders/{order_id} one
// level deep, and so refuse orders/#, still has the node connected, with
// the orders of ids without '/'.
func TestOrdersOfEveryIDRefused(t *testing.T) {
	var mu sync.Mutex
	var filters []string
	n := startNode(t, refusingPeer(t, "/#", func(f string) { mu.Lock(); filters = append(filters, f); mu.Unlock() }),
		filepath.Join(t.TempDir(), "pos.db"), nil)
	centraltest.Eventually(t, 10*time.Second, "connected", func() bool { return n.client.Status().Connected })
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(filters, "pos/v1/stores/"+store+"/orders/+") {
		t.Fatalf("subscribed to %q, want orders/+ after orders/# was refused", filters)
	}
}

// refusingPeer starts a minimal MQTT peer (see refuse) that refuses every
// filter ending in suffix and tells seen (if set) of every filter asked
// for; it returns its URL.
func refusingPeer(t *testing.T, suffix string, seen func(string)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go refuse(c, suffix, seen)
		}
	}()
	return "tcp://" + ln.Addr().String()
}

// refuse answers CONNECT with CONNACK, SUBSCRIBE with a SUBACK that
// refuses every filter ending in suffix, and PINGREQ with PINGRESP, until
// the connection ends.
func refuse(c net.Conn, suffix string, seen func(string)) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		head, err := r.ReadByte()
		if err != nil {
			return
		}
		size, err := binary.ReadUvarint(r) // MQTT's remaining length is this varint
		if err != nil || size > 1<<16 {
			return
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		switch head >> 4 {
		case 1: // CONNECT
			c.Write([]byte{0x20, 2, 0, 0})
		case 8: // SUBSCRIBE: packet id, then (length, filter, QoS) each
			ack := []byte{0x90, 0, body[0], body[1]}
			for rest := body[2:]; len(rest) >= 2; {
				l := int(binary.BigEndian.Uint16(rest))
				if len(rest) < 3+l {
					return
				}
				code := byte(1)
				filter := string(rest[2 : 2+l])
				if seen != nil {
					seen(filter)
				}
				if strings.HasSuffix(filter, suffix) {
					code = 0x80
				}
				ack = append(ack, code)
				rest = rest[3+l:]
			}
			ack[1] = byte(len(ack) - 2)
			c.Write(ack)
		case 12: // PINGREQ
			c.Write([]byte{0xd0, 0})
		case 14: // DISCONNECT
			return
		}
	}
}
