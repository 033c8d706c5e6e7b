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

// DocumentCounters are the gap-free counters whose numbers are printed on
// documents: receipts, returns, Z reports and training receipts. A number
// once printed is never issued again, so a database put back from a backup
// takes over the counters of the one it replaces (see RaiseCounters).
var DocumentCounters = []string{"receipt_no", "return_no", "z_no", "training_no"}

// Counters reads the DocumentCounters on c, a connection to a node
// database not opened by Open; a counter never advanced reads 0.
func Counters(ctx context.Context, c *sql.DB) (map[string]int64, error) {
	out := make(map[string]int64, len(DocumentCounters))
	for _, name := range DocumentCounters {
		var v int64
		err := c.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM counters WHERE name = ?), 0)", name).Scan(&v)
		if err != nil {
			return nil, fmt.Errorf("counter %s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

// RaiseCounters moves each counter named in to of the database file at
// path up to at least its value there, in one transaction: the next
// number issued is one past the higher of the two. The node must not be
// running.
func RaiseCounters(ctx context.Context, path string, to map[string]int64) error {
	c, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for name, v := range to {
		if _, err := tx.ExecContext(ctx, `INSERT INTO counters(name, value) VALUES (?, ?)
			ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)`, name, v); err != nil {
			return fmt.Errorf("%s: counter %s: %w", path, name, err)
		}
	}
	return tx.Commit()
}
