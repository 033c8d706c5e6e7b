package pos

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestMulDiv(t *testing.T) {
	for _, tc := range []struct{ a, b, c, want int64 }{
		{350730, 1, 3, 116910}, {350730, 2, 3, 233820}, {100, 1, 3, 33}, {200, 1, 3, 67}, {-200, 1, 3, -67},
		{5, 1, 2, 3}, {-5, 1, 2, -3}, {0, 5, 7, 0},
		// Line amount at the limit times the largest quantity: no overflow.
		{MaxPrice * MaxQuantity, MaxQuantity - 1, MaxQuantity, MaxPrice * (MaxQuantity - 1)},
	} {
		if got := mulDiv(tc.a, tc.b, tc.c); got != tc.want {
			t.Errorf("mulDiv(%d, %d, %d) = %d, want %d", tc.a, tc.b, tc.c, got, tc.want)
		}
		if tc.a*tc.b/tc.b == tc.a && tc.a*tc.b < math.MaxInt32 {
			if rd := RoundDiv(tc.a*tc.b, tc.c); rd != tc.want {
				t.Errorf("mulDiv disagrees with RoundDiv for %d×%d/%d: %d", tc.a, tc.b, tc.c, rd)
			}
		}
	}
}

func TestPlanRefunds(t *testing.T) {
	as := NewAfterSales(AfterSalesOptions{Till: NewService(Options{}), Policy: ReturnPolicy{NoReceiptCashLimit: 50000}})
	// fresh is an original of which nothing was returned yet.
	fresh := func(paid map[string]int64) *leftToRefund {
		rf := &leftToRefund{left: paid}
		for m, v := range paid {
			if refundMethod(m) == MethodCash {
				rf.cashPaid += v
			}
		}
		return rf
	}
	for _, tc := range []struct {
		name     string
		amount   int64
		rf       *leftToRefund // nil: without receipt
		toCredit bool
		want     string
		rounding int64
	}{
		{"card first", 30000, fresh(map[string]int64{MethodCash: 20000, MethodCard: 25000}), false, "card 25000, cash 5000", 0},
		{"cash rounded", 12345, fresh(map[string]int64{MethodCash: 20000}), false, "cash 12300", -45},
		{"cash rounded up", 12355, fresh(map[string]int64{MethodCash: 20000}), false, "cash 12400", 45},
		{"gift card becomes store credit", 9000, fresh(map[string]int64{MethodGiftCard: 5000, MethodStoreCredit: 3000, MethodCash: 5000}), false,
			"store_credit 8000, cash 1000", 0},
		{"online order", 9000, fresh(map[string]int64{MethodOnline: 100000}), false, "online 9000", 0},
		{"exchange value becomes store credit", 9000, fresh(map[string]int64{MethodExchange: 9000}), false, "store_credit 9000", 0},
		{"unknown tender in cash", 9000, fresh(map[string]int64{"voucher-x": 9000}), false, "cash 9000", 0},
		{"no more cash than was paid", 9000, fresh(map[string]int64{MethodCard: 0, MethodCash: 4000}), false, "cash 4000", -5000},
		{"nothing paid in cash", 9000, fresh(map[string]int64{MethodCard: 0}), false, "", -9000},
		{"customer wants credit", 9000, fresh(map[string]int64{MethodCard: 9000}), true, "store_credit 9000", 0},
		{"no receipt under the limit", 4990, nil, false, "cash 5000", 10},
		{"no receipt at the limit", 50000, nil, false, "cash 50000", 0},
		{"no receipt over the limit", 50001, nil, false, "store_credit 50001", 0},
		{"cash rounding to nothing", 40, fresh(map[string]int64{MethodCash: 100}), false, "", -40},
		{"zero", 0, fresh(map[string]int64{MethodCash: 100}), false, "", 0},
		// 0.50 returned after 0.50 that was paid back as 1.00: together
		// they are 1.00, paid already.
		{"second part rounded with the first", 50, &leftToRefund{left: map[string]int64{MethodCash: 400}, cashPaid: 500,
			cashRefunded: 100, cashRounding: 50}, false, "", -50},
		{"third part rounded with the others", 50, &leftToRefund{left: map[string]int64{MethodCash: 400}, cashPaid: 500,
			cashRefunded: 100, cashRounding: 0}, false, "cash 100", 50},
		{"last part: all the cash paid back already", 50, &leftToRefund{left: map[string]int64{MethodCash: 0}, cashPaid: 500,
			cashRefunded: 500, cashRounding: 50}, false, "", -50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, rounding := as.planRefunds(tc.amount, tc.rf, tc.toCredit, 100)
			var parts []string
			var sum int64
			for _, f := range out {
				parts = append(parts, fmt.Sprintf("%s %d", f.Method, f.Amount))
				sum += f.Amount
			}
			if got := strings.Join(parts, ", "); got != tc.want || rounding != tc.rounding {
				t.Fatalf("refunds %q rounding %d, want %q rounding %d", got, rounding, tc.want, tc.rounding)
			}
			if sum != tc.amount+rounding {
				t.Fatalf("refunds add up to %d, amount + rounding is %d", sum, tc.amount+rounding)
			}
		})
	}
}

// chain makes a valid journal of n entries.
func chain(n int) []JournalEntry {
	var out []JournalEntry
	prev := GenesisHash
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e, _ := NewJournalEntry(JournalSale, fmt.Sprintf("sale-%d", i), "", at.Add(time.Duration(i)*time.Minute),
			map[string]int64{"total": int64(i * 100)})
		e.N, e.Prev = int64(i), prev
		e.Hash = ChainHash(prev, e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerifyJournal(t *testing.T) {
	renumber := func(es []JournalEntry) []JournalEntry {
		for i := range es {
			es[i].N = int64(i + 1)
		}
		return es
	}
	for _, tc := range []struct {
		name    string
		tamper  func([]JournalEntry) []JournalEntry
		anchors []JournalAnchor
		want    string
	}{
		{"intact", func(es []JournalEntry) []JournalEntry { return es }, nil, ""},
		{"data changed", func(es []JournalEntry) []JournalEntry { es[3].Data = []byte(`{"total":1}`); return es }, nil, "4 changed"},
		{"ref changed", func(es []JournalEntry) []JournalEntry { es[0].Ref = "x"; return es }, nil, "1 changed"},
		{"changed and rehashed", func(es []JournalEntry) []JournalEntry {
			es[3].Data = []byte(`{"total":1}`)
			es[3].Hash = ChainHash(es[3].Prev, es[3])
			return es
		}, nil, "5 broken"},
		{"first removed", func(es []JournalEntry) []JournalEntry { return es[1:] }, nil, "1 removed"},
		{"middle removed", func(es []JournalEntry) []JournalEntry { return append(es[:4], es[6:]...) }, nil, "5 removed"},
		{"removed and renumbered", func(es []JournalEntry) []JournalEntry { return renumber(append(es[:4], es[5:]...)) }, nil, "5 broken"},
		{"last removed, anchored", func(es []JournalEntry) []JournalEntry { return es[:7] },
			[]JournalAnchor{{N: 8, Hash: chain(8)[7].Hash, What: "Z report 1"}}, "8 removed"},
		{"swapped", func(es []JournalEntry) []JournalEntry {
			es[2], es[3] = es[3], es[2]
			return renumber(es)
		}, nil, "3 reordered, 4 reordered"},
		{"first two swapped", func(es []JournalEntry) []JournalEntry {
			es[0], es[1] = es[1], es[0]
			return renumber(es)
		}, nil, "1 reordered, 2 reordered"},
		{"one moved far", func(es []JournalEntry) []JournalEntry {
			moved := es[1]
			es = append(es[:1], es[2:]...)
			es = append(es[:5], append([]JournalEntry{moved}, es[5:]...)...)
			return renumber(es)
		}, nil, "6 reordered"},
		{"anchor disagrees", func(es []JournalEntry) []JournalEntry { return es },
			[]JournalAnchor{{N: 2, Hash: GenesisHash, What: "Z report 1"}}, "2 changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			probs := VerifyJournal(tc.tamper(chain(8)), tc.anchors)
			var got []string
			for _, p := range probs {
				got = append(got, fmt.Sprintf("%d %s", p.N, p.Kind))
			}
			sort.Strings(got)
			if strings.Join(got, ", ") != tc.want {
				t.Fatalf("problems %v, want %q: %v", got, tc.want, probs)
			}
		})
	}
}

// FuzzVerifyJournal feeds entries as a damaged file could hold them: the
// check must never panic, and an intact chain must pass.
func FuzzVerifyJournal(f *testing.F) {
	f.Add(int64(3), "x", "", []byte(`{"total":1}`), uint8(2))
	f.Add(int64(-1), GenesisHash, "zz", []byte{0xff, 0}, uint8(0))
	f.Add(int64(1<<62), chain(2)[1].Hash, chain(2)[1].Hash, []byte(`null`), uint8(7))
	f.Fuzz(func(t *testing.T, n int64, prev, hash string, data []byte, pos uint8) {
		es := chain(6)
		if len(VerifyJournal(es, nil)) != 0 {
			t.Fatal("intact chain has problems")
		}
		i := int(pos) % len(es)
		es[i].N, es[i].Prev, es[i].Hash, es[i].Data = n, prev, hash, data
		for _, p := range VerifyJournal(es, []JournalAnchor{{N: n, Hash: hash}}) {
			_ = p.String()
		}
	})
}

func TestShiftReportAddsUp(t *testing.T) {
	set := DefaultSettings()
	lines := []Line{{SKU: "a", Unit: UnitEach, Qty: 3, UnitPrice: 1995, TaxRateBP: 2500}, {SKU: "b", Unit: UnitEach, Qty: 1, UnitPrice: 4990, TaxRateBP: 600}}
	c := Cart{Lines: lines, Payments: []Payment{{Method: MethodCash, Amount: 20000}}}
	b := c.Balance(set)
	sale := Sale{Cashier: "1", Balance: b, Payments: c.Payments}
	ret := Return{Staff: "2", Total: 4990, Rounding: 10, Tax: []TaxLine{{RateBP: 600, Base: 4708, Tax: 282}},
		Refunds: []Refund{{Method: MethodCash, Amount: 5000}}}
	voided := sale
	voided.Voided = true
	r := BuildShiftReport("X", ShiftData{Shift: Shift{Float: 10000}, Sales: []Sale{sale, voided}, Returns: []Return{ret},
		CashOps: []CashOp{{Kind: CashDrop, Amount: 3000}, {Kind: CashNoSale}}}, time.Time{}, "SEK")
	if r.Total != b.Total-4990 || r.Voids != 1 || r.Sales != 1 || r.NoSales != 1 {
		t.Fatalf("report %+v", r)
	}
	var sum int64
	for _, m := range r.ByMethod {
		sum += m.Amount
	}
	if sum != r.Total+r.Rounding {
		t.Fatalf("tenders %d, total + rounding %d", sum, r.Total+r.Rounding)
	}
	if want := 10000 + (20000 - b.Change) - 5000 - 3000; r.ExpectedCash != want {
		t.Fatalf("expected cash %d, want %d", r.ExpectedCash, want)
	}
	// The sale's payment and the return's refund; the voided sale's
	// payment is not counted.
	if len(r.ByMethod) != 1 || r.ByMethod[0].Count != 2 {
		t.Fatalf("tenders %+v, want cash counted twice", r.ByMethod)
	}
}

// BenchmarkVerifyJournal checks a journal of 10 000 entries, a few weeks
// of a busy till.
func BenchmarkVerifyJournal(b *testing.B) {
	es := chain(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(VerifyJournal(es, nil)) != 0 {
			b.Fatal("intact chain has problems")
		}
	}
}
