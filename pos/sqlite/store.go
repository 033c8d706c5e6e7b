package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/posnode/posnode/pos"
)

var _ pos.Store = (*DB)(nil)

func notFound(what, id string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %s: %w", what, id, pos.ErrNotFound)
	}
	return err
}

// docs runs query, whose rows are one JSON document each, and decodes
// them in order; none is an empty slice, not nil.
func docs[T any](ctx context.Context, q *sql.DB, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var doc string
		var v T
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Settings returns the store settings from central, or pos.DefaultSettings
// until central has sent any.
func (db *DB) Settings(ctx context.Context) (pos.Settings, error) {
	var doc string
	err := db.r.QueryRowContext(ctx, "SELECT doc FROM settings WHERE id = 1").Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return pos.DefaultSettings(), nil
	}
	if err != nil {
		return pos.Settings{}, err
	}
	var s pos.Settings
	return s, json.Unmarshal([]byte(doc), &s)
}

// PutSettings stores s if its version is higher than the one held, and
// reports whether it did.
func (db *DB) PutSettings(ctx context.Context, s pos.Settings) (bool, error) {
	doc, err := json.Marshal(s)
	if err != nil {
		return false, err
	}
	var n int64
	err = db.Update(ctx, func(tx *Tx) error {
		res, err := tx.execContext(ctx, `INSERT INTO settings(id, version, doc) VALUES (1, ?, ?)
			ON CONFLICT(id) DO UPDATE SET version = excluded.version, doc = excluded.doc
			WHERE excluded.version > settings.version`, s.Version, string(doc))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, err
}

// itemCols are an item's columns, its barcodes in code order as a JSON
// array among them, so that an item is read by one statement.
const itemCols = "sku, active, names, unit, price, tax_rate_bp, location, " +
	"(SELECT json_group_array(code ORDER BY code) FROM barcodes WHERE barcodes.sku = items.sku)"

func scanItem(row interface{ Scan(...any) error }) (pos.Item, error) {
	var it pos.Item
	var names, codes string
	if err := row.Scan(&it.SKU, &it.Active, &names, &it.Unit, &it.Price, &it.TaxRateBP, &it.Location, &codes); err != nil {
		return it, err
	}
	if err := json.Unmarshal([]byte(names), &it.Names); err != nil {
		return it, err
	}
	return it, json.Unmarshal([]byte(codes), &it.Barcodes)
}

const itemByCodeQuery = "SELECT " + itemCols + " FROM items WHERE sku = coalesce((SELECT sku FROM barcodes WHERE code = ?1), ?1)"

// ItemByCode finds an item by normalised barcode key or by SKU; a key
// that is both one item's barcode and another's SKU finds the barcode's
// item, as a scan means. The item and its barcodes are read by one
// statement.
//
// The catalog index answers it once built (see catalogIndex), SQLite
// until then.
func (db *DB) ItemByCode(ctx context.Context, key string) (pos.Item, error) {
	if it, found, ok := db.catalog.lookup(key); ok {
		if !found {
			return it, notFound("item", key, sql.ErrNoRows)
		}
		return it, nil
	}
	it, err := scanItem(db.itemByCode.QueryRowContext(ctx, key))
	if err != nil {
		return it, notFound("item", key, err)
	}
	return it, nil
}

// SearchItems finds items whose SKU, barcode or name in any language
// contains every word of query, case-insensitively.
func (db *DB) SearchItems(ctx context.Context, query string, limit int) ([]pos.Item, error) {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 || limit <= 0 {
		return []pos.Item{}, nil
	}
	if len(words) > 8 {
		words = words[:8]
	}
	var where []string
	var args []any
	for _, w := range words {
		w = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(w)
		where = append(where, `(search LIKE ? ESCAPE '\' OR sku IN (SELECT sku FROM barcodes WHERE code LIKE ? ESCAPE '\'))`)
		args = append(args, "%"+w+"%", w+"%")
	}
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, "SELECT "+itemCols+" FROM items WHERE active = 1 AND "+
		strings.Join(where, " AND ")+" ORDER BY sku LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []pos.Item{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

func searchText(it pos.Item) string {
	n := len(it.SKU)
	for _, l := range pos.Languages {
		n += len(it.Names[l]) + 1
	}
	return string(appendSearchText(make([]byte, 0, n), it))
}

// appendSearchText appends the text that search matches an item by: its
// SKU and its names, lower-cased, one to a line.
func appendSearchText(b []byte, it pos.Item) []byte {
	b = appendLower(b, it.SKU)
	for _, l := range pos.Languages {
		if n := it.Names[l]; n != "" {
			b = append(b, '\n')
			b = appendLower(b, n)
		}
	}
	return b
}

// appendLower appends s lower-cased as strings.ToLower does, without a
// string of its own per name.
func appendLower(b []byte, s string) []byte {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	return b
}

// PutItem inserts or replaces one item and its barcodes inside tx. page is
// central's catalog page ("" for a local import).
func (tx *Tx) PutItem(it pos.Item, page string, vm pos.VariableMeasure) error {
	return tx.putItem(it, page, vm, true)
}

// putItem is PutItem; with codes false it leaves the barcodes the item
// has as they are, whatever it.Barcodes holds.
func (tx *Tx) putItem(it pos.Item, page string, vm pos.VariableMeasure, codes bool) error {
	if err := it.Validate(); err != nil {
		return err
	}
	names, err := namesJSON(it.Names)
	if err != nil {
		return err
	}
	if _, err := tx.execContext(tx.ctx, `INSERT INTO items(sku, active, names, search, unit, price, tax_rate_bp, location, page)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(sku) DO UPDATE SET active = excluded.active, names = excluded.names, search = excluded.search,
		unit = excluded.unit, price = excluded.price, tax_rate_bp = excluded.tax_rate_bp,
		location = excluded.location, page = excluded.page`,
		it.SKU, it.Active, names, searchText(it), it.Unit, it.Price, it.TaxRateBP, it.Location, page); err != nil {
		return err
	}
	ops := []catalogOp{{kind: opPutItem, sku: it.SKU, rec: &itemRecord{active: it.Active, price: it.Price, taxRateBP: it.TaxRateBP,
		unit: it.Unit, location: it.Location, page: page, names: names}}}
	if codes {
		if _, err := tx.execContext(tx.ctx, "DELETE FROM barcodes WHERE sku = ?", it.SKU); err != nil {
			return err
		}
		ops = append(ops, catalogOp{kind: opDropCodes, sku: it.SKU})
		for _, b := range it.Barcodes {
			code := pos.NormalizeBarcode(b, vm)
			if _, err := tx.execContext(tx.ctx, "INSERT OR REPLACE INTO barcodes(code, sku) VALUES (?, ?)", code, it.SKU); err != nil {
				return err
			}
			ops = append(ops, catalogOp{kind: opSetCode, sku: it.SKU, code: code})
		}
	}
	tx.catalog = append(tx.catalog, ops...)
	return nil
}

// PutItems stores items in one transaction: all or none.
func (db *DB) PutItems(ctx context.Context, items []pos.Item, vm pos.VariableMeasure) error {
	return db.Update(ctx, func(tx *Tx) error {
		for _, it := range items {
			if err := tx.PutItem(it, "", vm); err != nil {
				return err
			}
		}
		return nil
	})
}

// CatalogImport tells what ImportCatalog did beyond storing the file's
// rows.
type CatalogImport struct {
	// Moved are the barcodes that the file gives its items and that items
	// not in the file had, in file order; those items no longer have
	// them. Codes that items of the file exchange are not among them: the
	// file says where each goes.
	Moved []MovedCode
}

// MovedCode is a barcode an import moved from one item to another.
type MovedCode struct {
	Code     string // the normalised key, as a scan looks it up
	From, To string // SKUs
	Line     int    // the line of the file that gave it to To
}

// ImportCatalog stores the rows of a catalog file in one transaction: all
// or none. A column the file lacks leaves that field of an item it
// updates as it is (see pos.CatalogFile.Merge); without a barcodes column
// no item's codes change. A barcode the file gives to an item is taken
// from whichever item had it: a store moves a code between items by
// saying where it goes, and the items it leaves are reported in the
// result. A barcode key the file gives to two items is refused, with
// pos.ErrCSV naming both lines (pos.ReadCatalogCSV refuses such a file
// first).
func (db *DB) ImportCatalog(ctx context.Context, f *pos.CatalogFile, vm pos.VariableMeasure) (CatalogImport, error) {
	var res CatalogImport
	line := func(i int) int {
		if i < len(f.Lines) {
			return f.Lines[i]
		}
		return 0
	}
	inFile := make(map[string]bool, len(f.Items))
	for _, it := range f.Items {
		inFile[it.SKU] = true
	}
	// Whether some field of a stored item is kept, and must be read.
	keeps := !f.Has("active") || !f.Has("location") || !f.Has("barcodes")
	for _, l := range pos.Languages {
		keeps = keeps || !f.Has("name_"+l)
	}
	codes := f.Has("barcodes")
	err := db.Update(ctx, func(tx *Tx) error {
		given := map[string]int{} // barcode key → the item of the file given it
		for i, it := range f.Items {
			if keeps {
				old, err := scanItem(tx.QueryRowContext(ctx, "SELECT "+itemCols+" FROM items WHERE sku = ?", it.SKU))
				switch {
				case err == nil:
					it = f.Merge(it, old)
				case !errors.Is(err, sql.ErrNoRows):
					return err
				}
			}
			if codes {
				for _, b := range it.Barcodes {
					code := pos.NormalizeBarcode(b, vm)
					if j, dup := given[code]; dup && f.Items[j].SKU != it.SKU {
						return fmt.Errorf("%w: line %d: barcode %s is already sku %s's, on line %d: a code can find one item only",
							pos.ErrCSV, line(i), b, f.Items[j].SKU, line(j))
					}
					given[code] = i
					var from string
					err := tx.QueryRowContext(ctx, "SELECT sku FROM barcodes WHERE code = ?", code).Scan(&from)
					if err != nil && !errors.Is(err, sql.ErrNoRows) {
						return err
					}
					if from != "" && from != it.SKU && !inFile[from] {
						res.Moved = append(res.Moved, MovedCode{Code: code, From: from, To: it.SKU, Line: line(i)})
					}
				}
			}
			if err := it.Validate(); err != nil {
				return fmt.Errorf("%w: line %d: %v", pos.ErrCSV, line(i), err)
			}
			if err := tx.putItem(it, "", vm, codes); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return CatalogImport{}, err
	}
	return res, nil
}

// CountItems returns how many items the catalog has.
func (db *DB) CountItems(ctx context.Context) (int, error) {
	var n int
	return n, db.r.QueryRowContext(ctx, "SELECT count(*) FROM items").Scan(&n)
}

// Cart loads an open cart.
func (db *DB) Cart(ctx context.Context, id string) (pos.Cart, error) {
	var c pos.Cart
	var doc string
	if err := db.r.QueryRowContext(ctx, "SELECT doc FROM carts WHERE id = ?", id).Scan(&doc); err != nil {
		return c, notFound("cart", id, err)
	}
	return c, json.Unmarshal([]byte(doc), &c)
}

// Carts lists open carts of a station (all when station is ""), oldest first.
func (db *DB) Carts(ctx context.Context, station string) ([]pos.Cart, error) {
	return docs[pos.Cart](ctx, db.r, "SELECT doc FROM carts WHERE ?1 = '' OR station = ?1 ORDER BY rowid", station)
}

// SaveCart stores an open cart durably.
func (db *DB) SaveCart(ctx context.Context, c *pos.Cart) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, `INSERT INTO carts(id, station, updated_at, doc) VALUES (?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET station = excluded.station, updated_at = excluded.updated_at, doc = excluded.doc`,
			c.ID, c.Station, ts(c.UpdatedAt), string(doc))
		return err
	})
}

// DeleteCart removes an open cart.
func (db *DB) DeleteCart(ctx context.Context, id string) error {
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, "DELETE FROM carts WHERE id = ?", id)
		return err
	})
}

// CompleteSale records a sale as one transaction; see pos.Store.
func (db *DB) CompleteSale(ctx context.Context, s *pos.Sale) error {
	return db.Update(ctx, func(tx *Tx) error { return tx.InsertSale(s) })
}

// InsertSale writes a completed sale inside tx: receipt number, rows, stock
// movements, its event, and the removal of its cart. Features that settle a
// sale together with something else (an exchange, a pickup paid at the
// counter) call it inside their own transaction.
func (tx *Tx) InsertSale(s *pos.Sale) error {
	ctx := tx.ctx
	if err := tx.cartAt(s.ID, s.CartRev); err != nil {
		return err
	}
	no, err := tx.NextCounter("receipt_no")
	if err != nil {
		return err
	}
	s.ReceiptNo = no
	data := s.EventData()
	ev, err := pos.NewEvent(s.EventID, pos.EventSaleCompleted, s.CompletedAt, data)
	if err != nil {
		return err
	}
	if err := tx.AppendEvent(&ev); err != nil {
		return err
	}
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	b := s.Balance
	if _, err := tx.execContext(ctx, `INSERT INTO sales(id, receipt_no, station, cashier, completed_at, total, rounding, change,
		currency, customer_id, order_id, seq, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, no, s.Station, s.Cashier, ts(s.CompletedAt), b.Total, b.Rounding, b.Change,
		s.Currency, s.CustomerID, s.OrderID, ev.Seq, string(doc)); err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed: sales.id") {
			return fmt.Errorf("sale %s: %w", s.ID, pos.ErrDuplicate)
		}
		return err
	}
	// One statement per table keeps a sale cheap: the cost of a commit is
	// its one fsync, not a statement per row.
	args := make([]any, 0, 9*len(data.Lines))
	for i, l := range data.Lines {
		args = append(args, s.ID, i+1, l.SKU, l.Qty, l.Unit, l.UnitPrice, l.Discount, l.TaxRateBP, l.Amount)
	}
	if len(data.Lines) > 0 {
		if _, err := tx.execContext(ctx, "INSERT INTO sale_lines(sale_id, n, sku, qty, unit, unit_price, discount, tax_rate_bp, amount) VALUES "+
			values(9, len(data.Lines)), args...); err != nil {
			return err
		}
	}
	args = args[:0]
	for i, p := range s.Payments {
		args = append(args, s.ID, i+1, p.Method, p.Amount, p.Ref)
	}
	if len(s.Payments) > 0 {
		if _, err := tx.execContext(ctx, "INSERT INTO sale_payments(sale_id, n, method, amount, ref) VALUES "+
			values(5, len(s.Payments)), args...); err != nil {
			return err
		}
	}
	if err := tx.AddMovements(ev.Seq, s.CompletedAt, s.Movements()); err != nil {
		return err
	}
	if err := tx.recordSale(s, data); err != nil { // shift, vouchers, journal
		return err
	}
	_, err = tx.execContext(ctx, "DELETE FROM carts WHERE id = ?", s.ID)
	return err
}

// cartAt fails with pos.ErrConflict unless cart id is stored at revision
// rev, so that a sale is never recorded from a cart that changed after it
// was settled. A rev of zero is not checked.
func (tx *Tx) cartAt(id string, rev int64) error {
	if rev == 0 {
		return nil
	}
	var doc string
	err := tx.QueryRowContext(tx.ctx, "SELECT doc FROM carts WHERE id = ?", id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cart %s is gone: %w", id, pos.ErrConflict)
	} else if err != nil {
		return err
	}
	var c struct {
		Rev int64 `json:"rev"`
	}
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return err
	}
	if c.Rev != rev {
		return fmt.Errorf("cart %s at revision %d, not %d: %w", id, c.Rev, rev, pos.ErrConflict)
	}
	return nil
}

// values returns n groups of k placeholders: (?, ?), (?, ?).
func values(k, n int) string {
	group := "(" + strings.Repeat("?, ", k-1) + "?)"
	return strings.Repeat(group+", ", n-1) + group
}

// Sale loads a completed sale.
func (db *DB) Sale(ctx context.Context, id string) (pos.Sale, error) {
	return db.saleWhere(ctx, "id = ?", id)
}

// SaleByReceipt loads a completed sale by its receipt number.
func (db *DB) SaleByReceipt(ctx context.Context, no int64) (pos.Sale, error) {
	return db.saleWhere(ctx, "receipt_no = ?", no)
}

func (db *DB) saleWhere(ctx context.Context, where string, arg any) (pos.Sale, error) {
	var s pos.Sale
	var doc string
	var voided bool
	err := db.r.QueryRowContext(ctx, "SELECT doc, voided, receipt_no FROM sales WHERE "+where, arg).Scan(&doc, &voided, &s.ReceiptNo)
	if err != nil {
		return s, notFound("sale", fmt.Sprint(arg), err)
	}
	no := s.ReceiptNo
	if err := json.Unmarshal([]byte(doc), &s); err != nil {
		return s, err
	}
	s.ReceiptNo, s.Voided = no, voided
	return s, nil
}

// Stock returns the node's view of on-hand for sku, as the contract
// defines it: central's count plus this node's movements after the point
// central counted to (all of them when central counted another epoch).
// Reserved is what open click-and-collect orders hold.
func (db *DB) Stock(ctx context.Context, sku string) (pos.StockLevel, error) {
	return stockLevel(ctx, db.r, db.Epoch(), sku)
}

// stockLevel reads sku's stock level through q, a pool or a transaction.
func stockLevel(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, epoch, sku string) (pos.StockLevel, error) {
	st := pos.StockLevel{SKU: sku}
	var asEpoch string
	var asSeq int64
	err := q.QueryRowContext(ctx, "SELECT on_hand, as_epoch, as_seq FROM stock_central WHERE sku = ?", sku).
		Scan(&st.Central, &asEpoch, &asSeq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, err
	}
	if asEpoch != epoch {
		if asSeq, err = epochSeq(ctx, q, asEpoch, asSeq, epoch); err != nil {
			return st, err
		}
	}
	if err := q.QueryRowContext(ctx, "SELECT coalesce(sum(delta), 0) FROM movements WHERE sku = ? AND seq > ?", sku, asSeq).
		Scan(&st.Local); err != nil {
		return st, err
	}
	st.OnHand = st.Central + st.Local
	if err := q.QueryRowContext(ctx, "SELECT coalesce(sum(qty), 0) FROM reservations WHERE sku = ?", sku).
		Scan(&st.Reserved); err != nil {
		return st, err
	}
	st.Negative = st.OnHand < 0
	return st, nil
}

// epochSeq is the seq of epoch that a count as of asSeq of asEpoch,
// another epoch, includes. A count of an epoch that a restore from a
// backup renewed, once or more, into this one includes the events
// renumbered from it up to its seq (see epochLink); any other includes
// none of this epoch's events.
func epochSeq(ctx context.Context, q querier, asEpoch string, asSeq int64, epoch string) (int64, error) {
	if asEpoch == "" {
		return 0, nil
	}
	h, r, ok, err := epochLink(ctx, q, asEpoch, epoch)
	if err != nil || !ok {
		return 0, err
	}
	return min(max(asSeq-h, 0), r), nil
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// epochLink follows the restores that renewed epoch from into epoch to:
// seq s of from is seq min(max(s-held, 0), renumbered) of to. Each
// restore numbered the events above its acknowledged point (held) from
// 1 (renumbered of them); two in a row compose to one of the same form.
// ok is false when to is not reached.
func epochLink(ctx context.Context, q querier, from, to string) (held, renumbered int64, ok bool, err error) {
	renumbered = math.MaxInt64
	for range 100 { // a restore per step
		var v string
		switch err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch_link:' || ?", from).Scan(&v); {
		case errors.Is(err, sql.ErrNoRows):
			return 0, 0, false, nil
		case err != nil:
			return 0, 0, false, err
		}
		var next string
		var h, r int64
		if _, err := fmt.Sscanf(v, "%s %d %d", &next, &h, &r); err != nil {
			return 0, 0, false, fmt.Errorf("epoch link of %s %q: %w", from, v, err)
		}
		held, renumbered = held+h, max(min(renumbered-h, r), 0)
		if from = next; from == to {
			return held, renumbered, true, nil
		}
	}
	return 0, 0, false, nil
}

// AdjustStock records a stock adjustment: its movement and its
// pos.stock.adjusted event in one durable transaction. A count's delta is
// taken inside it, from on-hand as it stands then, less what open
// click-and-collect orders have picked (in their bags, not on the shelf
// counted); a count that changes nothing records nothing. It returns the
// level after the adjustment.
func (db *DB) AdjustStock(ctx context.Context, adj *pos.StockAdjustment) (pos.StockLevel, error) {
	var after pos.StockLevel
	err := db.Update(ctx, func(tx *Tx) error {
		st, err := stockLevel(ctx, tx, db.Epoch(), adj.SKU)
		if err != nil {
			return err
		}
		if adj.Counted != nil {
			// A count is of the shelf: goods picked into an open
			// order's bags are not there, and stay on hand until the
			// customer takes them.
			var bagged int64
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(json_extract(l.value, '$.picked')), 0)
				FROM pickup_orders o, json_each(o.doc, '$.lines') l WHERE o.open = 1
				AND coalesce(nullif(json_extract(l.value, '$.substitute_sku'), ''), json_extract(l.value, '$.sku')) = ?`,
				adj.SKU).Scan(&bagged); err != nil {
				return err
			}
			adj.Delta = *adj.Counted + bagged - st.OnHand
		}
		if adj.Delta == 0 {
			after = st
			return nil
		}
		ev, err := pos.NewEvent(adj.ID, pos.EventStockAdjusted, adj.At, adj.EventData())
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(&ev); err != nil {
			return err
		}
		if err := tx.AddMovements(ev.Seq, adj.At, []pos.Movement{{SKU: adj.SKU, Delta: adj.Delta, Reason: adj.Reason, Ref: adj.ID}}); err != nil {
			return err
		}
		if _, err := tx.AppendJournal(pos.JournalStock, adj.ID, "", adj.At, ev.Data); err != nil {
			return err
		}
		after, err = stockLevel(ctx, tx, db.Epoch(), adj.SKU)
		return err
	})
	return after, err
}

// SetCentralStock records central's count for sku (used by stock pages and
// tests).
func (tx *Tx) SetCentralStock(sku string, onHand int64, asEpoch string, asSeq int64, page string) error {
	_, err := tx.execContext(tx.ctx, `INSERT INTO stock_central(sku, on_hand, as_epoch, as_seq, page) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(sku) DO UPDATE SET on_hand = excluded.on_hand, as_epoch = excluded.as_epoch,
		as_seq = excluded.as_seq, page = excluded.page`, sku, onHand, asEpoch, asSeq, page)
	return err
}

// Staff loads a member of staff by staff number.
func (db *DB) Staff(ctx context.Context, id string) (pos.Staff, error) {
	var st pos.Staff
	var role string
	err := db.r.QueryRowContext(ctx, "SELECT id, name, role, language, pin_hash, active FROM staff WHERE id = ?", id).
		Scan(&st.ID, &st.Name, &role, &st.Language, &st.PINHash, &st.Active)
	if err != nil {
		return st, notFound("staff", id, err)
	}
	st.Role, err = pos.ParseRole(role)
	return st, err
}

// ListStaff lists all staff.
func (db *DB) ListStaff(ctx context.Context) ([]pos.Staff, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id FROM staff ORDER BY id")
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]pos.Staff, 0, len(ids))
	for _, id := range ids {
		st, err := db.Staff(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// PutStaff inserts or updates a member of staff. An empty PINHash keeps
// the one stored.
func (db *DB) PutStaff(ctx context.Context, st pos.Staff) error {
	if st.ID == "" || len(st.ID) > 32 || st.Role == pos.RoleNone {
		return fmt.Errorf("sqlite: staff needs an id of at most 32 characters and a role")
	}
	return db.Update(ctx, func(tx *Tx) error {
		res, err := tx.execContext(ctx, `UPDATE staff SET name = ?, role = ?, language = ?, active = ?,
			pin_hash = CASE WHEN ? = '' THEN pin_hash ELSE ? END WHERE id = ?`,
			st.Name, st.Role.String(), st.Language, st.Active, st.PINHash, st.PINHash, st.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		if st.PINHash == "" {
			return fmt.Errorf("sqlite: new staff %s needs a PIN", st.ID)
		}
		_, err = tx.execContext(ctx, "INSERT INTO staff(id, name, role, language, pin_hash, active) VALUES (?, ?, ?, ?, ?, ?)",
			st.ID, st.Name, st.Role.String(), st.Language, st.PINHash, st.Active)
		return err
	})
}

// RecordApproval keeps a supervisor approval for audit.
func (db *DB) RecordApproval(ctx context.Context, a pos.Approval) error {
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, `INSERT INTO approvals(id, at, action, station, ref, staff, approved_by, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, ts(a.At), a.Action, a.Station, a.Ref, a.Staff, a.ApprovedBy, a.Detail)
		return err
	})
}

// namesJSON encodes an item's names as a JSON object with sorted keys, as
// json.Marshal does, without reflection: it runs once per catalog item.
func namesJSON(names map[string]string) (string, error) {
	b, err := appendNamesJSON(nil, names)
	return string(b), err
}

// appendNamesJSON appends names as namesJSON writes them.
func appendNamesJSON(b []byte, names map[string]string) ([]byte, error) {
	var small [8]string
	keys := small[:0]
	size := 2
	for k, v := range names {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			j, err := json.Marshal(names) // replaces invalid bytes as it always has
			return append(b, j...), err
		}
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	b = slices.Grow(b, size)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, names[k])
	}
	return append(b, '}'), nil
}

// appendJSONString appends s, valid UTF-8, as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
