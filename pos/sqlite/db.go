// Package sqlite stores the node's state in one SQLite file, with
// modernc.org/sqlite (pure Go).
//
// The database runs in WAL mode with synchronous=FULL, foreign keys on and a
// busy timeout. All writes go through one connection, so there is a single
// writer; reads use a pool of read-only connections and never wait for
// writes. Every business fact is written in one transaction together with
// its outbound event, whose seq is taken from a gap-free counter in the same
// transaction.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/posnode/posnode/pos"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Errors of opening a database.
var (
	ErrNewerSchema = errors.New("sqlite: database was written by a newer posnode; upgrade posnode or restore an older backup")
	// ErrOlderSchema is returned by Open with Options.NoMigrate for a
	// database whose schema this build would upgrade.
	ErrOlderSchema = errors.New("sqlite: database has an older schema than this posnode; use the posnode that runs the node, or start this one to upgrade it")
)

// DB is the node's database.
type DB struct {
	path     string
	w        *sql.DB                // the single writer
	r        *sql.DB                // read-only pool
	epoch    atomic.Pointer[string] // the node's event epoch; see Epoch
	now      func() time.Time
	newID    func() string
	onEvents func([]pos.Event)
	stmts    stmtCache // the writer's prepared statements

	// A till's lookups, prepared once on the read pool: parsing the
	// statement costs more than running it.
	itemByCode *sql.Stmt

	lastCommit atomic.Int64 // unix nanoseconds of the writer's last commit

	// commitMu is held across the commit of every transaction that
	// changes items or barcodes and the queueing of its changes for the
	// index, so that the index replays them in commit order.
	commitMu  sync.Mutex
	catalog   *catalogIndex
	stopBuild context.CancelFunc // ends the index's build
	buildDone chan struct{}      // closed when the build has ended
}

// Options configure Open. The zero value is usable.
type Options struct {
	// Now gives the time stamped on rows; zero means time.Now.
	Now func() time.Time
	// NewID makes ids (the epoch among them); zero means pos.NewUUID.
	NewID func() string
	// ReadConns is the size of the read pool; zero means 4.
	ReadConns int
	// BeforeMigrate is called with the database's path when migrations are
	// about to run on a database that has data, so that a backup can be
	// taken first. An error stops the start.
	BeforeMigrate func(path string, from, to int) error
	// BackgroundCheckpoints turns off SQLite's checkpoints on commit; the
	// caller must then run RunCheckpoints. Commits never pay for a
	// checkpoint this way.
	BackgroundCheckpoints bool
	// OnEvents is called after every commit that appended outbound events,
	// with those events, so that the sender can wake up. It must not block.
	OnEvents func([]pos.Event)
	// OnCatalogIndexOff is called once if the catalog index turns itself
	// off (out of memory, a commit whose outcome is unknown), with the
	// reason; scans are then answered by SQLite until the next start. It
	// must not block.
	OnCatalogIndexOff func(error)
	// RenewEpoch lets Open begin a new epoch when central had acknowledged
	// more of the old one than the database holds (see pos.AheadError):
	// the outstanding events are numbered again from 1 under it. Only the
	// node that sends the events sets it; a tool opening the database of
	// a running node (a backup, a report) must not renumber its queue.
	RenewEpoch bool
	// OnNewEpoch is called during Open when RenewEpoch began a new epoch,
	// with the old epoch, the new one and how many events go out again
	// under it.
	OnNewEpoch func(old, epoch string, outstanding int64)
	// NoMigrate opens the database only if its schema is this build's,
	// and returns ErrOlderSchema or ErrNewerSchema otherwise: a tool that
	// reads the database of an installed node (a report, a check) must
	// not upgrade it under a node that would then refuse to start.
	NoMigrate bool
}

// closeToOthers makes the database at path, before SQLite opens it, a
// file of its owner's (and group's) only: it holds customers' names and
// phones and the staff's PIN hashes. A new database is made 0600, whatever
// the umask; SQLite gives its write-ahead log and shared memory the
// database's mode. One left readable by every user of the box (made by an
// earlier version under umask 022) loses those bits, as do its log and
// shared memory. Failures are left to SQLite's open to report: a read-only
// file system, a directory not the node's.
func closeToOthers(path string) {
	if f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
		return
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o007 != 0 {
			_ = os.Chmod(p, st.Mode().Perm()&^0o007)
		}
	}
}

func dsn(path string, readOnly bool, extra ...string) string {
	q := url.Values{}
	for _, p := range append([]string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)"}, extra...) {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens or creates the database at path, runs pending migrations and
// creates the node's epoch on first use.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.NewID == nil {
		opt.NewID = pos.NewUUID
	}
	if opt.ReadConns == 0 {
		opt.ReadConns = 4
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	closeToOthers(abs)
	var extra []string
	if opt.BackgroundCheckpoints {
		extra = append(extra, "wal_autocheckpoint(0)")
	}
	w, err := sql.Open("sqlite", dsn(abs, false, extra...))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{path: abs, w: w, now: opt.Now, newID: opt.NewID, onEvents: opt.OnEvents, catalog: newCatalogIndex()}
	db.catalog.onOff = opt.OnCatalogIndexOff
	if err := db.migrate(ctx, opt.BeforeMigrate, opt.NoMigrate); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(opt.ReadConns)
	r.SetMaxIdleConns(opt.ReadConns) // a connection opened again costs a till milliseconds
	db.r = r
	if db.itemByCode, err = r.PrepareContext(ctx, itemByCodeQuery); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.initEpoch(ctx, opt.RenewEpoch, opt.OnNewEpoch); err != nil {
		db.Close()
		return nil, err
	}
	// A small catalog is read into the index before Open returns, so
	// that the first scans use it; a large one in the background.
	var small bool
	if err := r.QueryRowContext(ctx, "SELECT count(*) < ? FROM (SELECT 1 FROM items LIMIT ?)",
		indexAtOpen, indexAtOpen).Scan(&small); err != nil {
		db.Close()
		return nil, err
	}
	bctx, stop := context.WithCancel(context.Background())
	db.stopBuild, db.buildDone = stop, make(chan struct{})
	if small {
		db.buildCatalogIndex(bctx)
		close(db.buildDone)
		return db, nil
	}
	go func() {
		defer close(db.buildDone)
		db.buildCatalogIndex(bctx)
	}()
	return db, nil
}

// indexAtOpen is the most items whose index Open builds before it
// returns (about 0.1 s).
const indexAtOpen = 10_000

// testHookIndexSnapshot, if set, is called by the index's build between
// taking its snapshot and reading it.
var testHookIndexSnapshot func(*DB)

// errClosed turns the catalog index off when the database closes.
var errClosed = errors.New("sqlite: database closed")

// buildCatalogIndex reads the catalog into the index (see catalogIndex)
// while the node runs; lookups go to SQLite until it is done.
func (db *DB) buildCatalogIndex(ctx context.Context) {
	ix := db.catalog
	db.commitMu.Lock()
	tx, err := db.r.BeginTx(ctx, nil)
	if err == nil {
		// A read transaction's snapshot is taken at its first read. Taken
		// here, under commitMu, every catalog commit it misses is one
		// committed after it, which waits in the index's queue.
		var n int
		err = tx.QueryRowContext(ctx, "SELECT count(*) FROM sync_manifests").Scan(&n)
	}
	if err == nil {
		ix.building()
	}
	db.commitMu.Unlock()
	if err != nil {
		if tx != nil {
			tx.Rollback()
		}
		ix.giveUp(fmt.Errorf("sqlite: catalog index: %w", err))
		return
	}
	if testHookIndexSnapshot != nil {
		testHookIndexSnapshot(db)
	}
	err = ix.load(ctx, tx)
	tx.Rollback()
	ix.built(err)
}

// Close closes the database.
func (db *DB) Close() error {
	if db.stopBuild != nil {
		db.stopBuild()
		<-db.buildDone
	}
	db.catalog.giveUp(errClosed)
	db.stmts.close()
	if db.itemByCode != nil {
		db.itemByCode.Close()
	}
	var err error
	if db.r != nil {
		err = db.r.Close()
	}
	return errors.Join(err, db.w.Close())
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Epoch is the node's event epoch, created with the database and begun
// anew by RenewEpoch.
func (db *DB) Epoch() string {
	if e := db.epoch.Load(); e != nil {
		return *e
	}
	return ""
}

func (db *DB) setEpoch(epoch string) { db.epoch.Store(&epoch) }

// ReceiptSeries names the run of receipt numbers this database issues
// (see pos.ReceiptTag): an id drawn when the database was created, or, for
// a database created before it was drawn, its creation time. A database
// put back from a backup keeps it, and its numbers go on (see
// RaiseCounters); a new database, whose numbers start again at 1, has its
// own. It does not change with the event epoch.
func (db *DB) ReceiptSeries(ctx context.Context) (string, error) {
	var s string
	err := db.r.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = 'receipt_series'),
		(SELECT value FROM meta WHERE key = 'created_at'))`).Scan(&s)
	if err == nil && s == "" {
		err = errors.New("the database has no creation time")
	}
	if err != nil {
		return "", fmt.Errorf("receipt series: %w", err)
	}
	return s, nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := filepath.Base(n)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		b, err := migrations.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the highest migration this build knows.
func SchemaVersion() int {
	ms, _ := loadMigrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate runs every migration newer than the database's user_version, each
// in its own transaction with the version bump, so a failed migration leaves
// the database as it was before it. With noMigrate it only checks that
// none is pending.
func (db *DB) migrate(ctx context.Context, before func(string, int, int) error, noMigrate bool) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var cur int
	if err := db.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return err
	}
	latest := ms[len(ms)-1].version
	if cur > latest {
		return fmt.Errorf("%w (database schema %d, this build knows %d)", ErrNewerSchema, cur, latest)
	}
	if cur == latest {
		return nil
	}
	if noMigrate {
		return fmt.Errorf("%w (database schema %d, this build knows %d)", ErrOlderSchema, cur, latest)
	}
	if cur > 0 && before != nil {
		if err := before(db.path, cur, latest); err != nil {
			return fmt.Errorf("before migrating %d -> %d: %w", cur, latest, err)
		}
	}
	for _, m := range ms {
		if m.version <= cur {
			continue
		}
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// initEpoch reads the node's epoch, creating it on first use, and begins
// a new one if renew is set and central was found ahead of this database.
func (db *DB) initEpoch(ctx context.Context, renew bool, onNew func(old, epoch string, outstanding int64)) error {
	var epoch, old string
	var outstanding int64
	err := db.Update(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&epoch)
		if errors.Is(err, sql.ErrNoRows) {
			epoch = db.newID()
			_, err = tx.execContext(ctx, "INSERT INTO meta(key, value) VALUES ('epoch', ?), ('created_at', ?), ('receipt_series', ?)",
				epoch, db.now().Format(time.RFC3339Nano), db.newID())
			return err
		}
		if err != nil || !renew {
			return err
		}
		renewed, n, err := tx.renewEpoch()
		if renewed != "" {
			outstanding = n
			old, epoch = epoch, renewed
		}
		return err
	})
	if err != nil {
		return err
	}
	db.setEpoch(epoch)
	if old != "" && onNew != nil {
		onNew(old, epoch, outstanding)
	}
	return nil
}

// RenewEpoch begins a new epoch while the node runs, as Open does with
// Options.RenewEpoch, if central was found ahead of this database (see Ack
// and pos.AheadError): the events outstanding are numbered again from 1
// under it, keeping their ids. It returns the old epoch and the new one,
// both empty when central was not ahead, and how many events go out again.
//
// Nothing may be sending events meanwhile: an event read before the new
// epoch would go out with its old seq under it.
func (db *DB) RenewEpoch(ctx context.Context) (old, epoch string, outstanding int64, err error) {
	err = db.Update(ctx, func(tx *Tx) error {
		var err error
		old = db.Epoch()
		epoch, outstanding, err = tx.renewEpoch()
		return err
	})
	if err != nil {
		// A failed commit may still have taken effect: go on with the
		// epoch the database holds.
		var held string
		if db.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&held) == nil {
			db.setEpoch(held)
		}
		return "", "", 0, err
	}
	if epoch == "" {
		return "", "", 0, nil
	}
	// After the commit: a sale that took the writer in between has its
	// event announced with the old epoch, which is harmless (the outbox
	// stores no epoch; EventsAfter gives the current one), while an epoch
	// set before a commit that then failed would pair it with old seqs.
	db.setEpoch(epoch)
	return old, epoch, outstanding, nil
}

// renewEpoch begins a new epoch in tx if central was found ahead of the
// database, and returns it (empty if not) and how many events go out again.
func (tx *Tx) renewEpoch() (epoch string, outstanding int64, err error) {
	var ahead bool
	if err := tx.QueryRowContext(tx.ctx, "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'central_ahead')").Scan(&ahead); err != nil || !ahead {
		return "", 0, err
	}
	epoch = tx.db.newID()
	if _, outstanding, err = renumberEpoch(tx.ctx, tx.sqlTx, epoch, false); err != nil {
		return "", 0, err
	}
	return epoch, outstanding, nil
}

// Tx is a write transaction. Features of the node add their own writes on
// it; NextCounter and AppendEvent keep numbers gap-free. It offers other
// packages queries to read and no Exec: they write through its methods,
// whose changes to items and barcodes the catalog index follows.
type Tx struct {
	sqlTx *sql.Tx
	db    *DB
	ctx   context.Context
	// Events appended in this transaction, for the caller to announce
	// after commit.
	Events []pos.Event
	// catalog are the changes to items and barcodes, for the index.
	catalog []catalogOp
}

// Update runs f in a write transaction and commits it if f returns nil.
// Commit is durable (synchronous=FULL) when Update returns nil.
func (db *DB) Update(ctx context.Context, f func(tx *Tx) error) error {
	db.stmts.prepare(ctx, db.w)
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	replay, err := db.run(ctx, sqlTx, f)
	if replay {
		db.catalog.replay()
	}
	return err
}

// run runs f in sqlTx and commits it. It reports whether the commit
// changed the catalog, for the caller to replay on the index once it has
// let go of the writer's connection.
func (db *DB) run(ctx context.Context, sqlTx *sql.Tx, f func(tx *Tx) error) (replay bool, err error) {
	tx := &Tx{sqlTx: sqlTx, db: db, ctx: ctx}
	if err := f(tx); err != nil {
		sqlTx.Rollback()
		return false, classify(err)
	}
	if err := db.commit(sqlTx, tx.catalog); err != nil {
		return false, classify(err)
	}
	db.lastCommit.Store(time.Now().UnixNano())
	if len(tx.Events) > 0 && db.onEvents != nil {
		db.onEvents(tx.Events)
	}
	return len(tx.catalog) > 0, nil
}

// commit commits sqlTx and queues the catalog changes it made for the
// index. A commit that fails after catalog changes may or may not have
// taken effect, so the index gives up then.
func (db *DB) commit(sqlTx *sql.Tx, ops []catalogOp) error {
	if len(ops) == 0 {
		return sqlTx.Commit()
	}
	db.commitMu.Lock()
	err := sqlTx.Commit()
	if err == nil {
		db.catalog.committed(ops)
	}
	db.commitMu.Unlock()
	if err != nil {
		db.catalog.giveUp(fmt.Errorf("sqlite: catalog index: commit: %w", err))
	}
	return err
}

// updateRefetchable runs f as Update does, for state that central sends
// again if it is lost (catalog and stock pages, acks): its commit is written to
// the log without waiting for the disk (synchronous=NORMAL). Order is
// kept: the next durable commit makes it durable too, and a power cut
// before that loses it whole, with the version recorded in it, so the
// record is taken again. Nothing that appends events may use it.
//
// The writer's single connection is held throughout, so no other
// transaction ever commits while the setting is relaxed; if it cannot be
// set back, the connection is dropped and the next one opens with FULL.
func (db *DB) updateRefetchable(ctx context.Context, f func(tx *Tx) error) (err error) {
	var replay bool
	defer func() {
		// Last, when the writer's connection is free for the next page.
		if replay {
			db.catalog.replay()
		}
	}()
	db.stmts.prepare(ctx, db.w)
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return classify(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		return classify(err)
	}
	defer func() {
		// Set back on a context of its own: ctx may be what ended f.
		if _, rerr := conn.ExecContext(context.Background(), "PRAGMA synchronous = FULL"); rerr != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, rerr)
		}
	}()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	replay, err = db.run(ctx, sqlTx, func(tx *Tx) error {
		if err := f(tx); err != nil {
			return err
		}
		if len(tx.Events) > 0 {
			return errors.New("sqlite: events appended in a refetchable transaction")
		}
		return nil
	})
	return err
}

// Read returns the read-only pool.
func (db *DB) Read() *sql.DB { return db.r }

// NextCounter advances the gap-free counter name and returns its new value
// (1 for the first use).
func (tx *Tx) NextCounter(name string) (int64, error) {
	var v int64
	err := tx.QueryRowContext(tx.ctx,
		`INSERT INTO counters(name, value) VALUES (?, 1)
		 ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`, name).Scan(&v)
	return v, err
}

// AppendEvent gives ev the node's epoch and the next seq and adds it to the
// outbox.
func (tx *Tx) AppendEvent(ev *pos.Event) error {
	seq, err := tx.NextCounter("event_seq")
	if err != nil {
		return err
	}
	ev.Epoch, ev.Seq = tx.db.Epoch(), seq
	if ev.ID == "" {
		ev.ID = tx.db.newID()
	}
	_, err = tx.execContext(tx.ctx,
		"INSERT INTO outbox(seq, id, type, time, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		seq, ev.ID, ev.Type, ev.Time.Format(time.RFC3339Nano), string(ev.Data), tx.db.now().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("append event %s: %w", ev.Type, err)
	}
	tx.Events = append(tx.Events, *ev)
	return nil
}

// AddMovements records stock movements carried by the event with seq.
func (tx *Tx) AddMovements(seq int64, at time.Time, ms []pos.Movement) error {
	if len(ms) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(ms))
	for _, m := range ms {
		args = append(args, m.SKU, m.Delta, m.Reason, m.Ref, seq, ts(at))
	}
	_, err := tx.execContext(tx.ctx, "INSERT INTO movements(sku, delta, reason, ref, seq, at) VALUES "+values(6, len(ms)), args...)
	return err
}

// ErrDiskFull reports that the database could not grow. It is transient:
// the same write succeeds once space is freed.
var ErrDiskFull = errors.New("sqlite: the disk is full; free space and try again")

func classify(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "SQLITE_FULL") || strings.Contains(msg, "database or disk is full") {
		return fmt.Errorf("%w: %v", ErrDiskFull, err)
	}
	return err
}

func ts(t time.Time) string { return t.Format(time.RFC3339Nano) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
