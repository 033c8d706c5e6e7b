package syncqueue_test

import (
	"bufio"
	"context"
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
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/syncqueue"
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
	n := startNode(t, refusingPeer(t, "/#", func(f string) [][]byte { mu.Lock(); filters = append(filters, f); mu.Unlock(); return nil }),
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
func refusingPeer(t *testing.T, suffix string, seen func(string) [][]byte) string {
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
// the connection ends. The packets seen returns for a filter granted are
// sent after its SUBACK.
func refuse(c net.Conn, suffix string, seen func(string) [][]byte) {
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
			var then [][]byte
			for rest := body[2:]; len(rest) >= 2; {
				l := int(binary.BigEndian.Uint16(rest))
				if len(rest) < 3+l {
					return
				}
				code := byte(1)
				filter := string(rest[2 : 2+l])
				var send [][]byte
				if seen != nil {
					send = seen(filter)
				}
				if strings.HasSuffix(filter, suffix) {
					code = 0x80
				} else {
					then = append(then, send...)
				}
				ack = append(ack, code)
				rest = rest[3+l:]
			}
			ack[1] = byte(len(ack) - 2)
			c.Write(ack)
			for _, p := range then {
				c.Write(p)
			}
		case 12: // PINGREQ
			c.Write([]byte{0xd0, 0})
		case 14: // DISCONNECT
			return
		}
	}
}

// Over a broker that refused orders/# and granted orders/+, each order
// that comes is taken once: the refused filter's handler must not take it
// a second time beside the granted one's.
func TestOrdersOneLevelArriveOnce(t *testing.T) {
	topic := "pos/v1/stores/" + store + "/orders/"
	publish := func(id string) []byte {
		payload := `{"order_id":"` + id + `","version":1,"status":"cancelled"}`
		body := binary.BigEndian.AppendUint16(nil, uint16(len(topic+id)))
		body = append(append(body, topic+id...), payload...)
		return append(binary.AppendUvarint([]byte{0x30}, uint64(len(body))), body...) // PUBLISH at QoS 0
	}
	url := refusingPeer(t, "/#", func(f string) [][]byte {
		if f == topic+"+" {
			return [][]byte{publish("W-1"), publish("W-2")}
		}
		return nil
	})
	sink := &countingOrders{applied: map[string]int{}}
	startNode(t, url, filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) { o.Orders = sink })
	centraltest.Eventually(t, 10*time.Second, "the orders taken", func() bool { return sink.count("W-2") > 0 })
	if n := sink.count("W-1"); n != 1 {
		t.Fatalf("order W-1 taken %d times, want once", n)
	}
}

// countingOrders is an OrderSink that counts the orders it is given.
type countingOrders struct {
	mu      sync.Mutex // guards applied
	applied map[string]int
}

func (c *countingOrders) ApplyOrder(_ context.Context, _ []byte, o pos.Order) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.applied[o.ID]++
	return nil
}

func (c *countingOrders) CloseOrder(context.Context, string) error { return nil }

func (c *countingOrders) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.applied[id]
}
