package syncqueue_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"path/filepath"
	"strings"
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
			go refuseAck(c)
		}
	}()
	n := startNode(t, "tcp://"+ln.Addr().String(), filepath.Join(t.TempDir(), "pos.db"), nil)
	centraltest.Eventually(t, 10*time.Second, "the refusal shown", func() bool {
		return strings.Contains(n.client.Status().LastError, "refused pos/v1/stores/"+store+"/nodes/"+node+"/ack")
	})
	if n.client.Status().Connected {
		t.Fatal("connected without the ack topic")
	}
}

// refuseAck answers CONNECT with CONNACK, SUBSCRIBE with a SUBACK that
// refuses every filter ending in /ack, and PINGREQ with PINGRESP, until
// the connection ends.
func refuseAck(c net.Conn) {
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
				if strings.HasSuffix(string(rest[2:2+l]), "/ack") {
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
