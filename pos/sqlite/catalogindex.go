package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/posnode/posnode/pos"
)

// catalogIndex holds every item and barcode of the catalog in memory, so
// that a till's scan is answered in microseconds without SQLite. A lookup
// that takes 50 µs in SQLite is caught a few times in a thousand by the
// millisecond stalls a busy two-core box has (a collection, a thread the
// kernel does not run, a lock SQLite's connections share); one of a few
// microseconds is caught about ten times less often.
//
// SQLite stays the record. The index is built from it when the database
// opens (before Open returns for a small catalog, in the background for a
// large one), and every transaction that writes items or
// barcodes hands its changes to the index as the statements it ran
// (catalogOp), which the index replays after the commit, in commit order,
// with SQLite's semantics. Until it is built, and for good if anything
// fails (memory, an entry too large, a commit whose outcome is unknown),
// lookups go to SQLite.
//
// Keys, values and tables live outside the Go heap (offMap), so that
// 300,000 items neither lengthen collections nor raise the heap's goal.
type catalogIndex struct {
	seed   maphash.Seed
	shards [indexShards]indexShard
	// ready is set while lookups may use the index. It is read under a
	// shard's lock, so that memory is never given back under a reader.
	ready atomic.Bool

	// applyMu is held while committed changes are replayed, so that
	// they are replayed one batch at a time, in commit order.
	applyMu sync.Mutex

	mu    sync.Mutex // guards state, queue and err
	state indexState
	queue [][]catalogOp // committed, not yet replayed, in commit order
	err   error         // why the index is off

	// onOff, if set, is told once why the index turned itself off.
	onOff func(error)

	// touched is apply's scratch, kept between batches under applyMu.
	touched struct {
		items map[string]*itemRecord // SKU → the item as it will be, nil if none
		codes map[string]string      // barcode → SKU, "" for none
	}
}

// maxKeptTouched is the most changes of a batch whose scratch apply keeps
// for the next: a page's take a few thousand; a large import's would keep
// megabytes.
const maxKeptTouched = 1 << 13

// indexShards spreads the index over locks, so that the writer replaying
// a page holds each only for a moment and a lookup seldom finds its shard
// held (and then asks SQLite).
const indexShards = 64

type indexShard struct {
	mu    sync.RWMutex // guards items and codes
	items offMap       // SKU → itemRecord
	codes offMap       // normalised barcode → SKU
}

type indexState int

const (
	indexOff      indexState = iota // not built, or given up
	indexBuilding                   // being read from SQLite; changes wait in the queue
	indexReady
)

func newCatalogIndex() *catalogIndex {
	ix := &catalogIndex{seed: maphash.MakeSeed()}
	ix.touched.items, ix.touched.codes = map[string]*itemRecord{}, map[string]string{}
	for i := range ix.shards {
		ix.shards[i].items = newOffMap(ix.seed)
		ix.shards[i].codes = newOffMap(ix.seed)
	}
	return ix
}

func (ix *catalogIndex) shard(key string) (*indexShard, uint64) {
	h := maphash.String(ix.seed, key)
	return &ix.shards[h%indexShards], h
}

// lookup finds an item as itemByCodeQuery does. ok is false when the
// index cannot answer and SQLite must.
//
// A lookup never waits for the writer: if the writer has a shard it needs
// (for a moment, unless the writer's goroutine was stopped just then),
// SQLite answers instead, which is never behind the index.
func (ix *catalogIndex) lookup(key string) (it pos.Item, found, ok bool) {
	sku := key
	sh, h := ix.shard(key)
	if !sh.mu.TryRLock() {
		return it, false, false
	}
	if !ix.ready.Load() {
		sh.mu.RUnlock()
		return it, false, false
	}
	if v, held := sh.codes.get(h, key); held {
		sku = string(v)
	}
	sh.mu.RUnlock()

	sh, h = ix.shard(sku)
	if !sh.mu.TryRLock() {
		return it, false, false
	}
	defer sh.mu.RUnlock()
	if !ix.ready.Load() {
		return it, false, false
	}
	v, held := sh.items.get(h, sku)
	if !held {
		return it, false, true
	}
	it, err := decodeItem(sku, v)
	if err != nil {
		return it, false, false
	}
	return it, true, true
}

// itemRecord is an item's row and its barcodes, as the index keeps them.
type itemRecord struct {
	active                      bool
	price, taxRateBP            int64
	unit, location, page, names string   // names: the JSON of the names column
	codes                       []string // normalised, sorted as SQLite's BINARY collation sorts
}

func (r *itemRecord) appendTo(b []byte) []byte {
	if r.active {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendVarint(b, r.price)
	b = binary.AppendVarint(b, r.taxRateBP)
	for _, s := range [...]string{r.unit, r.location, r.page, r.names} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(r.codes)))
	for _, c := range r.codes {
		b = appendString(b, c)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errBadRecord = errors.New("sqlite: catalog index record damaged")

// recordReader reads the fields appendTo wrote, in order. After a field
// that is not there it reads zero values and err is set.
type recordReader struct {
	b   []byte
	err error
}

func (r *recordReader) byte() byte {
	if len(r.b) == 0 {
		r.err = errBadRecord
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *recordReader) varint() int64 {
	x, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errBadRecord, nil
		return 0
	}
	r.b = r.b[n:]
	return x
}

// bytes returns the next string's bytes, off the heap as the record is.
func (r *recordReader) bytes() []byte {
	l, n := binary.Uvarint(r.b)
	if n <= 0 || l > uint64(len(r.b)-n) {
		r.err, r.b = errBadRecord, nil
		return nil
	}
	s := r.b[n : n+int(l)]
	r.b = r.b[n+int(l):]
	return s
}

func (r *recordReader) str() string { return string(r.bytes()) }

// codes returns the barcodes, never nil, as scanItem reads "[]".
func (r *recordReader) codes() []string {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)) {
		r.err, r.b = errBadRecord, nil
		return []string{}
	}
	r.b = r.b[k:]
	codes := make([]string, 0, n)
	for range n {
		codes = append(codes, r.str())
	}
	return codes
}

// decodeItemRecord decodes what appendTo wrote; its strings are copies.
func decodeItemRecord(b []byte) (itemRecord, error) {
	r := recordReader{b: b}
	rec := itemRecord{active: r.byte() == 1, price: r.varint(), taxRateBP: r.varint(),
		unit: r.str(), location: r.str(), page: r.str(), names: r.str(), codes: r.codes()}
	return rec, r.err
}

// decodeItem reads the item a record holds, as scanItem reads it from
// SQLite, straight from the record: it is what a till's scan waits for.
func decodeItem(sku string, b []byte) (pos.Item, error) {
	r := recordReader{b: b}
	it := pos.Item{SKU: sku, Active: r.byte() == 1, Price: r.varint(), TaxRateBP: r.varint(), Unit: r.str(), Location: r.str()}
	r.bytes() // page
	names := r.str()
	it.Barcodes = r.codes()
	if r.err != nil {
		return it, r.err
	}
	var err error
	it.Names, err = decodeNames(names)
	return it, err
}

// decodeNames decodes the names column, a JSON object of strings, as
// encoding/json does. The node writes it canonically (namesJSON), and such
// an object without escapes is split here in a fraction of the time;
// anything else goes to encoding/json.
// The names it returns are parts of s.
func decodeNames(s string) (map[string]string, error) {
	if m, ok := splitNames(s); ok {
		return m, nil
	}
	var m map[string]string
	return m, json.Unmarshal([]byte(s), &m)
}

// splitNames decodes {"k":"v",...} without white space or escapes, in
// valid UTF-8, and reports false for anything else.
func splitNames(b string) (map[string]string, bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' || !utf8.ValidString(b) {
		return nil, false
	}
	m := make(map[string]string, len(pos.Languages))
	s := b[1 : len(b)-1]
	for len(s) > 0 {
		k, rest, ok := jsonPlainString(s)
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return nil, false
		}
		v, rest, ok := jsonPlainString(rest[1:])
		if !ok {
			return nil, false
		}
		m[k] = v
		if len(rest) == 0 {
			break
		}
		if rest[0] != ',' || len(rest) == 1 {
			return nil, false
		}
		s = rest[1:]
	}
	return m, true
}

// jsonPlainString splits a JSON string without escapes or control
// characters off the front of s.
func jsonPlainString(s string) (str, rest string, ok bool) {
	if len(s) < 2 || s[0] != '"' {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[1:i], s[i+1:], true
		case c == '\\' || c < 0x20:
			return "", "", false
		}
	}
	return "", "", false
}

// catalogOp is one change a statement made to items or barcodes.
type catalogOp struct {
	kind catalogOpKind
	sku  string
	page string      // opWithdraw: the page the item must be on
	code string      // opSetCode
	rec  *itemRecord // opPutItem, opPutPageItem: the row (its codes unused)
}

type catalogOpKind uint8

const (
	// opPutItem inserts an item or replaces every column of it.
	opPutItem catalogOpKind = iota
	// opPutPageItem is opPutItem keeping the location the item has ("" if new).
	opPutPageItem
	// opDropCodes deletes the item's barcodes.
	opDropCodes
	// opSetCode gives a barcode to the item, taking it from any other.
	opSetCode
	// opWithdraw sets the item inactive and off its page, if it is on page.
	opWithdraw
)

// committed queues the changes of a transaction that has just
// committed. The caller holds DB.commitMu, so that the queue is in
// commit order, and calls replay after letting go of it.
func (ix *catalogIndex) committed(ops []catalogOp) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.state != indexOff {
		ix.queue = append(ix.queue, ops)
	}
}

// replay applies every queued change, unless the index is being built
// (the build does it when done). When it returns, the changes queued
// before it was called are in the index: a writer that replays after its
// commit sees its own writes in its next lookup. Meanwhile the single
// writer is free for the next transaction.
func (ix *catalogIndex) replay() {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	ix.replayLocked()
}

// holds reports whether committed changes wait to be replayed (while the
// index is being built): the memory they point into is then still read.
// A replay under way is waited for.
func (ix *catalogIndex) holds() bool {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return len(ix.queue) > 0
}

// replayLocked is replay with applyMu held. It reports whether the queue
// was emptied with the index ready.
func (ix *catalogIndex) replayLocked() bool {
	for {
		ix.mu.Lock()
		if ix.state != indexReady {
			ix.mu.Unlock()
			return false
		}
		if len(ix.queue) == 0 {
			ix.mu.Unlock()
			return true
		}
		batch := ix.queue[0]
		ix.queue[0] = nil
		ix.queue = ix.queue[1:]
		ix.mu.Unlock()
		if err := ix.apply(batch); err != nil {
			ix.giveUpLocked(fmt.Errorf("sqlite: catalog index: %w", err))
			return false
		}
	}
}

// giveUp turns the index off for good: lookups go to SQLite.
func (ix *catalogIndex) giveUp(err error) {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	ix.giveUpLocked(err)
}

// giveUpLocked is giveUp with applyMu held.
func (ix *catalogIndex) giveUpLocked(err error) {
	ix.mu.Lock()
	first := ix.err == nil
	ix.state, ix.err, ix.queue = indexOff, err, nil
	ix.mu.Unlock()
	ix.free()
	// Closing the database (which cancels a build under way) is no
	// failure to report.
	if first && ix.onOff != nil && !errors.Is(err, errClosed) && !errors.Is(err, context.Canceled) {
		ix.onOff(err)
	}
}

// CatalogIndexStatus tells whether scans are answered from the catalog
// index in memory, and what it holds.
type CatalogIndexStatus struct {
	// Ready is true while lookups use the index: false while it is built
	// at the start, and for good once it has turned itself off.
	Ready bool
	// Err says why the index turned itself off; nil while it works.
	Err             error
	Items, Barcodes int
	// Bytes is the memory the index holds outside the Go heap.
	Bytes int
}

// CatalogIndex reports the state of the catalog index.
func (db *DB) CatalogIndex() CatalogIndexStatus {
	ix := db.catalog
	ix.mu.Lock()
	st := CatalogIndexStatus{Ready: ix.ready.Load(), Err: ix.err}
	ix.mu.Unlock()
	for i := range ix.shards {
		sh := &ix.shards[i]
		sh.mu.RLock()
		st.Items += sh.items.n
		st.Barcodes += sh.codes.n
		st.Bytes += sh.items.bytes() + sh.codes.bytes()
		sh.mu.RUnlock()
	}
	return st
}

// building marks the start of the build: changes committed from now on
// wait in the queue. The caller holds DB.commitMu.
func (ix *catalogIndex) building() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.state == indexOff && ix.err == nil {
		ix.state = indexBuilding
	}
}

// built replays what was committed during the build, which load read
// into the index, and opens the index to lookups; or gives up if load
// failed.
func (ix *catalogIndex) built(loadErr error) {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	ix.mu.Lock()
	if ix.state != indexBuilding {
		ix.mu.Unlock()
		return
	}
	if loadErr != nil {
		ix.mu.Unlock()
		ix.giveUpLocked(fmt.Errorf("sqlite: catalog index: %w", loadErr))
		return
	}
	ix.state = indexReady
	ix.mu.Unlock()
	// Lookups stay with SQLite until the index has caught up with every
	// commit, the ones queued while this runs among them.
	for ix.replayLocked() {
		ix.mu.Lock()
		caughtUp := len(ix.queue) == 0
		if caughtUp {
			ix.ready.Store(true)
		}
		ix.mu.Unlock()
		if caughtUp {
			return
		}
	}
}

// free turns lookups away from the index and gives its memory back.
func (ix *catalogIndex) free() {
	ix.ready.Store(false)
	for i := range ix.shards {
		sh := &ix.shards[i]
		sh.mu.Lock()
		sh.items.free()
		sh.codes.free()
		sh.mu.Unlock()
	}
}

// apply replays ops. The final state of every item and barcode they touch
// is worked out first; then items are written, then barcodes, so that a
// concurrent lookup sees each item either as it was or as it is now,
// never a barcode whose item is missing.
func (ix *catalogIndex) apply(ops []catalogOp) error {
	// The items and barcodes the batch touches, as they will be.
	items, codes := ix.touched.items, ix.touched.codes
	if len(ops) > maxKeptTouched {
		items, codes = make(map[string]*itemRecord, len(ops)/2), make(map[string]string, len(ops)/2)
	} else {
		defer clear(items)
		defer clear(codes)
	}
	var err error
	item := func(sku string) *itemRecord {
		if r, ok := items[sku]; ok {
			return r
		}
		sh, h := ix.shard(sku)
		v, ok := sh.items.get(h, sku)
		if !ok {
			items[sku] = nil
			return nil
		}
		r, derr := decodeItemRecord(v)
		if derr != nil {
			err = derr
			return nil
		}
		items[sku] = &r
		return &r
	}
	owner := func(code string) string {
		if sku, ok := codes[code]; ok {
			return sku
		}
		sh, h := ix.shard(code)
		v, _ := sh.codes.get(h, code)
		return string(v)
	}
	for _, op := range ops {
		switch op.kind {
		case opPutItem, opPutPageItem:
			// The batch is replayed once: its records become the items'.
			r := op.rec
			r.codes = nil
			if cur := item(op.sku); cur != nil {
				r.codes = cur.codes
				if op.kind == opPutPageItem {
					r.location = cur.location
				}
			} else if op.kind == opPutPageItem {
				r.location = ""
			}
			items[op.sku] = r
		case opDropCodes:
			if cur := item(op.sku); cur != nil {
				for _, c := range cur.codes {
					codes[c] = ""
				}
				cur.codes = nil
			}
		case opSetCode:
			old := owner(op.code)
			if old == op.sku {
				continue
			}
			cur := item(op.sku)
			if cur == nil {
				// SQLite's foreign key refused this; the index cannot follow.
				return fmt.Errorf("sqlite: catalog index: barcode %q of unknown item %q", op.code, op.sku)
			}
			if old != "" {
				if prev := item(old); prev != nil {
					if i, ok := slices.BinarySearch(prev.codes, op.code); ok {
						prev.codes = slices.Delete(prev.codes, i, i+1)
					}
				}
			}
			if i, ok := slices.BinarySearch(cur.codes, op.code); !ok {
				cur.codes = slices.Insert(cur.codes, i, op.code)
			}
			codes[op.code] = op.sku
		case opWithdraw:
			if cur := item(op.sku); cur != nil && cur.page == op.page {
				cur.active, cur.page = false, ""
			}
		}
		if err != nil {
			return err
		}
	}
	yieldToTills()
	var buf []byte
	n := 0
	for sku, r := range items {
		if r == nil {
			continue
		}
		buf = r.appendTo(buf[:0])
		if err := ix.put(sku, buf, false); err != nil {
			return err
		}
		if n++; n%yieldEvery == 0 {
			yieldToTills()
		}
	}
	for code, sku := range codes {
		sh, h := ix.shard(code)
		sh.mu.Lock()
		if sku == "" {
			sh.codes.del(h, code)
		} else {
			err = sh.codes.put(h, code, bytesOf(sku))
		}
		sh.mu.Unlock()
		if err != nil {
			return err
		}
		if n++; n%yieldEvery == 0 {
			yieldToTills()
		}
	}
	return nil
}

// yieldEvery is how many entries the index writes between yields to the
// tills' lookups (see yieldToTills).
const yieldEvery = 250

// bytesOf returns the bytes of s without a copy; they must not be
// changed.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// load reads every item and barcode from a read transaction into the
// empty index.
func (ix *catalogIndex) load(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "SELECT "+itemCols+", page FROM items")
	if err != nil {
		return err
	}
	defer rows.Close()
	var buf []byte
	for rows.Next() {
		var r itemRecord
		var sku, codes string
		if err := rows.Scan(&sku, &r.active, &r.names, &r.unit, &r.price, &r.taxRateBP, &r.location, &codes, &r.page); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(codes), &r.codes); err != nil {
			return err
		}
		buf = r.appendTo(buf[:0])
		if err := ix.put(sku, buf, false); err != nil {
			return err
		}
		for _, c := range r.codes {
			if err := ix.put(c, bytesOf(sku), true); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

// put sets an item's record, or a barcode's SKU if code is set, under
// the shard's lock.
func (ix *catalogIndex) put(key string, val []byte, code bool) error {
	sh, h := ix.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if code {
		return sh.codes.put(h, key, val)
	}
	return sh.items.put(h, key, val)
}
