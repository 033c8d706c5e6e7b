// Package pos is the domain of a store's point of sale: the catalog as the
// till sees it, carts, pricing and tax, tenders, completed sales, local stock,
// staff and the events that tell central what happened.
//
// It uses the standard library only. Storage, devices, the network and the
// screens live in other packages and reach the domain through the small
// interfaces declared here (Store, PaymentTerminal), so every rule below can
// be tested without any of them.
//
// # Money and quantities
//
// Money is an int64 in minor units of the store's currency (öre, cent, bani).
// Quantities are int64: pieces for items sold by the piece (UnitEach) and
// grams for items sold by weight (UnitKg). Floating point is never used.
//
// # Rounding
//
// One rule is applied everywhere so that the screen, the receipt, the sale
// rows and the pos.sale.completed event agree to the minor unit:
//
//   - a division is rounded half away from zero (RoundDiv);
//   - a line's gross amount is unit price × quantity (÷ 1000 for grams);
//   - a percentage discount is rounded on the line it applies to;
//   - a basket discount is spread over the lines in proportion to their
//     amounts by the largest-remainder method, so the shares add up to the
//     discount exactly;
//   - tax is computed once per tax rate on the sum of the lines of that
//     rate, never per line and summed;
//   - cash rounding (Settings.CashRounding) applies only to the part of a
//     sale settled in cash, and is recorded as its own amount (Sale.Rounding)
//     so that payments − change = total + rounding.
//
// # Durability
//
// A sale is confirmed only when Store.CompleteSale has committed the sale,
// its lines and payments, its stock movements, its receipt number and its
// outbound event in one transaction. Receipt numbers and event sequence
// numbers are allocated inside that transaction and are therefore gap-free.
//
// # Click-and-collect
//
// Orders arrive from central as versioned records (Order, ParseOrder);
// PickupService.ApplyOrder applies a version only if it is newer than the
// one held. Fulfilment belongs to the store (PickupState: new, picking,
// ready, collected; cancelled, rejected and expired end it) and travels
// back as pos.pickup.* events. Every step is stored with its event, its
// stock movements and the order's reservations in one transaction
// (PickupStore.SavePickup), so it works the same with the network down.
// Stock is reserved from intake until the order ends and is taken off only
// at handover: by a "pickup" movement for an order paid online, or by the
// sale of an order paid at the till, recorded in the same transaction as
// pos.pickup.collected. Whatever the customer refuses, or a cancelled,
// rejected or expired order held, simply stops being reserved; staff get
// notices saying what to put back where.
//
// A customer is verified before handover by the pickup code, the QR code
// of the customer's app, or a supervisor's ID check. Wrong codes lock the
// order (and the station) out for a growing time; the lock is held in
// memory and a restart clears it, while the count of wrong codes is kept
// with the order.
//
// # Concurrency
//
// Service is safe for concurrent use. Changes to one cart are serialised;
// different carts proceed in parallel up to the store's single writer.
// PickupService likewise serialises changes to one order, and the store
// refuses a change based on a stale revision (ErrStale).
package pos
