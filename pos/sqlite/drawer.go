package sqlite

import (
	"context"
	"database/sql"
	"errors"

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
