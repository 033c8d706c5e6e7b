package pos

import (
	"errors"
	"testing"
)

// Offline, a loyalty card's number is kept as the sale's customer; a phone
// number or an e-mail is not, since only central knows whose it is.
func TestIsContact(t *testing.T) {
	for _, c := range []struct {
		query string
		want  bool
	}{
		{"C-88412", false},
		{"LOY-5555", false},
		{"4000123456789", false}, // a card's number in digits
		{"1234-5678", false},
		{"12345", false},
		{"+46701234567", true},
		{"+46 70 123 45 67", true},
		{"0701234567", true},
		{"070-123 45 67", true},
		{"(0912) 345-678", true},
		{"+886912345678", true},
		{"ana.popescu@example.ro", true},
		{"@", true},
		{"+123", false}, // too few digits for a phone: the card's number as typed
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
