package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/posnode/posnode/pos"
)

// AddDrawerAlarm journals a drawer alarm, with the station's shift open at
// the time, if any, set in a.ShiftID.
func (db *DB) AddDrawerAlarm(ctx context.Context, a *pos.DrawerAlarm) error {
	return db.Update(ctx, func(tx *Tx) error {
		a.ShiftID = ""
		err := tx.QueryRowContext(ctx, "SELECT id FROM shifts WHERE station = ? AND closed_at = ''", a.Station).Scan(&a.ShiftID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.AppendJournal(pos.JournalDrawerAlarm, a.Station, "", a.At, a)
		return err
	})
}

// queryer is what shiftDrawerAlarms reads with: the read pool, or a
// transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// shiftDrawerAlarms are the drawer alarms journalled with shift sh's id.
// They are looked for among the station's alarms after the Z report of
// its shift before sh: none of sh's comes earlier.
func shiftDrawerAlarms(ctx context.Context, q queryer, sh pos.Shift) ([]pos.DrawerAlarm, error) {
	rows, err := q.QueryContext(ctx, `SELECT data FROM journal WHERE kind = ?3 AND ref = ?1 AND n > (
		SELECT coalesce(max(journal_n), 0) FROM shifts WHERE station = ?1 AND id <> ?2 AND z_no > 0
			AND journal_n < coalesce((SELECT nullif(journal_n, 0) FROM shifts WHERE id = ?2), 9223372036854775807))
		ORDER BY n`, sh.Station, sh.ID, pos.JournalDrawerAlarm)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pos.DrawerAlarm
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var a pos.DrawerAlarm
		if err := json.Unmarshal([]byte(data), &a); err != nil {
			return nil, fmt.Errorf("drawer alarm of %s: %w", sh.Station, err)
		}
		if a.ShiftID == sh.ID {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}
