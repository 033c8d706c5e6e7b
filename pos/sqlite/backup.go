package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// IntegrityCheck runs PRAGMA integrity_check and returns its findings, or
// nil when the database is sound.
func (db *DB) IntegrityCheck(ctx context.Context) error { return IntegrityCheck(ctx, db.r) }

// IntegrityCheck runs PRAGMA integrity_check on any SQLite connection (a
// backup file, a database not opened as a DB) and returns its findings,
// the first five of them, or nil when the database is sound.
func IntegrityCheck(ctx context.Context, c *sql.DB) error {
	rows, err := c.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], "...")
		}
		return fmt.Errorf("integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}
