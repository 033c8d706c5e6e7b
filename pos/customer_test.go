package pos

import (
	"errors"
	"testing"
)

// Offline, a loyalty card's number is kept as the sale's customer; a phone
// number or an e-mail is not, since only central knows whose it is. The
// phones are written as people in the stores' countries write them, the
// cards as stores print them.
func TestIsContact(t *testing.T) {
	for _, c := range []struct {
		query string
		want  bool
	}{
		// Cards: letters and digits, or digits of a card's length,
		// however they begin.
		{"C-88412", false},
		{"LOY-5555", false},
		{"4000123456789", false},
		{"1234-5678", false},
		{"12345", false},
		{"0212345678900", false},       // EAN-13 of a store's own range (02)
		{"0401234567894", false},       // EAN-13 of a store's own range (04)
		{"2012345678906", false},       // EAN-13 of a store's own range (2)
		{"7350012345678", false},       // EAN-13, Swedish GS1 prefix
		{"5941234567890", false},       // EAN-13, Romanian GS1 prefix
		{"8581234567890", false},       // EAN-13, Slovak GS1 prefix
		{"4710123456789", false},       // EAN-13, Taiwanese GS1 prefix
		{"040123456789", false},        // UPC-A starting with 0
		{"00040123456789", false},      // GTIN-14
		{"0000012345", false},          // an account number padded with zeros
		{"0012345678", false},          // padded, 10 digits
		{"6001 2345 6789 0123", false}, // 16 digits printed in groups of four
		{"6001-2345-6789-0123", false},
		{"603571 0123456789", false},
		{"0123 4567 8901 2345", false},
		{"+123", false}, // too few digits for a phone: the card's number as typed

		// Sweden: 07x mobile, 08 Stockholm, 031 Göteborg, 0980 Kiruna.
		{"0701234567", true},
		{"070-123 45 67", true},
		{"070 123 45 67", true},
		{"08-123 456 78", true},
		{"08-12 34 56", true},
		{"031-12 34 56", true},
		{"0980-123 45", true},
		{"+46701234567", true},
		{"+46 70 123 45 67", true},
		{"+46 (0)70-123 45 67", true},
		{"0046 70 123 45 67", true},
		{"0046701234567", true},
		// Slovakia: 09xx mobile, 02 Bratislava, 0xx elsewhere.
		{"0905 123 456", true},
		{"0905123456", true},
		{"02/1234 5678", true},
		{"033/123 4567", true},
		{"+421 905 123 456", true},
		{"00421905123456", true},
		// Romania: 07xx mobile, 021 Bucharest, 02xx/03xx elsewhere.
		{"0712 345 678", true},
		{"0712345678", true},
		{"021 123 4567", true},
		{"0264 123 456", true},
		{"+40712345678", true},
		{"+40 712 345 678", true},
		{"0040712345678", true},
		// Taiwan: 09xx mobile, 02 Taipei, 037 Miaoli, 082 Kinmen.
		{"0912-345-678", true},
		{"0912345678", true},
		{"(02) 2345-6789", true},
		{"02-2345-6789", true},
		{"037-123-456", true},
		{"(0912) 345-678", true},
		{"+886912345678", true},
		{"+886 2 2345 6789", true},
		{"002886912345678", true},
		{"０９１２３４５６７８", true}, // typed with an input method's full-width digits
		// A name, or anything else without a digit: no card's number.
		{"Ana Popescu", true},
		{"ANA POPESCU", true},
		{"陳美玲", true},
		{"---", true},
		// E-mails.
		{"ana.popescu@example.ro", true},
		{"陳美玲＠example.tw", true},
		{"@", true},
	} {
		if got := isContact(c.query); got != c.want {
			t.Errorf("isContact(%q) = %v, want %v", c.query, got, c.want)
		}
	}
}

// The customer of a cart being paid, or of an order's cart, stays.
func TestCustomerEditable(t *testing.T) {
	lines := []Line{{ID: "a", SKU: "1", Qty: 1}}
	for _, c := range []struct {
		name string
		cart Cart
		want error
	}{
		{"lines only", Cart{Lines: lines, CustomerID: "C-1"}, nil},
		{"empty", Cart{}, nil},
		{"training", Cart{Lines: lines, Training: true}, nil},
		{"cash taken", Cart{Lines: lines, Payments: []Payment{{Method: MethodCash, Amount: 100}}}, ErrCartLocked},
		{"card at the terminal", Cart{Lines: lines, Pending: &Payment{Method: MethodCard}}, ErrCartLocked},
		{"pays a pickup order", Cart{Lines: lines, CustomerID: "C-1", OrderID: "W-1"}, ErrPickupCart},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.cart.customerEditable(); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}
