package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// NewEpoch gives the database file at path a new event epoch, for a
// database restored from a backup: central may already hold events of the
// old epoch beyond the backup's last seq, so continuing that epoch would
// reuse sequence numbers. In one transaction it
//
//   - drops the events central acknowledged (they are applied there),
//   - renumbers the events still outstanding from 1 in the new epoch,
//     keeping their ids and order, so central drops any it already had,
//   - keeps local stock as it reads: central's counts absorb the
//     acknowledged movements they did not include, and movements, sales,
//     returns, voids and pickup steps follow their events' new seq (seq 0
//     for acknowledged ones); a count of the old epoch that comes later
//     includes the renumbered events up to its seq, and one of an epoch
//     before it those it included of the old one, renumbered again,
//   - and resets the acknowledged point.
//
// It returns the old epoch and how many events remain outstanding. The
// node must not be running.
func NewEpoch(ctx context.Context, path, epoch string) (old string, outstanding int64, err error) {
	c, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return "", 0, err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return "", 0, err
	}
	defer tx.Rollback()
	if old, outstanding, err = renumberEpoch(ctx, tx, epoch, true); err != nil {
		return "", 0, fmt.Errorf("%s: %w", path, err)
	}
	return old, outstanding, tx.Commit()
}

// renumberEpoch does NewEpoch's work in tx. restored says the database
// was put back from a backup, whose events central holds under the same
// seqs, if at all; a database rolled back otherwise (see pos.AheadError)
// may have recorded events since at seqs central holds other events of,
// so central's counts of the old epoch are taken to include none of the
// new one's, as those of any other epoch.
func renumberEpoch(ctx context.Context, tx *sql.Tx, epoch string, restored bool) (old string, outstanding int64, err error) {
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&old); err != nil {
		return "", 0, fmt.Errorf("no node epoch: %w", err)
	}
	var held int64
	var s string
	switch err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'acked_through'").Scan(&s); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return "", 0, err
	default:
		if held, err = strconv.ParseInt(s, 10, 64); err != nil {
			return "", 0, fmt.Errorf("acked_through %q: %w", s, err)
		}
	}
	// Counts of an epoch restored before, which include events of the
	// old one (see epochSeq), are first put in the old one's terms.
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT as_epoch FROM stock_central WHERE as_epoch NOT IN ('', ?)", old)
	if err != nil {
		return "", 0, err
	}
	var earlier []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return "", 0, err
		}
		earlier = append(earlier, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", 0, err
	}
	for _, e := range earlier {
		h, r, ok, err := epochLink(ctx, tx, e, old)
		if err != nil {
			return "", 0, err
		}
		if ok {
			if _, err := tx.ExecContext(ctx, "UPDATE stock_central SET as_epoch = ?, as_seq = min(max(as_seq - ?, 0), ?) WHERE as_epoch = ?",
				old, h, r, e); err != nil {
				return "", 0, fmt.Errorf("new epoch: %w", err)
			}
		}
	}
	if !restored {
		// Events above held may have been recorded since the rollback,
		// at seqs central counted other events of: counts of the old
		// epoch are taken to include none of them.
		if _, err := tx.ExecContext(ctx, "UPDATE stock_central SET as_seq = min(as_seq, ?) WHERE as_epoch = ?", held, old); err != nil {
			return "", 0, fmt.Errorf("new epoch: %w", err)
		}
	}
	type step struct {
		q    string
		args []any
	}
	steps := []step{
		// Stock first: central's counts are kept as they are, and the
		// acknowledged movements they do not include are folded into
		// them, so that local stock reads the same before and after.
		// Counts of the old epoch then include none of the new one.
		{`UPDATE stock_central SET
			on_hand = on_hand
			+ coalesce((SELECT sum(m.delta) FROM movements m WHERE m.sku = stock_central.sku AND m.seq > 0 AND m.seq <= ?1
				AND NOT (stock_central.as_epoch = ?2 AND m.seq <= stock_central.as_seq)), 0)
			- coalesce((SELECT sum(m.delta) FROM movements m WHERE m.sku = stock_central.sku AND m.seq > ?1
				AND stock_central.as_epoch = ?2 AND m.seq <= stock_central.as_seq), 0),
			as_epoch = CASE WHEN as_epoch = ?2 THEN '' ELSE as_epoch END,
			as_seq = CASE WHEN as_epoch = ?2 THEN 0 ELSE as_seq END`, []any{held, old}},
		{`INSERT INTO stock_central(sku, on_hand, as_epoch, as_seq)
			SELECT sku, sum(delta), '', 0 FROM movements
			WHERE seq > 0 AND seq <= ? AND sku NOT IN (SELECT sku FROM stock_central) GROUP BY sku`, []any{held}},
		{"DELETE FROM outbox WHERE seq <= ?", []any{held}},
		// Through negative numbers, so that no two rows ever share a seq.
		{"UPDATE outbox SET seq = -seq", nil},
		{"UPDATE outbox SET seq = -seq - ?", []any{held}},
	}
	// Every record that names the event it was sent with follows it.
	for _, table := range []string{"movements", "sales", "returns", "voids", "pickup_log"} {
		steps = append(steps, step{"UPDATE " + table + " SET seq = CASE WHEN seq <= ?1 THEN 0 ELSE seq - ?1 END WHERE seq > 0", []any{held}})
	}
	steps = append(steps, []step{
		{`INSERT INTO counters(name, value) VALUES ('event_seq', (SELECT count(*) FROM outbox))
			ON CONFLICT(name) DO UPDATE SET value = excluded.value`, nil},
		{"UPDATE meta SET value = ? WHERE key = 'epoch'", []any{epoch}},
		{"INSERT OR REPLACE INTO meta(key, value) VALUES ('acked_through', '0'), ('previous_epoch', ?)", []any{old}},
		{"DELETE FROM meta WHERE key = 'central_ahead'", nil},
	}...)
	if restored {
		// What a count of the old epoch includes of the new one: the
		// events renumbered, up to its seq less held (see epochSeq).
		steps = append(steps, step{`INSERT OR REPLACE INTO meta(key, value)
			VALUES ('epoch_link:' || ?1, ?2 || ' ' || ?3 || ' ' || (SELECT count(*) FROM outbox))`, []any{old, epoch, held}})
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return "", 0, fmt.Errorf("new epoch: %w", err)
		}
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM outbox").Scan(&outstanding); err != nil {
		return "", 0, err
	}
	return old, outstanding, nil
}

// CentralAhead reports whether central was found to have acknowledged
// events of this database's epoch beyond its last one (see pos.AheadError),
// and how far, on c, a connection to a node database not opened by Open.
// RenewEpoch, or the node's next Open (Options.RenewEpoch), begins a new
// epoch and clears it.
func CentralAhead(ctx context.Context, c *sql.DB) (through int64, ok bool, err error) {
	var s string
	switch err := c.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'central_ahead'").Scan(&s); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	}
	through, err = strconv.ParseInt(s, 10, 64)
	return through, err == nil, err
}
