package syncqueue_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/centraltest"
	"github.com/posnode/posnode/syncqueue"
)

// TestRPCAnswerInvalid: an answer central sent for a waiting lookup that
// does not follow the contract is that lookup's error at once (and a
// refused payload, counted once), not a timeout.
func TestRPCAnswerInvalid(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	// Long enough that a lookup left waiting shows as a timeout.
	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) { o.RPCTimeout = 5 * time.Second })
	centraltest.Eventually(t, 10*time.Second, "connected", func() bool { return n.client.Status().Connected })
	// {"id":…,"result":null}: neither a result nor an error.
	central.SetAnswer(func(string, map[string]any) (any, string) { return nil, "" })
	_, err := n.client.CustomerLookup(context.Background(), "C-1")
	if !errors.Is(err, syncqueue.ErrInvalidPayload) {
		t.Fatalf("lookup answered without result or error: %v, want ErrInvalidPayload", err)
	}
	centraltest.Eventually(t, 5*time.Second, "the answer counted as refused", func() bool { return n.client.Status().InboundRejects == 1 })

	// A result that lacks a field the contract requires, or holds one out
	// of range, is refused and counted too: a payment without its amount
	// would otherwise count as nothing paid.
	central.SetAnswer(func(method string, _ map[string]any) (any, string) {
		switch method {
		case "customer.lookup":
			return map[string]any{"id": "C-1"}, "" // no name
		case "sale.lookup":
			return map[string]any{"lines": []any{map[string]any{"sku": "1", "qty": 1, "unit_price": 100, "tax_rate_bp": 0}},
				"payments": []any{map[string]any{"method": "card"}}}, ""
		}
		return map[string]any{"lines": []any{map[string]any{"sku": "1", "qty": -1, "unit_price": 100, "tax_rate_bp": 0}},
			"payment": map[string]any{"status": "paid", "amount": 100, "currency": "SEK"}}, ""
	})
	if _, err := n.client.CustomerLookup(context.Background(), "C-1"); !errors.Is(err, syncqueue.ErrInvalidPayload) {
		t.Fatalf("customer without a name: %v, want ErrInvalidPayload", err)
	}
	if _, err := n.client.OrderLookup(context.Background(), "W-1"); !errors.Is(err, syncqueue.ErrInvalidPayload) {
		t.Fatalf("order line of qty -1: %v, want ErrInvalidPayload", err)
	}
	if _, err := n.client.SaleLookup(context.Background(), "s2", "S-1"); !errors.Is(err, syncqueue.ErrInvalidPayload) {
		t.Fatalf("sale payment without an amount: %v, want ErrInvalidPayload", err)
	}
	centraltest.Eventually(t, 5*time.Second, "the results counted as refused", func() bool { return n.client.Status().InboundRejects == 4 })
	topic := "nodes/" + node + "/rpc/response"
	if got := rejectTopics(t, n.db); !slices.Equal(got, []string{topic, topic, topic, topic}) {
		t.Fatalf("refused %q", got)
	}
}

// TestRPCConnectionLostWhileWaiting: a lookup waiting for central's
// answer when the connection drops says offline at once.
func TestRPCConnectionLostWhileWaiting(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	central := centraltest.New(t, b.URL(), store, node)
	n := startNode(t, b.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) { o.RPCTimeout = 5 * time.Second })
	centraltest.Eventually(t, 10*time.Second, "connected", func() bool { return n.client.Status().Connected })
	asked := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	central.SetAnswer(func(string, map[string]any) (any, string) {
		asked <- struct{}{}
		<-release // central answers only once the broker is gone
		return map[string]any{"id": "C-1", "name": "Ana"}, ""
	})
	errc := make(chan error, 1)
	go func() {
		_, err := n.client.CustomerLookup(context.Background(), "C-1")
		errc <- err
	}()
	<-asked
	b.Kill()
	if err := <-errc; !errors.Is(err, syncqueue.ErrOffline) {
		t.Fatalf("lookup when the connection dropped: %v, want ErrOffline", err)
	}
}

// TestRPCSilentLink: when the link to the broker goes silent (a store's
// line cut without a word, long before the keep-alive gives it up), a
// lookup whose request the broker never acknowledges ends the connection:
// the lookups after it answer offline at once instead of each waiting
// RPCTimeout for an answer that cannot come.
func TestRPCSilentLink(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	proxy := newFaultProxy(t, b.URL()[len("tcp://"):])
	central := centraltest.New(t, b.URL(), store, node)
	n := startNode(t, proxy.URL(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		o.RPCTimeout = time.Second
		o.KeepAlive = time.Minute // the keep-alive notices nothing during the test
		o.BackoffMin, o.BackoffMax = time.Minute, time.Minute
	})
	centraltest.Eventually(t, 10*time.Second, "connected", func() bool { return n.client.Status().Connected })
	central.SetAnswer(func(string, map[string]any) (any, string) { return map[string]any{"id": "C-1", "name": "Ana"}, "" })
	ctx := context.Background()
	if _, err := n.client.CustomerLookup(ctx, "C-1"); err != nil {
		t.Fatalf("lookup online: %v", err)
	}
	proxy.freeze()
	if _, err := n.client.CustomerLookup(ctx, "C-1"); !errors.Is(err, syncqueue.ErrTimeout) && !errors.Is(err, syncqueue.ErrOffline) {
		t.Fatalf("first lookup over the silent link: %v, want a timeout or offline", err)
	}
	if n.client.Status().Connected {
		t.Fatal("still connected over a link the broker stopped answering on: every lookup would wait its RPCTimeout")
	}
	if _, err := n.client.CustomerLookup(ctx, "C-1"); !errors.Is(err, syncqueue.ErrOffline) {
		t.Fatalf("lookup after one the broker never acknowledged: %v, want ErrOffline", err)
	}
}

// TestRPCBusyLink: over a line that is slow but alive (a backlog of events
// going out ahead of the request), a request the broker has not
// acknowledged within RPCTimeout while it acknowledges other things is a
// timeout: the connection is kept, and the drain goes on.
func TestRPCBusyLink(t *testing.T) {
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
			go ackAllBut(c, "/rpc/request")
		}
	}()
	n := startNode(t, "tcp://"+ln.Addr().String(), filepath.Join(t.TempDir(), "pos.db"), func(o *syncqueue.Options) {
		o.RPCTimeout = time.Second
		o.KeepAlive = time.Minute
	})
	centraltest.Eventually(t, 10*time.Second, "connected", func() bool { return n.client.Status().Connected })
	errc := make(chan error, 1)
	go func() {
		_, err := n.client.CustomerLookup(context.Background(), "C-1")
		errc <- err
	}()
	// Events keep going out, and the broker acknowledges them, while the
	// request waits.
	for {
		appendEvents(t, n.db, 1)
		select {
		case err := <-errc:
			if !errors.Is(err, syncqueue.ErrTimeout) {
				t.Fatalf("lookup over a busy line: %v, want ErrTimeout", err)
			}
			if !n.client.Status().Connected {
				t.Fatal("a busy line was taken for dead")
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ackAllBut is a minimal MQTT 3.1.1 broker for one connection: it grants
// every subscription and acknowledges every publish of QoS 1 except those
// on topics ending in suffix, which it leaves unanswered.
func ackAllBut(c net.Conn, suffix string) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		head, err := r.ReadByte()
		if err != nil {
			return
		}
		size, err := binary.ReadUvarint(r)
		if err != nil || size > 1<<20 {
			return
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		switch head >> 4 {
		case 1: // CONNECT
			c.Write([]byte{0x20, 2, 0, 0})
		case 3: // PUBLISH: topic, then the packet id at QoS 1
			l := int(binary.BigEndian.Uint16(body))
			if (head>>1)&3 == 1 && !strings.HasSuffix(string(body[2:2+l]), suffix) {
				c.Write([]byte{0x40, 2, body[2+l], body[3+l]})
			}
		case 8: // SUBSCRIBE: packet id, then (length, filter, QoS) each
			ack := []byte{0x90, 0, body[0], body[1]}
			for rest := body[2:]; len(rest) >= 2; {
				l := int(binary.BigEndian.Uint16(rest))
				if len(rest) < 3+l {
					return
				}
				ack = append(ack, 1)
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
