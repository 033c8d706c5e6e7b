package pos

import (
	"fmt"
	"testing"
)

func TestCompareZReport(t *testing.T) {
	journal := func() *ShiftReport {
		return &ShiftReport{ShiftID: "s1", ZNo: 4, Sales: 2, SalesTotal: 12000, Total: 12000, Float: 5000,
			ExpectedCash: 9000, CountedCash: 9000, Receipts: 2,
			ByMethod:     []MethodTotal{{Method: MethodCash, Count: 1, Amount: 4000}, {Method: MethodCard, Count: 1, Amount: 8000}},
			ByTaxRate:    []TaxLine{{RateBP: 2500, Base: 9600, Tax: 2400}},
			ByCashier:    []CashierTotal{{Cashier: "1", Sales: 2, Total: 12000}},
			DrawerAlarms: &DrawerAlarmCounts{OpenedUnasked: 2, LeftOpen: 1}}
	}
	for _, tc := range []struct {
		name   string
		change func(r *ShiftReport)
		want   string
	}{
		{"the same", func(*ShiftReport) {}, "[]"},
		{"tender counts are not totals", func(r *ShiftReport) { r.ByMethod[0].Count = 0 }, "[]"},
		{"total lowered", func(r *ShiftReport) { r.Total = 11000 }, "[total 11000 12000]"},
		{"cash moved to card", func(r *ShiftReport) { r.ByMethod[0].Amount, r.ByMethod[1].Amount = 3000, 9000 },
			"[by_method[card] 9000 8000 by_method[cash] 3000 4000]"},
		{"a tax rate left out", func(r *ShiftReport) { r.ByTaxRate = nil },
			"[by_tax_rate[2500].base 0 9600 by_tax_rate[2500].tax 0 2400]"},
		{"a cashier added", func(r *ShiftReport) { r.ByCashier = append(r.ByCashier, CashierTotal{Cashier: "2", Returned: 500}) },
			"[by_cashier[2].returned 500 0]"},
		{"a drawer left open left out", func(r *ShiftReport) { r.DrawerAlarms.LeftOpen = 0 },
			"[drawer_alarms.left_open 0 1]"},
		{"stored before drawer alarms were counted", func(r *ShiftReport) { r.DrawerAlarms = nil }, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored := journal()
			tc.change(stored)
			var got []string
			for _, m := range CompareZReport(stored, journal()) {
				if m.ShiftID != "s1" || m.ZNo != 4 {
					t.Errorf("%+v names another report", m)
				}
				got = append(got, fmt.Sprintf("%s %d %d", m.Figure, m.Report, m.Journal))
			}
			if fmt.Sprint(got) != tc.want {
				t.Errorf("mismatches %v, want %s", got, tc.want)
			}
		})
	}
}
