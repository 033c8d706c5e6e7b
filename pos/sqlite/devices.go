package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/posnode/posnode/pos"
)

// Device rows go through three states in the devices table:
//
//   - pending: approved_at and revoked_at empty, pair_code set, token_hash
//     the hash of the secret the device polls with;
//   - approved, token not yet collected: approved_at set, pair_code set;
//   - paired: pair_code empty, token_hash the hash of the device token.
//
// Revoking empties token_hash and sets revoked_at.

// PairingTTL is how long a pairing code waits for approval.
const PairingTTL = 10 * time.Minute

// CreateDevice records a device asking for pairing with its code and the
// secret it polls with. It also forgets pairings never approved that
// began long ago, expired or withdrawn: pairing needs no sign-in, and
// leaves no rows behind for good. A code already pending answers
// pos.ErrDuplicate.
func (db *DB) CreateDevice(ctx context.Context, d pos.Device, secret string) error {
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, `DELETE FROM devices WHERE approved_at = '' AND created_at < ?`,
			ts(db.now().Add(-24*time.Hour)))
		if err != nil {
			return err
		}
		var n int
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM devices WHERE pair_code = ? AND revoked_at = '' AND created_at >= ?`,
			d.Code, ts(db.now().Add(-PairingTTL))).Scan(&n)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("pairing code %s: %w", d.Code, pos.ErrDuplicate)
		}
		_, err = tx.execContext(ctx, `INSERT INTO devices(id, name, role, station, token_hash, pair_code, created_at)
			VALUES (?, ?, '', '', ?, ?, ?)`, d.ID, d.Name, HashToken(secret), d.Code, ts(d.CreatedAt))
		return err
	})
}

// PendingDevices counts pairings waiting for approval that have not expired.
func (db *DB) PendingDevices(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM devices WHERE approved_at = '' AND revoked_at = '' AND pair_code != '' AND created_at >= ?`,
		ts(db.now().Add(-PairingTTL))).Scan(&n)
	return n, err
}

const deviceCols = "id, name, role, station, pair_code, created_at, approved_by, approved_at, revoked_at"

func scanDevice(row interface{ Scan(...any) error }) (pos.Device, error) {
	var d pos.Device
	var role, created, approved, revoked string
	if err := row.Scan(&d.ID, &d.Name, &role, &d.Station, &d.Code, &created, &d.ApprovedBy, &approved, &revoked); err != nil {
		return d, err
	}
	if role != "" {
		r, err := pos.ParseRole(role)
		if err != nil {
			return d, err
		}
		d.Role = r
	}
	d.CreatedAt = parseTS(created)
	if approved != "" {
		d.ApprovedAt = parseTS(approved)
	}
	if revoked != "" {
		d.RevokedAt = parseTS(revoked)
	}
	return d, nil
}

// PollDevice is a pending device asking whether it was approved, with its
// secret. Once approved, the first poll stores token as the device's token
// and reports issued; later polls answer pos.ErrPairingUnknown, as do a
// wrong secret, a revoked device and an expired pairing.
func (db *DB) PollDevice(ctx context.Context, id, secret, token string) (d pos.Device, issued bool, err error) {
	err = db.Update(ctx, func(tx *Tx) error {
		d, err = scanDevice(tx.QueryRowContext(ctx, "SELECT "+deviceCols+
			" FROM devices WHERE id = ? AND token_hash = ? AND pair_code != '' AND revoked_at = ''", id, HashToken(secret)))
		if errors.Is(err, sql.ErrNoRows) {
			return pos.ErrPairingUnknown
		}
		if err != nil {
			return err
		}
		if d.ApprovedAt.IsZero() {
			if db.now().Sub(d.CreatedAt) > PairingTTL {
				return pos.ErrPairingUnknown
			}
			return nil
		}
		if _, err := tx.execContext(ctx, "UPDATE devices SET token_hash = ?, pair_code = '' WHERE id = ?", HashToken(token), id); err != nil {
			return err
		}
		d.Code, issued = "", true
		return nil
	})
	return d, issued, err
}

// ApproveDevice approves the pending device id whose code is code.
func (db *DB) ApproveDevice(ctx context.Context, id, code string, role pos.Role, station, by string) (pos.Device, error) {
	var d pos.Device
	err := db.Update(ctx, func(tx *Tx) error {
		var err error
		d, err = scanDevice(tx.QueryRowContext(ctx, "SELECT "+deviceCols+
			" FROM devices WHERE id = ? AND pair_code = ? AND approved_at = '' AND revoked_at = ''", id, code))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && db.now().Sub(d.CreatedAt) > PairingTTL) {
			return pos.ErrPairingUnknown
		}
		if err != nil {
			return err
		}
		d.Role, d.Station, d.ApprovedBy, d.ApprovedAt = role, station, by, db.now()
		_, err = tx.execContext(ctx, "UPDATE devices SET role = ?, station = ?, approved_by = ?, approved_at = ? WHERE id = ?",
			role.String(), station, by, ts(d.ApprovedAt), id)
		return err
	})
	return d, err
}

// RevokeDevice cuts device id off: its token stops working at once.
func (db *DB) RevokeDevice(ctx context.Context, id string) error {
	return db.Update(ctx, func(tx *Tx) error {
		res, err := tx.execContext(ctx, "UPDATE devices SET token_hash = '', revoked_at = ? WHERE id = ? AND revoked_at = ''", ts(db.now()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("device %s: %w", id, pos.ErrNotFound)
		}
		return nil
	})
}

// Devices lists every device, paired, pending or revoked, newest first.
// Pending pairings that expired are left out.
func (db *DB) Devices(ctx context.Context) ([]pos.Device, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+deviceCols+
		" FROM devices WHERE approved_at != '' OR revoked_at != '' OR created_at >= ? ORDER BY created_at DESC", ts(db.now().Add(-PairingTTL)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []pos.Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeviceByToken returns the paired device holding token, or
// pos.ErrNotAuthorized.
func (db *DB) DeviceByToken(ctx context.Context, token string) (pos.Device, error) {
	d, err := scanDevice(db.r.QueryRowContext(ctx, "SELECT "+deviceCols+
		" FROM devices WHERE token_hash = ? AND pair_code = '' AND approved_at != '' AND revoked_at = ''", HashToken(token)))
	if err != nil {
		return d, pos.ErrNotAuthorized
	}
	return d, nil
}
