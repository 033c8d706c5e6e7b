package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/posnode/posnode/pos"
)

// EventsAfter returns up to limit outbox events with seq above after, in
// seq order.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) ([]pos.Event, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT seq, id, type, time, data FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []pos.Event
	epoch := db.Epoch()
	for rows.Next() {
		ev := pos.Event{Epoch: epoch}
		var at, data string
		if err := rows.Scan(&ev.Seq, &ev.ID, &ev.Type, &at, &data); err != nil {
			return nil, err
		}
		ev.Time, ev.Data = parseTS(at), []byte(data)
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}

// fixedTS formats t in UTC with a fixed number of digits, so that stored
// times compare correctly as text.
func fixedTS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func metaInt(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key string) (int64, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

func (tx *Tx) putMeta(key, value string) error {
	_, err := tx.execContext(tx.ctx, `INSERT INTO meta(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Ack records central's acknowledgement (the contract's ack topic): every
// event of epoch up to and including through is done, and the rejected ones
// are flagged with central's reason and done too, so they never hold up the
// queue. An ack for another epoch changes nothing. The acknowledged point
// never moves back. It returns the node's acknowledged point afterwards
// and whether the ack was for this node's epoch.
//
// An ack beyond the last recorded event means the database was rolled
// back (see pos.AheadError): nothing of it is recorded, lest events
// recorded since take seqs central already holds and be taken for
// delivered. The database is marked so that RenewEpoch (or the node's
// next Open, see Options.RenewEpoch) begins a new epoch, and the error is
// returned for this ack and every later one of the epoch, even once the
// node has recorded events up to through again.
//
// The ack is central's retained state, sent again on every connection, so
// it is recorded without waiting for the disk (see updateRefetchable): an
// ack lost to a power cut only makes the node send those events again,
// which central drops by id.
func (db *DB) Ack(ctx context.Context, epoch string, through int64, rejected []pos.Rejection) (ackedThrough int64, ok bool, err error) {
	if epoch != db.Epoch() {
		held, err := metaInt(ctx, db.r, "acked_through")
		return held, false, err
	}
	var ahead *pos.AheadError
	err = db.updateRefetchable(ctx, func(tx *Tx) error {
		var last int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM counters WHERE name = 'event_seq'), 0)").Scan(&last); err != nil {
			return err
		}
		held, err := metaInt(ctx, tx, "acked_through")
		if err != nil {
			return err
		}
		// Once central was found ahead, no ack of this epoch is taken
		// again, even one the node has since sold past: central's seqs
		// from the rolled-back point on are other events than the node's.
		found, err := metaInt(ctx, tx, "central_ahead")
		if err != nil {
			return err
		}
		if through > last || found > 0 {
			if through > found {
				if err := tx.putMeta("central_ahead", strconv.FormatInt(through, 10)); err != nil {
					return err
				}
			}
			ahead = &pos.AheadError{Epoch: epoch, Through: max(through, found), LastSeq: last}
			ackedThrough = held
			return nil
		}
		now := fixedTS(db.now())
		through = max(through, 0)
		if through > held {
			if _, err := tx.execContext(ctx, "UPDATE outbox SET acked = 1, acked_at = ? WHERE seq > ? AND seq <= ? AND acked = 0", now, held, through); err != nil {
				return err
			}
			if err := tx.putMeta("acked_through", strconv.FormatInt(through, 10)); err != nil {
				return err
			}
			if err := tx.putMeta("last_delivery", now); err != nil {
				return err
			}
			held = through
		}
		for _, r := range rejected {
			reason := r.Reason
			if reason == "" {
				reason = "rejected"
			}
			res, err := tx.execContext(ctx, `UPDATE outbox SET rejected = ?, acked = 1,
				acked_at = CASE WHEN acked_at = '' THEN ? ELSE acked_at END WHERE seq = ? AND rejected = ''`,
				reason, now, r.Seq)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				if _, err := tx.NextCounter("rejected_events"); err != nil {
					return err
				}
			}
		}
		ackedThrough = held
		return nil
	})
	if err == nil && ahead != nil {
		err = ahead
	}
	return ackedThrough, err == nil, err
}

// OutboxStats describes the outbound queue.
func (db *DB) OutboxStats(ctx context.Context) (pos.OutboxStats, error) {
	st := pos.OutboxStats{Epoch: db.Epoch()}
	// One statement, so one snapshot: an ack recorded meanwhile cannot
	// make the figures disagree. Every query here is an index seek: the
	// screens ask often and the outbox may hold days of events.
	var oldest, lastDelivery sql.NullString
	var ackedAbove int64
	err := db.r.QueryRowContext(ctx, `WITH a(through) AS (
			SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'acked_through'), 0))
		SELECT a.through,
		coalesce((SELECT value FROM counters WHERE name = 'event_seq'), 0),
		(SELECT count(*) FROM outbox WHERE rejected != '' AND seq > a.through),
		(SELECT created_at FROM outbox WHERE seq > a.through AND acked = 0 ORDER BY seq LIMIT 1),
		coalesce((SELECT value FROM counters WHERE name = 'rejected_events'), 0),
		(SELECT value FROM meta WHERE key = 'last_delivery') FROM a`).
		Scan(&st.AckedThrough, &st.LastSeq, &ackedAbove, &oldest, &st.Rejected, &lastDelivery)
	if err != nil {
		return st, err
	}
	// Unacknowledged rows are never pruned, so every seq above the ack is
	// still there; the only ones done among them are events central
	// rejected.
	st.Depth = max(st.LastSeq-st.AckedThrough-ackedAbove, 0)
	if oldest.Valid {
		st.OldestUnacked = parseTS(oldest.String)
	}
	if lastDelivery.Valid {
		st.LastDelivery = parseTS(lastDelivery.String)
	}
	return st, nil
}

// RejectedEvents lists the events central rejected, newest first, for a
// manager to look at.
func (db *DB) RejectedEvents(ctx context.Context, limit int) ([]pos.Event, []pos.Rejection, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT seq, id, type, time, data, rejected FROM outbox WHERE rejected != '' ORDER BY seq DESC LIMIT ?", limit)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var evs []pos.Event
	var rs []pos.Rejection
	epoch := db.Epoch()
	for rows.Next() {
		ev := pos.Event{Epoch: epoch}
		var at, data, reason string
		if err := rows.Scan(&ev.Seq, &ev.ID, &ev.Type, &at, &data, &reason); err != nil {
			return nil, nil, err
		}
		ev.Time, ev.Data = parseTS(at), []byte(data)
		evs = append(evs, ev)
		rs = append(rs, pos.Rejection{Seq: ev.Seq, Reason: reason})
	}
	return evs, rs, rows.Err()
}

// PruneAcked deletes events central acknowledged before cutoff, a
// thousand per transaction. Events not acknowledged, and events central
// rejected, are never pruned. It returns how many rows went.
func (db *DB) PruneAcked(ctx context.Context, cutoff time.Time) (int64, error) {
	return db.PruneAckedBy(ctx, cutoff, 1000, 20*time.Millisecond)
}

// PruneAckedBy is PruneAcked with batch rows per transaction and pause
// between transactions. Days of events left to prune at once (a node
// back from weeks without central, a shorter retention) took one delete
// of seconds, and every sale waited for it to commit its own event.
func (db *DB) PruneAckedBy(ctx context.Context, cutoff time.Time, batch int, pause time.Duration) (int64, error) {
	batch = max(batch, 1) // a batch of none would never end
	var total int64
	for {
		var n int64
		err := db.Update(ctx, func(tx *Tx) error {
			res, err := tx.execContext(ctx, `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox
				WHERE seq <= (SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'acked_through'), 0))
				AND acked = 1 AND rejected = '' AND acked_at < ? ORDER BY seq LIMIT ?)`, fixedTS(cutoff), batch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("prune acknowledged events: %w", err)
		}
		total += n
		if n < int64(batch) {
			return total, nil
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(pause):
		}
	}
}

// LastRecorded is when the newest sale or the last event was recorded,
// by the clock of the time; zero when there is none. A clock now behind
// it has been set back (a board without a real-time clock started on the
// time it last saved) and would date receipts before those already
// printed. It never overstates: each time it finds is a record's.
//
// Sales are compared by instant: completed_at keeps the offset of its
// time, and its text sorts 02:50+02:00 after 02:10+01:00, the hour after
// the clocks go back, though it was earlier. An index on the instant
// keeps it one row read however many sales there are.
func (db *DB) LastRecorded(ctx context.Context) (time.Time, error) {
	var event, sale sql.NullString
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT created_at FROM outbox ORDER BY seq DESC LIMIT 1),
		(SELECT completed_at FROM sales ORDER BY julianday(completed_at) DESC LIMIT 1)`).Scan(&event, &sale)
	if err != nil {
		return time.Time{}, err
	}
	var last time.Time
	for _, s := range []sql.NullString{event, sale} {
		if t := parseTS(s.String); s.Valid && t.After(last) {
			last = t
		}
	}
	return last, nil
}
