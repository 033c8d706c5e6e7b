package ui_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/ui"
)

// A price check of a code answers what the till charges for scanning it:
// a piece's price, a weight label at the price per kilogram, a label's
// printed price.
func TestPriceCheckAsTheTillCharges(t *testing.T) {
	s := newStore(t)
	weighed := []pos.Item{
		{SKU: "3", Active: true, Names: map[string]string{"en": "Apples"}, Barcodes: []string{"23001000"}, Unit: pos.UnitKg,
			Price: 2990, TaxRateBP: 1200},
		{SKU: "4", Active: true, Names: map[string]string{"en": "Cheese"}, Barcodes: []string{"20002000"}, Unit: pos.UnitKg,
			Price: 14900, TaxRateBP: 1200},
		{SKU: "5", Active: true, Names: map[string]string{"en": "Salmon"}, Barcodes: []string{"7310000000010"}, Unit: pos.UnitKg,
			Price: 24900, TaxRateBP: 1200},
	}
	if err := s.db.PutItems(s.ctx, weighed, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	tablet := s.login(t, "1", "tablet-1")
	till := s.login(t, "1", "till-1")
	for _, c := range []struct {
		name, code string
	}{
		{"a piece", teaCode},
		{"a weight label of 1,234 g", "2300100012346"},
		{"a label priced 87.50", "2000200087502"},
		{"a GS1 label with a weight and the price to pay", "(01)07310000000010(3103)001250(3922)30000"},
		{"a GS1 label with a weight alone", "(01)07310000000010(3103)000480"},
		{"a GS1 label pricing a piece", "(01)07310865004703(3922)1990"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var check struct {
				Amount *int64 `json:"amount"`
			}
			s.ok(t, tablet, "GET", "/api/v1/items/"+c.code, nil, &check)

			var cart pos.CartView
			s.ok(t, till, "GET", "/api/v1/cart", nil, &cart)
			var scanned struct {
				Cart pos.CartView `json:"cart"`
			}
			s.ok(t, till, "POST", "/api/v1/carts/"+cart.ID+"/scan", map[string]string{"code": c.code}, &scanned)
			lines := scanned.Cart.Balance.Lines
			charged := lines[len(lines)-1].Amount
			if check.Amount == nil || *check.Amount != charged {
				b, _ := json.Marshal(check.Amount)
				t.Fatalf("price check says %s, the till charges %d", b, charged)
			}
		})
	}

	// Sold by weight with nothing on the code to weigh it by: the amount
	// is the scale's, and the check says none. A weight on an item sold
	// by the piece, or a label's price past what the till takes: the till
	// refuses the scan, and the check gives no amount either.
	for _, code := range []string{"3", "(01)07310865004703(3103)000480(3922)1990", "(01)07310865004703(3103)000480",
		"(01)07310000000010(3922)9999999999"} {
		var bare map[string]any
		s.ok(t, tablet, "GET", "/api/v1/items/"+url.PathEscape(code), nil, &bare)
		if _, ok := bare["amount"]; ok {
			t.Errorf("price check of %s, which the till refuses, gives an amount: %v", code, bare["amount"])
		}
	}
}

// The stock of an item is asked for by SKU or barcode; a code of no item
// is not_found, not an empty shelf.
func TestStockOfUnknownItem(t *testing.T) {
	s := newStore(t)
	tok := s.login(t, "1", "tablet-1")
	var st pos.StockLevel
	s.ok(t, tok, "GET", "/api/v1/stock/"+teaCode, nil, &st)
	if st.SKU != "1" {
		t.Fatalf("stock by barcode: %+v", st)
	}
	s.fails(t, tok, "GET", "/api/v1/stock/no-such-item", nil, 404, "not_found")
}

// Two members of staff on two tablets of one tablet station serve two
// customers: each builds a cart of their own. They built one between
// them, each adding to the other's customer's cart. A till keeps one
// cart for its station, whoever signs in there.
func TestTabletsOfOneStationHaveACartEach(t *testing.T) {
	s := newStore(t, func(o *ui.Options) {
		o.Stations = map[string]ui.Station{"tab": {ID: "tab", Kind: "tablet"}, "till-1": {ID: "till-1", Kind: "till"}}
	})
	cartOf := func(tok string) pos.CartView {
		t.Helper()
		var c pos.CartView
		s.ok(t, tok, "GET", "/api/v1/cart", nil, &c)
		return c
	}
	ana, eva := s.login(t, "1", "tab"), s.login(t, "2", "tab")
	a := cartOf(ana)
	s.ok(t, ana, "POST", "/api/v1/carts/"+a.ID+"/items", map[string]any{"sku": "1", "qty": 1}, nil)
	if e := cartOf(eva); e.ID == a.ID || len(e.Lines) != 0 {
		t.Fatalf("the second tablet's cart is %s with %d lines, the first's %s: want one of its own, empty", e.ID, len(e.Lines), a.ID)
	}
	if again := cartOf(ana); again.ID != a.ID || len(again.Lines) != 1 {
		t.Fatalf("the first tablet's cart is now %s with %d lines, want %s with its one", again.ID, len(again.Lines), a.ID)
	}
	t1, t2 := s.login(t, "1", "till-1"), s.login(t, "2", "till-1")
	if c1, c2 := cartOf(t1), cartOf(t2); c1.ID != c2.ID {
		t.Fatalf("a till has carts %s and %s, want the station's one", c1.ID, c2.ID)
	}
}

// A price check of an item central withdrew from sale says so and gives
// no amount: the till refuses the scan, so there is no price to charge.
func TestPriceCheckOfAWithdrawnItem(t *testing.T) {
	s := newStore(t)
	it, err := s.db.ItemByCode(s.ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	it.Active = false
	if err := s.db.PutItems(s.ctx, []pos.Item{it}, pos.Sweden); err != nil {
		t.Fatal(err)
	}
	tablet := s.login(t, "1", "tablet-1")
	var check map[string]any
	s.ok(t, tablet, "GET", "/api/v1/items/"+teaCode, nil, &check)
	if _, ok := check["amount"]; ok {
		t.Fatalf("price check of a withdrawn item gives an amount: %v", check["amount"])
	}
	if item, _ := check["item"].(map[string]any); item["active"] != false {
		t.Fatalf("price check of a withdrawn item: %v", check["item"])
	}
}
