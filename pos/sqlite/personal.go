package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/posnode/posnode/pos"
)

// ErasePersonalData erases the customers' personal data of the
// click-and-collect orders that ended before cutoff (see
// pos.PickupOrder.ErasePersonal): an order whose notices still wait for
// staff, or one still open, keeps them whatever its age. Central's records
// of orders it closed before cutoff lose the customer's name, phone and
// e-mail, the arrival's note and the pickup code too, and the printed
// pickup slips and bag labels of the orders erased (the newest job of a
// printer, which PrunePrintJobs keeps, may be one) lose their document and
// bytes, which carry the customer's name and phone. It writes batch
// orders (or central's records) per transaction with pause between
// transactions, so that the tills' writes go on between them, and returns
// how many orders were erased. Nothing of it is an event: central holds
// its own record.
func (db *DB) ErasePersonalData(ctx context.Context, cutoff time.Time, batch int, pause time.Duration) (int64, error) {
	// Candidates are found on the read pool, which reads every ended
	// order's document, and checked again by key in the writer's
	// transaction: a till's sale never waits for the search. Each batch
	// is looked for after the last one's (updated_at, id), tested first,
	// so that a first run over a year of orders parses each document
	// once, not once a batch.
	var total int64
	var at, key string
	for {
		ids, lastAt, err := db.erasableKeys(ctx, `SELECT id, updated_at FROM pickup_orders WHERE (updated_at, id) > (?, ?)
			AND `+erasable+` ORDER BY updated_at, id LIMIT ?`, at, key, fixedTS(cutoff), batch)
		if len(ids) > 0 {
			at, key = lastAt, ids[len(ids)-1]
		}
		if err != nil {
			return total, fmt.Errorf("erase personal data: %w", err)
		}
		var n int
		err = db.Update(ctx, func(tx *Tx) error {
			var err error
			n, err = tx.erasePickupOrders(ids, cutoff)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("erase personal data: %w", err)
		}
		total += int64(n)
		if len(ids) < batch {
			break
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(pause):
		}
	}
	const centralErasable = `closed = 1 AND updated_at < ? AND json_valid(doc) AND (json_type(doc, '$.customer.name') IS NOT NULL
		OR json_type(doc, '$.customer.phone') IS NOT NULL OR json_type(doc, '$.customer.email') IS NOT NULL
		OR json_type(doc, '$.arrival.note') IS NOT NULL OR json_type(doc, '$.pickup_code') IS NOT NULL)`
	// Central's records go batch at a time too: a year of them erased
	// for the first time would hold the tills' writes for as long as
	// one transaction takes to rewrite them all.
	at, key = "", ""
	for {
		ids, lastAt, err := db.erasableKeys(ctx, `SELECT order_id, updated_at FROM central_orders WHERE (updated_at, order_id) > (?, ?)
			AND `+centralErasable+` ORDER BY updated_at, order_id LIMIT ?`, at, key, fixedTS(cutoff), batch)
		if len(ids) > 0 {
			at, key = lastAt, ids[len(ids)-1]
		}
		if err == nil && len(ids) > 0 {
			list, _ := json.Marshal(ids)
			err = db.Update(ctx, func(tx *Tx) error {
				_, err := tx.execContext(ctx, `UPDATE central_orders SET doc = json_remove(doc, '$.customer.name', '$.customer.phone',
					'$.customer.email', '$.arrival.note', '$.pickup_code')
					WHERE order_id IN (SELECT value FROM json_each(?)) AND `+centralErasable, string(list), fixedTS(cutoff))
				return err
			})
		}
		if err != nil {
			return total, fmt.Errorf("erase personal data: central's order records: %w", err)
		}
		if len(ids) < batch {
			break
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(pause):
		}
	}
	// A slip or a label goes with its order's data: the order may be
	// open still, or have ended since, when its slip is older than the
	// cutoff (a customer given more time). One of an order the node does
	// not hold goes by its own age.
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, `UPDATE print_jobs SET doc = NULL, data = x''
			WHERE kind IN ('pickup_slip', 'bag_label') AND printed_at IS NOT NULL AND (doc IS NOT NULL OR length(data) > 0)
			AND (EXISTS (SELECT 1 FROM pickup_orders o WHERE o.id = print_jobs.ref AND json_type(o.doc, '$.personal_erased_at') IS NOT NULL)
				OR (julianday(created_at) < julianday(?) AND NOT EXISTS (SELECT 1 FROM pickup_orders o WHERE o.id = print_jobs.ref)))`,
			fixedTS(cutoff))
		return err
	})
	if err != nil {
		return total, fmt.Errorf("erase personal data: printed pickup slips: %w", err)
	}
	return total, nil
}

// erasableKeys runs a query of a key and its updated_at and returns the
// keys and the last updated_at.
func (db *DB) erasableKeys(ctx context.Context, query string, args ...any) (keys []string, lastAt string, err error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k, &lastAt); err != nil {
			return nil, "", err
		}
		keys = append(keys, k)
	}
	return keys, lastAt, rows.Err()
}

// erasable selects the ended orders whose personal data is due to be
// erased: last changed before the cutoff (the query's first argument),
// no notice waiting, not erased yet.
const erasable = `open = 0 AND notices = 0 AND updated_at < ? AND json_type(doc, '$.personal_erased_at') IS NULL`

// erasePickupOrders erases the orders of ids that are still erasable
// and returns how many. Each gets a new revision, so that a step taken on
// the order as read before is refused (pos.ErrStale) rather than writing
// the data back.
func (tx *Tx) erasePickupOrders(ids []string, cutoff time.Time) (int, error) {
	now := tx.db.now()
	var n int
	for _, id := range ids {
		var doc string
		err := tx.QueryRowContext(tx.ctx, `SELECT doc FROM pickup_orders WHERE id = ? AND `+erasable, id, fixedTS(cutoff)).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			continue // changed since it was found
		}
		if err != nil {
			return n, err
		}
		var p pos.PickupOrder
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			return n, fmt.Errorf("order %s: %w", id, err)
		}
		old := p.Rev
		p.ErasePersonal(now)
		p.Rev++
		b, err := json.Marshal(&p)
		if err != nil {
			return n, err
		}
		if _, err := tx.execContext(tx.ctx, "UPDATE pickup_orders SET doc = ?, search = ?, rev = ? WHERE id = ? AND rev = ?",
			string(b), pickupSearch(&p.Order), p.Rev, id, old); err != nil {
			return n, fmt.Errorf("order %s: %w", id, err)
		}
		n++
	}
	return n, nil
}
