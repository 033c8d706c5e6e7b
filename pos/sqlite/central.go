package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"unsafe"

	"github.com/posnode/posnode/pos"
)

// Kinds of central's paged state.
const (
	KindCatalog = "catalog"
	KindStock   = "stock"
)

// PageVersions returns the version of every page of kind ("catalog" or
// "stock") the node holds.
func (db *DB) PageVersions(ctx context.Context, kind string) (map[string]int64, error) {
	return pageVersions(ctx, db.r, kind)
}

func pageVersions(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, kind string) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT page, version FROM sync_pages WHERE kind = ?", kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var p string
		var v int64
		if err := rows.Scan(&p, &v); err != nil {
			return nil, err
		}
		m[p] = v
	}
	return m, rows.Err()
}

// UseScaleTable records that the node reads scale labels with the table
// described by table (pos.VariableMeasure's String). When the table was
// another before, the catalog's variable-measure codes are kept under
// keys the new table does not read: every catalog page is fetched again
// (its held version forgotten), and UseScaleTable reports how many items
// of a local catalog import (which is not fetched) have barcodes, to be
// imported again. A database that has recorded no table yet (a new one,
// or one of a version before tables were recorded) holds its codes as
// Sweden's table reads them (once migrated: see migration 0013), so
// another table is a change for it too, when it holds any code.
func (db *DB) UseScaleTable(ctx context.Context, table string) (changed bool, local int, err error) {
	err = db.Update(ctx, func(tx *Tx) error {
		var old string
		switch err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'scale_table'").Scan(&old); {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.execContext(ctx, "INSERT INTO meta(key, value) VALUES ('scale_table', ?)", table); err != nil {
				return err
			}
			var codes bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM barcodes)").Scan(&codes); err != nil || !codes || table == pos.Sweden.String() {
				return err
			}
		case err != nil:
			return err
		case old == table:
			return nil
		default:
			if _, err := tx.execContext(ctx, "UPDATE meta SET value = ? WHERE key = 'scale_table'", table); err != nil {
				return err
			}
		}
		changed = true
		if _, err := tx.execContext(ctx, "UPDATE sync_pages SET version = -1 WHERE kind = 'catalog'"); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(DISTINCT i.sku) FROM items i JOIN barcodes b ON b.sku = i.sku
			WHERE i.page = ''`).Scan(&local)
	})
	return changed, local, err
}

// ApplyManifest records central's manifest of kind, unless a newer one is
// already held, and removes every held page the manifest no longer names
// (catalog items of such a page are withdrawn from sale, stock counts of
// such a page are forgotten). It reports whether the manifest was applied
// and returns the page versions held afterwards, from which the caller
// sees which pages it still has to fetch. A manifest of the version
// already held (as every connection brings it again) is reported applied
// but does not replace the one held: it only completes the removals the
// held one asks for, so that one saying otherwise at the same version
// changes nothing.
//
// The manifest is recorded in one transaction and each page it drops is
// removed in one of its own, so that a sale waits for one page's removal
// at most: central re-paging 300 pages of 1,000 items held the single
// writer for seconds in one transaction. Meanwhile a dropped page is
// never applied again (see pageGate). If the removals are cut short (an
// error, a crash), the manifest held still does not name the pages left:
// they go when it is applied again, as it is on every connection.
func (db *DB) ApplyManifest(ctx context.Context, kind string, version int64, pages map[string]int64) (bool, map[string]int64, error) {
	applied, held, _, err := db.ApplyManifestDropping(ctx, kind, version, pages)
	return applied, held, err
}

// ApplyManifestDropping is ApplyManifest that also returns, for a stock
// manifest, the SKUs whose counts went with the pages it removed (also
// those removed before an error).
func (db *DB) ApplyManifestDropping(ctx context.Context, kind string, version int64, pages map[string]int64) (bool, map[string]int64, []string, error) {
	if kind != KindCatalog && kind != KindStock {
		return false, nil, nil, fmt.Errorf("sqlite: unknown page kind %q", kind)
	}
	doc, err := json.Marshal(pages)
	if err != nil {
		return false, nil, nil, err
	}
	var applied bool
	var held map[string]int64
	var named map[string]int64 // the pages of the manifest that stands
	err = db.Update(ctx, func(tx *Tx) error {
		applied, named = false, pages
		var cur int64
		err := tx.QueryRowContext(ctx, "SELECT version FROM sync_manifests WHERE kind = ?", kind).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case err == nil && version < cur:
			held, err = pageVersions(ctx, tx, kind)
			return err
		case err == nil && version == cur:
			var heldDoc string
			if err := tx.QueryRowContext(ctx, "SELECT pages FROM sync_manifests WHERE kind = ?", kind).Scan(&heldDoc); err != nil {
				return err
			}
			named = nil
			if err := json.Unmarshal([]byte(heldDoc), &named); err != nil {
				return fmt.Errorf("%s manifest held: %w", kind, err)
			}
		default:
			if _, err := tx.execContext(ctx, `INSERT INTO sync_manifests(kind, version, pages) VALUES (?, ?, ?)
				ON CONFLICT(kind) DO UPDATE SET version = excluded.version, pages = excluded.pages`, kind, version, string(doc)); err != nil {
				return err
			}
		}
		if held, err = pageVersions(ctx, tx, kind); err != nil {
			return err
		}
		applied = true
		return nil
	})
	if err != nil || !applied {
		return applied, held, nil, err
	}
	var dropped []string
	for p := range held {
		if _, ok := named[p]; ok {
			continue
		}
		skus, err := db.dropPage(ctx, kind, p)
		if err != nil {
			return true, nil, dropped, fmt.Errorf("%s page %s: %w", kind, p, err)
		}
		dropped = append(dropped, skus...)
		delete(held, p)
	}
	return true, held, dropped, nil
}

// dropPage removes page of kind in a transaction of its own, if the
// manifest held does not name it (a manifest applied since may name it
// again) and it is still held. For a stock page it returns the SKUs whose
// counts went with it. The removal is central's state, fetched again if a
// crash loses it: its commit is not waited for to the disk.
func (db *DB) dropPage(ctx context.Context, kind, page string) ([]string, error) {
	var dropped []string
	err := db.updateRefetchable(ctx, func(tx *Tx) error {
		dropped = nil
		var keep bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sync_manifests m, json_each(m.pages) p
			WHERE m.kind = ?1 AND p.key = ?2) OR NOT EXISTS (SELECT 1 FROM sync_pages WHERE kind = ?1 AND page = ?2)`,
			kind, page).Scan(&keep); err != nil || keep {
			return err
		}
		if kind == KindStock {
			skus, err := tx.pageSKUs(page)
			if err != nil {
				return err
			}
			for sku := range skus {
				dropped = append(dropped, sku)
			}
		}
		return tx.removePage(kind, page)
	})
	return dropped, err
}

func (tx *Tx) removePage(kind, page string) error {
	if kind == KindCatalog {
		var members string
		if err := tx.QueryRowContext(tx.ctx, "SELECT members FROM sync_pages WHERE kind = 'catalog' AND page = ?", page).Scan(&members); err != nil {
			return err
		}
		var skus []string
		if err := json.Unmarshal([]byte(members), &skus); err != nil {
			return fmt.Errorf("catalog page %s: members: %w", page, err)
		}
		if _, err := tx.execContext(tx.ctx, `UPDATE items SET active = 0, page = '' WHERE page = ?1 AND sku IN
			(SELECT value FROM json_each(?2))`, page, members); err != nil {
			return err
		}
		for _, sku := range skus {
			tx.catalog = append(tx.catalog, catalogOp{kind: opWithdraw, sku: sku, page: page})
		}
	} else if _, err := tx.execContext(tx.ctx, "DELETE FROM stock_central WHERE page = ?", page); err != nil {
		return err
	}
	_, err := tx.execContext(tx.ctx, "DELETE FROM sync_pages WHERE kind = ? AND page = ?", kind, page)
	return err
}

// pageGate reports whether the page may be applied, and records its
// version if so: version must be newer than the one held, and the manifest
// held, if any, must still name the page, at this version or an older one.
// A page being applied while a newer manifest dropped it would otherwise
// be put back, its items on sale; one older than a newer manifest's entry
// would sell its items at the old prices until the new version came (the
// contract has such a page ignored and fetched again).
func (tx *Tx) pageGate(kind, page string, version int64) (bool, error) {
	var held bool
	var entry sql.NullInt64 // the held manifest's version of the page; null if it does not name it
	err := tx.QueryRowContext(tx.ctx, `SELECT 1, (SELECT value FROM json_each(m.pages) WHERE key = ?2)
		FROM sync_manifests m WHERE m.kind = ?1`, kind, page).Scan(&held, &entry)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	if held && (!entry.Valid || version < entry.Int64) {
		return false, nil
	}
	res, err := tx.execContext(tx.ctx, `INSERT INTO sync_pages(kind, page, version, applied_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(kind, page) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at
		WHERE excluded.version > sync_pages.version`, kind, page, version, fixedTS(tx.db.now()))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// pageSKUs lists the SKUs of central's stock counts held on page.
func (tx *Tx) pageSKUs(page string) (map[string]bool, error) {
	rows, err := tx.QueryContext(tx.ctx, "SELECT sku FROM stock_central WHERE page = ?", page)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		m[s] = true
	}
	return m, rows.Err()
}

// ApplyCatalogPage replaces the content of one catalog page in one
// transaction, if p.Version is newer than the version held: every item of
// the page is stored, and items the page held before that are not in it
// any more are withdrawn from sale (kept, inactive, so that old receipts
// still name them). It reports whether the page was applied. An invalid
// item fails the whole page and changes nothing.
//
// The rows are made ready before the single writer is taken, so that
// callers applying pages from several goroutines keep the writer busy
// only with writing.
func (db *DB) ApplyCatalogPage(ctx context.Context, p pos.CatalogPage, vm pos.VariableMeasure) (bool, error) {
	rows := rowsPool.Get().(*itemRows)
	defer func() {
		// The index's replay of the page's changes reads this memory;
		// once done it serves the next page.
		if !db.catalog.holds() {
			rows.release()
			rowsPool.Put(rows)
		}
	}()
	if err := prepareItems(rows, p.Items, p.Page, vm); err != nil {
		return false, fmt.Errorf("catalog page %s: %w", p.Page, err)
	}
	var applied bool
	err := db.updateRefetchable(ctx, func(tx *Tx) error {
		ok, err := tx.pageGate(KindCatalog, p.Page, p.Version)
		if err != nil || !ok {
			return err
		}
		var members string
		if err := tx.QueryRowContext(ctx, "SELECT members FROM sync_pages WHERE kind = 'catalog' AND page = ?", p.Page).Scan(&members); err != nil {
			return err
		}
		var old []string
		if err := json.Unmarshal([]byte(members), &old); err != nil {
			return fmt.Errorf("catalog page %s: members: %w", p.Page, err)
		}
		if err := tx.writeItems(rows, p.Page); err != nil {
			return fmt.Errorf("catalog page %s: %w", p.Page, err)
		}
		kept := make(map[string]bool, len(p.Items))
		for _, it := range p.Items {
			kept[it.SKU] = true
		}
		for _, sku := range old {
			// An item that has moved to another page stays as that page
			// has it.
			if !kept[sku] {
				if _, err := tx.execContext(ctx, "UPDATE items SET active = 0, page = '' WHERE sku = ? AND page = ?", sku, p.Page); err != nil {
					return err
				}
				tx.catalog = append(tx.catalog, catalogOp{kind: opWithdraw, sku: sku, page: p.Page})
			}
		}
		if _, err := tx.execContext(ctx, "UPDATE sync_pages SET members = ? WHERE kind = 'catalog' AND page = ?", rows.skus, p.Page); err != nil {
			return err
		}
		applied = true
		return nil
	})
	return applied, err
}

// itemRows are catalog items as the writer stores them: their columns and
// barcodes as JSON arrays, a statement's worth each, and the list of their
// SKUs. SQLite reads each array with one statement (jsonb_each): one
// argument per statement instead of 8 per item, each of which
// database/sql would box and convert and the driver copy again.
type itemRows struct {
	items []string    // [[sku, active, names, search, unit, price, tax_rate_bp], …] per itemChunk items
	codes []string    // [[code, sku], …] per codeChunk barcodes
	skus  string      // JSON array of the items' SKUs
	ops   []catalogOp // the same, for the catalog index

	// The memory the above are in, kept for the next page (rowsPool).
	recs    []itemRecord
	rows    rowArrays
	skusBuf []byte
	names   names
	arrays  []string
}

// release drops what r points to outside its own memory (the SKUs,
// units and barcodes of the page, parts of its payload), so that a page's
// payload is not kept in memory with r.
func (r *itemRows) release() {
	clear(r.recs[:cap(r.recs)])
	clear(r.ops[:cap(r.ops)])
	clear(r.arrays[:cap(r.arrays)])
	r.items, r.codes, r.skus, r.ops, r.arrays = nil, nil, "", r.ops[:0], r.arrays[:0]
}

// rowsPool keeps the memory of pages written for the pages after them: a
// page of 1,000 items takes about 600 KB. A page's memory goes back only
// once the catalog index has replayed its changes, which point into it.
var rowsPool = sync.Pool{New: func() any { return new(itemRows) }}

const (
	itemChunk = 100 // items per statement
	codeChunk = 500 // barcodes per statement
)

// prepareItems validates the items of a catalog page and encodes them for
// writeItems into r, reusing the memory r holds from a page before.
func prepareItems(r *itemRows, items []pos.Item, page string, vm pos.VariableMeasure) error {
	skus := slices.Grow(r.skusBuf[:0], len(items)*(len(`"",`)+8)+2)
	skus = append(skus, '[')
	// The index replays the statements of writeItems in their order: the
	// items, their barcodes dropped, the barcodes set.
	if cap(r.recs) < len(items) {
		r.recs = make([]itemRecord, len(items))
	}
	recs := r.recs[:len(items)]
	nCodes := 0
	for _, it := range items {
		nCodes += len(it.Barcodes)
	}
	if cap(r.ops) < 2*len(items)+nCodes {
		r.ops = make([]catalogOp, 0, 2*len(items)+nCodes)
	}
	r.ops = r.ops[:2*len(items)]
	// Each array is a piece of one buffer per page.
	rows := &r.rows
	rows.reset(len(items)*256 + nCodes*32)
	var search []byte // one item's search text at a time
	r.names.reset()
	for i, it := range items {
		if err := it.Validate(); err != nil {
			return err
		}
		n, err := r.names.add(it.Names)
		if err != nil {
			return err
		}
		search = appendSearchText(search[:0], it)
		rows.begin()
		rows.str(it.SKU)
		if it.Active {
			rows.int(1)
		} else {
			rows.int(0)
		}
		rows.str(n)
		rows.str(unsafe.String(unsafe.SliceData(search), len(search)))
		rows.str(it.Unit)
		rows.int(it.Price)
		rows.int(int64(it.TaxRateBP))
		if rows.end(itemChunk, i == len(items)-1) {
			yieldToTills()
		}
		if i > 0 {
			skus = append(skus, ',')
		}
		skus = appendJSONString(skus, it.SKU)
		recs[i] = itemRecord{active: it.Active, price: it.Price, taxRateBP: it.TaxRateBP, unit: it.Unit, page: page, names: n}
		r.ops[i] = catalogOp{kind: opPutPageItem, sku: it.SKU, rec: &recs[i]}
		r.ops[len(items)+i] = catalogOp{kind: opDropCodes, sku: it.SKU}
		for _, b := range it.Barcodes {
			r.ops = append(r.ops, catalogOp{kind: opSetCode, sku: it.SKU, code: pos.NormalizeBarcode(b, vm)})
		}
	}
	nItems := len(rows.cuts)
	setCodes := r.ops[2*len(items):]
	for i, op := range setCodes {
		rows.begin()
		rows.str(op.code)
		rows.str(op.sku)
		rows.end(codeChunk, i == len(setCodes)-1)
	}
	r.arrays = rows.strings(r.arrays[:0])
	r.items, r.codes = r.arrays[:nItems], r.arrays[nItems:]
	skus = append(skus, ']')
	r.skusBuf, r.skus = skus, unsafe.String(unsafe.SliceData(skus), len(skus))
	return nil
}

// names holds the names JSON of a page's items (see namesJSON) in shared
// chunks rather than a string each. buf is the free part of the current
// chunk, chunks[cur]: what was handed out before it is not written again
// until reset.
type names struct {
	buf    []byte
	chunks [][]byte
	cur    int
}

const namesChunk = 64 << 10

// reset takes the chunks back, for the names of another page: the names
// handed out before must no longer be used.
func (ns *names) reset() { ns.buf, ns.cur = nil, -1 }

// add encodes an item's names and returns them.
func (ns *names) add(m map[string]string) (string, error) {
	if cap(ns.buf) < namesChunk/16 {
		if ns.cur++; ns.cur < len(ns.chunks) {
			ns.buf = ns.chunks[ns.cur][:0]
		} else {
			ns.buf = make([]byte, 0, namesChunk)
			ns.chunks = append(ns.chunks, ns.buf)
		}
	}
	// Names larger than the free part get an array of their own.
	b, err := appendNamesJSON(ns.buf, m)
	if err != nil {
		return "", err
	}
	ns.buf = b[len(b):]
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

// rowArrays writes rows as JSON arrays of arrays, up to a given number of
// rows to an array, into one buffer.
type rowArrays struct {
	buf  []byte
	cuts []int // where each array ends in buf
	rows int   // rows in the array being written
	cols int   // values in the row being written
}

// reset empties a for the rows of another page, with room for size bytes.
func (a *rowArrays) reset(size int) {
	a.buf, a.cuts, a.rows, a.cols = slices.Grow(a.buf[:0], size), a.cuts[:0], 0, 0
}

func (a *rowArrays) begin() {
	if a.rows == 0 {
		a.buf = append(a.buf, '[')
	} else {
		a.buf = append(a.buf, ',')
	}
	a.buf = append(a.buf, '[')
	a.cols = 0
}

func (a *rowArrays) sep() {
	if a.cols > 0 {
		a.buf = append(a.buf, ',')
	}
	a.cols++
}

// str appends a string value, valid UTF-8.
func (a *rowArrays) str(s string) {
	a.sep()
	a.buf = appendJSONString(a.buf, s)
}

func (a *rowArrays) int(n int64) {
	a.sep()
	a.buf = strconv.AppendInt(a.buf, n, 10)
}

// end closes the row, and the array when it holds per rows or last is
// set; it reports whether it closed the array.
func (a *rowArrays) end(per int, last bool) bool {
	a.buf = append(a.buf, ']')
	if a.rows++; a.rows < per && !last {
		return false
	}
	a.buf = append(a.buf, ']')
	a.cuts = append(a.cuts, len(a.buf))
	a.rows = 0
	return true
}

// strings appends the arrays to out. They share the buffer, which is not
// written again until reset.
func (a *rowArrays) strings(out []string) []string {
	if len(a.buf) == 0 {
		for range a.cuts {
			out = append(out, "")
		}
		return out
	}
	all := unsafe.String(&a.buf[0], len(a.buf))
	from := 0
	for _, to := range a.cuts {
		out = append(out, all[from:to])
		from = to
	}
	return out
}

// writeItems stores the prepared items of a catalog page and replaces the
// barcodes the items had. An item's location is the store's own
// (central's pages carry none), so a page keeps the location an item has.
// Rows are taken from each JSON array in its order, as a multi-row VALUES
// would take them: of two rows with the same key the later one stands.
func (tx *Tx) writeItems(r *itemRows, page string) error {
	ctx := tx.ctx
	for _, chunk := range r.items {
		if _, err := tx.execContext(ctx, `INSERT INTO items(sku, active, names, search, unit, price, tax_rate_bp, page)
			SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, ?2 FROM jsonb_each(?1) WHERE true
			ON CONFLICT(sku) DO UPDATE SET active = excluded.active,
			names = excluded.names, search = excluded.search, unit = excluded.unit, price = excluded.price,
			tax_rate_bp = excluded.tax_rate_bp, page = excluded.page`, chunk, page); err != nil {
			return err
		}
		yieldToTills()
	}
	if _, err := tx.execContext(ctx, "DELETE FROM barcodes WHERE sku IN (SELECT value FROM json_each(?))", r.skus); err != nil {
		return err
	}
	for _, chunk := range r.codes {
		if _, err := tx.execContext(ctx, "INSERT OR REPLACE INTO barcodes(code, sku) SELECT value->>0, value->>1 FROM jsonb_each(?) WHERE true", chunk); err != nil {
			return err
		}
		yieldToTills()
	}
	if len(tx.catalog) == 0 {
		// The page's own changes, not copied; clipped, so that later
		// appends never write into them.
		tx.catalog = slices.Clip(r.ops)
	} else {
		tx.catalog = append(tx.catalog, r.ops...)
	}
	return nil
}

// yieldToTills lets other goroutines run between the statements of a
// long write. On a two-core box a page write and a page decode can hold
// both cores for milliseconds; a till's lookup that became ready meanwhile
// runs now instead of at the scheduler's next preemption.
func yieldToTills() { runtime.Gosched() }

// ApplyStockPage replaces central's counts of one stock page in one
// transaction, if p.Version is newer than the version held; counts the
// page held before that are not in it any more are forgotten. It reports
// whether the page was applied.
func (db *DB) ApplyStockPage(ctx context.Context, p pos.StockPage) (bool, error) {
	applied, _, err := db.ApplyStockPageDropping(ctx, p)
	return applied, err
}

// ApplyStockPageDropping is ApplyStockPage that also returns the SKUs whose
// counts the page forgot: their stock changed as much as that of the SKUs
// it lists.
func (db *DB) ApplyStockPageDropping(ctx context.Context, p pos.StockPage) (bool, []string, error) {
	var applied bool
	var dropped []string
	err := db.updateRefetchable(ctx, func(tx *Tx) error {
		dropped = nil
		ok, err := tx.pageGate(KindStock, p.Page, p.Version)
		if err != nil || !ok {
			return err
		}
		old, err := tx.pageSKUs(p.Page)
		if err != nil {
			return err
		}
		for _, c := range p.Items {
			if err := tx.SetCentralStock(c.SKU, c.OnHand, c.AsEpoch, c.AsSeq, p.Page); err != nil {
				return fmt.Errorf("stock page %s: %w", p.Page, err)
			}
			delete(old, c.SKU)
		}
		for sku := range old {
			if _, err := tx.execContext(ctx, "DELETE FROM stock_central WHERE sku = ? AND page = ?", sku, p.Page); err != nil {
				return err
			}
			dropped = append(dropped, sku)
		}
		applied = true
		return nil
	})
	return applied, dropped, err
}

// InboundRejectsKept is how many of the newest refused payloads
// RecordInboundReject keeps in the log; the count goes on past it.
const InboundRejectsKept = 500

// inboundRejectsPruned is the most older refusals a refusal deletes.
const inboundRejectsPruned = 1000

// RecordInboundReject logs a payload from central that the node refused
// and counts it. The log keeps the newest InboundRejectsKept: a retained
// payload the node refuses comes again at every connection, and a link
// that comes and goes for months would otherwise fill the disk with it.
func (db *DB) RecordInboundReject(ctx context.Context, topic, reason string) error {
	return db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.NextCounter("inbound_rejects"); err != nil {
			return err
		}
		res, err := tx.execContext(ctx, "INSERT INTO inbound_rejects(topic, reason, at) VALUES (?, ?, ?)",
			truncate(topic, 512), truncate(reason, 1024), fixedTS(db.now()))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		// A bounded number at a time: a log grown for months before it
		// was bounded goes over the next refusals, not all in the one
		// transaction a till's sale waits for.
		_, err = tx.execContext(ctx, "DELETE FROM inbound_rejects WHERE id IN (SELECT id FROM inbound_rejects WHERE id <= ? ORDER BY id LIMIT ?)",
			id-InboundRejectsKept, inboundRejectsPruned)
		return err
	})
}

// InboundRejects returns how many payloads from central were refused since
// the database was created.
func (db *DB) InboundRejects(ctx context.Context) (int64, error) {
	var n int64
	err := db.r.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM counters WHERE name = 'inbound_rejects'), 0)").Scan(&n)
	return n, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// OrderRecords keeps click-and-collect orders as central sent them, for a
// node without a pickup desk of its own; see DB.OrderRecords.
type OrderRecords struct{ db *DB }

// OrderRecords returns the plain store of central's order records.
func (db *DB) OrderRecords() OrderRecords { return OrderRecords{db} }

// ApplyOrder stores the order's payload if its version is newer than the
// one held, and reopens a closed record.
func (r OrderRecords) ApplyOrder(ctx context.Context, raw []byte, o pos.Order) error {
	return r.db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, `INSERT INTO central_orders(order_id, version, doc, closed, updated_at) VALUES (?, ?, ?, 0, ?)
			ON CONFLICT(order_id) DO UPDATE SET version = excluded.version, doc = excluded.doc, closed = 0,
			updated_at = excluded.updated_at WHERE excluded.version > central_orders.version`,
			o.ID, o.Version, string(raw), fixedTS(r.db.now()))
		return err
	})
}

// CloseOrder marks the order closed: central has cleared its record.
func (r OrderRecords) CloseOrder(ctx context.Context, id string) error {
	return r.db.Update(ctx, func(tx *Tx) error {
		_, err := tx.execContext(ctx, "UPDATE central_orders SET closed = 1, updated_at = ? WHERE order_id = ?", fixedTS(r.db.now()), id)
		return err
	})
}

// Get returns the held record of an order. The error wraps pos.ErrNotFound
// when there is none.
func (r OrderRecords) Get(ctx context.Context, id string) (version int64, doc []byte, closed bool, err error) {
	var s string
	err = r.db.r.QueryRowContext(ctx, "SELECT version, doc, closed FROM central_orders WHERE order_id = ?", id).Scan(&version, &s, &closed)
	if err != nil {
		return 0, nil, false, notFound("order", id, err)
	}
	return version, []byte(s), closed, nil
}
