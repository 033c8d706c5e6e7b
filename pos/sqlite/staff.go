package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/posnode/posnode/pos"
)

var _ pos.StaffStore = (*DB)(nil)

// AddStaff stores a new member of staff added by the manager by, and
// journals it; pos.ErrDuplicate when the staff number is taken.
func (db *DB) AddStaff(ctx context.Context, st pos.Staff, by string) error {
	if st.ID == "" || len(st.ID) > 32 || st.Role == pos.RoleNone || st.PINHash == "" {
		return fmt.Errorf("sqlite: new staff needs an id of at most 32 characters, a role and a PIN")
	}
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, "INSERT INTO staff(id, name, role, language, pin_hash, active) VALUES (?, ?, ?, ?, ?, ?)",
			st.ID, st.Name, st.Role.String(), st.Language, st.PINHash, st.Active)
		if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return fmt.Errorf("staff %s: %w", st.ID, pos.ErrDuplicate)
		} else if err != nil {
			return err
		}
		_, err = tx.AppendJournal(pos.JournalStaff, st.ID, "", db.now(), pos.NewStaffJournalData(by, nil, st))
		return err
	})
}

// UpdateStaff changes member id with f on behalf of the manager by in one
// transaction, and journals the change (none when f changed nothing); see
// pos.StaffStore. A member left inactive has every session ended in the
// same transaction.
func (db *DB) UpdateStaff(ctx context.Context, id, by string, f func(st *pos.Staff, all []pos.Staff) error) (pos.Staff, error) {
	var out pos.Staff
	err := db.Update(ctx, func(tx *Tx) error {
		all, err := listStaff(ctx, tx)
		if err != nil {
			return err
		}
		i := -1
		for j := range all {
			if all[j].ID == id {
				i = j
			}
		}
		if i < 0 {
			return fmt.Errorf("staff %s: %w", id, pos.ErrNotFound)
		}
		st := all[i]
		if err := f(&st, all); err != nil {
			return err
		}
		st.ID = id
		if st.Role == pos.RoleNone || st.PINHash == "" {
			return fmt.Errorf("sqlite: staff %s needs a role and a PIN", id)
		}
		if _, err := tx.execContext(ctx, "UPDATE staff SET name = ?, role = ?, language = ?, active = ?, pin_hash = ? WHERE id = ?",
			st.Name, st.Role.String(), st.Language, st.Active, st.PINHash, id); err != nil {
			return err
		}
		// Reactivating must not revive old sessions, and a new PIN ends
		// those opened with the old one.
		if !st.Active || st.PINHash != all[i].PINHash {
			if _, err := tx.execContext(ctx, "DELETE FROM sessions WHERE staff_id = ?", id); err != nil {
				return err
			}
		}
		if st != all[i] {
			if _, err := tx.AppendJournal(pos.JournalStaff, id, "", db.now(), pos.NewStaffJournalData(by, &all[i], st)); err != nil {
				return err
			}
		}
		out = st
		return nil
	})
	return out, err
}

// listStaff reads every member with q (a transaction or the read pool).
func listStaff(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]pos.Staff, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name, role, language, pin_hash, active FROM staff ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pos.Staff
	for rows.Next() {
		var st pos.Staff
		var role string
		if err := rows.Scan(&st.ID, &st.Name, &role, &st.Language, &st.PINHash, &st.Active); err != nil {
			return nil, err
		}
		if st.Role, err = pos.ParseRole(role); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
