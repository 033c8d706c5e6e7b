package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/posnode/posnode/pos"
)

var _ pos.AfterSalesStore = (*DB)(nil)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// recordSale writes what after-sales keeps about a sale inside the sale's
// own transaction: its tax by rate, its shift, the gift card and store
// credit it redeemed, and its journal entries (the sale, and every price
// set by hand on it).
func (tx *Tx) recordSale(s *pos.Sale, d pos.SaleCompletedData) error {
	ctx := tx.ctx
	if len(s.Balance.Tax) > 0 {
		args := make([]any, 0, 4*len(s.Balance.Tax))
		for _, t := range s.Balance.Tax {
			args = append(args, s.ID, t.RateBP, t.Base, t.Tax)
		}
		if _, err := tx.execContext(ctx, "INSERT INTO sale_tax(sale_id, rate_bp, base, tax) VALUES "+
			values(4, len(s.Balance.Tax)), args...); err != nil {
			return err
		}
	}
	if err := tx.attachShift("sale", s.ID, s.Station); err != nil {
		return err
	}
	for _, p := range s.Payments {
		if p.Method == pos.MethodGiftCard || p.Method == pos.MethodStoreCredit {
			if err := tx.redeem(p, s.ID, s.CompletedAt); err != nil {
				return err
			}
		}
	}
	if _, err := tx.AppendJournal(pos.JournalSale, s.ID, "", s.CompletedAt, d); err != nil {
		return err
	}
	for i, l := range s.Lines {
		if l.Override == nil {
			continue
		}
		if _, err := tx.AppendJournal(pos.JournalPriceOverride, s.ID, "", s.CompletedAt, map[string]any{
			"receipt_no": s.ReceiptNo, "line": i + 1, "sku": l.SKU, "from": l.Override.From, "to": l.UnitPrice,
			"reason": l.Override.Reason, "approved_by": l.Override.ApprovedBy, "cashier": s.Cashier,
		}); err != nil {
			return err
		}
	}
	return nil
}

// attachShift puts a receipt into the open shift of its station, or
// leaves it for the next shift opened there.
func (tx *Tx) attachShift(kind, ref, station string) error {
	var shift string
	err := tx.QueryRowContext(tx.ctx, "SELECT id FROM shifts WHERE station = ? AND closed_at = ''", station).Scan(&shift)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = tx.execContext(tx.ctx, "INSERT INTO shift_receipts(kind, ref, station, shift_id) VALUES (?, ?, ?, ?)",
		kind, ref, station, shift)
	return err
}

// Returned tells what was returned and refunded against an original.
func (db *DB) Returned(ctx context.Context, originKey string) (pos.Returned, error) {
	r := pos.Returned{Lines: map[string]pos.ReturnedLine{}}
	rows, err := db.r.QueryContext(ctx, `SELECT orig_line, sum(qty), sum(amount) FROM return_lines
		WHERE origin_key = ? GROUP BY orig_line`, originKey)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		var l pos.ReturnedLine
		if err := rows.Scan(&line, &l.Qty, &l.Amount); err != nil {
			return r, err
		}
		r.Lines[line] = l
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	err = db.r.QueryRowContext(ctx, `SELECT coalesce(sum(f.amount), 0), coalesce(sum(CASE WHEN f.method = 'cash' THEN f.amount END), 0)
		FROM return_refunds f JOIN returns r ON r.id = f.return_id WHERE r.origin_key = ?`, originKey).Scan(&r.Refunded, &r.Cash)
	if err != nil {
		return r, err
	}
	err = db.r.QueryRowContext(ctx, "SELECT coalesce(sum(rounding), 0) FROM returns WHERE origin_key = ?", originKey).Scan(&r.Rounding)
	return r, err
}

// CompleteReturn records a return, and the sale of an exchange, in one
// transaction; see pos.AfterSalesStore. A return of a sale of this node
// is refused there when the sale is voided.
// ClaimCardRefund records the amount of a card refund before it is sent;
// see pos.AfterSalesStore.
func (db *DB) ClaimCardRefund(ctx context.Context, ref string, amount int64) error {
	return db.Update(ctx, func(tx *Tx) error {
		var held int64
		switch err := tx.QueryRowContext(ctx, "SELECT amount FROM card_refund_claims WHERE ref = ?", ref).Scan(&held); {
		case errors.Is(err, sql.ErrNoRows):
			_, err := tx.execContext(ctx, "INSERT INTO card_refund_claims(ref, amount, at) VALUES (?, ?, ?)", ref, amount, fixedTS(db.now()))
			return err
		case err != nil:
			return err
		case held != amount:
			return fmt.Errorf("%w: a card refund of %d was sent under %s before and may have been made; ask again for the same goods to record it",
				pos.ErrConflict, held, ref)
		}
		return nil
	})
}

func (db *DB) CompleteReturn(ctx context.Context, r *pos.Return, exchange *pos.Sale) error {
	return db.Update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM returns WHERE id = ?", r.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("return %s: %w", r.ID, pos.ErrDuplicate)
		}
		if r.Origin == pos.OriginSale {
			var voided bool
			if err := tx.QueryRowContext(ctx, "SELECT voided FROM sales WHERE id = ?", r.SaleID).Scan(&voided); err != nil {
				return notFound("sale", r.SaleID, err)
			}
			if voided {
				return fmt.Errorf("return %s of sale %s: %w", r.ID, r.SaleID, pos.ErrVoided)
			}
		}
		asked := map[string]int64{}
		sold := map[string]int64{}
		for _, l := range r.Lines {
			if l.OrigLine != "" {
				asked[l.OrigLine] += l.Qty
				sold[l.OrigLine] = l.SoldQty
			}
		}
		for line, q := range asked {
			var before int64
			if err := tx.QueryRowContext(ctx, "SELECT coalesce(sum(qty), 0) FROM return_lines WHERE origin_key = ? AND orig_line = ?",
				r.OriginKey, line).Scan(&before); err != nil {
				return err
			}
			if before+q > sold[line] {
				return fmt.Errorf("%w: line %s sold %d, returned %d, asked %d", pos.ErrOverReturn, line, sold[line], before, q)
			}
		}
		no, err := tx.NextCounter("return_no")
		if err != nil {
			return err
		}
		r.ReturnNo = no
		ev, err := r.Event()
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(&ev); err != nil {
			return err
		}
		doc, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.execContext(ctx, `INSERT INTO returns(id, return_no, station, staff, at, origin, origin_key, total,
			rounding, approved_by, exchange_sale_id, seq, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, no, r.Station, r.Staff, ts(r.At), r.Origin, r.OriginKey, r.Total, r.Rounding, r.ApprovedBy,
			r.ExchangeSaleID, ev.Seq, string(doc)); err != nil {
			return err
		}
		for i, l := range r.Lines {
			if _, err := tx.execContext(ctx, `INSERT INTO return_lines(return_id, n, origin_key, orig_line, sku, qty, unit,
				tax_rate_bp, amount, restock) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.ID, i+1, r.OriginKey, l.OrigLine, l.SKU, l.Qty, l.Unit, l.TaxRateBP, l.Amount, l.Restock); err != nil {
				return err
			}
		}
		for i, f := range r.Refunds {
			if _, err := tx.execContext(ctx, "INSERT INTO return_refunds(return_id, n, method, amount, ref) VALUES (?, ?, ?, ?, ?)",
				r.ID, i+1, f.Method, f.Amount, f.Ref); err != nil {
				return err
			}
			if f.Method == pos.MethodStoreCredit {
				if err := tx.issueVoucher(&pos.Voucher{Code: f.Ref, Kind: pos.MethodStoreCredit, Issued: f.Amount,
					Balance: f.Amount, CreatedAt: r.At, Ref: r.ID}); err != nil {
					return err
				}
			}
		}
		for _, t := range r.Tax {
			if _, err := tx.execContext(ctx, "INSERT INTO return_tax(return_id, rate_bp, base, tax) VALUES (?, ?, ?, ?)",
				r.ID, t.RateBP, t.Base, t.Tax); err != nil {
				return err
			}
		}
		if err := tx.AddMovements(ev.Seq, r.At, r.Movements()); err != nil {
			return err
		}
		if err := tx.attachShift("return", r.ID, r.Station); err != nil {
			return err
		}
		if _, err := tx.AppendJournal(pos.JournalReturn, r.ID, "", r.At, ev.Data); err != nil {
			return err
		}
		if exchange != nil {
			return tx.InsertSale(exchange)
		}
		return nil
	})
}

// Return loads a return.
func (db *DB) Return(ctx context.Context, id string) (pos.Return, error) {
	var r pos.Return
	var doc string
	if err := db.r.QueryRowContext(ctx, "SELECT doc FROM returns WHERE id = ?", id).Scan(&doc); err != nil {
		return r, notFound("return", id, err)
	}
	return r, json.Unmarshal([]byte(doc), &r)
}

// LastSale is the station's sale with the highest receipt number.
func (db *DB) LastSale(ctx context.Context, station string) (pos.Sale, error) {
	var id string
	err := db.r.QueryRowContext(ctx, "SELECT id FROM sales WHERE station = ? ORDER BY receipt_no DESC LIMIT 1", station).Scan(&id)
	if err != nil {
		return pos.Sale{}, notFound("last sale of station", station, err)
	}
	return db.Sale(ctx, id)
}

// CheckVoid reports whether VoidSale would refuse to void the sale now;
// see pos.AfterSalesStore.
func (db *DB) CheckVoid(ctx context.Context, saleID, station string) error {
	return voidable(ctx, db.r, saleID, station)
}

// voidable refuses a sale that is not the station's last, is voided, has
// returns or belongs to a closed shift. VoidSale runs it in its
// transaction and CheckVoid before any money moves, so that the two agree.
func voidable(ctx context.Context, q queryRower, saleID, station string) error {
	var last string
	var voided bool
	if err := q.QueryRowContext(ctx, "SELECT id, voided FROM sales WHERE station = ? ORDER BY receipt_no DESC LIMIT 1",
		station).Scan(&last, &voided); err != nil {
		return notFound("last sale of station", station, err)
	}
	switch {
	case last != saleID:
		return fmt.Errorf("sale %s: %w", saleID, pos.ErrNotLastSale)
	case voided:
		return fmt.Errorf("sale %s: %w", saleID, pos.ErrVoided)
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM return_lines WHERE origin_key = ?", "sale:"+saleID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("sale %s: %w", saleID, pos.ErrHasReturns)
	}
	var closed string
	err := q.QueryRowContext(ctx, `SELECT s.closed_at FROM shift_receipts r JOIN shifts s ON s.id = r.shift_id
		WHERE r.kind = 'sale' AND r.ref = ?`, saleID).Scan(&closed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if closed != "" {
		return fmt.Errorf("sale %s: its %w; return the goods instead", saleID, pos.ErrShiftClosed)
	}
	return nil
}

// VoidSale records the void of a station's last sale in one transaction:
// the sale marked voided, its goods back in stock, its vouchers restored,
// its event and journal entry; see pos.AfterSalesStore.
func (db *DB) VoidSale(ctx context.Context, v *pos.Void) error {
	return db.Update(ctx, func(tx *Tx) error {
		if err := voidable(ctx, tx, v.SaleID, v.Station); err != nil {
			return err
		}
		ev, err := v.Event()
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(&ev); err != nil {
			return err
		}
		if _, err := tx.execContext(ctx, "UPDATE sales SET voided = 1 WHERE id = ?", v.SaleID); err != nil {
			return err
		}
		doc, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := tx.execContext(ctx, "INSERT INTO voids(sale_id, station, staff, at, reason, approved_by, seq, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			v.SaleID, v.Station, v.Staff, ts(v.At), v.Reason, v.ApprovedBy, ev.Seq, string(doc)); err != nil {
			return err
		}
		if err := tx.AddMovements(ev.Seq, v.At, v.Movements()); err != nil {
			return err
		}
		for _, f := range v.Refunds {
			if f.Method == pos.MethodGiftCard || f.Method == pos.MethodStoreCredit {
				if err := tx.restore(f.Ref, f.Amount, v.SaleID, v.At); err != nil {
					return err
				}
			}
		}
		_, err = tx.AppendJournal(pos.JournalVoid, v.SaleID, "", v.At, map[string]any{
			"sale_id": v.SaleID, "receipt_no": v.ReceiptNo, "reason": v.Reason, "approved_by": v.ApprovedBy,
			"staff": v.Staff, "station": v.Station, "total": v.Sale.Balance.Total, "refunds": v.Refunds})
		return err
	})
}

// Voucher returns a voucher by code, in any spelling of it
// (pos.CanonicalVoucherCode); a code not known here is an external card
// with the store's default offline limit.
func (db *DB) Voucher(ctx context.Context, code string) (pos.Voucher, error) {
	code = pos.CanonicalVoucherCode(code)
	var v pos.Voucher
	var created string
	err := db.r.QueryRowContext(ctx, "SELECT "+voucherCols+" FROM vouchers WHERE code = ?", code).Scan(voucherDest(&v, &created)...)
	if errors.Is(err, sql.ErrNoRows) {
		v = pos.Voucher{Code: code, Kind: pos.MethodGiftCard, External: true, Limit: -1}
	} else if err != nil {
		return v, err
	}
	v.CreatedAt = parseTS(created)
	if v.Limit < 0 {
		if v.Limit, err = db.defaultVoucherLimit(ctx, db.r); err != nil {
			return v, err
		}
	}
	return v, nil
}

const voucherCols = "code, kind, issued, balance, external, offline_limit, redeemed, created_at, ref, issued_by, station, shift_id, cash"

// voucherDest is where a row of voucherCols is scanned into; created
// takes created_at as stored.
func voucherDest(v *pos.Voucher, created *string) []any {
	return []any{&v.Code, &v.Kind, &v.Issued, &v.Balance, &v.External, &v.Limit, &v.Redeemed, created, &v.Ref,
		&v.IssuedBy, &v.Station, &v.ShiftID, &v.Cash}
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) defaultVoucherLimit(ctx context.Context, q queryRower) (int64, error) {
	var s string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'voucher_offline_limit'").Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(s, 10, 64)
}

// SetVoucherOfflineLimit sets how much of a card issued elsewhere may be
// redeemed here without central: for the card code, or for every card
// without a limit of its own when code is "". The card is kept by its
// canonical code (pos.CanonicalVoucherCode).
func (db *DB) SetVoucherOfflineLimit(ctx context.Context, code string, limit int64) error {
	if limit < 0 || limit > pos.MaxPrice {
		return fmt.Errorf("sqlite: offline limit %d out of range 0..%d", limit, pos.MaxPrice)
	}
	return db.Update(ctx, func(tx *Tx) error {
		if code == "" {
			_, err := tx.execContext(ctx, `INSERT INTO meta(key, value) VALUES ('voucher_offline_limit', ?)
				ON CONFLICT(key) DO UPDATE SET value = excluded.value`, itoa(limit))
			return err
		}
		code := pos.CanonicalVoucherCode(code)
		if err := pos.CheckVoucherCode(code); err != nil {
			return err
		}
		_, err := tx.execContext(ctx, `INSERT INTO vouchers(code, kind, issued, balance, external, offline_limit, created_at)
			VALUES (?, 'gift_card', 0, 0, 1, ?, ?) ON CONFLICT(code) DO UPDATE SET offline_limit = excluded.offline_limit`,
			code, limit, ts(db.now()))
		return err
	})
}

// IssueVoucher records a voucher issued outside a return, with who
// issued it, its shift and the cash paid for it, and its journal entry, in
// one transaction. It fails with pos.ErrShiftClosed when v's shift has
// closed.
func (db *DB) IssueVoucher(ctx context.Context, v *pos.Voucher) error {
	if v.IssuedBy == "" {
		return fmt.Errorf("sqlite: voucher %s issued by no one", v.Code)
	}
	if v.Cash > 0 && v.ShiftID == "" {
		return fmt.Errorf("voucher %s paid in cash: %w", v.Code, pos.ErrNoShift)
	}
	return db.Update(ctx, func(tx *Tx) error {
		if v.ShiftID != "" {
			var closed string
			if err := tx.QueryRowContext(ctx, "SELECT closed_at FROM shifts WHERE id = ? AND station = ?", v.ShiftID, v.Station).
				Scan(&closed); err != nil {
				return notFound("shift", v.ShiftID, err)
			}
			if closed != "" {
				return fmt.Errorf("shift %s: %w", v.ShiftID, pos.ErrShiftClosed)
			}
		}
		if err := tx.issueVoucher(v); err != nil {
			return err
		}
		_, err := tx.AppendJournal(pos.JournalVoucher, v.Code, "", v.CreatedAt, v.JournalData())
		return err
	})
}

func (tx *Tx) issueVoucher(v *pos.Voucher) error {
	if _, err := tx.execContext(tx.ctx, `INSERT INTO vouchers(code, kind, issued, balance, created_at, ref,
		issued_by, station, shift_id, cash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.Code, v.Kind, v.Issued, v.Balance, ts(v.CreatedAt), v.Ref, v.IssuedBy, v.Station, v.ShiftID, v.Cash); err != nil {
		return fmt.Errorf("issue voucher: %w", err)
	}
	_, err := tx.execContext(tx.ctx, "INSERT INTO voucher_uses(code, delta, ref, at) VALUES (?, ?, ?, ?)",
		v.Code, v.Issued, v.Ref, ts(v.CreatedAt))
	return err
}

// redeem takes a voucher payment off its voucher, or refuses the sale.
// The voucher is found by its canonical code, whatever spelling a cart
// kept from before codes were canonical.
func (tx *Tx) redeem(p pos.Payment, saleID string, at time.Time) error {
	ctx := tx.ctx
	p.Ref = pos.CanonicalVoucherCode(p.Ref)
	if err := pos.CheckVoucherCode(p.Ref); err != nil {
		return err
	}
	if _, err := tx.execContext(ctx, `INSERT INTO vouchers(code, kind, issued, balance, external, created_at)
		VALUES (?, ?, 0, 0, 1, ?) ON CONFLICT(code) DO NOTHING`, p.Ref, p.Method, ts(at)); err != nil {
		return err
	}
	var balance, limit, redeemed int64
	var external bool
	if err := tx.QueryRowContext(ctx, "SELECT balance, external, offline_limit, redeemed FROM vouchers WHERE code = ?", p.Ref).
		Scan(&balance, &external, &limit, &redeemed); err != nil {
		return err
	}
	if external {
		if limit < 0 {
			l, err := tx.db.defaultVoucherLimit(ctx, tx)
			if err != nil {
				return err
			}
			limit = l
		}
		if redeemed+p.Amount > limit {
			return fmt.Errorf("%w: %s has %d of %d left offline", pos.ErrVoucherLimit, p.Ref, max(limit-redeemed, 0), limit)
		}
	} else if p.Amount > balance {
		return fmt.Errorf("%w: %s has %d", pos.ErrVoucherBalance, p.Ref, balance)
	}
	if _, err := tx.execContext(ctx, "UPDATE vouchers SET balance = balance - ?, redeemed = redeemed + ? WHERE code = ?",
		map[bool]int64{true: 0, false: p.Amount}[external], p.Amount, p.Ref); err != nil {
		return err
	}
	_, err := tx.execContext(ctx, "INSERT INTO voucher_uses(code, delta, ref, at) VALUES (?, ?, ?, ?)", p.Ref, -p.Amount, saleID, ts(at))
	return err
}

// restore gives back what a voided sale took off a voucher, by its
// canonical code: a sale recorded before codes were canonical names it as
// typed.
func (tx *Tx) restore(code string, amount int64, ref string, at time.Time) error {
	code = pos.CanonicalVoucherCode(code)
	if _, err := tx.execContext(tx.ctx, `UPDATE vouchers SET redeemed = redeemed - ?,
		balance = balance + CASE WHEN external = 1 THEN 0 ELSE ? END WHERE code = ?`, amount, amount, code); err != nil {
		return err
	}
	_, err := tx.execContext(tx.ctx, "INSERT INTO voucher_uses(code, delta, ref, at) VALUES (?, ?, ?, ?)", code, amount, ref, ts(at))
	return err
}

// RecordCopy journals the printing of a receipt copy and numbers it.
func (db *DB) RecordCopy(ctx context.Context, c *pos.ReceiptCopy) error {
	return db.Update(ctx, func(tx *Tx) error {
		if c.Kind == "return" {
			if err := tx.QueryRowContext(ctx, "SELECT return_no FROM returns WHERE id = ?", c.Ref).Scan(&c.No); err != nil {
				return notFound("return", c.Ref, err)
			}
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) + 1 FROM receipt_copies WHERE kind = ? AND ref = ?", c.Kind, c.Ref).
			Scan(&c.CopyNo); err != nil {
			return err
		}
		if _, err := tx.execContext(ctx, "INSERT INTO receipt_copies(kind, ref, copy_no, station, staff, at) VALUES (?, ?, ?, ?, ?, ?)",
			c.Kind, c.Ref, c.CopyNo, c.Station, c.Staff, ts(c.At)); err != nil {
			return err
		}
		_, err := tx.AppendJournal(pos.JournalCopy, c.Ref, pos.MarkCopy, c.At, c)
		return err
	})
}

// RecordTraining numbers a training receipt from its own sequence,
// journals it marked training, keeps it for copies and removes its cart;
// nothing else is recorded.
func (db *DB) RecordTraining(ctx context.Context, t *pos.TrainingReceipt) error {
	return db.Update(ctx, func(tx *Tx) error {
		no, err := tx.NextCounter("training_no")
		if err != nil {
			return err
		}
		t.No = no
		d := t.Sale.EventData()
		d.ReceiptNo = no
		if _, err := tx.AppendJournal(pos.JournalSale, t.Sale.ID, pos.MarkTraining, t.Sale.CompletedAt, d); err != nil {
			return err
		}
		doc, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if _, err := tx.execContext(ctx, "INSERT INTO training_receipts(no, station, doc) VALUES (?, ?, ?)", no, t.Sale.Station, string(doc)); err != nil {
			return err
		}
		_, err = tx.execContext(ctx, "DELETE FROM carts WHERE id = ?", t.Sale.ID)
		return err
	})
}

// TrainingReceipt is the training receipt numbered no; see
// pos.AfterSalesStore.
func (db *DB) TrainingReceipt(ctx context.Context, no int64) (pos.TrainingReceipt, error) {
	var t pos.TrainingReceipt
	var doc string
	if err := db.r.QueryRowContext(ctx, "SELECT doc FROM training_receipts WHERE no = ?", no).Scan(&doc); err != nil {
		return t, notFound("training receipt", fmt.Sprint(no), err)
	}
	return t, json.Unmarshal([]byte(doc), &t)
}

// TrainingReceipts are up to limit training receipts of station, newest
// first.
func (db *DB) TrainingReceipts(ctx context.Context, station string, limit int) ([]pos.TrainingReceipt, error) {
	return docs[pos.TrainingReceipt](ctx, db.r, "SELECT doc FROM training_receipts WHERE station = ? ORDER BY no DESC LIMIT ?", station, limit)
}
