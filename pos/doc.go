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
// # After-sales
//
// A return counts against its original: a sale of this node (by receipt
// code or id, with or without a store), a sale of another store
// (Lookup.SaleLookup) or an order bought online (Lookup.OrderLookup). A
// receipt code names the node and database that numbered it (ReceiptTag),
// as receipt numbers are only unique to these: one of another is refused
// with ErrOtherReceipt, never read as this node's receipt of that number;
// R and ten digits, printed before codes had a tag or typed, are this
// node's. An
// order paid at this node's pickup counter is the sale made there, and
// one for pickup here is taken back only once handed over. For each
// original line the quantity returned never exceeds the quantity sold;
// the store checks it again in the transaction that records the return.
// A returned line is refunded at its original amount after discounts, pro
// rata for part of its quantity and computed cumulatively, so that a line
// returned in parts adds up to exactly its amount; its tax is taken the
// same way over each rate, so that the returns of an original give back
// exactly its tax and total. A till in training mode makes no return or
// void (ErrTrainingReturn). Refunds go back to the original tenders in a fixed
// order: card, online payment, then gift card, store credit and goods
// given in exchange as new store credit, then cash. Cash refunds are
// rounded to the cash step over all the returns of an original together,
// and never add up to more cash than the original took. Without an original
// (no receipt, or central unreachable) a supervisor approves, and the
// refund is cash up to ReturnPolicy.NoReceiptCashLimit and store credit
// above it. An exchange records the return and the new sale in one
// transaction; the value of the returned goods pays the sale (method
// exchange) and the difference is paid or refunded.
//
// Every sale and return belongs to exactly one shift, the one open on its
// station when it was recorded (or the next one opened there), so a Z
// report (ShiftReport) is the sum of its receipts to the minor unit. A
// voucher issued outside a return belongs to a shift the same way; a gift
// card is sold for cash into an open shift's drawer only.
//
// Completed sales, returns, voids, drawer openings and alarms, price
// overrides, vouchers issued, receipt copies, a manager's changes to the
// staff and Z reports are appended to a hash-chained journal
// (JournalEntry) in the transaction that records them; VerifyJournal names
// every changed, removed or reordered entry, and each Z report carries the
// head of the chain. ShiftTally adds each Z report up again from the
// journal's entries of its shift, so that a stored Z report is checked
// against them (CompareZReport).
//
// # Customers, saved carts and staff
//
// A loyalty customer is put on a cart by their card, phone or e-mail as
// central finds them (AfterSales.AttachCustomer); the cart keeps central's
// profile for the screens, and the sale's pos.sale.completed event, in the
// sale's own transaction, carries their id. Central out of reach, a card's
// number is kept unchecked and points are counted when central gets the
// sale; a phone, an e-mail or a name is refused (ErrCustomerOffline). The
// customer is changed or taken off until payment starts, and not after; a
// lookup does not undo a change made while central was asked (ErrConflict).
//
// A cart built with a customer on a tablet can be saved to them to finish
// online (Service.SaveToCustomer): its pos.cart.saved event and the removal
// of the cart commit in one transaction (CartSaver), so central hears of
// the cart exactly when it leaves the store. Only items and quantities
// travel; the customer pays central's prices online.
//
// StaffAdmin keeps the staff: a manager never lowers their own role or
// deactivates themselves, and no change leaves the store without an
// active manager; both are checked in the transaction that stores the
// change (StaffStore.UpdateStaff). PINs are kept only as salted hashes.
//
// # Concurrency
//
// Service is safe for concurrent use. Changes to one cart are serialised;
// different carts proceed in parallel up to the store's single writer.
// PickupService likewise serialises changes to one order, and the store
// refuses a change based on a stale revision (ErrStale). An order's end by
// the store (expire, reject) holds the order's cart at the till as a
// payment does: a payment under way comes first and the end is refused,
// or the end comes first and the payment is refused before money is taken.
// Central's end of an order (a cancellation, a close) cannot be refused and
// never waits for the till: it is recorded at once, and then looks at the
// order's cart under the cart's lock, at once when the cart is free, or
// else by its holder as the holder lets it go. A payment that found the
// order open before is then found there, and staff are told to give it
// back (NoticeGiveBack, and ErrOrderEnded at the handover); a payment
// after the end is refused before money is taken. AfterSales
// serialises returns against one original, and the cash operations and
// close of one station's shift. A void of a station's last sale holds the
// station from its checks to its record; a sale recorded at the station
// meanwhile (Complete, Exchange, CompletePaidPickup) waits for it. Locks
// are taken in one order: a shift's, a return's, a cart's (several carts,
// as Resume takes the station's sales, in the order of their ids), an
// order's, and a station's last: none of the others is taken while a
// station is held.
package pos
