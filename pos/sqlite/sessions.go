package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/posnode/posnode/pos"
)

// HashToken is how session and device tokens are kept: only their SHA-256.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateSession stores a session for token.
func (db *DB) CreateSession(ctx context.Context, token string, s pos.Session) error {
	return db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.execContext(ctx, "DELETE FROM sessions WHERE expires_at < ?", ts(db.now())); err != nil {
			return err
		}
		_, err := tx.execContext(ctx, `INSERT INTO sessions(token_hash, staff_id, station, device_id, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, HashToken(token), s.Staff.ID, s.Station, s.DeviceID, ts(db.now()), ts(s.ExpiresAt))
		return err
	})
}

// Session returns the live session of token, or pos.ErrNotAuthorized.
func (db *DB) Session(ctx context.Context, token string) (pos.Session, error) {
	var s pos.Session
	var staffID, exp string
	err := db.r.QueryRowContext(ctx, "SELECT staff_id, station, device_id, expires_at FROM sessions WHERE token_hash = ?",
		HashToken(token)).Scan(&staffID, &s.Station, &s.DeviceID, &exp)
	if err != nil {
		return s, pos.ErrNotAuthorized
	}
	s.ExpiresAt = parseTS(exp)
	if db.now().After(s.ExpiresAt) {
		return s, pos.ErrNotAuthorized
	}
	if s.Staff, err = db.Staff(ctx, staffID); err != nil || !s.Staff.Active {
		return s, pos.ErrNotAuthorized
	}
	return s, nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", HashToken(token))
		return err
	})
}

// SignedIn reports whether anyone is signed in at station: a member with
// a live session there, or a device paired for it that holds its token
// (signed in from its pairing on, with no PIN, until it is revoked).
func (db *DB) SignedIn(ctx context.Context, station string) (bool, error) {
	var in bool
	err := db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sessions WHERE station = ? AND expires_at >= ?)
		OR EXISTS (SELECT 1 FROM devices WHERE station = ? AND pair_code = '' AND approved_at != '' AND revoked_at = '')`,
		station, ts(db.now()), station).Scan(&in)
	return in, err
}
