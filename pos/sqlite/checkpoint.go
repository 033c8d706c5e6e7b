package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"
)

// RunCheckpoints copies the write-ahead log back into the database in the
// background, so that no sale or scan ever waits for a checkpoint. It is
// for a database opened with Options.BackgroundCheckpoints; it runs until
// ctx ends and returns nil then.
//
// Checkpoints are PASSIVE: they never block the writer or readers, and copy
// what they can. One runs once the writer has been idle for a moment
// (checkpointIdle) and the log has grown. During a long burst of writes,
// such as a first catalog download, one runs only when the log passes
// checkpointMaxLog, and then at most every checkpointBurstGap: a checkpoint
// in the middle of a burst competes with it for the disk and the CPU and
// copies pages that the next commits write again. When the log passes a
// few megabytes and has been copied whole, a checkpoint also truncates it,
// which waits briefly for readers only: it holds the writer's lock while
// it waits, so it gives up after checkpointWait, and tries again every
// checkpointBurstGap until the log is truncated, rather than hold a
// till's sale for as long as a backup or a report that began after the
// last commit reads.
func (db *DB) RunCheckpoints(ctx context.Context) error {
	pool, err := sql.Open("sqlite", dsn(db.path, false))
	if err != nil {
		return err
	}
	defer pool.Close()
	c, err := pool.Conn(ctx)
	if err == nil {
		defer c.Close()
		_, err = c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", checkpointWait.Milliseconds()))
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	t := time.NewTicker(checkpointIdle / 2)
	defer t.Stop()
	copied := int64(-1)    // the last commit a checkpoint has seen; a log left by an earlier run is copied too
	var burst time.Time    // the last checkpoint made during a burst
	var truncTry time.Time // the last truncation tried
	truncate := func() {
		truncTry = time.Now()
		var busy, logPages, done int
		_ = c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &done)
	}
	for {
		select {
		case <-ctx.Done():
			_, _ = c.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
			return nil
		case <-t.C:
		}
		last := db.lastCommit.Load()
		if last == copied {
			// Nothing new. A long log copied whole whose truncation a
			// reader held off is truncated again, at most every
			// checkpointBurstGap: with no commit to come (a store
			// closed for the night) it would otherwise keep its size.
			if db.walSize() > checkpointTruncate && time.Since(truncTry) >= checkpointBurstGap {
				truncate()
			}
			continue
		}
		idle := time.Since(time.Unix(0, last)) >= checkpointIdle
		if !idle {
			// In a burst: only when the log is long, and then not more
			// often than every checkpointBurstGap (the file keeps its
			// size until a checkpoint truncates it).
			if db.walSize() < checkpointMaxLog || time.Since(burst) < checkpointBurstGap {
				continue
			}
			burst = time.Now()
		}
		var busy, logPages, done int
		if err := c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &done); err != nil {
			continue // the next tick tries again; a failed checkpoint loses nothing
		}
		if done < logPages {
			continue // readers held some frames back: the next tick tries again
		}
		copied = last
		if db.walSize() > checkpointTruncate {
			// Busy when a reader holds on: the log keeps its size,
			// is written again from its start once copied, and is
			// truncated at a later tick.
			truncate()
		}
	}
}

const (
	checkpointIdle     = 500 * time.Millisecond
	checkpointMaxLog   = 64 << 20 // bytes
	checkpointBurstGap = 2 * time.Second
	// checkpointTruncate is the size of log file that a checkpoint
	// truncates once it has copied the log whole (1,000 pages of 4 KiB).
	checkpointTruncate = 4000 << 10 // bytes
	// checkpointWait is the longest a checkpoint waits for the writer or
	// for readers, and so the longest it can hold a sale.
	checkpointWait = 100 * time.Millisecond
)

// walSize is the size of the write-ahead log file, 0 if there is none.
func (db *DB) walSize() int64 {
	fi, err := os.Stat(db.path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}
