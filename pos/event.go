package pos

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"
)

// Event types sent to central (the contract's events topic).
const (
	EventSaleCompleted   = "pos.sale.completed"
	EventSaleVoided      = "pos.sale.voided"
	EventReturnCompleted = "pos.return.completed"
	EventStockAdjusted   = "pos.stock.adjusted"
	EventPickupAccepted  = "pos.pickup.accepted"
	EventPickupReady     = "pos.pickup.ready"
	EventPickupCollected = "pos.pickup.collected"
	EventPickupRejected  = "pos.pickup.rejected"
	EventPickupExpired   = "pos.pickup.expired"
	EventShiftClosed     = "pos.shift.closed"
	EventCartSaved       = "pos.cart.saved"
)

// Event is one outbound event. ID and Time are set when the business fact
// happens; Epoch and Seq are assigned by the Store in the transaction that
// records the fact.
type Event struct {
	ID    string          `json:"id"`
	Type  string          `json:"type"`
	Time  time.Time       `json:"time"`
	Epoch string          `json:"epoch"`
	Seq   int64           `json:"seq"`
	Data  json.RawMessage `json:"data"`
}

// NewEvent makes an event of typ whose data is v marshalled as JSON.
func NewEvent(id, typ string, at time.Time, v any) (Event, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Event{}, fmt.Errorf("event %s: %w", typ, err)
	}
	return Event{ID: id, Type: typ, Time: at, Data: data}, nil
}

// NewUUID returns a random (version 4) UUID. It is the default id source of
// the package; a node injects its own through Options.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported systems
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Movement is one change of local stock made by this node. Seq is the
// sequence number of the event that carries it, set by the Store.
type Movement struct {
	SKU    string `json:"sku"`
	Delta  int64  `json:"delta"`
	Reason string `json:"reason"` // sale, return, count, damage, delivery, theft, other, pickup
	Ref    string `json:"ref"`    // sale, return or order id
}

// StockLevel is the node's view of on-hand for one SKU: central's count as
// of a point in this node's event stream, plus this node's movements after
// that point.
type StockLevel struct {
	SKU      string `json:"sku"`
	Central  int64  `json:"central"`  // central's last count
	Local    int64  `json:"local"`    // this node's movements since that count
	OnHand   int64  `json:"on_hand"`  // Central + Local
	Reserved int64  `json:"reserved"` // held for click-and-collect orders
	Negative bool   `json:"negative"` // sold below zero
}
