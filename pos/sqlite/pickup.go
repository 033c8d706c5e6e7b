package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/posnode/posnode/pos"
)

var _ pos.PickupStore = (*DB)(nil)

// SavePickup stores one step of a click-and-collect order in one
// transaction: the order, its reservations, the sale if any, the event and
// the movements it carries, and a line of the order's log. See
// pos.PickupStore. On success u.Order.Rev is the stored revision.
func (db *DB) SavePickup(ctx context.Context, u *pos.PickupUpdate) error {
	if u.Event == nil && len(u.Movements) > 0 {
		return fmt.Errorf("sqlite: pickup movements need an event to carry them")
	}
	p := *u.Order
	p.Rev++
	doc, err := json.Marshal(&p)
	if err != nil {
		return err
	}
	o := &p.Order
	err = db.Update(ctx, func(tx *Tx) error {
		if u.Order.Rev == 0 {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pickup_orders WHERE id = ?", o.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("order %s: %w", o.ID, pos.ErrDuplicate)
			}
			if _, err := tx.execContext(ctx, `INSERT INTO pickup_orders(id, version, state, open, notices, collect_by, search, rev, updated_at, doc)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, o.Version, string(p.State), p.State.Open(), len(p.Notices) > 0,
				o.CollectBy.Unix(), pickupSearch(o), p.Rev, fixedTS(db.now()), string(doc)); err != nil {
				return err
			}
		} else {
			res, err := tx.execContext(ctx, `UPDATE pickup_orders SET version = ?, state = ?, open = ?, notices = ?, collect_by = ?,
				search = ?, rev = ?, updated_at = ?, doc = ? WHERE id = ? AND rev = ?`, o.Version, string(p.State), p.State.Open(),
				len(p.Notices) > 0, o.CollectBy.Unix(), pickupSearch(o), p.Rev, fixedTS(db.now()), string(doc), o.ID, u.Order.Rev)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return fmt.Errorf("order %s rev %d: %w", o.ID, u.Order.Rev, pos.ErrStale)
			}
		}
		if _, err := tx.execContext(ctx, "DELETE FROM reservations WHERE order_id = ?", o.ID); err != nil {
			return err
		}
		for _, r := range p.Reservations() {
			if _, err := tx.execContext(ctx, "INSERT INTO reservations(order_id, line_id, sku, qty) VALUES (?, ?, ?, ?)",
				r.OrderID, r.LineID, r.SKU, r.Qty); err != nil {
				return err
			}
		}
		if u.Sale != nil {
			if err := tx.InsertSale(u.Sale); err != nil {
				return err
			}
		}
		var seq int64
		if u.Event != nil {
			if err := tx.AppendEvent(u.Event); err != nil {
				return err
			}
			seq = u.Event.Seq
			if err := tx.AddMovements(seq, u.Event.Time, u.Movements); err != nil {
				return err
			}
		}
		_, err := tx.execContext(ctx, "INSERT INTO pickup_log(order_id, at, action, staff, state, detail, seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
			o.ID, ts(db.now()), u.Action, u.Staff, string(p.State), u.Detail, seq)
		return err
	})
	if err != nil {
		return err
	}
	u.Order.Rev = p.Rev
	return nil
}

// pickupSearch is what a search of the pickup queue looks in.
func pickupSearch(o *pos.Order) string {
	return strings.ToLower(o.ID) + "\n" + strings.ToLower(o.Customer.Name) + "\n" + digits(o.Customer.Phone)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// isPhone reports whether a search looks like a phone number.
func isPhone(s string) bool {
	return digits(s) != "" && strings.Trim(s, "+0123456789 -()") == ""
}

// PickupOrder loads an order by id.
func (db *DB) PickupOrder(ctx context.Context, id string) (pos.PickupOrder, error) {
	var p pos.PickupOrder
	var doc string
	if err := db.r.QueryRowContext(ctx, "SELECT doc FROM pickup_orders WHERE id = ?", id).Scan(&doc); err != nil {
		return p, notFound("order", id, err)
	}
	return p, json.Unmarshal([]byte(doc), &p)
}

// PickupOrders lists orders: open ones by collect-by time, or with a
// search, q.All or q.Notices the most recently changed first.
func (db *DB) PickupOrders(ctx context.Context, q pos.PickupQuery) ([]pos.PickupOrder, error) {
	limit := q.Limit
	if limit <= 0 && (strings.TrimSpace(q.Search) != "" || q.All) {
		limit = 200
	} else if limit <= 0 {
		limit = -1 // SQLite's "no limit": the counter sees every open order
	}
	query, args := "SELECT doc FROM pickup_orders WHERE open = 1 ORDER BY collect_by, id LIMIT ?", []any{limit}
	switch s := strings.TrimSpace(q.Search); {
	case q.Notices:
		query = "SELECT doc FROM pickup_orders WHERE notices = 1 AND open = 0 ORDER BY updated_at DESC LIMIT ?"
	case s != "":
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(s)) + "%"
		if isPhone(s) {
			like = "%" + digits(s) + "%"
		}
		query, args = `SELECT doc FROM pickup_orders WHERE search LIKE ? ESCAPE '\' ORDER BY open DESC, updated_at DESC LIMIT ?`, []any{like, limit}
	case q.All:
		query = "SELECT doc FROM pickup_orders ORDER BY updated_at DESC LIMIT ?"
	}
	return docs[pos.PickupOrder](ctx, db.r, query, args...)
}

// PickupLogEntry is one step taken on an order.
type PickupLogEntry struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Staff  string    `json:"staff"`
	State  string    `json:"state"`
	Detail string    `json:"detail"`
	// Seq is the event recorded with the step, in the node's epoch; 0
	// when none, or when central had applied it before a new epoch began.
	Seq int64 `json:"seq"`
}

// PickupLog returns the steps taken on an order, oldest first.
func (db *DB) PickupLog(ctx context.Context, id string) ([]PickupLogEntry, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT at, action, staff, state, detail, seq FROM pickup_log WHERE order_id = ? ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PickupLogEntry{}
	for rows.Next() {
		var e PickupLogEntry
		var at string
		if err := rows.Scan(&at, &e.Action, &e.Staff, &e.State, &e.Detail, &e.Seq); err != nil {
			return nil, err
		}
		e.At = parseTS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
