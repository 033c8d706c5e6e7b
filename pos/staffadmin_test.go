package pos

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckStaffChange(t *testing.T) {
	mgr := Staff{ID: "3", Role: RoleManager, Active: true}
	other := Staff{ID: "4", Role: RoleManager, Active: true}
	cashier := Staff{ID: "1", Role: RoleCashier, Active: true}
	off := func(s Staff) Staff { s.Active = false; return s }
	as := func(s Staff, r Role) Staff { s.Role = r; return s }
	for _, c := range []struct {
		name      string
		by        string
		old, next Staff
		all       []Staff
		want      error
	}{
		{"manager deactivates a cashier", "3", cashier, off(cashier), []Staff{mgr, cashier}, nil},
		{"manager promotes a cashier", "3", cashier, as(cashier, RoleManager), []Staff{mgr, cashier}, nil},
		{"manager demotes themselves", "3", mgr, as(mgr, RoleSupervisor), []Staff{mgr, other}, ErrSelfChange},
		{"manager deactivates themselves", "3", mgr, off(mgr), []Staff{mgr, other}, ErrSelfChange},
		{"manager renames themselves", "3", mgr, Staff{ID: "3", Name: "New", Role: RoleManager, Active: true}, []Staff{mgr}, nil},
		{"manager demotes another manager", "3", other, as(other, RoleCashier), []Staff{mgr, other}, nil},
		{"a device demotes the last manager", "device:t1", mgr, as(mgr, RoleCashier), []Staff{mgr, cashier}, ErrLastManager},
		{"a device deactivates the last manager", "device:t1", mgr, off(mgr), []Staff{mgr, off(other)}, ErrLastManager},
		{"a device deactivates one of two managers", "device:t1", mgr, off(mgr), []Staff{mgr, other}, nil},
		{"reactivating an inactive manager", "3", off(other), other, []Staff{mgr, off(other)}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := checkStaffChange(c.by, c.old, c.next, c.all); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestSavedCart(t *testing.T) {
	lines := []Line{{ID: "a", SKU: "1", Qty: 1}, {ID: "b", SKU: "2", Unit: UnitKg, Qty: 350}, {ID: "c", SKU: "1", Qty: 2}}
	for _, c := range []struct {
		name string
		cart Cart
		want error
		out  []SavedCartLine
	}{
		{"lines of one item are summed", Cart{CustomerID: "C-1", Lines: lines}, nil, []SavedCartLine{{"1", 3}, {"2", 350}}},
		{"no customer", Cart{Lines: lines}, ErrNoCustomer, nil},
		{"no lines", Cart{CustomerID: "C-1"}, ErrEmptyCart, nil},
		{"payments", Cart{CustomerID: "C-1", Lines: lines, Payments: []Payment{{Method: MethodCash, Amount: 100}}}, ErrCartLocked, nil},
		{"card payment pending", Cart{CustomerID: "C-1", Lines: lines, Pending: &Payment{Method: MethodCard}}, ErrCartLocked, nil},
		{"parked", Cart{CustomerID: "C-1", Lines: lines, Parked: true}, ErrParked, nil},
		{"pays a pickup order", Cart{CustomerID: "C-1", Lines: lines, OrderID: "W-1"}, ErrPickupCart, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc, err := savedCart(c.cart)
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if c.want != nil {
				return
			}
			if sc.CustomerID != c.cart.CustomerID || len(sc.Lines) != len(c.out) {
				t.Fatalf("got %+v, want lines %v", sc, c.out)
			}
			for i := range c.out {
				if sc.Lines[i] != c.out[i] {
					t.Errorf("line %d = %+v, want %+v", i, sc.Lines[i], c.out[i])
				}
			}
		})
	}
}

// A member's name is what screens, receipts and the journal show: it has
// something to read, and no control characters, which would break the
// line it is on or be sent to a printer as a command.
func TestCheckNewStaffName(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"Ana Popescu", true},
		{"陳美玲", true},
		{"Zuzana Kováčová", true},
		{strings.Repeat("a", 60), true},
		{strings.Repeat("a", 61), false},
		{"   ", false},
		{"", false},
		{"Ana\nPopescu", false},
		{"Ana\tPop", false},
		{"\x1b@Ana", false},
		{"Ana\u0085Pop", false},
		{"\u200b", false},
		{"\u200b\u200e ", false},
	} {
		err := CheckNewStaff(Staff{ID: "7", Name: c.name, Role: RoleCashier})
		if (err == nil) != c.ok {
			t.Errorf("name %q: %v, want ok %v", c.name, err, c.ok)
		}
	}
}

func TestGuessablePIN(t *testing.T) {
	for _, c := range []struct {
		pin, id string
		want    bool
	}{
		{"1111", "7", true},
		{"000000", "7", true},
		{"1234", "7", true},
		{"0123456789", "7", true},
		{"7890", "7", true},
		{"9876", "7", true},
		{"3210", "7", true},
		{"1042", "1042", true},
		{"4242", "7", false},
		{"1235", "7", false},
		{"482913", "7", false},
		{"1042", "104", false},
		{"11112", "7", false},
	} {
		if got := GuessablePIN(c.pin, c.id); got != c.want {
			t.Errorf("GuessablePIN(%q, %q) = %v, want %v", c.pin, c.id, got, c.want)
		}
	}
}
