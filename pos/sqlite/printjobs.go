package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/posnode/posnode/pos"
)

// The print queue (migration 0005). These methods implement the job store
// of hardware/printer.

// AddPrintJob queues a job for printer and returns its id.
func (db *DB) AddPrintJob(ctx context.Context, printer, kind, ref string, doc, data []byte) (int64, error) {
	var id int64
	err := db.Update(ctx, func(tx *Tx) error {
		res, err := tx.execContext(ctx,
			"INSERT INTO print_jobs (printer, kind, ref, doc, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			printer, kind, ref, doc, data, ts(db.now()))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("add print job for %s: %w", printer, err)
	}
	return id, nil
}

// NextPrintJob returns the oldest job of printer not yet printed, or id 0
// when there is none.
func (db *DB) NextPrintJob(ctx context.Context, printer string) (int64, []byte, error) {
	var id int64
	var data []byte
	err := db.r.QueryRowContext(ctx,
		"SELECT id, data FROM print_jobs WHERE printer = ? AND printed_at IS NULL ORDER BY id LIMIT 1",
		printer).Scan(&id, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("next print job for %s: %w", printer, err)
	}
	return id, data, nil
}

// PrintJobDone marks a job printed; marking it again changes nothing.
func (db *DB) PrintJobDone(ctx context.Context, id int64) error {
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, "UPDATE print_jobs SET printed_at = ? WHERE id = ? AND printed_at IS NULL", ts(db.now()), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("print job %d done: %w", id, err)
	}
	return nil
}

// PrintJobDoc returns the kind and stored document of a job. The error
// wraps pos.ErrNotFound when there is no such job.
func (db *DB) PrintJobDoc(ctx context.Context, id int64) (string, []byte, error) {
	var kind string
	var doc []byte
	err := db.r.QueryRowContext(ctx, "SELECT kind, doc FROM print_jobs WHERE id = ?", id).Scan(&kind, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fmt.Errorf("print job %d: %w", id, pos.ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("print job %d: %w", id, err)
	}
	return kind, doc, nil
}

// QueuedPrintJobs counts the jobs of printer not yet printed.
func (db *DB) QueuedPrintJobs(ctx context.Context, printer string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM print_jobs WHERE printer = ? AND printed_at IS NULL", printer).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count print jobs for %s: %w", printer, err)
	}
	return n, nil
}

// PrunePrintJobs deletes the printed jobs queued before cutoff, batch rows
// per transaction with pause between transactions, so that the tills'
// writes go on between them; jobs not printed stay, whatever their age,
// and so does each printer's newest job: SalesWithoutReceipt and
// ReturnsWithoutReceipt take it as the sign that the printer had printed
// here before a sale, however long the till then printed nothing.
// Sales and returns keep what a copy of their receipt is made from. It
// returns how many jobs went.
func (db *DB) PrunePrintJobs(ctx context.Context, cutoff time.Time, batch int, pause time.Duration) (int64, error) {
	// Jobs are queued in id order: the newest id queued before cutoff
	// bounds the deletes, which then go by id, not by time.
	var through int64
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM print_jobs WHERE julianday(created_at) < julianday(?)`,
		fixedTS(cutoff)).Scan(&through); err != nil {
		return 0, fmt.Errorf("prune print jobs: %w", err)
	}
	var total int64
	for through > 0 {
		var n int64
		err := db.Update(ctx, func(tx *Tx) error {
			res, err := tx.execContext(ctx, `DELETE FROM print_jobs WHERE id IN
				(SELECT id FROM print_jobs WHERE id <= ? AND printed_at IS NOT NULL
					AND id NOT IN (SELECT max(id) FROM print_jobs GROUP BY printer) ORDER BY id LIMIT ?)`, through, batch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("prune print jobs: %w", err)
		}
		total += n
		if n < int64(batch) {
			break
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(pause):
		}
	}
	return total, nil
}

// SalesWithoutReceipt lists, oldest first, the sales of station completed
// since since whose receipt has no job on printer: sales that a crash or a
// power cut caught between their commit and their receipt being queued.
// Voided sales are left out, and so are sales made before printer had
// printed anything here (a station that had no printer then, whose
// receipts were shown on its screen).
func (db *DB) SalesWithoutReceipt(ctx context.Context, station, printer string, since time.Time) ([]pos.Sale, error) {
	// completed_at is RFC 3339 with the offset of its time: the text
	// bound (a day early, in UTC) lets the index narrow the rows whatever
	// their offset, and julianday compares the instants. A job's document
	// tells a sale's receipt from a return's or a training receipt's of
	// the same number (their refs were once the bare number too).
	ids, err := db.ids(ctx, `SELECT s.id FROM sales s
		WHERE s.completed_at >= ?1 AND julianday(s.completed_at) >= julianday(?2) AND s.station = ?3 AND s.voided = 0
		AND NOT EXISTS (SELECT 1 FROM print_jobs p WHERE p.kind = 'receipt' AND p.ref = CAST(s.receipt_no AS TEXT) AND p.printer = ?4
			AND coalesce(json_extract(p.doc, '$.refund'), 0) = 0 AND coalesce(json_extract(p.doc, '$.training'), 0) = 0)
		AND EXISTS (SELECT 1 FROM print_jobs p WHERE p.printer = ?4 AND julianday(p.created_at) <= julianday(s.completed_at))
		ORDER BY s.receipt_no`, fixedTS(since.Add(-24*time.Hour)), fixedTS(since), station, printer)
	if err != nil {
		return nil, fmt.Errorf("sales without a receipt at %s: %w", station, err)
	}
	sales := make([]pos.Sale, 0, len(ids))
	for _, id := range ids {
		s, err := db.Sale(ctx, id)
		if err != nil {
			return nil, err
		}
		sales = append(sales, s)
	}
	return sales, nil
}

// ReturnsWithoutReceipt is SalesWithoutReceipt for returns: the returns of
// station since since whose receipt has no job on printer, made once
// printer had printed here, oldest first.
func (db *DB) ReturnsWithoutReceipt(ctx context.Context, station, printer string, since time.Time) ([]pos.Return, error) {
	// Only the last 1,000 returns are read, by number: returns have no
	// index by time.
	ids, err := db.ids(ctx, `SELECT r.id FROM returns r
		WHERE r.return_no > (SELECT coalesce(max(return_no), 0) FROM returns) - 1000
		AND r.station = ?1 AND julianday(r.at) >= julianday(?2)
		AND NOT EXISTS (SELECT 1 FROM print_jobs p WHERE p.kind = 'receipt' AND p.printer = ?3
			AND p.ref IN ('return:' || r.return_no, CAST(r.return_no AS TEXT)) AND json_extract(p.doc, '$.refund') = 1)
		AND EXISTS (SELECT 1 FROM print_jobs p WHERE p.printer = ?3 AND julianday(p.created_at) <= julianday(r.at))
		ORDER BY r.return_no`, station, fixedTS(since), printer)
	if err != nil {
		return nil, fmt.Errorf("returns without a receipt at %s: %w", station, err)
	}
	rets := make([]pos.Return, 0, len(ids))
	for _, id := range ids {
		r, err := db.Return(ctx, id)
		if err != nil {
			return nil, err
		}
		rets = append(rets, r)
	}
	return rets, nil
}

// ids runs a query of one text column and returns its values.
func (db *DB) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
