package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// migrationFiles are the schema migrations as shipped, by version.
func migrationFiles(t *testing.T) map[int]string {
	t.Helper()
	names, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	out := map[int]string{}
	for _, n := range names {
		v, err := strconv.Atoi(strings.SplitN(filepath.Base(n), "_", 2)[0])
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[v] = string(b)
	}
	return out
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// oldDatabase builds, by hand, the database an older posnode with schema
// version through left behind: the migrations up to it applied, and a
// node's worth of data in it (epoch, an item with a barcode, stock, one
// recorded event).
func oldDatabase(t *testing.T, through int) (path, epoch string) {
	t.Helper()
	files := migrationFiles(t)
	path = filepath.Join(t.TempDir(), "old.db")
	db := rawDB(t, path)
	defer db.Close()
	for v := 1; v <= through; v++ {
		src, ok := files[v]
		if !ok {
			t.Fatalf("migration %d missing", v)
		}
		if _, err := db.Exec(src); err != nil {
			t.Fatalf("migration %d by hand: %v", v, err)
		}
	}
	epoch = "0b7e5d0a-1111-4222-8333-444455556666"
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC).Format(time.RFC3339Nano)
	stmts := []string{
		fmt.Sprintf("INSERT INTO meta(key, value) VALUES ('epoch', '%s'), ('created_at', '%s')", epoch, at),
		`INSERT INTO items(sku, active, names, search, unit, price, tax_rate_bp) VALUES ('100234', 1, '{"en":"Backpack"}', 'backpack 100234', 'each', 49900, 2500)`,
		"INSERT INTO barcodes(code, sku) VALUES ('7310865004703', '100234')",
		"INSERT INTO stock_central(sku, on_hand) VALUES ('100234', 14)",
		"INSERT INTO counters(name, value) VALUES ('event_seq', 1)",
		fmt.Sprintf(`INSERT INTO outbox(seq, id, type, time, data, created_at) VALUES (1, 'ev-1', 'pos.stock.adjusted', '%s', '{"sku":"100234","delta":-1,"reason":"damage"}', '%s')`, at, at),
		fmt.Sprintf("PRAGMA user_version = %d", through),
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path, epoch
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	db := rawDB(t, path)
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// waitForSchema polls the schema version of the database at path, which
// another process is upgrading, until it reaches at or the process has
// exited.
func waitForSchema(t *testing.T, path string, at int, exited <-chan struct{}) {
	t.Helper()
	db := rawDB(t, path)
	defer db.Close()
	for {
		var v int
		if err := db.QueryRow("PRAGMA user_version").Scan(&v); err == nil && v >= at {
			return
		}
		select {
		case <-exited:
			return
		case <-time.After(time.Millisecond):
		}
	}
}

// schema lists every table, index and trigger with its SQL.
func schema(t *testing.T, path string) []string {
	t.Helper()
	db := rawDB(t, path)
	defer db.Close()
	rows, err := db.Query("SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestMigrateFromOlderSchema(t *testing.T) {
	latest := sqlite.SchemaVersion()
	// From every version a store may still run: each migration sees the
	// data of the one before it, not only of the first.
	var froms []int
	for v := 1; v < latest; v++ {
		froms = append(froms, v)
	}
	if latest == 1 {
		t.Log("only one schema version exists; migrating from it is a no-op")
	}
	for _, from := range froms {
		t.Run(fmt.Sprintf("from-%d", from), func(t *testing.T) {
			ctx := context.Background()
			path, epoch := oldDatabase(t, from)
			type call struct{ from, to, version int }
			var calls []call
			db, err := sqlite.Open(ctx, path, sqlite.Options{BeforeMigrate: func(p string, f, to int) error {
				// The hook runs before anything is changed: a backup
				// taken here is the old database.
				calls = append(calls, call{f, to, userVersion(t, p)})
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if from < latest {
				if len(calls) != 1 || calls[0] != (call{from, latest, from}) {
					t.Fatalf("BeforeMigrate calls = %+v, want one with %d -> %d on a database still at %d", calls, from, latest, from)
				}
			} else if len(calls) != 0 {
				t.Fatalf("BeforeMigrate called on a current database: %+v", calls)
			}
			if got := userVersion(t, path); got != latest {
				t.Fatalf("user_version = %d, want %d", got, latest)
			}
			if db.Epoch() != epoch {
				t.Fatalf("epoch = %q, want the old one %q", db.Epoch(), epoch)
			}
			var price, onHand int64
			if err := db.Read().QueryRowContext(ctx, "SELECT i.price, s.on_hand FROM items i JOIN stock_central s USING (sku) JOIN barcodes b USING (sku) WHERE b.code = '7310865004703'").Scan(&price, &onHand); err != nil {
				t.Fatal(err)
			}
			if price != 49900 || onHand != 14 {
				t.Fatalf("item after migration: price %d, on hand %d", price, onHand)
			}
			// The event stream goes on where the old node left it.
			evs, err := db.EventsAfter(ctx, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 || evs[0].ID != "ev-1" || evs[0].Seq != 1 {
				t.Fatalf("events after migration = %+v", evs)
			}
			ev := pos.Event{Type: pos.EventStockAdjusted, Time: time.Now(), Data: json.RawMessage(`{"sku":"100234","delta":1,"reason":"count"}`)}
			if err := db.Update(ctx, func(tx *sqlite.Tx) error { return tx.AppendEvent(&ev) }); err != nil {
				t.Fatal(err)
			}
			if ev.Seq != 2 || ev.Epoch != epoch {
				t.Fatalf("next event: seq %d epoch %s, want 2 in %s", ev.Seq, ev.Epoch, epoch)
			}
		})
	}
}

func TestRefuseNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newer.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	newer := sqlite.SchemaVersion() + 1
	raw := rawDB(t, path)
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := schema(t, path)
	called := false
	_, err = sqlite.Open(ctx, path, sqlite.Options{BeforeMigrate: func(string, int, int) error { called = true; return nil }})
	if !errors.Is(err, sqlite.ErrNewerSchema) {
		t.Fatalf("open a newer database: err = %v, want ErrNewerSchema", err)
	}
	if msg := err.Error(); !strings.Contains(msg, strconv.Itoa(newer)) || !strings.Contains(msg, "upgrade posnode") {
		t.Errorf("message does not say which version and what to do: %q", msg)
	}
	if called {
		t.Error("BeforeMigrate called for a newer database")
	}
	if got := userVersion(t, path); got != newer {
		t.Fatalf("user_version changed to %d", got)
	}
	if after := schema(t, path); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("schema changed:\n%s", strings.Join(after, "\n"))
	}
}

var createRe = regexp.MustCompile(`(?i)CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)`)

// TestFailedMigrationLeavesDatabase breaks the newest migration part-way
// (an object it creates last already exists) and checks that the database
// is exactly as before it: schema, version and data.
func TestFailedMigrationLeavesDatabase(t *testing.T) {
	// The newest migration that creates something fails on an object of
	// that name put there before it.
	files := migrationFiles(t)
	latest := sqlite.SchemaVersion()
	for ; latest > 1 && !createRe.MatchString(files[latest]); latest-- {
	}
	if latest < 2 {
		t.Fatal("no migration after the first creates anything to collide with")
	}
	ctx := context.Background()
	path, epoch := oldDatabase(t, latest-1)
	created := createRe.FindAllStringSubmatch(files[latest], -1)
	last := created[len(created)-1][1]
	if len(created) < 2 {
		t.Logf("migration %d fails at its only statement", latest)
	}
	raw := rawDB(t, path)
	if _, err := raw.Exec("CREATE TABLE " + last + " (squatter INTEGER)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := schema(t, path)
	sort.Strings(before)

	_, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err == nil {
		t.Fatal("migration over an existing object succeeded")
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("%04d_", latest)) {
		t.Errorf("error does not name the failed migration: %v", err)
	}
	if got := userVersion(t, path); got != latest-1 {
		t.Fatalf("user_version = %d after a failed migration, want %d", got, latest-1)
	}
	after := schema(t, path)
	sort.Strings(after)
	if strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("schema changed by a failed migration:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	raw = rawDB(t, path)
	defer raw.Close()
	var gotEpoch string
	var n int
	if err := raw.QueryRow("SELECT (SELECT value FROM meta WHERE key = 'epoch'), (SELECT count(*) FROM outbox)").Scan(&gotEpoch, &n); err != nil {
		t.Fatal(err)
	}
	if gotEpoch != epoch || n != 1 {
		t.Fatalf("data after a failed migration: epoch %q, %d events", gotEpoch, n)
	}
}

// TestBackupFailureStopsMigration: when the backup before migrating fails,
// the database is not touched.
func TestBackupFailureStopsMigration(t *testing.T) {
	latest := sqlite.SchemaVersion()
	if latest < 2 {
		t.Skip("needs two schema versions")
	}
	path, _ := oldDatabase(t, 1)
	before := schema(t, path)
	errNoSpace := errors.New("no space for the backup")
	_, err := sqlite.Open(context.Background(), path, sqlite.Options{BeforeMigrate: func(string, int, int) error { return errNoSpace }})
	if !errors.Is(err, errNoSpace) {
		t.Fatalf("err = %v, want the backup's error", err)
	}
	if got := userVersion(t, path); got != 1 {
		t.Fatalf("user_version = %d, want 1", got)
	}
	if after := schema(t, path); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatal("schema changed although the backup failed")
	}
}

// TestMigratedCatalogPagesKeepTheirItems migrates a database whose catalog
// pages were applied before pages listed their members: the items of a
// page still leave with it.
func TestMigratedCatalogPagesKeepTheirItems(t *testing.T) {
	ctx := context.Background()
	path, _ := oldDatabase(t, 5)
	raw := rawDB(t, path)
	for _, s := range []string{
		`INSERT INTO items(sku, active, names, search, unit, price, tax_rate_bp, page) VALUES
			('200001', 1, '{"en":"Tent"}', '200001 tent', 'each', 99900, 2500, '7'),
			('200002', 1, '{"en":"Stove"}', '200002 stove', 'each', 49900, 2500, '7')`,
		"INSERT INTO barcodes(code, sku) VALUES ('7310865009999', '200001')",
		"INSERT INTO sync_pages(kind, page, version, applied_at) VALUES ('catalog', '7', 3, '2026-11-01T10:00:00Z')",
	} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	raw.Close()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if it, err := db.ItemByCode(ctx, "7310865009999"); err != nil || it.SKU != "200001" || !it.Active {
		t.Fatalf("barcode after migration: %+v %v", it, err)
	}
	// Page 7 comes again without the stove: it is withdrawn.
	tent := pos.Item{SKU: "200001", Active: true, Names: map[string]string{"en": "Tent"}, Barcodes: []string{"7310865009999"}, Unit: pos.UnitEach, Price: 89900, TaxRateBP: 2500}
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "7", Version: 4, Items: []pos.Item{tent}}, pos.Sweden); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if it, err := db.ItemByCode(ctx, "200002"); err != nil || it.Active {
		t.Fatalf("stove after page 7 v4: %+v %v", it, err)
	}
	// The page leaves the manifest: the tent leaves with it.
	if applied, _, err := db.ApplyManifest(ctx, sqlite.KindCatalog, 1, map[string]int64{}); err != nil || !applied {
		t.Fatal(applied, err)
	}
	if it, err := db.ItemByCode(ctx, "200001"); err != nil || it.Active || it.Price != 89900 {
		t.Fatalf("tent after its page left: %+v %v", it, err)
	}
	var fk int
	if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM pragma_foreign_key_check").Scan(&fk); err != nil || fk != 0 {
		t.Fatalf("foreign key check: %d rows, %v", fk, err)
	}
}

// Ended orders whose notices were never seen before the upgrade come back
// to the counter's queue with them only if they ended in the last 7 days:
// older ones are not put above the open orders.
func TestMigratedPickupNoticesOnlyRecentOnes(t *testing.T) {
	ctx := context.Background()
	path, _ := oldDatabase(t, 11)
	raw := rawDB(t, path)
	recent := time.Now().Add(-24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000000000Z")
	old := time.Now().Add(-30 * 24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000000000Z")
	doc := func(id, state string) string {
		return fmt.Sprintf(`{"order":{"order_id":"%s"},"state":"%s","rev":1,"lines":[],"notices":[{"at":"2026-11-01T10:00:00Z","kind":"fetch_bags"}]}`, id, state)
	}
	for _, o := range []struct{ id, state, at string }{{"W-recent", "cancelled", recent}, {"W-old", "cancelled", old}, {"W-none", "expired", recent}} {
		d := doc(o.id, o.state)
		if o.id == "W-none" {
			d = fmt.Sprintf(`{"order":{"order_id":"%s"},"state":"%s","rev":1,"lines":[]}`, o.id, o.state)
		}
		if _, err := raw.Exec(`INSERT INTO pickup_orders(id, version, state, open, collect_by, search, rev, updated_at, doc)
			VALUES (?, 1, ?, 0, 0, ?, 1, ?, ?)`, o.id, o.state, o.id, o.at, d); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.PickupOrders(ctx, pos.PickupQuery{Notices: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, p.Order.ID)
	}
	if strings.Join(ids, ",") != "W-recent" {
		t.Fatalf("ended orders with notices after the upgrade: %q, want only W-recent", ids)
	}
}

// TestMigrationKilledLosesNothing kills a process upgrading a database of
// the first schema, with a catalog large enough that the upgrade takes a
// while, at moments spread over the upgrade, as a power cut would: before
// it begins, and as soon as a reader sees it has reached a schema, while
// the migrations after it run. Each time the database is whole, at a
// schema version the upgrade had reached, with every item and event, and
// the next start finishes the upgrade.
func TestMigrationKilledLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	ctx := context.Background()
	latest := sqlite.SchemaVersion()
	for _, at := range []int{1, 2, latest / 3, latest / 2, latest - 2, latest - 1} {
		t.Run(fmt.Sprint("at", at), func(t *testing.T) {
			path, epoch := oldDatabase(t, 1)
			raw := rawDB(t, path)
			if _, err := raw.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
				INSERT INTO items(sku, active, names, search, unit, price, tax_rate_bp)
				SELECT printf('9%06d', i), 1, '{"en":"Item"}', printf('item 9%06d', i), 'each', 100, 2500 FROM n;
				INSERT INTO barcodes(code, sku) SELECT '73' || substr(sku, 2) || '00000', sku FROM items WHERE sku LIKE '9%'`); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), migrateChildEnv+"="+path)
			var out strings.Builder
			cmd.Stdout = &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { _ = cmd.Wait(); close(exited) }()
			if at > 1 {
				waitForSchema(t, path, at, exited)
			}
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			reached := userVersion(t, path)
			t.Logf("killed at schema %d or after: schema %d (%q)", at, reached, out.String())
			if reached < at {
				t.Fatalf("schema %d after the kill, %d was seen before it", reached, at)
			}
			if reached < 1 || reached > latest {
				t.Fatalf("schema %d after the kill", reached)
			}
			raw = rawDB(t, path)
			if err := sqlite.IntegrityCheck(ctx, raw); err != nil {
				t.Fatal(err)
			}
			var items, codes int
			if err := raw.QueryRow("SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM barcodes)").Scan(&items, &codes); err != nil {
				t.Fatalf("schema %d after the kill: %v", reached, err)
			}
			raw.Close()
			if items != 20001 || codes != 20001 {
				t.Fatalf("schema %d after the kill: %d items, %d barcodes; want 20001 of each", reached, items, codes)
			}
			db, err := sqlite.Open(ctx, path, sqlite.Options{})
			if err != nil {
				t.Fatalf("start after a kill at schema %d: %v", reached, err)
			}
			defer db.Close()
			if got := userVersion(t, path); got != latest || db.Epoch() != epoch {
				t.Fatalf("after the next start: schema %d, epoch %s; want %d, %s", got, db.Epoch(), latest, epoch)
			}
			if n, err := db.CountItems(ctx); err != nil || n != 20001 {
				t.Fatalf("items after the next start = %d, %v", n, err)
			}
			if evs, err := db.EventsAfter(ctx, 0, 10); err != nil || len(evs) != 1 || evs[0].ID != "ev-1" {
				t.Fatalf("events after the next start = %+v, %v", evs, err)
			}
		})
	}
}

// TestMigratedSwedishScaleKeysFetchedAgain: a catalog page that listed a
// weighed item's code, kept by the seven-digit key older versions read,
// is fetched again when the manifest comes, and applied at the version
// the node held, so the code is kept by its eight-digit key and a scale
// label finds the item. Pages without such a code are not fetched again.
func TestMigratedSwedishScaleKeysFetchedAgain(t *testing.T) {
	ctx := context.Background()
	path, _ := oldDatabase(t, 12)
	raw := rawDB(t, path)
	for _, s := range []string{
		`INSERT INTO items(sku, active, names, search, unit, price, tax_rate_bp, page) VALUES
			('300100', 1, '{"en":"Apples"}', '300100 apples', 'kg', 2990, 1200, '3'),
			('200001', 1, '{"en":"Tent"}', '200001 tent', 'each', 99900, 2500, '4'),
			('300101', 1, '{"en":"Cheese"}', '300101 cheese', 'kg', 14900, 1200, '')`,
		"INSERT INTO barcodes(code, sku) VALUES ('2300100', '300100'), ('7310865009999', '200001'), ('2400101', '300101')",
		`INSERT INTO sync_pages(kind, page, version, applied_at, members) VALUES
			('catalog', '3', 5, '2026-11-01T10:00:00Z', '["300100"]'),
			('catalog', '4', 2, '2026-11-01T10:00:00Z', '["200001"]')`,
		`INSERT INTO sync_manifests(kind, version, pages) VALUES ('catalog', 9, '{"3":5,"4":2}')`,
	} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	raw.Close()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, held, err := db.ApplyManifest(ctx, sqlite.KindCatalog, 9, map[string]int64{"3": 5, "4": 2})
	if err != nil {
		t.Fatal(err)
	}
	if held["3"] >= 5 || held["4"] != 2 {
		t.Fatalf("held after the upgrade: %v, want page 3 to fetch again and page 4 kept", held)
	}
	apples := pos.Item{SKU: "300100", Active: true, Names: map[string]string{"en": "Apples"}, Barcodes: []string{"2300100000008"}, Unit: pos.UnitKg, Price: 2990, TaxRateBP: 1200}
	if ok, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "3", Version: 5, Items: []pos.Item{apples}}, pos.Sweden); err != nil || !ok {
		t.Fatalf("page 3 at version 5 again: %v, %v", ok, err)
	}
	code, err := pos.ParseCode("2300100012346", pos.Sweden)
	if err != nil {
		t.Fatal(err)
	}
	if it, err := db.ItemByCode(ctx, code.Key); err != nil || it.SKU != "300100" {
		t.Fatalf("a scale label after the page came again: %+v, %v", it, err)
	}
	if it, err := db.ItemByCode(ctx, "7310865009999"); err != nil || it.SKU != "200001" {
		t.Fatalf("tent: %+v, %v", it, err)
	}
}
