package sqlite_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
)

// A saved cart's event and the cart's removal commit together: a cart
// changed since it was read is neither removed nor announced.
func TestSaveCartToCustomerIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c := pos.Cart{ID: "c1", Station: "tablet-1", CreatedAt: now, UpdatedAt: now, Rev: 4, CustomerID: "C-1",
		Lines: []pos.Line{{ID: "l1", SKU: "100234", Unit: pos.UnitEach, Qty: 2, UnitPrice: 49900}}}
	if err := db.SaveCart(ctx, &c); err != nil {
		t.Fatal(err)
	}
	ev, err := pos.NewEvent("e1", pos.EventCartSaved, now, pos.SavedCart{CustomerID: "C-1", Lines: []pos.SavedCartLine{{SKU: "100234", Qty: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveCartToCustomer(ctx, "c1", 3, &ev); !errors.Is(err, pos.ErrConflict) {
		t.Fatalf("stale revision: %v, want ErrConflict", err)
	}
	if evs, _ := db.EventsAfter(ctx, 0, 10); len(evs) != 0 {
		t.Fatalf("a refused save left %d events", len(evs))
	}
	if _, err := db.Cart(ctx, "c1"); err != nil {
		t.Fatalf("a refused save removed the cart: %v", err)
	}
	if err := db.SaveCartToCustomer(ctx, "c1", 4, &ev); err != nil {
		t.Fatal(err)
	}
	evs, err := db.EventsAfter(ctx, 0, 10)
	if err != nil || len(evs) != 1 || evs[0].Seq != 1 || evs[0].Type != pos.EventCartSaved {
		t.Fatalf("events %+v, %v", evs, err)
	}
	if _, err := db.Cart(ctx, "c1"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("cart after saving: %v, want ErrNotFound", err)
	}
	if err := db.SaveCartToCustomer(ctx, "c1", 4, &ev); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("saving again: %v, want ErrNotFound", err)
	}
}

// A change refused by the domain's rule stores nothing; an accepted one is
// read back.
func TestUpdateStaff(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	admin := pos.NewStaffAdmin(db)
	m, err := admin.Add(ctx, "3", pos.Staff{ID: "3", Name: "Mia", Role: pos.RoleManager}, "3958")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Add(ctx, "3", pos.Staff{ID: "3", Name: "Again", Role: pos.RoleCashier}, "3958"); !errors.Is(err, pos.ErrDuplicate) {
		t.Fatalf("adding a taken staff number: %v", err)
	}
	off := false
	if _, err := admin.Change(ctx, "device:t1", "3", pos.StaffChange{Active: &off}); !errors.Is(err, pos.ErrLastManager) {
		t.Fatalf("deactivating the last manager: %v", err)
	}
	st, err := db.Staff(ctx, "3")
	if err != nil || !st.Active || st.PINHash != m.PINHash {
		t.Fatalf("after a refused change: %+v %v", st, err)
	}
	name, lang := "Mia Berg", "sv"
	got, err := admin.Change(ctx, "3", "3", pos.StaffChange{Name: &name, Language: &lang, PIN: "4719"})
	if err != nil {
		t.Fatal(err)
	}
	st, _ = db.Staff(ctx, "3")
	if st != got || st.Name != name || st.Language != "sv" || !pos.CheckPIN(st.PINHash, "4719") || pos.CheckPIN(st.PINHash, "3958") {
		t.Fatalf("stored %+v, answered %+v", st, got)
	}
}

// The sync summary counts the catalog and the pages held against the
// manifest.
func TestSyncSummary(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	sum, err := db.SyncSummary(ctx)
	if err != nil || sum.Catalog.Manifest != 0 || sum.Items != 0 || !sum.Catalog.LastApplied.IsZero() {
		t.Fatalf("empty node: %+v %v", sum, err)
	}
	if _, _, err := db.ApplyManifest(ctx, "catalog", 7, map[string]int64{"0": 3, "1": 2}); err != nil {
		t.Fatal(err)
	}
	items := demoItems()
	items[1].Active = false
	if _, err := db.ApplyCatalogPage(ctx, pos.CatalogPage{Page: "0", Version: 3, Items: items}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	sum, err = db.SyncSummary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Catalog.Manifest != 7 || sum.Catalog.Pages != 2 || sum.Catalog.Current != 1 || sum.Catalog.LastApplied.IsZero() ||
		sum.Items != 2 || sum.ActiveItems != 1 || sum.Stock.Manifest != 0 {
		t.Fatalf("summary %+v", sum)
	}
}

// A customer added while central could not be asked is only the card
// number typed (perhaps mistyped): central cannot tell whose online cart
// that is. Saving the cart to them is refused, the cart stays, and no
// event leaves; once central has named the customer, the cart is saved to
// their id.
func TestSaveToACustomerCentralHasNotConfirmed(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	tablet := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "tablet-1"}
	e.lookup.customers = map[string]pos.Customer{"+46701234567": {ID: "C-88412", Name: "Ana"}}
	v := e.cart(tablet, []buy{{jacketSKU, 1, nil}}, nil)
	e.lookup.offline = true
	_, cust, err := e.as.AttachCustomer(e.ctx, tablet, v.ID, "C-88412")
	e.must(err)
	if !cust.Offline {
		t.Fatalf("customer %+v, want offline", cust)
	}
	if _, err := e.till.SaveToCustomer(e.ctx, tablet, v.ID); !errors.Is(err, pos.ErrCustomerUnchecked) {
		t.Fatalf("saving to a customer added offline: %v, want ErrCustomerUnchecked", err)
	}
	if evs := e.events(pos.EventCartSaved); len(evs) != 0 {
		t.Fatalf("a refused save sent %s", evs[0].Data)
	}
	if _, err := e.till.Cart(e.ctx, v.ID); err != nil {
		t.Fatalf("a refused save removed the cart: %v", err)
	}
	e.lookup.offline = false
	_, _, err = e.as.AttachCustomer(e.ctx, tablet, v.ID, "+46701234567")
	e.must(err)
	sc, err := e.till.SaveToCustomer(e.ctx, tablet, v.ID)
	e.must(err)
	evs := e.events(pos.EventCartSaved)
	if sc.CustomerID != "C-88412" || len(evs) != 1 || !strings.Contains(string(evs[0].Data), `"customer_id":"C-88412"`) {
		t.Fatalf("saved %+v, events %d", sc, len(evs))
	}
}
