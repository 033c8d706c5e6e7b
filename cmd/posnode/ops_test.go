package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/nodetest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
)

// testNodeDB is a node's database in a temporary data directory with the
// demo catalog and staff and, when sales > 0, that many completed sales.
func testNodeDB(t *testing.T, sales int) (Config, *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.Data = t.TempDir()
	db, err := openDB(ctx, cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := seedDemo(ctx, db, cfg.scaleTable(), io.Discard); err != nil {
		t.Fatal(err)
	}
	sellDemo(t, cfg, db, sales)
	return cfg, db
}

// sellDemo completes n sales of one demo item on db and returns their
// receipt numbers.
func sellDemo(t *testing.T, cfg Config, db *sqlite.DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	svc := pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}, Policy: cfg.Policy, Market: cfg.scaleTable()})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	items, err := pos.ParseCatalogCSV(bytes.NewReader(demoCatalog))
	if err != nil {
		t.Fatal(err)
	}
	var sku string
	for _, it := range items {
		if it.Unit == pos.UnitEach {
			sku = it.SKU
			break
		}
	}
	var receipts []int64
	for range n {
		v, err := svc.OpenCart(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if v, err = svc.AddItem(ctx, a, v.ID, sku, 1); err != nil {
			t.Fatal(err)
		}
		if v, err = svc.PayCash(ctx, a, v.ID, v.Balance.Total+10000); err != nil {
			t.Fatal(err)
		}
		s, err := svc.Complete(ctx, a, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, s.ReceiptNo)
	}
	return receipts
}

func countSales(t *testing.T, path string) int64 {
	t.Helper()
	c, err := checkBackup(context.Background(), path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c.sales
}

// TestPreMigrateBackupsKeepTheNewestTwo: a backup taken before a schema
// upgrade removes those of earlier upgrades but the newest one, by the
// time in their names, and leaves the scheduled backups alone.
func TestPreMigrateBackupsKeepTheNewestTwo(t *testing.T) {
	cfg, db := testNodeDB(t, 1)
	dir := backupsDir(cfg)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	old := []string{"posnode-pre-migrate-10-to-11-20261101T000000Z.db", "posnode-pre-migrate-9-to-10-20260601T000000Z.db",
		"posnode-pre-migrate-4-to-9-20250301T000000Z.db", "posnode-20261201T000000Z.db", "posnode-pre-migrate-notes.db"}
	for _, f := range old {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := backupBeforeMigrate(cfg, nil)(db.Path(), 11, 12); err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, p := range mustGlob(t, filepath.Join(dir, "*.db")) {
		left = append(left, filepath.Base(p))
	}
	sort.Strings(left)
	if len(left) != 4 || left[0] != "posnode-20261201T000000Z.db" || left[1] != old[0] ||
		!strings.HasPrefix(left[2], "posnode-pre-migrate-11-to-12-") || left[3] != "posnode-pre-migrate-notes.db" {
		t.Fatalf("backups left %v; want the scheduled one, the file not named by a time, the last upgrade's and this one's", left)
	}
}

func TestScheduledBackupsKeepTheNewest(t *testing.T) {
	cfg, db := testNodeDB(t, 2)
	cfg.Backup.Every.Duration, cfg.Backup.Keep = time.Hour, 3
	b := newBackups(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	clock := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return clock }
	// A backup taken before an upgrade is not pruned with the scheduled ones.
	pre := filepath.Join(b.dir, "posnode-pre-migrate-4-to-5-20261101T000000Z.db")
	if err := backupBeforeMigrate(cfg, nil)(db.Path(), 4, 5); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(mustGlob(t, filepath.Join(b.dir, "posnode-pre-migrate-*.db"))[0], pre); err != nil {
		t.Fatal(err)
	}
	var written []string
	for range 5 {
		p, err := b.once(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		written = append(written, p)
		clock = clock.Add(time.Hour)
	}
	got := b.scheduled()
	if want := written[2:]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("kept %v, want the newest three %v", got, want)
	}
	for _, p := range append(got, pre) {
		if n := countSales(t, p); n != 2 {
			t.Errorf("%s has %d sales, want 2", p, n)
		}
	}
	if newest, ok := b.newest(); !ok || !newest.Equal(clock.Add(-time.Hour)) {
		t.Errorf("newest = %v, want %v", newest, clock.Add(-time.Hour))
	}
	if left := mustGlob(t, filepath.Join(b.dir, "*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestBackupsRunStopsWithContext(t *testing.T) {
	cfg, db := testNodeDB(t, 0)
	cfg.Backup.Every.Duration = time.Hour
	b := newBackups(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
}

// TestBackupDatedInTheFutureKeepsTheSchedule: a backup taken while the
// clock was ahead neither holds up the next one nor passes the doctor.
func TestBackupDatedInTheFutureKeepsTheSchedule(t *testing.T) {
	cfg, db := testNodeDB(t, 0)
	cfg.Backup.Every.Duration = 6 * time.Hour
	b := newBackups(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return now.AddDate(1, 0, 0) } // the clock was a year ahead
	if _, err := b.once(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.now = func() time.Time { return now }
	if got := b.firstWait(); got != 6*time.Hour {
		t.Errorf("first backup after %s, want at most every (6h)", got)
	}
	// A backup of an hour ago still counts, once the clock has caught up.
	b.now = func() time.Time { return now.AddDate(1, 0, 0).Add(time.Hour) }
	if got := b.firstWait(); got != 5*time.Hour {
		t.Errorf("first backup after %s, want 5h", got)
	}
	d := &doctor{cfg: cfg, now: func() time.Time { return now }}
	d.checkBackups()
	if len(d.out) != 1 || d.out[0].level != levelWarn || !strings.Contains(d.out[0].text, "after the clock") {
		t.Fatalf("doctor on a future-dated backup: %+v", d.out)
	}
}

// TestFirstBackupChecksFreeSpace: the free-space guard holds before the
// backup directory exists.
func TestFirstBackupChecksFreeSpace(t *testing.T) {
	cfg, db := testNodeDB(t, 1)
	cfg.Backup.Every.Duration = time.Hour
	b := newBackups(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var asked []string
	b.free = func(dir string) (int64, error) {
		asked = append(asked, dir)
		if _, err := os.Stat(dir); err != nil {
			return 0, err
		}
		return diskFail, nil // a full disk
	}
	if _, err := os.Stat(b.dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("backup directory already there: %v", err)
	}
	_, err := b.once(context.Background())
	if err == nil || !strings.Contains(err.Error(), "backup skipped") {
		t.Fatalf("first backup on a full disk: %v (free space asked of %v), want it skipped", err, asked)
	}
	if got := mustGlob(t, filepath.Join(b.dir, "*.db")); len(got) != 0 {
		t.Errorf("backups written: %v", got)
	}
}

// TestBackupMakesRoomFromTheOldest: when the disk cannot hold another
// copy as well as keep of them (the database has grown), a backup deletes
// the oldest scheduled ones to make room and is written, instead of being
// skipped for ever with the stale ones kept; it never deletes the newest,
// and is skipped when even that does not make room.
func TestBackupMakesRoomFromTheOldest(t *testing.T) {
	cfg, db := testNodeDB(t, 1)
	cfg.Backup.Every.Duration, cfg.Backup.Keep = time.Hour, 28
	b := newBackups(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	clock := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return clock }
	st, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	// A disk with room for diskFail, the database's size and room more
	// backups: the space free is what the backups on it leave.
	first, err := b.once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(first)
	if err != nil {
		t.Fatal(err)
	}
	copySize := fi.Size()
	if err := os.Remove(first); err != nil {
		t.Fatal(err)
	}
	room := int64(2)
	b.free = func(string) (int64, error) {
		free := diskFail + st.Size() + room*copySize
		for _, p := range mustGlob(t, filepath.Join(b.dir, "*.db")) {
			fi, err := os.Stat(p)
			if err != nil {
				return 0, err
			}
			free -= fi.Size()
		}
		return free, nil
	}
	var written []string
	for range 6 {
		p, err := b.once(context.Background())
		if err != nil {
			t.Fatalf("backup %d: %v", len(written)+1, err)
		}
		written = append(written, p)
		clock = clock.Add(time.Hour)
	}
	if got, want := b.scheduled(), written[3:]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("kept %v, want the newest three %v", got, want)
	}
	room = 0 // the newest alone fills the room left
	if _, err := b.once(context.Background()); err == nil || !strings.Contains(err.Error(), "backup skipped") {
		t.Fatalf("backup with no room even for one more: %v, want it skipped", err)
	}
	// Deleting the older two would not have made room: they stay, the
	// store's restore points while no new backup can be taken.
	if got, want := b.scheduled(), written[3:]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("kept %v after a skipped backup, want all three %v", got, want)
	}
}

// TestPreMigrateBackupOfAnUpgradeStartedAgain: an upgrade that stopped
// part way and is started again (each start takes a backup at the schema
// it stopped at) keeps the backup taken before it began, not copies of
// the database half upgraded; the earlier ones of the schema it stopped
// at go, and the upgrade's before it.
func TestPreMigrateBackupOfAnUpgradeStartedAgain(t *testing.T) {
	cfg, db := testNodeDB(t, 1)
	dir := backupsDir(cfg)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	before := []string{"posnode-pre-migrate-9-to-10-20260601T000000Z.db", "posnode-pre-migrate-10-to-14-20261206T100000Z.db",
		"posnode-pre-migrate-11-to-14-20261206T100005Z.db", "posnode-pre-migrate-11-to-14-20261206T100008Z.db"}
	for _, f := range before {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := backupBeforeMigrate(cfg, nil)(db.Path(), 11, 14); err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, p := range mustGlob(t, filepath.Join(dir, "*.db")) {
		left = append(left, filepath.Base(p))
	}
	sort.Strings(left)
	if len(left) != 2 || left[0] != before[1] || !strings.HasPrefix(left[1], "posnode-pre-migrate-11-to-14-") || left[1] == before[2] || left[1] == before[3] {
		t.Fatalf("backups left %v; want the one from before the upgrade began and this start's", left)
	}
	// Stopped again, a migration further on.
	if err := backupBeforeMigrate(cfg, nil)(db.Path(), 12, 14); err != nil {
		t.Fatal(err)
	}
	left = nil
	for _, p := range mustGlob(t, filepath.Join(dir, "*.db")) {
		left = append(left, filepath.Base(p))
	}
	sort.Strings(left)
	if len(left) != 2 || left[0] != before[1] || !strings.HasPrefix(left[1], "posnode-pre-migrate-12-to-14-") {
		t.Fatalf("backups left %v; want the one from before the upgrade began and this start's", left)
	}
}

// TestPreMigrateBackupKeptWhateverTheClock: the backup taken before an
// upgrade stays whatever the time in its name, here before those of
// earlier upgrades taken while the clock ran ahead; the newest of those
// stays with it.
func TestPreMigrateBackupKeptWhateverTheClock(t *testing.T) {
	cfg, db := testNodeDB(t, 1)
	dir := backupsDir(cfg)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	ahead := []string{"posnode-pre-migrate-9-to-10-20990601T000000Z.db", "posnode-pre-migrate-10-to-11-20991101T000000Z.db"}
	for _, f := range ahead {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := backupBeforeMigrate(cfg, nil)(db.Path(), 11, 12); err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, p := range mustGlob(t, filepath.Join(dir, "*.db")) {
		left = append(left, filepath.Base(p))
	}
	sort.Strings(left)
	if len(left) != 2 || left[0] != ahead[1] || !strings.HasPrefix(left[1], "posnode-pre-migrate-11-to-12-") {
		t.Fatalf("backups left %v; want the last upgrade's and this one's", left)
	}
	if _, err := checkBackup(context.Background(), filepath.Join(dir, left[1])); err != nil {
		t.Fatal(err)
	}
}

// TestBackupDuringSalesIsConsistent takes scheduled backups while two
// tills sell as fast as they can: each backup is a sound database holding
// a prefix of the sales whole, every sale with its lines, payment, stock
// movements and event, receipt numbers and seq without a gap.
func TestBackupDuringSalesIsConsistent(t *testing.T) {
	ctx := context.Background()
	cfg, db := testNodeDB(t, 1)
	cfg.Backup.Every.Duration, cfg.Backup.Keep = time.Hour, 10
	b := newBackups(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	clock := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return clock }
	svc := pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}, Policy: cfg.Policy, Market: cfg.scaleTable()})
	stop := make(chan struct{})
	errs := make(chan error, 2)
	for _, station := range []string{"till-1", "till-2"} {
		go func() {
			a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: station}
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				v, err := svc.OpenCart(ctx, a)
				if err == nil {
					v, _, err = svc.Scan(ctx, a, v.ID, "7310865004703")
				}
				if err == nil {
					v, err = svc.PayCash(ctx, a, v.ID, v.Balance.Total+1000)
				}
				if err == nil {
					_, err = svc.Complete(ctx, a, v.ID)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var paths []string
	for range 3 {
		time.Sleep(150 * time.Millisecond)
		p, err := b.once(ctx)
		if err != nil {
			close(stop)
			t.Fatal(err)
		}
		paths = append(paths, p)
		clock = clock.Add(time.Hour)
	}
	close(stop)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range paths {
		c, err := checkBackup(ctx, p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		raw, err := openRaw(p, true)
		if err != nil {
			t.Fatal(err)
		}
		var maxReceipt, events, maxSeq, bare int64
		err = raw.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(receipt_no), 0) FROM sales), (SELECT count(*) FROM outbox),
			(SELECT coalesce(max(seq), 0) FROM outbox),
			(SELECT count(*) FROM sales s WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.seq = s.seq)
				OR NOT EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id)
				OR NOT EXISTS (SELECT 1 FROM sale_payments y WHERE y.sale_id = s.id)
				OR NOT EXISTS (SELECT 1 FROM movements m WHERE m.seq = s.seq))`).Scan(&maxReceipt, &events, &maxSeq, &bare)
		raw.Close()
		if err != nil {
			t.Fatal(err)
		}
		if c.sales != maxReceipt || events != maxSeq || events != c.sales || bare != 0 {
			t.Fatalf("%s: %d sales, receipts to %d, %d events, seq to %d, %d sales not whole", p, c.sales, maxReceipt, events, maxSeq, bare)
		}
		t.Logf("%s: %d sales", filepath.Base(p), c.sales)
	}
}

// TestBackupsAreTheOwners: a backup, which holds every sale and the PIN
// hashes, is readable by its owner only.
func TestBackupsAreTheOwners(t *testing.T) {
	ctx := context.Background()
	cfg, db := testNodeDB(t, 1)
	cfg.Backup.Every.Duration = time.Hour
	scheduled, err := newBackups(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))).once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	manual := filepath.Join(t.TempDir(), "manual.db")
	if err := cmdBackup(ctx, manual, []string{"--data", cfg.Data}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{scheduled, manual} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), mode)
		}
	}
	if n := countSales(t, manual); n != 1 {
		t.Errorf("the backup has %d sales, want 1", n)
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRestore(t *testing.T) {
	ctx := context.Background()
	cfg, db := testNodeDB(t, 3)
	backupEpoch := db.Epoch()
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := vacuumInto(ctx, db.Path(), backup); err != nil {
		t.Fatal(err)
	}
	db.Close()
	args := []string{"--data", cfg.Data}
	var out bytes.Buffer

	// Refused while a node holds the data directory.
	release, err := lockData(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	err = cmdRestore(ctx, backup, args, &out, io.Discard)
	if !errors.Is(err, errRunning) {
		t.Fatalf("restore under a running node: %v, want errRunning", err)
	}
	if !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Errorf("message does not name the running process: %v", err)
	}
	release()

	// A damaged file is refused and nothing changes.
	bad := filepath.Join(t.TempDir(), "bad.db")
	raw, _ := os.ReadFile(backup)
	copy(raw[len(raw)/2:], bytes.Repeat([]byte{0xA5}, 4096))
	os.WriteFile(bad, raw, 0o600)
	garbage := filepath.Join(t.TempDir(), "garbage.db")
	os.WriteFile(garbage, []byte("not a database"), 0o600)
	for _, f := range []string{bad, garbage, filepath.Join(t.TempDir(), "missing.db")} {
		if err := cmdRestore(ctx, f, args, &out, io.Discard); err == nil {
			t.Errorf("restore of %s succeeded", filepath.Base(f))
		}
	}
	if got := mustGlob(t, filepath.Join(cfg.Data, "*.bak")); len(got) != 0 {
		t.Fatalf("a refused restore replaced the database: %v", got)
	}

	// Make the live database differ from the backup, then restore.
	db2, err := openRaw(dbPath(cfg), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db2.ExecContext(ctx, "UPDATE sales SET voided = 1"); err != nil {
		t.Fatal(err)
	}
	db2.Close()
	out.Reset()
	if err := cmdRestore(ctx, backup, args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "restored") || !strings.Contains(out.String(), ".bak") {
		t.Errorf("restore output: %s", out.String())
	}
	kept := mustGlob(t, filepath.Join(cfg.Data, "posnode.db.*.bak"))
	if len(kept) != 1 {
		t.Fatalf("kept databases: %v", kept)
	}
	// The restored database, which holds every sale and the PIN hashes,
	// is its owner's as the one it replaced was, before any node opens it.
	if st, err := os.Stat(dbPath(cfg)); err != nil {
		t.Fatal(err)
	} else if mode := st.Mode().Perm(); mode != 0o600 {
		t.Errorf("the restored database: mode %v, want 0600", mode)
	}
	db3, err := openDB(ctx, cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db3.Close()
	var voided, n int
	if err := db3.Read().QueryRow("SELECT count(*), coalesce(sum(voided), 0) FROM sales").Scan(&n, &voided); err != nil {
		t.Fatal(err)
	}
	if n != 3 || voided != 0 {
		t.Fatalf("after restore: %d sales, %d voided; want the backup's 3 sales, none voided", n, voided)
	}
	// It goes on in a new epoch, its outstanding events renumbered from 1.
	if db3.Epoch() == backupEpoch || !strings.Contains(out.String(), "new event epoch") {
		t.Errorf("epoch after restore %s (backup's %s); output: %s", db3.Epoch(), backupEpoch, out.String())
	}
	if evs, err := db3.EventsAfter(ctx, 0, 100); err != nil || len(evs) != 3 || evs[0].Seq != 1 || evs[0].Epoch != db3.Epoch() {
		t.Errorf("events after restore: %+v, %v", evs, err)
	}
	// The replaced database is intact and has the change.
	old, err := openRaw(kept[0], false)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := old.QueryRow("SELECT coalesce(sum(voided), 0) FROM sales").Scan(&voided); err != nil || voided != 3 {
		t.Fatalf("kept database: %d voided, err %v", voided, err)
	}
}

func TestRestoreRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	cfg, db := testNodeDB(t, 0)
	backup := filepath.Join(t.TempDir(), "newer.db")
	if err := vacuumInto(ctx, db.Path(), backup); err != nil {
		t.Fatal(err)
	}
	raw, err := openRaw(backup, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", sqlite.SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db.Close()
	err = cmdRestore(ctx, backup, []string{"--data", cfg.Data}, io.Discard, io.Discard)
	if !errors.Is(err, sqlite.ErrNewerSchema) {
		t.Fatalf("err = %v, want ErrNewerSchema", err)
	}
}

// TestRestoreCrashImageKeepsTheLog restores the files of a node that
// stopped without a checkpoint: the sales only in its write-ahead log
// are restored too.
func TestRestoreCrashImageKeepsTheLog(t *testing.T) {
	ctx := context.Background()
	cfg, db := testNodeDB(t, 5)
	raw, err := openRaw(db.Path(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	sellDemo(t, cfg, db, 4)
	// The image of the disk while the node runs, as a power cut leaves it.
	image := filepath.Join(t.TempDir(), "posnode.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(db.Path()+suffix, image+suffix); err != nil {
			t.Fatal(err)
		}
	}
	if st, err := os.Stat(image + "-wal"); err != nil || st.Size() == 0 {
		t.Fatalf("the image has no log: %v", err)
	}
	db.Close()
	imageBytes, _ := os.ReadFile(image)
	var out bytes.Buffer
	if err := cmdRestore(ctx, image, []string{"--data", cfg.Data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "9 sales, its write-ahead log included") {
		t.Errorf("restore output: %s", out.String())
	}
	if n := countSales(t, dbPath(cfg)); n != 9 {
		t.Fatalf("restored %d sales, want all 9 of the image", n)
	}
	if after, _ := os.ReadFile(image); !bytes.Equal(after, imageBytes) {
		t.Error("the restored image was changed")
	}
	if left := mustGlob(t, filepath.Join(cfg.Data, ".restore-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestRestoreNeverReusesReceiptNumbers restores a backup older than the
// last receipts printed: the next receipt goes on after them.
func TestRestoreNeverReusesReceiptNumbers(t *testing.T) {
	ctx := context.Background()
	cfg, db := testNodeDB(t, 3)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := vacuumInto(ctx, db.Path(), backup); err != nil {
		t.Fatal(err)
	}
	if got := sellDemo(t, cfg, db, 2); got[1] != 5 {
		t.Fatalf("receipts after the backup: %v", got)
	}
	db.Close()
	var out bytes.Buffer
	if err := cmdRestore(ctx, backup, []string{"--data", cfg.Data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "after receipt 5") {
		t.Errorf("restore output: %s", out.String())
	}
	db, err := openDB(ctx, cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := sellDemo(t, cfg, db, 1)
	db.Close()
	if got[0] != 6 {
		t.Fatalf("first receipt after the restore is %d, want 6: receipts 4 and 5 were printed", got[0])
	}

	// A new box whose service made an empty database at its first start
	// tells nothing of the numbers printed since the backup either.
	fresh := cfg
	fresh.Data = t.TempDir()
	fdb, err := openDB(ctx, fresh, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fdb.Close()
	err = cmdRestore(ctx, backup, []string{"--data", fresh.Data}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "behind the backup") || !strings.Contains(err.Error(), "--last-receipt N") {
		t.Fatalf("restore over a new box's empty database: %v", err)
	}

	// Without the replaced database the numbers printed since are
	// unknown: restore wants them given.
	empty := t.TempDir()
	err = cmdRestore(ctx, backup, []string{"--data", empty}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--last-receipt N --last-return N --last-z N") || !strings.Contains(err.Error(), "receipt 3") {
		t.Fatalf("restore without the replaced database: %v", err)
	}
	if _, err := os.Stat(filepath.Join(empty, "posnode.db")); err == nil {
		t.Fatal("a refused restore wrote the database")
	}
	out.Reset()
	err = cmdRestore(ctx, backup, []string{"--data", empty, "--last-receipt", "41", "--last-return", "0", "--last-z", "2"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "after receipt 41, return 0, Z report 2") || !strings.Contains(out.String(), "cannot be found") {
		t.Errorf("restore output: %s", out.String())
	}
	cfg.Data = empty
	db, err = openDB(ctx, cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := sellDemo(t, cfg, db, 1); got[0] != 42 {
		t.Fatalf("first receipt after a restore with --last-receipt 41 is %d, want 42", got[0])
	}
}

func TestMetrics(t *testing.T) {
	_, db := testNodeDB(t, 2)
	clients := 3
	n := &node{stations: map[string]*station{
		"till-1": {devices: map[string]any{"printer": printerState{Name: "till-1", Connected: true}}},
		"till-2": {devices: map[string]any{"printer": printerState{Name: "till-2", Connected: false}}},
		"till-3": {devices: map[string]any{"printer": printerState{Name: "till-3", Virtual: true}}},
	}}
	h := opsHandler(http.NotFoundHandler(), db, metricsSource{db: db, clients: func() int { return clients }, devices: n.deviceConnected}, MetricsConfig{})

	get := func(path, remote, auth string) (int, string) {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = remote
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, _ := get("/metrics", "192.0.2.7:5000", ""); code != http.StatusForbidden {
		t.Fatalf("metrics from another host without a token: %d", code)
	}
	st, err := db.OutboxStats(context.Background())
	if err != nil || st.Depth < 2 {
		t.Fatalf("two sales queued %d events (err %v)", st.Depth, err)
	}
	nItems, err := db.CountItems(context.Background())
	if err != nil || nItems == 0 {
		t.Fatalf("demo catalog: %d items (err %v)", nItems, err)
	}
	code, body := get("/metrics", "127.0.0.1:5000", "")
	if code != 200 {
		t.Fatalf("metrics from loopback: %d %s", code, body)
	}
	for _, want := range []string{
		`posnode_sales_total{currency="SEK"} 2`,
		fmt.Sprintf("posnode_outbox_depth %d", st.Depth),
		fmt.Sprintf("posnode_outbox_last_seq %d", st.LastSeq),
		"posnode_websocket_clients 3",
		"posnode_inbound_rejects_total 0",
		`posnode_build_info{commit="unknown",version="dev"} 1`,
		"go_goroutines",
		`posnode_device_connected{device="till-1 printer"} 1`,
		`posnode_device_connected{device="till-2 printer"} 0`,
		"posnode_catalog_index_ready 1",
		fmt.Sprintf("posnode_catalog_index_items %d", nItems),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !strings.Contains(body, "posnode_outbox_oldest_unacked_age_seconds ") || strings.Contains(body, "posnode_outbox_oldest_unacked_age_seconds 0\n") {
		t.Errorf("oldest unsent age missing or zero with events queued")
	}
	if strings.Contains(body, "till-3") {
		t.Error("a virtual printer is reported as a device")
	}
	// Values are read at each scrape.
	clients = 0
	if _, body := get("/metrics", "[::1]:5000", ""); !strings.Contains(body, "posnode_websocket_clients 0") {
		t.Error("websocket clients not current")
	}

	// With a token, it is required from everywhere.
	h = opsHandler(http.NotFoundHandler(), db, metricsSource{db: db}, MetricsConfig{Token: "s3cret-scrape"})
	for _, auth := range []string{"", "Bearer wrong", "s3cret-scrape"} {
		if code, _ := get("/metrics", "127.0.0.1:5000", auth); code != http.StatusUnauthorized {
			t.Errorf("metrics with Authorization %q: %d, want 401", auth, code)
		}
	}
	if code, _ := get("/metrics", "192.0.2.7:5000", "Bearer s3cret-scrape"); code != 200 {
		t.Errorf("metrics with the token: %d", code)
	}

	// Readiness: ready while the database answers, not after.
	if code, _ := get("/readyz", "192.0.2.7:5000", ""); code != 200 {
		t.Errorf("readyz: %d", code)
	}
	if code, _ := get("/api/v1/anything", "192.0.2.7:5000", ""); code != http.StatusNotFound {
		t.Errorf("other paths do not reach the UI handler: %d", code)
	}
	db.Close()
	if code, _ := get("/readyz", "192.0.2.7:5000", ""); code != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed: %d", code)
	}
}

func TestDataLock(t *testing.T) {
	dir := t.TempDir()
	if _, locked := dataLocked(dir); locked {
		t.Fatal("a fresh directory reads as locked")
	}
	release, err := lockData(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockData(dir); !errors.Is(err, errRunning) {
		t.Fatalf("second lock: %v, want errRunning", err)
	}
	if holder, locked := dataLocked(dir); !locked || !strings.Contains(holder, fmt.Sprint(os.Getpid())) {
		t.Fatalf("dataLocked = %q, %v while held", holder, locked)
	}
	release()
	if _, locked := dataLocked(dir); locked {
		t.Fatal("still locked after release")
	}
	release, err = lockData(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	release()
}

// TestBackupsSurviveFailures: while backups cannot be written the node
// logs it and keeps going; once the problem is fixed, backups resume.
func TestBackupsSurviveFailures(t *testing.T) {
	cfg, db := testNodeDB(t, 1)
	cfg.Backup.Every.Duration = 20 * time.Millisecond
	var logs nodetest.Buffer
	b := newBackups(db, cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	b.settle = 0
	// A file where the backup directory should be.
	if err := os.WriteFile(b.dir, []byte("in the way"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()
	waitFor(t, func() bool { return strings.Count(logs.String(), "backup failed") >= 2 })
	if err := os.Remove(b.dir); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(b.scheduled()) > 0 })
	if n := countSales(t, b.scheduled()[0]); n != 1 {
		t.Fatalf("backup has %d sales, want 1", n)
	}
}

// waitFor polls cond for up to 10 s (only a broken build waits that long).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached in 10 s")
}

func TestImportCatalog(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	csv := filepath.Join(t.TempDir(), "catalog.csv")
	if err := os.WriteFile(csv, []byte("sku,barcodes,unit,price,tax_rate_bp,active,name_en\n"+
		"A1,7310000000010,each,1500,2500,1,Mug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--data", data}

	// Refused while a node holds the data directory: its index of the
	// catalog would not see the import.
	release, err := lockData(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmdImportCatalog(ctx, csv, args, io.Discard, io.Discard); !errors.Is(err, errRunning) {
		t.Fatalf("import under a running node: %v, want errRunning", err)
	}
	release()

	var out bytes.Buffer
	if err := cmdImportCatalog(ctx, csv, args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "imported 1 items") {
		t.Errorf("import output: %s", out.String())
	}
	cfg := DefaultConfig()
	cfg.Data = data
	db, err := openDB(ctx, cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if it, err := db.ItemByCode(ctx, "7310000000010"); err != nil || it.SKU != "A1" || it.Price != 1500 {
		t.Fatalf("imported item: %+v %v", it, err)
	}
}

// import catalog with no config, no --data and no installed node refuses,
// as staff add does, instead of making a new node's ./data wherever it
// was typed (as root, root's: a node started on it could not write it).
func TestImportMakesNoDataDirectory(t *testing.T) {
	was := installedConfig
	installedConfig = filepath.Join(t.TempDir(), "none.toml")
	t.Cleanup(func() { installedConfig = was })
	csv := filepath.Join(t.TempDir(), "catalog.csv")
	if err := os.WriteFile(csv, demoCatalog, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	err := cmdImportCatalog(context.Background(), csv, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no data directory at ./data; nothing was imported") || !strings.Contains(err.Error(), "--config") {
		t.Errorf("import with no node = %v, want it refused, naming --config", err)
	}
	if _, err := os.Stat("data"); err == nil {
		t.Errorf("./data was made in the working directory")
	}
	if os.Geteuid() == 0 {
		// As root, a --data that does not exist is refused too.
		dir := filepath.Join(t.TempDir(), "new")
		if err := cmdImportCatalog(context.Background(), csv, []string{"--data", dir}, io.Discard, io.Discard); err == nil {
			t.Errorf("import as root made a data directory %s", dir)
		}
	}
}

// TestFileBeforeFlags: backup, restore and import take their file first;
// flags given before it are refused with the order to use, not taken as
// the file with the rest as "unexpected arguments".
func TestFileBeforeFlags(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"backup", "--data", dir, filepath.Join(dir, "b.db")},
		{"restore", "--data", dir, filepath.Join(dir, "b.db")},
		{"import", "catalog", "--data", dir, filepath.Join(dir, "c.csv")},
	} {
		t.Run(args[0], func(t *testing.T) {
			var out strings.Builder
			err := run(t.Context(), args, &out, &out)
			if err == nil || !strings.Contains(err.Error(), "the file before the flags") {
				t.Errorf("err = %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "posnode.db")); err == nil {
				t.Error("a database was made in the data directory")
			}
		})
	}
	// -h alone shows the command's flags, as for every other command.
	for _, args := range [][]string{{"backup", "-h"}, {"restore", "--help"}, {"import", "catalog", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out strings.Builder
			err := run(t.Context(), args, &out, &out)
			if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-data") || !strings.Contains(out.String(), "FILE") {
				t.Errorf("err = %v, output:\n%s", err, out.String())
			}
		})
	}
}

// The database a restore replaces is kept beside the new one as a .bak
// with customers' names and phones and the staff's PIN hashes: it is its
// owner's only, as every backup is, even when the replaced database was
// readable by others (made under umask 022 by an earlier version).
func TestRestoreKeepsTheReplacedDatabaseToItsOwner(t *testing.T) {
	ctx := context.Background()
	cfg, db := testNodeDB(t, 1)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := vacuumInto(ctx, db.Path(), backup); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(dbPath(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmdRestore(ctx, backup, []string{"--data", cfg.Data}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	kept := mustGlob(t, filepath.Join(cfg.Data, "posnode.db.*.bak*"))
	if len(kept) == 0 {
		t.Fatal("no database kept")
	}
	for _, p := range append(kept, dbPath(cfg)) {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if p == dbPath(cfg) {
			want = 0o640
		}
		if m := st.Mode().Perm(); m&^want != 0 {
			t.Errorf("%s: mode %v, want %v", filepath.Base(p), m, want)
		}
	}
}

// TestRestoreCutOffIsFinishedAtTheNextStart: a power cut at any step of a
// restore leaves either the database as it was, or the restore finished
// at the next start, never no database (which a node would open as a new,
// empty one, numbering receipts from 1 again) nor a log beside a database
// it was not written for.
func TestRestoreCutOffIsFinishedAtTheNextStart(t *testing.T) {
	ctx := context.Background()
	for _, cut := range []string{"after the commit", "after keeping the database", "then restored again"} {
		t.Run(cut, func(t *testing.T) {
			cfg, db := testNodeDB(t, 3)
			backup := filepath.Join(t.TempDir(), "backup.db")
			if err := vacuumInto(ctx, db.Path(), backup); err != nil {
				t.Fatal(err)
			}
			db.Close()
			live := dbPath(cfg)
			raw, err := openRaw(live, false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := raw.ExecContext(ctx, "UPDATE sales SET voided = 1"); err != nil {
				t.Fatal(err)
			}
			raw.Close()

			cutOff := errors.New("power cut")
			afterRestoreCommit = func() error { return cutOff }
			err = cmdRestore(ctx, backup, []string{"--data", cfg.Data}, io.Discard, io.Discard)
			afterRestoreCommit = func() error { return nil }
			if !errors.Is(err, cutOff) {
				t.Fatalf("restore: %v, want it cut off", err)
			}
			restored, kept, err := pendingRestore(live)
			if err != nil || restored == "" {
				t.Fatalf("pending restore: %q, %v", restored, err)
			}
			// The finish's own steps, as far as the cut lets them go.
			if cut == "after keeping the database" {
				if err := os.Rename(live, kept); err != nil {
					t.Fatal(err)
				}
			}
			if cut == "then restored again" {
				// The restore run again finishes the one cut off, keeps
				// the database that one restored, and restores anew.
				var out bytes.Buffer
				if err := cmdRestore(ctx, backup, []string{"--data", cfg.Data}, &out, io.Discard); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(out.String(), "finished the restore cut off before") {
					t.Errorf("second restore's output: %s", out.String())
				}
				if k := mustGlob(t, filepath.Join(cfg.Data, "posnode.db.*.bak")); len(k) != 2 {
					t.Fatalf("kept databases: %v, want the one replaced by each restore", k)
				}
			}

			db2, err := openDB(ctx, cfg, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			var n, voided int
			if err := db2.Read().QueryRowContext(ctx, "SELECT count(*), coalesce(sum(voided), 0) FROM sales").Scan(&n, &voided); err != nil {
				t.Fatal(err)
			}
			if n != 3 || voided != 0 {
				t.Fatalf("after the next start: %d sales, %d voided; want the backup's 3, none voided", n, voided)
			}
			if p, _, _ := pendingRestore(live); p != "" {
				t.Fatalf("restore still pending: %s", p)
			}
			// The replaced database is kept whole.
			old, err := openRaw(kept, false)
			if err != nil {
				t.Fatal(err)
			}
			defer old.Close()
			if err := old.QueryRow("SELECT coalesce(sum(voided), 0) FROM sales").Scan(&voided); err != nil || voided != 3 {
				t.Fatalf("kept database: %d voided, %v; want 3", voided, err)
			}
		})
	}
}
