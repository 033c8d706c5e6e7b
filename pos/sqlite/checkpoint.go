package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// RunCheckpoints copies the write-ahead log back into the database in the
// background, so that no sale or scan ever waits for a checkpoint. It is
// for a database opened with Options.BackgroundCheckpoints; it runs until
// ctx ends and returns nil then.
//
// Checkpoints are PASSIVE: they never block the writer or readers, and copy
// what they can. One runs every second while the log has grown; when the
// log passes a few megabytes a checkpoint also truncates it, which waits
// briefly for readers only.
func (db *DB) RunCheckpoints(ctx context.Context) error {
	c, err := sql.Open("sqlite", dsn(db.path, false))
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_, _ = c.Exec("PRAGMA wal_checkpoint(PASSIVE)")
			return nil
		case <-t.C:
		}
		var busy, logPages, done int
		if err := c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &done); err != nil {
			continue // the next tick tries again; a failed checkpoint loses nothing
		}
		if logPages > 1000 && done == logPages {
			_, _ = c.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		}
	}
}
