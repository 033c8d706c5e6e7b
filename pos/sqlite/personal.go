package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/posnode/posnode/pos"
)

// ErasePersonalData erases the customers' personal data of the
// click-and-collect orders that ended before cutoff (see
// pos.PickupOrder.ErasePersonal): an order whose notices still wait for
// staff, or one still open, keeps them whatever its age. Central's records
// of orders it closed before cutoff lose the customer's name, phone and
// e-mail, the arrival's note and the pickup code too, and the pickup slips
// and bag labels printed before cutoff (the newest job of a printer, which
// PrunePrintJobs keeps, may be one) lose their document and bytes, which
// carry the customer's name and phone. It writes batch
// orders per transaction with pause between transactions, so that the
// tills' writes go on between them, and returns how many orders were
// erased. Nothing of it is an event: central holds its own record.
func (db *DB) ErasePersonalData(ctx context.Context, cutoff time.Time, batch int, pause time.Duration) (int64, error) {
	var total int64
	for {
		var n int
		err := db.Update(ctx, func(tx *Tx) error {
			var err error
			n, err = tx.erasePickupOrders(cutoff, batch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("erase personal data: %w", err)
		}
		total += int64(n)
		if n < batch {
			break
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(pause):
		}
	}
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, `UPDATE central_orders SET doc = json_remove(doc, '$.customer.name', '$.customer.phone',
			'$.customer.email', '$.arrival.note', '$.pickup_code')
			WHERE closed = 1 AND updated_at < ? AND json_valid(doc) AND (json_type(doc, '$.customer.name') IS NOT NULL
				OR json_type(doc, '$.customer.phone') IS NOT NULL OR json_type(doc, '$.customer.email') IS NOT NULL
				OR json_type(doc, '$.arrival.note') IS NOT NULL OR json_type(doc, '$.pickup_code') IS NOT NULL)`, fixedTS(cutoff))
		return err
	})
	if err != nil {
		return total, fmt.Errorf("erase personal data: central's order records: %w", err)
	}
	err = db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, `UPDATE print_jobs SET doc = NULL, data = x''
			WHERE kind IN ('pickup_slip', 'bag_label') AND printed_at IS NOT NULL
			AND julianday(created_at) < julianday(?) AND (doc IS NOT NULL OR length(data) > 0)`, fixedTS(cutoff))
		return err
	})
	if err != nil {
		return total, fmt.Errorf("erase personal data: printed pickup slips: %w", err)
	}
	return total, nil
}

// erasePickupOrders erases up to batch ended orders last changed before
// cutoff and returns how many. Each gets a new revision, so that a step
// taken on the order as read before is refused (pos.ErrStale) rather than
// writing the data back.
func (tx *Tx) erasePickupOrders(cutoff time.Time, batch int) (int, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT doc FROM pickup_orders
		WHERE open = 0 AND notices = 0 AND updated_at < ? AND json_type(doc, '$.personal_erased_at') IS NULL
		ORDER BY updated_at LIMIT ?`, fixedTS(cutoff), batch)
	if err != nil {
		return 0, err
	}
	var orders []pos.PickupOrder
	for rows.Next() {
		var doc string
		var p pos.PickupOrder
		if err := rows.Scan(&doc); err != nil {
			rows.Close()
			return 0, err
		}
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			rows.Close()
			return 0, fmt.Errorf("order: %w", err)
		}
		orders = append(orders, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	now := tx.db.now()
	for _, p := range orders {
		old := p.Rev
		p.ErasePersonal(now)
		p.Rev++
		doc, err := json.Marshal(&p)
		if err != nil {
			return 0, err
		}
		if _, err := tx.execContext(tx.ctx, "UPDATE pickup_orders SET doc = ?, search = ?, rev = ? WHERE id = ? AND rev = ?",
			string(doc), pickupSearch(&p.Order), p.Rev, p.Order.ID, old); err != nil {
			return 0, fmt.Errorf("order %s: %w", p.Order.ID, err)
		}
	}
	return len(orders), nil
}
