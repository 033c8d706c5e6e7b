package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
)

func TestOffMapAgainstAMap(t *testing.T) {
	m := newOffMap(maphash.MakeSeed())
	defer m.free()
	want := map[string]string{}
	rng := rand.New(rand.NewPCG(1, 2))
	compactions := 0
	check := func() {
		t.Helper()
		if m.n != len(want) {
			t.Fatalf("%d entries, want %d", m.n, len(want))
		}
		for k, v := range want {
			got, ok := m.get(m.hash([]byte(k)), k)
			if !ok || string(got) != v {
				t.Fatalf("get(%q) = %q %v, want %q", k, got, ok, v)
			}
		}
		for i := range 50 {
			k := "missing-" + strconv.Itoa(i)
			if _, ok := m.get(m.hash([]byte(k)), k); ok {
				t.Fatalf("get(%q) found", k)
			}
		}
	}
	for round := range 20 {
		for range 2000 {
			k := "key-" + strconv.Itoa(rng.IntN(3000))
			h := m.hash([]byte(k))
			if rng.IntN(3) == 0 {
				m.del(h, k)
				delete(want, k)
				continue
			}
			v := fmt.Sprintf("%s@%d:%0*d", k, round, rng.IntN(400), 0)
			dead := m.dead
			if err := m.put(h, k, []byte(v)); err != nil {
				t.Fatal(err)
			}
			if m.dead < dead {
				compactions++
			}
			want[k] = v
		}
		check()
	}
	if compactions == 0 {
		t.Fatal("the map never compacted; the test does not reach that code")
	}
	big := make([]byte, chunkSize)
	if err := m.put(m.hash([]byte("big")), "big", big); !errors.Is(err, errEntryTooLarge) {
		t.Fatalf("entry larger than a chunk: %v", err)
	}
	check()
}

// openIndexed opens a new database and waits for its catalog index.
func openIndexed(t *testing.T, opt Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "pos.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	waitIndex(t, db)
	return db
}

// TestOffMapOutOfMemory checks that a map that cannot get memory refuses
// the change it was asked for and stays as it was.
func TestOffMapOutOfMemory(t *testing.T) {
	m := newOffMap(maphash.MakeSeed())
	defer m.free()
	want := map[string]string{}
	put := func(k, v string) error {
		err := m.put(m.hash([]byte(k)), k, []byte(v))
		if err == nil {
			want[k] = v
		}
		return err
	}
	// 100 values of 2,000 bytes, each replaced once: as much dead space
	// as live, in two chunks, not yet worth compacting.
	val := string(make([]byte, 2000))
	for round := range 2 {
		for i := range 100 {
			if err := put("key-"+strconv.Itoa(i), strconv.Itoa(round)+val); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer func() { offHeap = mapOffHeap }()
	offHeap = func(int) ([]byte, error) { return nil, errors.New("out of memory") }
	// More replacements fill the last chunk, and the dead space they add
	// makes the map try to compact; then a new chunk is needed; then
	// new keys past the load factor need a larger table.
	refused := 0
	for i := range 200 {
		if put("key-"+strconv.Itoa(i%100), "2"+val) != nil {
			refused++
		}
	}
	if m.dead <= chunkSize {
		t.Fatalf("dead space %d: the map never tried to compact", m.dead)
	}
	for i := range 400 {
		if put("new-"+strconv.Itoa(i), "v") != nil {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("no change needed memory; the test does not reach that code")
	}
	if m.n != len(want) {
		t.Fatalf("%d entries, want %d", m.n, len(want))
	}
	for k, v := range want {
		if got, ok := m.get(m.hash([]byte(k)), k); !ok || string(got) != v {
			t.Fatalf("get(%q) = %.20q %v, want %.20q", k, got, ok, v)
		}
	}
}

// waitIndex waits until the catalog index answers lookups.
func waitIndex(t *testing.T, db *DB) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !db.catalog.ready.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("catalog index not ready: %v", db.CatalogIndex().Err)
		}
	}
}

// sameAsSQLite checks that the index answers every key as SQLite does and
// holds nothing SQLite does not.
func sameAsSQLite(t *testing.T, db *DB, keys []string) {
	t.Helper()
	ctx := context.Background()
	for _, k := range keys {
		want, err := scanItem(db.itemByCode.QueryRowContext(ctx, k))
		wantFound := err == nil
		if err != nil && notFound("item", k, err) == err {
			t.Fatalf("SQLite lookup %q: %v", k, err)
		}
		got, found, ok := db.catalog.lookup(k)
		if !ok {
			t.Fatalf("index cannot answer %q", k)
		}
		if found != wantFound || (found && !reflect.DeepEqual(got, want)) {
			t.Fatalf("lookup %q:\nindex  %v %+v\nSQLite %v %+v", k, found, got, wantFound, want)
		}
	}
	var items, codes int
	if err := db.r.QueryRow("SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM barcodes)").Scan(&items, &codes); err != nil {
		t.Fatal(err)
	}
	if st := db.CatalogIndex(); st.Items != items || st.Barcodes != codes || !st.Ready {
		t.Fatalf("index holds %d items and %d barcodes (ready %v), SQLite %d and %d", st.Items, st.Barcodes, st.Ready, items, codes)
	}
}

// randomItems makes items from small pools of SKUs and barcodes, so that
// barcodes move between items and pages.
func randomItems(rng *rand.Rand, n int) []pos.Item {
	var items []pos.Item
	for range n {
		sku := "S" + strconv.Itoa(rng.IntN(60))
		it := pos.Item{SKU: sku, Active: rng.IntN(4) > 0, Unit: pos.UnitEach, Price: rng.Int64N(100000), TaxRateBP: 2500,
			Names: map[string]string{"en": "Item " + sku + " v" + strconv.Itoa(rng.IntN(9))}}
		if rng.IntN(3) == 0 {
			it.Names["zh-Hant"] = "商品 " + sku
			it.Unit = pos.UnitKg
		}
		if rng.IntN(2) == 0 {
			it.Location = "A" + strconv.Itoa(rng.IntN(9))
		}
		for range rng.IntN(4) {
			it.Barcodes = append(it.Barcodes, "73"+strconv.Itoa(100+rng.IntN(80)))
		}
		if rng.IntN(10) == 0 {
			it.Barcodes = append(it.Barcodes, "S"+strconv.Itoa(rng.IntN(60))) // one item's barcode, another's SKU
		}
		items = append(items, it)
	}
	return items
}

func catalogKeys() []string {
	keys := []string{"", "nothing", "7399"}
	for i := range 60 {
		keys = append(keys, "S"+strconv.Itoa(i))
	}
	for i := range 80 {
		keys = append(keys, "73"+strconv.Itoa(100+i))
	}
	return keys
}

// TestCatalogIndexFollowsSQLite writes the catalog every way the node
// does (imports, central's pages with items and barcodes moving between
// them, manifests dropping pages, a page refused half-way) and checks
// after each write that the index answers every key as SQLite does.
func TestCatalogIndexFollowsSQLite(t *testing.T) {
	ctx := context.Background()
	db := openIndexed(t, Options{})
	rng := rand.New(rand.NewPCG(3, 4))
	keys := catalogKeys()
	version := int64(0)
	pages := []string{"p0", "p1", "p2", "p3"}
	kinds := map[string]int{}
	for step := range 300 {
		var what string
		switch r := rng.IntN(10); {
		case r < 3:
			what = "import"
			if err := db.PutItems(ctx, randomItems(rng, 1+rng.IntN(6)), pos.VariableMeasure{}); err != nil {
				t.Fatal(err)
			}
		case r < 8:
			what = "page"
			version++
			p := pos.CatalogPage{Page: pages[rng.IntN(len(pages))], Version: version, Items: randomItems(rng, rng.IntN(12))}
			if rng.IntN(8) == 0 {
				what = "refused page"
				p.Items = append(p.Items, pos.Item{SKU: "bad\tsku", Unit: pos.UnitEach})
			}
			if _, err := db.ApplyCatalogPage(ctx, p, pos.VariableMeasure{}); (err != nil) != (what == "refused page") {
				t.Fatalf("%s: %v", what, err)
			}
		default:
			what = "manifest"
			version++
			kept := map[string]int64{}
			for _, p := range pages {
				if rng.IntN(3) > 0 {
					kept[p] = version
				}
			}
			if _, _, err := db.ApplyManifest(ctx, KindCatalog, version, kept); err != nil {
				t.Fatal(err)
			}
		}
		kinds[what]++
		t.Run(fmt.Sprintf("%d-%s", step, what), func(t *testing.T) { sameAsSQLite(t, db, keys) })
		if t.Failed() {
			return
		}
	}
	t.Logf("writes: %v", kinds)
}

// TestCatalogIndexBuildKeepsCommitsMeanwhile commits catalog changes
// after the index's snapshot is taken and before it is read: they must be
// replayed on top of it.
func TestCatalogIndexBuildKeepsCommitsMeanwhile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pos.db")
	rng := rand.New(rand.NewPCG(5, 6))
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutItems(ctx, randomItems(rng, 40), pos.VariableMeasure{}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	wrote := make(chan error, 1)
	testHookIndexSnapshot = func(db *DB) {
		err := db.PutItems(ctx, randomItems(rng, 20), pos.VariableMeasure{})
		// Two pages: the memory of the first, which its queued changes
		// point into, must not serve the second.
		for _, page := range []string{"p0", "p1"} {
			if err == nil {
				_, err = db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: page, Version: 1, Items: randomItems(rng, 10)}, pos.VariableMeasure{})
			}
		}
		wrote <- err
	}
	defer func() { testHookIndexSnapshot = nil }()
	db, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if !db.catalog.ready.Load() {
		t.Fatal("the index of a small catalog is not ready when Open returns")
	}
	sameAsSQLite(t, db, catalogKeys())
}

// TestCatalogIndexGivenUp checks that lookups are answered by SQLite while
// the writer holds a shard and once the index is off, and that the node
// goes on writing the catalog.
func TestCatalogIndexGivenUp(t *testing.T) {
	ctx := context.Background()
	var offs []error
	db := openIndexed(t, Options{OnCatalogIndexOff: func(err error) { offs = append(offs, err) }})
	items := randomItems(rand.New(rand.NewPCG(7, 8)), 30)
	if err := db.PutItems(ctx, items, pos.VariableMeasure{}); err != nil {
		t.Fatal(err)
	}
	// A shard the writer holds is not waited for: SQLite answers.
	sh, _ := db.catalog.shard(items[0].SKU)
	sh.mu.Lock()
	_, _, ok := db.catalog.lookup(items[0].SKU)
	it, err := db.ItemByCode(ctx, items[0].SKU)
	sh.mu.Unlock()
	if ok || err != nil || it.SKU != items[0].SKU {
		t.Fatalf("lookup while the writer holds the shard: index answered %v; ItemByCode %+v %v", ok, it, err)
	}

	db.catalog.giveUp(errors.New("test"))
	if _, _, ok := db.catalog.lookup(items[0].SKU); ok {
		t.Fatal("index answers after giving up")
	}
	if st := db.CatalogIndex(); st.Ready || st.Err == nil || st.Bytes != 0 || st.Items != 0 {
		t.Fatalf("index after giving up: %+v", st)
	}
	db.catalog.giveUp(errors.New("again"))
	if len(offs) != 1 || offs[0].Error() != "test" {
		t.Fatalf("told of the index turning off: %v, want once, with its reason", offs)
	}
	// Closing the database turns the index off too, but is not reported.
	var closed []error
	db2, err := Open(ctx, filepath.Join(t.TempDir(), "pos.db"), Options{OnCatalogIndexOff: func(err error) { closed = append(closed, err) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := db2.Close(); err != nil || len(closed) != 0 {
		t.Fatalf("close: %v; reported as the index turning off: %v", err, closed)
	}
	last := items[len(items)-1]
	last.Price++
	if err := db.PutItems(ctx, []pos.Item{last}, pos.VariableMeasure{}); err != nil {
		t.Fatal(err)
	}
	if it, err := db.ItemByCode(ctx, last.SKU); err != nil || it.Price != last.Price {
		t.Fatalf("lookup after the index gave up: %+v %v", it, err)
	}
	if _, err := db.ItemByCode(ctx, "nothing"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("missing item: %v", err)
	}
}

func TestItemRecordRoundTrip(t *testing.T) {
	for _, r := range []itemRecord{
		{},
		{active: true, price: 1_000_000_000, taxRateBP: 2500, unit: "kg", location: "A1", page: "p9",
			names: `{"en":"Apple","zh-Hant":"蘋果"}`, codes: []string{"2012345", "7310"}},
		{price: -1, codes: []string{""}},
	} {
		got, err := decodeItemRecord(r.appendTo(nil))
		if err != nil {
			t.Fatal(err)
		}
		if r.codes == nil {
			r.codes = []string{}
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("round trip: %+v, want %+v", got, r)
		}
	}
	rec := itemRecord{active: true, price: 4990, taxRateBP: 1200, unit: "each", location: "B2", page: "p1",
		names: `{"en":"Mug","sv":"Mugg"}`, codes: []string{"7310", "7320"}}
	b := rec.appendTo(nil)
	it, err := decodeItem("S1", b)
	want := pos.Item{SKU: "S1", Active: true, Price: 4990, TaxRateBP: 1200, Unit: "each", Location: "B2",
		Names: map[string]string{"en": "Mug", "sv": "Mugg"}, Barcodes: []string{"7310", "7320"}}
	if err != nil || !reflect.DeepEqual(it, want) {
		t.Fatalf("decodeItem = %+v, %v; want %+v", it, err, want)
	}
	for i := range len(b) {
		if _, err := decodeItemRecord(b[:i]); err == nil {
			t.Fatalf("%d of %d bytes decoded", i, len(b))
		}
		if _, err := decodeItem("S1", b[:i]); err == nil {
			t.Fatalf("%d of %d bytes decoded as an item", i, len(b))
		}
	}
}

// FuzzDecodeNames holds the names decoder of the index's lookups to
// encoding/json's results, which SQLite's lookups get.
func FuzzDecodeNames(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeNames(string(b))
		var want map[string]string
		werr := json.Unmarshal(b, &want)
		if (err == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeNames(%q) = %#v, %v; encoding/json: %#v, %v", b, got, err, want, werr)
		}
	})
}
