package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/posnode/posnode/pos"
)

const shiftCols = "id, station, opened_by, opened_at, float, closed_at, closed_by, counted, z_no"

func scanShift(row interface{ Scan(...any) error }) (pos.Shift, error) {
	var sh pos.Shift
	var opened, closed string
	err := row.Scan(&sh.ID, &sh.Station, &sh.OpenedBy, &opened, &sh.Float, &closed, &sh.ClosedBy, &sh.Counted, &sh.ZNo)
	sh.OpenedAt = parseTS(opened)
	if closed != "" {
		sh.ClosedAt = parseTS(closed)
	}
	return sh, err
}

// OpenShift opens sh and adopts the station's receipts recorded while no
// shift was open there; see pos.AfterSalesStore.
func (db *DB) OpenShift(ctx context.Context, sh *pos.Shift) error {
	return db.Update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM shifts WHERE station = ? AND closed_at = ''", sh.Station).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("station %s: %w", sh.Station, pos.ErrShiftOpen)
		}
		if _, err := tx.execContext(ctx, "INSERT INTO shifts(id, station, opened_by, opened_at, float) VALUES (?, ?, ?, ?, ?)",
			sh.ID, sh.Station, sh.OpenedBy, ts(sh.OpenedAt), sh.Float); err != nil {
			return err
		}
		if _, err := tx.execContext(ctx, "UPDATE shift_receipts SET shift_id = ? WHERE station = ? AND shift_id = ''", sh.ID, sh.Station); err != nil {
			return err
		}
		_, err := tx.execContext(ctx, "UPDATE vouchers SET shift_id = ? WHERE shift_id = '' AND station = ? AND issued_by <> ''", sh.ID, sh.Station)
		return err
	})
}

// CurrentShift is the open shift of station, or pos.ErrNoShift.
func (db *DB) CurrentShift(ctx context.Context, station string) (pos.Shift, error) {
	sh, err := scanShift(db.r.QueryRowContext(ctx, "SELECT "+shiftCols+" FROM shifts WHERE station = ? AND closed_at = ''", station))
	if errors.Is(err, sql.ErrNoRows) {
		return sh, fmt.Errorf("station %s: %w", station, pos.ErrNoShift)
	}
	return sh, err
}

// Shift loads a shift.
func (db *DB) Shift(ctx context.Context, id string) (pos.Shift, error) {
	sh, err := scanShift(db.r.QueryRowContext(ctx, "SELECT "+shiftCols+" FROM shifts WHERE id = ?", id))
	return sh, notFound("shift", id, err)
}

// Shifts lists the shifts of station (all when ""), newest first.
func (db *DB) Shifts(ctx context.Context, station string, limit int) ([]pos.Shift, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+shiftCols+" FROM shifts WHERE ?1 = '' OR station = ?1 ORDER BY opened_at DESC LIMIT ?2",
		station, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []pos.Shift{}
	for rows.Next() {
		sh, err := scanShift(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

// ZReport returns the Z report recorded when shift id closed.
func (db *DB) ZReport(ctx context.Context, id string) (pos.ShiftReport, error) {
	var rep pos.ShiftReport
	var doc string
	err := db.r.QueryRowContext(ctx, "SELECT report FROM shifts WHERE id = ? AND z_no > 0", id).Scan(&doc)
	if err != nil {
		return rep, notFound("Z report of shift", id, err)
	}
	return rep, json.Unmarshal([]byte(doc), &rep)
}

// AddCashOp records a cash operation of an open shift with its journal
// entry (every one opens the drawer).
func (db *DB) AddCashOp(ctx context.Context, op *pos.CashOp) error {
	return db.Update(ctx, func(tx *Tx) error {
		var closed string
		if err := tx.QueryRowContext(ctx, "SELECT closed_at FROM shifts WHERE id = ?", op.ShiftID).Scan(&closed); err != nil {
			return notFound("shift", op.ShiftID, err)
		}
		if closed != "" {
			return fmt.Errorf("shift %s: %w", op.ShiftID, pos.ErrShiftClosed)
		}
		if _, err := tx.execContext(ctx, `INSERT INTO cash_ops(id, shift_id, station, kind, amount, reason, staff, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, op.ID, op.ShiftID, op.Station, op.Kind, op.Amount, op.Reason, op.Staff, ts(op.At)); err != nil {
			return err
		}
		_, err := tx.AppendJournal(pos.JournalDrawer, op.ID, "", op.At, op)
		return err
	})
}

// ShiftData gathers a shift, its receipts, its cash operations and its
// drawer alarms.
func (db *DB) ShiftData(ctx context.Context, id string) (pos.ShiftData, error) {
	var d pos.ShiftData
	var err error
	if d.Shift, err = db.Shift(ctx, id); err != nil {
		return d, err
	}
	refs := map[string][]string{}
	rows, err := db.r.QueryContext(ctx, "SELECT kind, ref FROM shift_receipts WHERE shift_id = ? ORDER BY rowid", id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var kind, ref string
		if err := rows.Scan(&kind, &ref); err != nil {
			rows.Close()
			return d, err
		}
		refs[kind] = append(refs[kind], ref)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	for _, ref := range refs["sale"] {
		s, err := db.Sale(ctx, ref)
		if err != nil {
			return d, err
		}
		d.Sales = append(d.Sales, s)
	}
	for _, ref := range refs["return"] {
		r, err := db.Return(ctx, ref)
		if err != nil {
			return d, err
		}
		d.Returns = append(d.Returns, r)
	}
	rows, err = db.r.QueryContext(ctx, "SELECT id, shift_id, station, kind, amount, reason, staff, at FROM cash_ops WHERE shift_id = ? ORDER BY rowid", id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var op pos.CashOp
		var at string
		if err := rows.Scan(&op.ID, &op.ShiftID, &op.Station, &op.Kind, &op.Amount, &op.Reason, &op.Staff, &at); err != nil {
			return d, err
		}
		op.At = parseTS(at)
		d.CashOps = append(d.CashOps, op)
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	if d.Vouchers, err = db.shiftVouchers(ctx, id); err != nil {
		return d, err
	}
	d.DrawerAlarms, err = shiftDrawerAlarms(ctx, db.r, d.Shift)
	return d, err
}

// shiftVouchers are the vouchers issued outside returns in shift id.
func (db *DB) shiftVouchers(ctx context.Context, id string) ([]pos.Voucher, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+voucherCols+" FROM vouchers WHERE shift_id = ? AND issued_by <> '' ORDER BY rowid", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pos.Voucher
	for rows.Next() {
		var v pos.Voucher
		var created string
		if err := rows.Scan(voucherDest(&v, &created)...); err != nil {
			return nil, err
		}
		v.CreatedAt = parseTS(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// CloseShift closes a shift with its Z report, journal entry and
// pos.shift.closed event in one transaction; see pos.AfterSalesStore. It
// fails with pos.ErrConflict when receipts were added or voided, cash
// operations recorded, vouchers issued or drawer alarms journalled after
// rep was computed: the check is in the transaction that closes the
// shift, so nothing recorded by another writer is missed by the report.
func (db *DB) CloseShift(ctx context.Context, sh *pos.Shift, rep *pos.ShiftReport) error {
	return db.Update(ctx, func(tx *Tx) error {
		var closed string
		if err := tx.QueryRowContext(ctx, "SELECT closed_at FROM shifts WHERE id = ?", sh.ID).Scan(&closed); err != nil {
			return notFound("shift", sh.ID, err)
		}
		if closed != "" {
			return fmt.Errorf("shift %s: %w", sh.ID, pos.ErrShiftClosed)
		}
		var receipts, voids int
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(s.voided), 0) FROM shift_receipts r
			LEFT JOIN sales s ON r.kind = 'sale' AND s.id = r.ref WHERE r.shift_id = ?`, sh.ID).Scan(&receipts, &voids); err != nil {
			return err
		}
		var vouchers int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM vouchers WHERE shift_id = ? AND issued_by <> ''", sh.ID).
			Scan(&vouchers); err != nil {
			return err
		}
		// Every cash operation moves an amount or is a no-sale opening,
		// so one added after rep changes one of these figures.
		var paidIn, paidOut, drops int64
		var noSales int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(amount) FILTER (WHERE kind = ?2), 0),
			coalesce(sum(amount) FILTER (WHERE kind = ?3), 0), coalesce(sum(amount) FILTER (WHERE kind = ?4), 0),
			count(*) FILTER (WHERE kind = ?5) FROM cash_ops WHERE shift_id = ?1`,
			sh.ID, pos.CashPaidIn, pos.CashPaidOut, pos.CashDrop, pos.CashNoSale).Scan(&paidIn, &paidOut, &drops, &noSales); err != nil {
			return err
		}
		alarms, err := shiftDrawerAlarms(ctx, tx, *sh)
		if err != nil {
			return err
		}
		if receipts != rep.Receipts || voids != rep.Voids || vouchers != rep.VoucherCount() ||
			paidIn != rep.PaidIn || paidOut != rep.PaidOut || drops != rep.Drops || noSales != rep.NoSales ||
			rep.DrawerAlarms != nil && pos.CountDrawerAlarms(alarms) != *rep.DrawerAlarms {
			return fmt.Errorf("shift %s: %w", sh.ID, pos.ErrConflict)
		}
		z, err := tx.NextCounter("z_no")
		if err != nil {
			return err
		}
		sh.ZNo, rep.ZNo = z, z
		e, err := tx.AppendJournal(pos.JournalZReport, sh.ID, "", sh.ClosedAt, rep)
		if err != nil {
			return err
		}
		rep.JournalN, rep.JournalHead = e.N, e.Hash
		ev, err := pos.NewEvent("", pos.EventShiftClosed, sh.ClosedAt, rep.EventData())
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(&ev); err != nil {
			return err
		}
		doc, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		_, err = tx.execContext(ctx, `UPDATE shifts SET closed_at = ?, closed_by = ?, counted = ?, z_no = ?, journal_n = ?,
			journal_head = ?, report = ? WHERE id = ?`, ts(sh.ClosedAt), sh.ClosedBy, sh.Counted, z, e.N, e.Hash, string(doc), sh.ID)
		return err
	})
}
