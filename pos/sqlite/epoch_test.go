package sqlite_test

import (
	"context"
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
