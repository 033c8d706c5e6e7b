package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/posnode/posnode/pos/sqlite"
)

// Backup files live in DATA/backups:
//
//	posnode-20261122T030000Z.db                     scheduled, pruned to backup.keep
//	posnode-pre-migrate-1-to-6-20261122T030000Z.db  taken before a schema upgrade, the newest preMigrateKeep kept
//
// A backup is written under a .tmp name and renamed when complete and
// synced, so a file with the .db suffix is always a whole database.
const (
	backupDir      = "backups"
	backupPrefix   = "posnode-"
	backupStamp    = "20060102T150405Z"
	defaultKeep    = 7
	preMigrateName = "pre-migrate"
)

func backupsDir(cfg Config) string { return filepath.Join(cfg.Data, backupDir) }

// backups takes scheduled online backups of the live database and keeps
// the newest Keep of them. It is one of the node's parts.
type backups struct {
	db    *sqlite.DB // only its path is used: backups read on their own connection
	dir   string
	every time.Duration
	keep  int
	log   *slog.Logger
	now   func() time.Time
	// settle is the least wait before the first backup after a start,
	// so that a starting node is not slowed by an overdue backup.
	settle time.Duration
	free   func(dir string) (int64, error) // freeSpace
}

func newBackups(db *sqlite.DB, cfg Config, log *slog.Logger) *backups {
	keep := cfg.Backup.Keep
	if keep <= 0 {
		keep = defaultKeep
	}
	return &backups{db: db, dir: backupsDir(cfg), every: cfg.Backup.Every.Duration, keep: keep, log: log, now: time.Now, settle: time.Minute, free: freeSpace}
}

// Run takes a backup every b.every, counted from the newest backup on
// disk, so that a node restarting often neither piles up backups nor goes
// without one. A failed backup is logged and tried again at the next
// tick: the till keeps selling. Run returns nil when ctx ends.
func (b *backups) Run(ctx context.Context) error {
	if b.every <= 0 {
		return nil
	}
	// A backup directory that cannot be made is logged at each attempt,
	// never fatal: the till keeps selling without backups.
	b.removeTemp()
	t := time.NewTimer(b.firstWait())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if path, err := b.once(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			b.log.Error("backup failed; retrying at the next interval", "err", err, "every", b.every.String())
		} else {
			b.log.Info("backup written", "file", path)
		}
		t.Reset(b.every)
	}
}

// firstWait is how long Run waits for its first backup: what is left of
// b.every since the newest backup on disk, at least b.settle. It is never
// more than b.every, so that a backup stamped in the future (a clock that
// was wrong when it was taken) does not hold the schedule up. With no
// backup on disk it is b.settle: counted from each start, a box switched
// off more often than b.every would never have one.
func (b *backups) firstWait() time.Duration {
	wait := time.Duration(0)
	if newest, ok := b.newest(); ok {
		wait = min(b.every-b.now().Sub(newest), b.every)
	}
	return max(wait, b.settle)
}

// once writes one backup and prunes the old ones. When the copy would
// leave less than diskFail free, it first deletes the oldest scheduled
// backups, never the newest, when that makes room: the database grows
// for years while keep stays, and a node that only skipped would keep its
// stale backups and take no new one again. It refuses, deleting nothing,
// when even that leaves too little: the till's own writes come first.
func (b *backups) once(ctx context.Context) (string, error) {
	path := filepath.Join(b.dir, backupPrefix+b.now().UTC().Format(backupStamp)+".db")
	if st, err := os.Stat(b.db.Path()); err == nil {
		// The directory is made by the first backup: until then, the
		// space is that of its nearest existing parent's file system.
		free, err := b.free(nearestDir(b.dir))
		if err == nil && free-st.Size() < diskFail {
			free, err = b.makeRoom(st.Size() + diskFail - free)
		}
		if err == nil && free-st.Size() < diskFail {
			return "", fmt.Errorf("backup skipped: %d MiB free, the copy needs %d MiB and %d MiB must stay free for sales; lower [backup] keep or free space",
				free>>20, st.Size()>>20, int64(diskFail)>>20)
		}
	}
	if err := writeBackup(ctx, path, func(tmp string) error { return vacuumInto(ctx, b.db.Path(), tmp) }); err != nil {
		return "", err
	}
	return path, b.prune()
}

// scheduled lists the scheduled backups, oldest first (the names sort by
// time).
func (b *backups) scheduled() []string {
	names, _ := filepath.Glob(filepath.Join(b.dir, backupPrefix+"*.db"))
	var out []string
	for _, n := range names {
		stamp := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), backupPrefix), ".db")
		if _, err := time.Parse(backupStamp, stamp); err == nil {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func (b *backups) newest() (time.Time, bool) {
	s := b.scheduled()
	if len(s) == 0 {
		return time.Time{}, false
	}
	stamp := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(s[len(s)-1]), backupPrefix), ".db")
	t, err := time.Parse(backupStamp, stamp)
	return t, err == nil
}

func (b *backups) prune() error {
	s := b.scheduled()
	var errs []error
	for len(s) > b.keep {
		if err := os.Remove(s[0]); err != nil {
			errs = append(errs, err)
		}
		s = s[1:]
	}
	return errors.Join(errs...)
}

// makeRoom deletes the oldest scheduled backups, never the newest, until
// need bytes are freed, and returns the space free afterwards. When all
// of them but the newest would not free need bytes, it deletes none: the
// backup is skipped then, and the old ones are all the store has.
func (b *backups) makeRoom(need int64) (int64, error) {
	s := b.scheduled()
	var freed int64
	n := 0
	for n < len(s)-1 && freed < need {
		st, err := os.Stat(s[n])
		if err != nil {
			return 0, fmt.Errorf("make room for a backup: %w", err)
		}
		freed += st.Size()
		n++
	}
	if freed < need {
		return b.free(nearestDir(b.dir))
	}
	for _, old := range s[:n] {
		if err := os.Remove(old); err != nil {
			return 0, fmt.Errorf("make room for a backup: %w", err)
		}
		b.log.Warn("removed an old backup to make room for a new one; lower [backup] keep to keep the disk from filling",
			"file", old, "keep", b.keep)
	}
	return b.free(nearestDir(b.dir))
}

// removeTemp deletes what an interrupted backup left behind.
func (b *backups) removeTemp() {
	tmps, _ := filepath.Glob(filepath.Join(b.dir, "*.tmp"))
	for _, t := range tmps {
		os.Remove(t)
	}
}

// writeBackup has write produce a database at a temporary name next to
// path and renames it to path when it is complete and synced.
//
// A backup holds every sale and the staff's PIN hashes: it is readable by
// its owner only (0600). Run as root (an operator's command), it gives
// what it creates the owner of the directory it is in, so that the
// service user can still manage its backups.
func writeBackup(ctx context.Context, path string, write func(tmp string) error) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
		chownLike(dir, filepath.Dir(dir))
	}
	tmp := path + ".tmp"
	os.Remove(tmp)
	// Made empty first, with its mode: SQLite writes into an empty file
	// and keeps the mode it has.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := write(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	chownLike(path, dir)
	return syncDir(dir)
}

// freeSpace is the space available to unprivileged users on the file
// system of dir.
func freeSpace(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// openRaw opens a database file with the SQLite driver directly, without
// running migrations: for checking backups and copying a database before
// it is migrated. readOnly also promises SQLite the file will not change
// (a backup), so nothing is written next to it.
func openRaw(path string, readOnly bool) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	if readOnly {
		q.Set("mode", "ro")
		q.Set("immutable", "1")
	}
	db, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// vacuumInto writes a consistent copy of the database at src to dst with
// VACUUM INTO on a connection of its own: it reads one snapshot (WAL
// included) and never holds up the node's writer.
func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := openRaw(src, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	f, err := os.Open(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// backupBeforeMigrate is sqlite.Options.BeforeMigrate for the node: a
// complete copy of the database as it is, in DATA/backups, before any
// migration touches it. A failed copy stops the start, so a database is
// never migrated without a way back.
func backupBeforeMigrate(cfg Config, log *slog.Logger) func(path string, from, to int) error {
	return func(path string, from, to int) error {
		name := fmt.Sprintf("%s%s-%d-to-%d-%s.db", backupPrefix, preMigrateName, from, to, time.Now().UTC().Format(backupStamp))
		dst := filepath.Join(backupsDir(cfg), name)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		err := writeBackup(ctx, dst, func(tmp string) error { return vacuumInto(ctx, path, tmp) })
		if err != nil {
			return fmt.Errorf("backup before upgrading the database: %w; free space in %s or fix its permissions, then start again", err, backupsDir(cfg))
		}
		if log != nil {
			log.Info("database backed up before schema upgrade", "from", from, "to", to, "file", dst)
		}
		for _, old := range oldPreMigrate(backupsDir(cfg), dst) {
			if err := os.Remove(old); err != nil && log != nil {
				log.Warn("remove an old backup taken before a schema upgrade", "file", old, "err", err)
			} else if log != nil {
				log.Info("removed an old backup taken before a schema upgrade", "file", old)
			}
		}
		return nil
	}
}

// preMigrateKeep is how many backups taken before a schema upgrade are
// kept: the one before the last upgrade, and the one before it for an
// upgrade found wanting only after the next. Each is a whole database,
// and a store's grows by gigabytes a year: kept for ever, one per upgrade,
// they would fill the disk the tills write to.
const preMigrateKeep = 2

// oldPreMigrate lists the backups taken before a schema upgrade in dir
// that are not among the newest preMigrateKeep, taken (the one just
// written) first. They are ordered by the schema they were taken at, then
// by the time in their names: a schema only grows, where the clock may
// have been wrong when one was taken (a box whose clock starts in the
// past). An upgrade that stopped part way (each migration commits on its
// own) and is started again, as a service does at once after a failed
// start, takes one at each start: it keeps the one taken before it began,
// the only copy an older posnode still opens, rather than copies of the
// database half upgraded. Another of the schema of taken is an older copy
// of the same.
func oldPreMigrate(dir, taken string) []string {
	type premigrate struct {
		path     string
		from, to int
		stamp    string
	}
	parse := func(n string) (premigrate, bool) {
		base := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), backupPrefix+preMigrateName+"-"), ".db")
		var from, to int
		var stamp string
		if k, err := fmt.Sscanf(strings.ReplaceAll(base, "-", " "), "%d to %d %s", &from, &to, &stamp); err != nil || k != 3 {
			return premigrate{}, false
		}
		if _, err := time.Parse(backupStamp, stamp); err != nil || base != fmt.Sprintf("%d-to-%d-%s", from, to, stamp) {
			return premigrate{}, false
		}
		return premigrate{n, from, to, stamp}, true
	}
	cur, ok := parse(taken)
	if !ok {
		return nil
	}
	names, _ := filepath.Glob(filepath.Join(dir, backupPrefix+preMigrateName+"-*.db"))
	var old, began, rest []premigrate
	for _, n := range names {
		p, ok := parse(n)
		switch {
		case !ok || filepath.Base(n) == filepath.Base(taken):
		case p.from == cur.from:
			old = append(old, p)
		case p.to == cur.to && p.from < cur.from:
			began = append(began, p) // this upgrade's, at earlier starts
		default:
			rest = append(rest, p)
		}
	}
	if len(began) > 0 {
		// The earliest schema, its newest copy: the database before
		// this upgrade began.
		sort.Slice(began, func(i, j int) bool {
			if began[i].from != began[j].from {
				return began[i].from < began[j].from
			}
			return began[i].stamp > began[j].stamp
		})
		old = append(append(old, began[1:]...), rest...)
	} else {
		sort.Slice(rest, func(i, j int) bool {
			if rest[i].from != rest[j].from {
				return rest[i].from < rest[j].from
			}
			return rest[i].stamp < rest[j].stamp
		})
		if len(rest) > preMigrateKeep-1 {
			old = append(old, rest[:len(rest)-(preMigrateKeep-1)]...)
		}
	}
	var paths []string
	for _, p := range old {
		paths = append(paths, p.path)
	}
	return paths
}

// checkedBackup describes a database file that passed checkBackup.
type checkedBackup struct {
	schema  int
	epoch   string
	sales   int64
	lastSeq int64 // the newest event in the backup
	// counters are its document counters (see sqlite.DocumentCounters).
	counters map[string]int64
}

// checkBackup makes sure path is a sound posnode database this build can
// open: integrity check, schema not newer than this build, node identity
// present.
func checkBackup(ctx context.Context, path string) (checkedBackup, error) {
	var c checkedBackup
	if _, err := os.Stat(path); err != nil {
		return c, err
	}
	db, err := openRaw(path, true)
	if err != nil {
		return c, err
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&c.schema); err != nil {
		return c, fmt.Errorf("%s is not a SQLite database: %w", path, err)
	}
	if c.schema == 0 {
		return c, fmt.Errorf("%s is not a posnode database (no schema)", path)
	}
	if c.schema > sqlite.SchemaVersion() {
		return c, fmt.Errorf("%s: %w (schema %d, this build knows %d)", path, sqlite.ErrNewerSchema, c.schema, sqlite.SchemaVersion())
	}
	if err := sqlite.IntegrityCheck(ctx, db); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if err := db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&c.epoch); err != nil {
		return c, fmt.Errorf("%s is not a posnode database (no node epoch): %w", path, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sales),
		coalesce((SELECT value FROM counters WHERE name = 'event_seq'), 0)`).Scan(&c.sales, &c.lastSeq); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if c.counters, err = sqlite.Counters(ctx, db); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// The flags of restore that give the last document numbers printed, by
// counter (see sqlite.DocumentCounters), and whether restore needs them
// when the replaced database cannot be read.
var restoreNumberFlags = []struct {
	counter, flag, doc string
	required           bool
}{
	{"receipt_no", "last-receipt", "receipt", true},
	{"return_no", "last-return", "return", true},
	{"z_no", "last-z", "Z report", true},
	{"training_no", "last-training", "training receipt", false},
}

// cmdRestore replaces the node's database with a backup. It refuses while
// the node runs, checks the backup first and keeps the replaced database
// (with its write-ahead log) as posnode.db.TIME.bak.
//
// A backup with a write-ahead log beside it (a database copied from a
// stopped or crashed node, a kept .bak) is restored with its log applied.
// The restored database issues document numbers after the last ones of
// the replaced database, or after the --last-* numbers given; when the
// replaced database is missing or unreadable, the receipt, return and Z
// numbers must be given.
func cmdRestore(ctx context.Context, file string, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("restore", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var f flags
	f.register(fset, false)
	last := map[string]*int64{}
	for _, n := range restoreNumberFlags {
		last[n.counter] = fset.Int64(n.flag, -1, "the last "+n.doc+" number printed; the restored node goes on after it")
	}
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return fmt.Errorf("restore: unexpected arguments %v", fset.Args())
	}
	cfg, err := f.load(fset)
	if err != nil {
		return err
	}
	release, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer release()
	live := dbPath(cfg)
	// A restore cut off after its commit is finished first: the database
	// it restored is the one this restore replaces, and goes on numbering
	// after it.
	if done, err := finishCutOffRestore(live); err != nil {
		return fmt.Errorf("finish the restore cut off before: %w; nothing else was changed", err)
	} else if done != "" {
		fmt.Fprintln(stdout, done)
	}
	src, withLog, cleanup, err := applyLog(ctx, file, cfg.Data)
	if err != nil {
		return fmt.Errorf("%w; nothing was changed", err)
	}
	defer cleanup()
	c, err := checkBackup(ctx, src)
	if err != nil {
		return fmt.Errorf("%w; nothing was changed", err)
	}
	numbers, err := restoreNumbers(ctx, live, c, last)
	if err != nil {
		return fmt.Errorf("%w; nothing was changed", err)
	}
	tmp := live + ".restoring"
	removeTmp := func() {
		os.Remove(tmp)
		os.Remove(tmp + "-wal")
		os.Remove(tmp + "-shm")
	}
	if err := copyFile(src, tmp); err != nil {
		removeTmp()
		return fmt.Errorf("copy %s: %w; nothing was changed", file, err)
	}
	// Central may hold events of the backup's epoch beyond its last seq:
	// the restored database goes on in a new epoch.
	oldEpoch, outstanding, err := sqlite.NewEpoch(ctx, tmp, newID())
	if err != nil {
		removeTmp()
		return fmt.Errorf("start a new event epoch in %s: %w; nothing was changed", file, err)
	}
	if err := sqlite.RaiseCounters(ctx, tmp, numbers.next); err != nil {
		removeTmp()
		return fmt.Errorf("carry over the document numbers: %w; nothing was changed", err)
	}
	if err := syncFile(tmp); err != nil {
		removeTmp()
		return fmt.Errorf("write %s: %w; nothing was changed", tmp, err)
	}
	if err := commitRestore(live, tmp, time.Now()); err != nil {
		removeTmp()
		return fmt.Errorf("%w; nothing was changed", err)
	}
	if err := afterRestoreCommit(); err != nil {
		return err
	}
	_, kept, err := finishRestore(live)
	if err != nil {
		return fmt.Errorf("%w; the next start of posnode finishes the restore", err)
	}
	logNote := ""
	if withLog {
		logNote = ", its write-ahead log included"
	}
	fmt.Fprintf(stdout, "restored %s (schema %d, %d sales%s) to %s\n", file, c.schema, c.sales, logNote, live)
	if kept != "" {
		fmt.Fprintf(stdout, "the replaced database is kept as %s\n", kept)
	}
	fmt.Fprintf(stdout, "document numbers go on after receipt %d, return %d, Z report %d, training receipt %d (%s)\n",
		numbers.next["receipt_no"], numbers.next["return_no"], numbers.next["z_no"], numbers.next["training_no"], numbers.from)
	fmt.Fprintf(stdout, "the restored database starts a new event epoch (was %s, which ended at seq %d in the backup); its %d events central had not acknowledged go out again under it, with their ids\n",
		oldEpoch, c.lastSeq, outstanding)
	if c.schema < sqlite.SchemaVersion() {
		fmt.Fprintf(stdout, "the database will be upgraded from schema %d to %d at the next start, after an automatic backup\n", c.schema, sqlite.SchemaVersion())
	}
	fmt.Fprintln(stdout, "start the node again: systemctl start posnode")
	return nil
}

// restoredMark is what a restored database's name has after the live
// database's, from the restore's commit until it takes the live one's
// place, followed by the time the replaced database is kept under.
const restoredMark = ".restored-"

// afterRestoreCommit runs between a restore's commit and its finish;
// tests stop a restore there, as a power cut would.
var afterRestoreCommit = func() error { return nil }

// commitRestore makes the restore of tmp, a whole database written to
// disk, certain to happen: it renames tmp (and its log, if any) to the
// live database's name with restoredMark and the time at, durably.
// Until then a crash leaves the live database as it was; after it,
// finishRestore puts tmp in its place, at once or at the next start.
func commitRestore(live, tmp string, at time.Time) error {
	// SQLite folds the log into the file when the last connection
	// closes: a log left means tmp is not whole by itself, and one
	// moved along could be left beside the wrong database by a cut.
	if _, err := os.Stat(tmp + "-wal"); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: the restored copy %s has a write-ahead log left (%v)", tmp, err)
	}
	os.Remove(tmp + "-shm")
	// The time names the kept database too: one kept by an earlier
	// restore in the same second is not replaced.
	for {
		if _, err := os.Lstat(live + "." + at.UTC().Format(backupStamp) + ".bak"); errors.Is(err, os.ErrNotExist) {
			break
		}
		at = at.Add(time.Second)
	}
	restored := live + restoredMark + at.UTC().Format(backupStamp)
	if err := os.Rename(tmp, restored); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := syncDir(filepath.Dir(live)); err != nil {
		os.Rename(restored, tmp)
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// finishRestore finishes a committed restore of the live database, if
// one is pending (restored without a log: see commitRestore): the live
// database, if any, and its write-ahead log are
// kept as live.TIME.bak (and -wal), owner's only, and the restored one
// takes the live one's name. Every step looks at what the steps before
// left, and the names depend only on the restored file's, so a finish
// cut off anywhere is finished by the next: at no point is there a live
// database that is neither the old one whole nor the restored one, or a
// log beside a database it was not written for. It returns the restored
// file's name, "" when no restore was pending, and the name the replaced
// database is kept under, "" when there was none.
func finishRestore(live string) (restored, kept string, err error) {
	restored, kept, err = pendingRestore(live)
	if err != nil || restored == "" {
		return "", "", err
	}
	keptAny := false
	if _, err := os.Stat(live); err == nil {
		if err := os.Rename(live, kept); err != nil {
			return "", "", fmt.Errorf("keep the current database: %w", err)
		}
	}
	// The write-ahead log belongs to the database it was written for: it
	// moves along (SQLite finds it as NAME-wal); the shared memory index
	// is rebuilt on open.
	if err := os.Rename(live+"-wal", kept+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", "", fmt.Errorf("keep the current database's log: %w", err)
	}
	os.Remove(live + "-shm")
	// Kept as every backup is, its owner's only: it holds customers'
	// names and phones and the staff's PIN hashes, whatever mode the
	// database had (0644 when made under umask 022).
	for _, p := range []string{kept, kept + "-wal"} {
		if err := os.Chmod(p, 0o600); err == nil {
			keptAny = true
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("keep the current database to its owner: %w", err)
		}
	}
	if err := os.Rename(restored, live); err != nil {
		return "", "", fmt.Errorf("restore: %w", err)
	}
	if err := syncDir(filepath.Dir(live)); err != nil {
		return "", "", err
	}
	chownLike(live, filepath.Dir(live))
	if !keptAny {
		kept = ""
	}
	return restored, kept, nil
}

// finishCutOffRestore finishes a restore cut off after its commit, if
// one is pending, and says what it did; "" when none was.
func finishCutOffRestore(live string) (string, error) {
	restored, kept, err := finishRestore(live)
	if err != nil || restored == "" {
		return "", err
	}
	done := fmt.Sprintf("finished the restore cut off before: %s is now %s", restored, live)
	if kept != "" {
		done += "; the database it replaced is kept as " + kept
	}
	return done, nil
}

// pendingRestore returns the restored database waiting to take the live
// database's place, "" for none, and the name the live one will be kept
// under.
func pendingRestore(live string) (restored, kept string, err error) {
	pending, err := filepath.Glob(globQuote(live) + restoredMark + "*")
	if err != nil {
		return "", "", err
	}
	for _, p := range pending {
		if strings.HasSuffix(p, "-wal") || strings.HasSuffix(p, "-shm") {
			continue
		}
		if restored != "" {
			return "", "", fmt.Errorf("two restores pending, %s and %s: move the one not wanted away", restored, p)
		}
		restored = p
	}
	if restored == "" {
		return "", "", nil
	}
	return restored, live + "." + strings.TrimPrefix(restored, live+restoredMark) + ".bak", nil
}

// globQuote escapes the characters filepath.Match reads as a pattern.
func globQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// syncFile writes what the system holds of path to its disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// applyLog returns the database at path with the write-ahead log beside
// it (path-wal) applied: a copy of both, checkpointed, in a new directory
// under dir, and a func that removes it. A backup without a log is
// returned as it is. The files at path are never changed.
func applyLog(ctx context.Context, path, dir string) (src string, withLog bool, cleanup func(), err error) {
	cleanup = func() {}
	if _, err := os.Stat(path + "-wal"); errors.Is(err, os.ErrNotExist) {
		return path, false, cleanup, nil
	} else if err != nil {
		return "", false, cleanup, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", false, cleanup, fmt.Errorf("data directory: %w", err)
	}
	tmpDir, err := os.MkdirTemp(dir, ".restore-")
	if err != nil {
		return "", false, cleanup, err
	}
	cleanup = func() { os.RemoveAll(tmpDir) }
	src = filepath.Join(tmpDir, "posnode.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(path+suffix, src+suffix); err != nil {
			cleanup()
			return "", false, func() {}, fmt.Errorf("copy %s%s: %w", path, suffix, err)
		}
	}
	db, err := openRaw(src, false)
	if err != nil {
		cleanup()
		return "", false, func() {}, err
	}
	var busy, logged, copied int
	err = db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &copied)
	err = errors.Join(err, db.Close())
	if err == nil && busy != 0 {
		err = errors.New("the checkpoint was blocked")
	}
	if err != nil {
		cleanup()
		return "", false, func() {}, fmt.Errorf("%s: apply its write-ahead log %s-wal: %w", path, path, err)
	}
	return src, true, cleanup, nil
}

// docNumbers are the document counters a restored database goes on
// from, and where they come from, for the operator.
type docNumbers struct {
	next map[string]int64
	from string
}

// restoreNumbers decides where the document counters of a restore go on:
// after the highest of the backup's, the replaced database's at live and
// those given (last, -1 for not given). Without a readable database at
// live, the numbers printed since the backup are unknown, and the
// required ones must be given.
func restoreNumbers(ctx context.Context, live string, backup checkedBackup, last map[string]*int64) (docNumbers, error) {
	n := docNumbers{next: maps.Clone(backup.counters), from: "the backup's"}
	replaced, err := replacedCounters(ctx, live)
	if err == nil && replaced["receipt_no"] < backup.counters["receipt_no"] {
		// Not the database that went on from the backup: a new box's
		// empty one, made by the service's first start, or an older copy.
		err = fmt.Errorf("is behind the backup (its last receipt %d, the backup's %d): not the one that went on from it", replaced["receipt_no"], backup.counters["receipt_no"])
	}
	if err == nil {
		n.from = "where the replaced database left off"
		for name, v := range replaced {
			n.next[name] = max(n.next[name], v)
		}
	}
	var missing []string
	given := false
	for _, f := range restoreNumberFlags {
		if v := *last[f.counter]; v >= 0 {
			n.next[f.counter] = max(n.next[f.counter], v)
			given = true
		} else if f.required {
			missing = append(missing, "--"+f.flag+" N")
		}
	}
	if given {
		n.from += " or the numbers given"
	}
	if err != nil && len(missing) == 0 {
		n.from += fmt.Sprintf("; the database being replaced %v", err)
	}
	if err != nil && len(missing) > 0 {
		return n, fmt.Errorf("the database being replaced %v, so the receipt, return and Z report numbers printed since the backup are unknown "+
			"and would be printed again; give the last ones printed (on the newest receipt, return and Z report, or in central's records): %s "+
			"(the backup's last are receipt %d, return %d, Z report %d)",
			err, strings.Join(missing, " "), backup.counters["receipt_no"], backup.counters["return_no"], backup.counters["z_no"])
	}
	return n, nil
}

// replacedCounters reads the document counters of the database at live,
// its write-ahead log included, without changing what it holds.
func replacedCounters(ctx context.Context, live string) (map[string]int64, error) {
	if _, err := os.Stat(live); err != nil {
		return nil, fmt.Errorf("cannot be found (%w)", err)
	}
	db, err := openRaw(live, false)
	if err != nil {
		return nil, fmt.Errorf("cannot be read (%w)", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
		return nil, fmt.Errorf("cannot be read (%w)", err)
	}
	c, err := sqlite.Counters(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("cannot be read (%w)", err)
	}
	return c, nil
}

// copyFile copies a database file: dst, new, is its owner's only, as the
// database is, since it holds every sale and the PIN hashes.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return errors.Join(out.Sync(), out.Close())
}

// chownLike gives path the owner of dir, so that a restore run as root
// leaves a database the service user can write. Failures are ignored: a
// restore run as the service user needs no change.
func chownLike(path, dir string) {
	st, err := os.Stat(dir)
	if err != nil {
		return
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
		_ = os.Chown(path, int(sys.Uid), int(sys.Gid))
	}
}
