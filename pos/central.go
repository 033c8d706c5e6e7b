package pos

import (
	"fmt"
	"time"
)

// Records that central sends to the node and the node's bookkeeping of
// what central has acknowledged (the contract's retained state topics and
// its ack topic).

// Rejection is central's refusal of one event: central recorded it, will
// not retry it and a manager should look at Reason.
type Rejection struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// OutboxStats describe the outbound event queue.
type OutboxStats struct {
	Epoch         string    `json:"epoch"`
	LastSeq       int64     `json:"last_seq"`                // highest seq recorded; 0 before the first event
	AckedThrough  int64     `json:"acked_through"`           // central has applied every event up to here
	Depth         int64     `json:"queue_depth"`             // events not yet acknowledged
	OldestUnacked time.Time `json:"oldest_unacked,omitzero"` // when the oldest of them was recorded; zero (left out) when none
	Rejected      int64     `json:"rejected"`                // events central rejected (kept for a manager)
	LastDelivery  time.Time `json:"last_delivery,omitzero"`  // when an ack last advanced; zero (left out) if never
}

// AheadError says central acknowledged events of this node's epoch that
// its database does not have: the database was rolled back to an older
// copy (a snapshot, an image, a file put back by hand) without a restore.
// New events would reuse sequence numbers central has already applied, so
// none is sent in this epoch; a new one begins (at once in a running node,
// or at its next start), in which every event central has not
// acknowledged goes out again with its id.
type AheadError struct {
	Epoch   string
	Through int64 // central's ack
	LastSeq int64 // the last event this database holds now
}

func (e *AheadError) Error() string {
	return fmt.Sprintf("central has acknowledged events through seq %d of epoch %s that this database did not hold (it ends at seq %d): "+
		"it was rolled back to an older copy; its events are held until a new epoch begins, in which they are sent again",
		e.Through, e.Epoch, e.LastSeq)
}

// CatalogPage is one page of central's catalog: the complete content of
// that page at Version.
type CatalogPage struct {
	Page    string `json:"page"`
	Version int64  `json:"version"`
	Items   []Item `json:"items"`
}

// StockCount is central's on-hand count of one SKU, including every event
// of this node's epoch AsEpoch up to and including AsSeq. An AsEpoch other
// than the node's current one (or empty) means the count includes none of
// the node's current events.
type StockCount struct {
	SKU     string `json:"sku"`
	OnHand  int64  `json:"on_hand"`
	AsEpoch string `json:"as_epoch"`
	AsSeq   int64  `json:"as_seq"`
}

// StockPage is one page of central's stock counts for this store.
type StockPage struct {
	Page    string       `json:"page"`
	Version int64        `json:"version"`
	Items   []StockCount `json:"items"`
}
