package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
)

// TestNewEpochAfterRestore: a database restored from a backup starts a new
// epoch: the outstanding events keep their ids and order from seq 1, the
// acknowledged ones are gone, stock stays as it was, and the next sale
// follows on without a gap.
func TestNewEpochAfterRestore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pos.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	// Sale 1: 500 g of apples, an item central has never counted here.
	v, err := svc.OpenCart(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if v, err = svc.AddItem(ctx, a, v.ID, "300100", 500); err != nil {
		t.Fatal(err)
	}
	if v, err = svc.PayCash(ctx, a, v.ID, 5000); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Complete(ctx, a, v.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ { // sales 2-5
		sellBackpack(t, svc, a)
	}
	old := db.Epoch()
	// Central counted stock as of seq 2 and acknowledged events 1-3.
	if err := db.Update(ctx, func(tx *sqlite.Tx) error { return tx.SetCentralStock("100234", 40, old, 2, "") }); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.Ack(ctx, old, 3, nil); err != nil || !ok {
		t.Fatalf("ack: %v %v", ok, err)
	}
	before, _ := db.Stock(ctx, "100234")
	applesBefore, _ := db.Stock(ctx, "300100")
	evs, _ := db.EventsAfter(ctx, 3, 10)
	db.Close()

	prev, outstanding, err := sqlite.NewEpoch(ctx, path, "epoch-2")
	if err != nil || prev != old || outstanding != 2 {
		t.Fatalf("NewEpoch = %q, %d, %v", prev, outstanding, err)
	}
	db, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Epoch() != "epoch-2" {
		t.Fatalf("epoch = %s", db.Epoch())
	}
	got, _ := db.EventsAfter(ctx, 0, 10)
	if len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 2 || got[0].ID != evs[0].ID || got[1].ID != evs[1].ID || got[0].Epoch != "epoch-2" {
		t.Fatalf("outstanding events after the new epoch: %+v (were %+v)", got, evs)
	}
	// Local stock reads the same: central's 40 as of seq 2, less sales
	// 3, 4 and 5; and the apples never counted by central.
	after, _ := db.Stock(ctx, "100234")
	if before.OnHand != 37 || after.OnHand != before.OnHand {
		t.Errorf("stock before %+v, after %+v; want 37 both", before, after)
	}
	if st, _ := db.Stock(ctx, "300100"); st.OnHand != applesBefore.OnHand || st.OnHand != -500 {
		t.Errorf("apples after the new epoch %+v, before %+v; want -500", st, applesBefore)
	}
	sellBackpack(t, pos.NewService(pos.Options{Store: db}), a)
	got, _ = db.EventsAfter(ctx, 0, 10)
	if len(got) != 3 || got[2].Seq != 3 {
		t.Fatalf("next sale's event: %+v", got)
	}
}

// TestRolledBackDatabaseBeginsNewEpoch: central acknowledges more of the
// epoch than a database rolled back to an older copy holds. Nothing of that
// ack is recorded (the events recorded since would take seqs central
// already holds and pass for delivered), and the next start begins a new
// epoch in which every event central has not acknowledged goes out again
// with its id.
func TestRolledBackDatabaseBeginsNewEpoch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pos.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	appendEvents(t, db, 5)
	old := db.Epoch()
	if through, ok, err := db.Ack(ctx, old, 2, nil); err != nil || !ok || through != 2 {
		t.Fatalf("ack = %d %v %v", through, ok, err)
	}
	// Central holds seq 1-8 of this epoch; this copy ends at 5.
	through, ok, err := db.Ack(ctx, old, 8, []pos.Rejection{{Seq: 4, Reason: "bad"}})
	var ahead *pos.AheadError
	if !errors.As(err, &ahead) || ok || through != 2 || ahead.Through != 8 || ahead.LastSeq != 5 || ahead.Epoch != old {
		t.Fatalf("ack beyond the last event = %d %v %v; want an AheadError and the point left at 2", through, ok, err)
	}
	// Seq 6-9: central has other events at 6-8. Its ack, sent again on
	// every connection, now lies within the node's events and must still
	// be refused, or events never sent would count as delivered.
	appendEvents(t, db, 4)
	if _, ok, err := db.Ack(ctx, old, 8, nil); !errors.As(err, &ahead) || ok || ahead.Through != 8 || ahead.LastSeq != 9 {
		t.Fatalf("the same ack once the node has sold past it: %v %v; want an AheadError", ok, err)
	}
	if _, _, err := db.Ack(ctx, old, 3, nil); !errors.As(err, &ahead) || ahead.Through != 8 {
		t.Fatalf("a lower ack after central was found ahead: %v; want an AheadError through 8", err)
	}
	st, err := db.OutboxStats(ctx)
	if err != nil || st.AckedThrough != 2 || st.Depth != 7 || st.Rejected != 0 {
		t.Fatalf("stats after the refused acks = %+v, %v; want acked 2, depth 7, nothing rejected", st, err)
	}
	want, _ := db.EventsAfter(ctx, 2, 10)
	db.Close()

	// A tool opening the database (a backup, a report) leaves it held.
	db, err = sqlite.Open(ctx, path, sqlite.Options{OnNewEpoch: func(string, string, int64) { t.Error("a new epoch begun by a tool") }})
	if err != nil {
		t.Fatal(err)
	}
	if db.Epoch() != old {
		t.Fatalf("epoch %s after a tool opened the database, want %s", db.Epoch(), old)
	}
	if _, _, err := db.Ack(ctx, old, 8, nil); !errors.As(err, &ahead) {
		t.Fatalf("ack after a tool opened the database: %v; want an AheadError", err)
	}
	db.Close()

	var told []any
	db, err = sqlite.Open(ctx, path, sqlite.Options{RenewEpoch: true, OnNewEpoch: func(old, epoch string, outstanding int64) {
		told = append(told, old, epoch, outstanding)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if db.Epoch() == old || len(told) != 3 || told[0] != old || told[1] != db.Epoch() || told[2] != int64(7) {
		t.Fatalf("epoch %s after the start (was %s), told %v", db.Epoch(), old, told)
	}
	got, _ := db.EventsAfter(ctx, 0, 10)
	if len(got) != len(want) {
		t.Fatalf("%d events outstanding in the new epoch, want %d", len(got), len(want))
	}
	for i, ev := range got {
		if ev.Seq != int64(i+1) || ev.ID != want[i].ID || ev.Epoch != db.Epoch() {
			t.Fatalf("event %d in the new epoch = seq %d id %s epoch %s; want seq %d id %s", i, ev.Seq, ev.ID, ev.Epoch, i+1, want[i].ID)
		}
	}
	// The old epoch's ack is ignored now; the new one's is taken.
	if _, ok, err := db.Ack(ctx, old, 8, nil); ok || err != nil {
		t.Fatalf("old epoch's ack: %v %v", ok, err)
	}
	if through, ok, err := db.Ack(ctx, db.Epoch(), 7, nil); err != nil || !ok || through != 7 {
		t.Fatalf("new epoch's ack = %d %v %v", through, ok, err)
	}
	epoch := db.Epoch()
	db.Close()
	// Begun once: the next start keeps the new epoch.
	db, err = sqlite.Open(ctx, path, sqlite.Options{RenewEpoch: true, OnNewEpoch: func(string, string, int64) { t.Error("a second new epoch") }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Epoch() != epoch {
		t.Fatalf("epoch %s after a plain restart, want %s", db.Epoch(), epoch)
	}
}

// TestRenewEpochWhileRunning: a running node found behind central begins
// the new epoch without a restart; the held events follow on from seq 1
// with their ids, and a database central is not ahead of keeps its epoch.
func TestRenewEpochWhileRunning(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	appendEvents(t, db, 5)
	first := db.Epoch()
	if old, epoch, n, err := db.RenewEpoch(ctx); err != nil || old != "" || epoch != "" || n != 0 || db.Epoch() != first {
		t.Fatalf("RenewEpoch with central not ahead = %q %q %d %v, epoch %s", old, epoch, n, err, db.Epoch())
	}
	if _, _, err := db.Ack(ctx, first, 2, nil); err != nil {
		t.Fatal(err)
	}
	var ahead *pos.AheadError
	if _, _, err := db.Ack(ctx, first, 8, nil); !errors.As(err, &ahead) {
		t.Fatalf("ack beyond the last event: %v", err)
	}
	appendEvents(t, db, 4) // seq 6-9, held
	want, _ := db.EventsAfter(ctx, 2, 10)

	old, epoch, n, err := db.RenewEpoch(ctx)
	if err != nil || old != first || epoch == "" || epoch == first || n != 7 || db.Epoch() != epoch {
		t.Fatalf("RenewEpoch = %q %q %d %v, epoch now %s; want %s to a new one, 7 events", old, epoch, n, err, db.Epoch(), first)
	}
	appendEvents(t, db, 1) // the next sale follows on
	got, _ := db.EventsAfter(ctx, 0, 20)
	if len(got) != 8 {
		t.Fatalf("%d events in the new epoch, want 8", len(got))
	}
	for i, ev := range got {
		if ev.Seq != int64(i+1) || ev.Epoch != epoch || (i < len(want) && ev.ID != want[i].ID) {
			t.Fatalf("event %d = seq %d epoch %s id %s", i, ev.Seq, ev.Epoch, ev.ID)
		}
	}
	if _, ok, err := db.Ack(ctx, first, 8, nil); ok || err != nil {
		t.Fatalf("the old epoch's ack after the new epoch: %v %v; want it ignored", ok, err)
	}
	if through, ok, err := db.Ack(ctx, epoch, 8, nil); err != nil || !ok || through != 8 {
		t.Fatalf("the new epoch's ack = %d %v %v", through, ok, err)
	}
	if old, epoch2, _, err := db.RenewEpoch(ctx); err != nil || old != "" || epoch2 != "" || db.Epoch() != epoch {
		t.Fatalf("a second RenewEpoch = %q %q %v", old, epoch2, err)
	}
}

// TestStockPageOfThePreviousEpoch: after a database restored from a
// backup begins a new epoch, central's page still counts as of the old
// epoch (the retained page, read at reconnection), which includes the
// events sent again under the new one up to its seq. Their movements are
// not taken off a second time; a sale made since is.
func TestStockPageOfThePreviousEpoch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pos.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	svc := pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}})
	for range 5 { // sales 1-5, a backpack each
		sellBackpack(t, svc, a)
	}
	old := db.Epoch()
	if _, ok, err := db.Ack(ctx, old, 3, nil); err != nil || !ok {
		t.Fatalf("ack: %v %v", ok, err)
	}
	db.Close()
	if _, outstanding, err := sqlite.NewEpoch(ctx, path, "epoch-2"); err != nil || outstanding != 2 {
		t.Fatalf("NewEpoch: %d outstanding, %v", outstanding, err)
	}
	db, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Central counted 35 as of the old epoch's seq 5: all five sales.
	if err := db.Update(ctx, func(tx *sqlite.Tx) error { return tx.SetCentralStock("100234", 35, old, 5, "") }); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.Stock(ctx, "100234"); st.OnHand != 35 {
		t.Fatalf("on hand %d with central's 35 counting every sale, want 35", st.OnHand)
	}
	sellBackpack(t, pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}}), a)
	if st, _ := db.Stock(ctx, "100234"); st.OnHand != 34 {
		t.Fatalf("on hand %d after a sale of the new epoch, want 34", st.OnHand)
	}
	// As of the old epoch's seq 4, central has sale 5 (now seq 2) to come.
	if err := db.Update(ctx, func(tx *sqlite.Tx) error { return tx.SetCentralStock("100234", 36, old, 4, "") }); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.Stock(ctx, "100234"); st.OnHand != 34 {
		t.Fatalf("on hand %d with central's 36 as of sale 4, want 34", st.OnHand)
	}
}

// restoreAgain closes db, begins epoch in its file as posnode restore
// does, and opens it again.
func restoreAgain(t *testing.T, db *sqlite.DB, epoch string) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	path := db.Path()
	db.Close()
	if _, _, err := sqlite.NewEpoch(ctx, path, epoch); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestStockThroughTwoRestores: central's count as of the first epoch
// includes events renumbered into the second, and a second restore
// renumbers them again. The count read before the second restore stays
// what it was, and one read after it (central saw nothing of the second
// epoch) still includes them: neither takes a sale off twice.
func TestStockThroughTwoRestores(t *testing.T) {
	ctx := context.Background()
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	sell := func(db *sqlite.DB, n int) {
		for range n {
			sellBackpack(t, pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}}), a)
		}
	}
	onHand := func(db *sqlite.DB) int64 {
		t.Helper()
		st, err := db.Stock(ctx, "100234")
		if err != nil {
			t.Fatal(err)
		}
		return st.OnHand
	}
	first := func(t *testing.T) (*sqlite.DB, string) {
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
			t.Fatal(err)
		}
		sell(db, 5) // seq 1-5
		old := db.Epoch()
		if _, ok, err := db.Ack(ctx, old, 3, nil); err != nil || !ok {
			t.Fatalf("ack: %v %v", ok, err)
		}
		return restoreAgain(t, db, "epoch-2"), old // sales 4 and 5 are seq 1 and 2
	}

	t.Run("count read before", func(t *testing.T) {
		db, old := first(t)
		// Central counted 35 as of the first epoch's seq 5, every sale.
		if err := db.Update(ctx, func(tx *sqlite.Tx) error { return tx.SetCentralStock("100234", 35, old, 5, "") }); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := db.Ack(ctx, "epoch-2", 2, nil); err != nil || !ok {
			t.Fatalf("ack: %v %v", ok, err)
		}
		sell(db, 1) // seq 3
		if n := onHand(db); n != 34 {
			t.Fatalf("on hand %d before the second restore, want 34", n)
		}
		db = restoreAgain(t, db, "epoch-3")
		if n := onHand(db); n != 34 {
			t.Fatalf("on hand %d after the second restore, want 34 as before it", n)
		}
	})
	t.Run("count read after", func(t *testing.T) {
		db, old := first(t)
		sell(db, 1) // seq 3, central sees nothing of this epoch
		db = restoreAgain(t, db, "epoch-3")
		if err := db.Update(ctx, func(tx *sqlite.Tx) error { return tx.SetCentralStock("100234", 35, old, 5, "") }); err != nil {
			t.Fatal(err)
		}
		if n := onHand(db); n != 34 {
			t.Fatalf("on hand %d with central's 35 as of the first epoch's every sale and one sale since, want 34", n)
		}
		// As of its seq 4, central has sale 5 still to come.
		if err := db.Update(ctx, func(tx *sqlite.Tx) error { return tx.SetCentralStock("100234", 36, old, 4, "") }); err != nil {
			t.Fatal(err)
		}
		if n := onHand(db); n != 34 {
			t.Fatalf("on hand %d with central's 36 as of sale 4, want 34", n)
		}
	})
}

// TestStockAfterRollback: a database put back without a restore records
// sales at seqs central holds other sales of. Its count as of the old
// epoch, read before the new epoch begins or after, includes none of
// them, and they are taken off: they were taken for the ones central
// counted.
func TestStockAfterRollback(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pos.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	svc := pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}})
	for range 3 { // seq 1-3, acknowledged, then the database is put back here
		sellBackpack(t, svc, a)
	}
	old := db.Epoch()
	if _, ok, err := db.Ack(ctx, old, 3, nil); err != nil || !ok {
		t.Fatalf("ack: %v %v", ok, err)
	}
	// Before it was put back, central had counted and acknowledged
	// seq 4-6, three sales the database no longer has.
	sellBackpack(t, svc, a) // seq 4, another sale than central's
	// 40 less central's six sales, read before the new epoch begins; the
	// node's seq 4 is not among them.
	if err := db.Update(ctx, func(tx *sqlite.Tx) error { return tx.SetCentralStock("100234", 34, old, 6, "") }); err != nil {
		t.Fatal(err)
	}
	var ahead *pos.AheadError
	if _, _, err := db.Ack(ctx, old, 6, nil); !errors.As(err, &ahead) {
		t.Fatalf("ack beyond the last event: %v", err)
	}
	if _, epoch, n, err := db.RenewEpoch(ctx); err != nil || epoch == "" || n != 1 {
		t.Fatalf("RenewEpoch = %q %d %v", epoch, n, err)
	}
	if st, _ := db.Stock(ctx, "100234"); st.OnHand != 33 {
		t.Fatalf("on hand %d with central's 34 read before the new epoch, which does not count the sale made since the database was put back; want 33", st.OnHand)
	}
	// The same count read again after it.
	if err := db.Update(ctx, func(tx *sqlite.Tx) error { return tx.SetCentralStock("100234", 34, old, 6, "") }); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.Stock(ctx, "100234"); st.OnHand != 33 {
		t.Fatalf("on hand %d with central's 34, which does not count the sale made since the database was put back; want 33", st.OnHand)
	}
}
