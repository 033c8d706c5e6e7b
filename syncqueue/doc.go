// Package syncqueue keeps a store node in sync with central over MQTT, as
// the central contract (pos/v1) defines: it delivers the node's outbox of
// events and takes central's retained state (settings, catalog, stock,
// click-and-collect orders), and offers central's lookups while online.
//
// A Client is made with New from Options and runs with Run until its
// context ends. The database's OnEvents hook calls Notify so that new
// events leave at once.
//
// # Delivery guarantees
//
// Events are recorded in the outbox in the same transaction as the fact
// they report, with a gap-free seq per epoch, whether or not the broker is
// reachable. The Client publishes them to nodes/{node}/events with QoS 1,
// in seq order, as CloudEvents 1.0 structured JSON.
//
//   - An event is done only when central's retained ack covers it (through
//     at or above its seq, or its seq in rejected). A PUBACK only means the
//     broker took the message and frees one of Window slots; neither paho's
//     tokens nor its stores are trusted for delivery (a broker killed
//     without warning loses what it acknowledged).
//   - After every connection, and whenever the ack has not advanced for
//     ResendAfter while events are outstanding, everything above the ack
//     is published again in seq order before anything newer.
//   - Delivery is therefore at least once: central may see an event twice
//     and after later ones, and drops repeats by id; seq lets it find gaps.
//   - Events central rejected are kept, flagged and counted, and never
//     hold up the queue. Acknowledged events are pruned after Retention;
//     unacknowledged ones never are.
//   - An ack of another epoch (an older database of this node) is ignored.
//     An ack of this epoch beyond its last event shows the database was
//     rolled back: nothing of it is recorded, the session ends, and the
//     outbox begins a new epoch (Outbox.RenewEpoch) in which the events
//     central had not acknowledged go out again from seq 1.
//
// Central's state arrives on retained topics and is applied only when its
// version is newer than the one held. Catalog and stock come in pages named
// by a manifest; only pages whose version the node lacks are fetched, at
// most PageFetch at a time (a broker delivers only about a thousand queued
// messages to one subscriber), and each page is applied in one transaction.
// A payload that breaks the contract is logged with its topic, counted in
// Status.InboundRejects and changes nothing. An empty retained order closes
// that order.
//
// # Concurrency
//
// Run owns every goroutine it starts and stops them before it returns: one
// status loop for its whole life and, per connection, a sender (with a
// reader that prepares the next batch of the outbox), an ack recorder and a
// state worker (with short-lived decoders of the pages it fetched). paho's
// message handler only parses acks and answers and queues the rest, so a
// slow transaction never holds up PUBACKs. Notify, Status, Call and the lookups are safe for concurrent use
// from any goroutine; OnStatus is called from the status loop and must not
// block.
package syncqueue
