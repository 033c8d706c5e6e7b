package sqlite_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
)

// receiptSums is what a shift's receipts add up to, computed from the
// receipts themselves.
type receiptSums struct {
	total, rounding, cash int64
	byMethod              map[string]int64
	tax                   map[int64]pos.TaxLine
}

func sumReceipts(sales []*pos.Sale, returns []*pos.Return) receiptSums {
	s := receiptSums{byMethod: map[string]int64{}, tax: map[int64]pos.TaxLine{}}
	for _, x := range sales {
		if x.Voided {
			continue
		}
		s.total += x.Balance.Total
		s.rounding += x.Balance.Rounding
		for _, p := range x.Payments {
			s.byMethod[p.Method] += p.Amount
		}
		s.byMethod[pos.MethodCash] -= x.Balance.Change
		for _, tl := range x.Balance.Tax {
			t := s.tax[tl.RateBP]
			t.RateBP, t.Base, t.Tax = tl.RateBP, t.Base+tl.Base, t.Tax+tl.Tax
			s.tax[tl.RateBP] = t
		}
	}
	for _, r := range returns {
		s.total -= r.Total
		s.rounding -= r.Rounding
		for _, f := range r.Refunds {
			s.byMethod[f.Method] -= f.Amount
		}
		for _, tl := range r.Tax {
			t := s.tax[tl.RateBP]
			t.RateBP, t.Base, t.Tax = tl.RateBP, t.Base-tl.Base, t.Tax-tl.Tax
			s.tax[tl.RateBP] = t
		}
	}
	s.cash = s.byMethod[pos.MethodCash]
	return s
}

func checkReport(t *testing.T, rep *pos.ShiftReport, want receiptSums, float, in, out, drops int64) {
	t.Helper()
	if rep.Total != want.total || rep.Rounding != want.rounding {
		t.Fatalf("%s report total %d rounding %d, receipts add up to %d and %d", rep.Kind, rep.Total, rep.Rounding, want.total, want.rounding)
	}
	var methods int64
	got := map[string]int64{}
	for _, m := range rep.ByMethod {
		methods += m.Amount
		got[m.Method] = m.Amount
	}
	if methods != rep.Total+rep.Rounding {
		t.Fatalf("%s report: tenders add up to %d, total + rounding is %d", rep.Kind, methods, rep.Total+rep.Rounding)
	}
	for m, v := range want.byMethod {
		if got[m] != v {
			t.Fatalf("%s report %s = %d, receipts say %d", rep.Kind, m, got[m], v)
		}
	}
	if len(rep.ByTaxRate) != len(want.tax) {
		t.Fatalf("%s report tax rates %+v, receipts %+v", rep.Kind, rep.ByTaxRate, want.tax)
	}
	for _, tl := range rep.ByTaxRate {
		if tl != want.tax[tl.RateBP] {
			t.Fatalf("%s report tax %+v, receipts say %+v", rep.Kind, tl, want.tax[tl.RateBP])
		}
	}
	if exp := float + want.cash + in - out - drops; rep.ExpectedCash != exp {
		t.Fatalf("%s report expects %d in cash, the receipts and cash operations say %d", rep.Kind, rep.ExpectedCash, exp)
	}
}

func TestZReportEqualsItsReceipts(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	a, b := e.cashier, pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-1"}
	other := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"}
	var sales []*pos.Sale
	var returns []*pos.Return

	// A sale before the shift opens belongs to the shift opened next.
	sales = append(sales, e.sell(a, []buy{{breadSKU, 1, nil}}, nil, tender{method: pos.MethodCash, amount: 5000}))
	const float = 150000
	sh, err := e.as.OpenShift(e.ctx, a, float)
	e.must(err)
	if _, err := e.as.OpenShift(e.ctx, b, 0); !errors.Is(err, pos.ErrShiftOpen) {
		t.Fatalf("second shift on a station: %v", err)
	}
	// Mixed tax rates, a line and a basket discount, a weighed item, card
	// and cash with rounding.
	s1 := e.sell(a, []buy{
		{jacketSKU, 1, &pos.Discount{PercentBP: 1000, Reason: "staff"}},
		{bookSKU, 2, nil}, {breadSKU, 3, &pos.Discount{Amount: 333, Reason: "dented"}}, {cheeseSKU, 523, nil},
	}, &pos.Discount{PercentBP: 700, Reason: "campaign"}, tender{method: pos.MethodCard, amount: 100000}, tender{method: pos.MethodCash, amount: 100000})
	sales = append(sales, s1)
	sales = append(sales, e.sell(b, []buy{{sockSKU, 3, nil}}, nil, tender{method: pos.MethodCash, amount: 30000}))
	sales = append(sales, e.sell(b, []buy{{bookSKU, 1, &pos.Discount{PercentBP: 333, Reason: "x"}}}, nil, tender{method: pos.MethodCash}))
	e.sell(other, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard}) // another station

	// A partial return (cash rounding on the refund) and an exchange.
	r, err := e.as.Return(e.ctx, a, pos.ReturnRequest{SaleID: s1.ID, Items: []pos.ReturnItem{{Line: "3", Qty: 2, Restock: true}}, Reason: "stale"})
	e.must(err)
	returns = append(returns, r)
	v := e.cart(a, []buy{{sockSKU, 1, nil}}, nil)
	r, xs, err := e.as.Exchange(e.ctx, a, pos.ReturnRequest{SaleID: s1.ID, Items: []pos.ReturnItem{{Line: "2", Qty: 1, Restock: true}}, Reason: "exchange"}, v.ID)
	e.must(err)
	returns, sales = append(returns, r), append(sales, xs)

	ops := []struct {
		kind   string
		amount int64
	}{{pos.CashPaidIn, 50000}, {pos.CashPaidOut, 12345}, {pos.CashDrop, 100000}, {pos.CashNoSale, 0}}
	for _, op := range ops {
		if _, err := e.as.CashOp(e.ctx, a, op.kind, op.amount, "test "+op.kind); err != nil {
			t.Fatal(err)
		}
	}
	for _, reason := range []string{strings.Repeat("x", 201), "till\x1b[2J"} {
		if _, err := e.as.CashOp(e.ctx, a, pos.CashNoSale, 0, reason); !errors.Is(err, pos.ErrInvalidRequest) {
			t.Errorf("reason %q: %v", reason, err)
		}
	}
	if _, err := e.as.CashOp(e.ctx, a, pos.CashNoSale, 0, " "); !errors.Is(err, pos.ErrReasonRequired) {
		t.Fatalf("no sale without reason: %v", err)
	}
	x, err := e.as.XReport(e.ctx, e.boss, "till-1")
	e.must(err)
	checkReport(t, x, sumReceipts(sales, returns), float, 50000, 12345, 100000)

	// A voided sale is on the Z report as a void, not in its totals.
	last := e.sell(b, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCash, amount: 130000})
	_, err = e.as.VoidLastSale(e.ctx, e.boss, last.ID, "wrong item", nil)
	e.must(err)
	last.Voided = true
	sales = append(sales, last)
	sales = append(sales, e.sell(a, []buy{{cheeseSKU, 1234, nil}, {sockSKU, 1, nil}}, nil, tender{method: pos.MethodCash}))

	want := sumReceipts(sales, returns)
	expected := float + want.cash + 50000 - 12345 - 100000
	z, err := e.as.CloseShift(e.ctx, e.boss, expected-100) // 1.00 short
	e.must(err)
	checkReport(t, z, want, float, 50000, 12345, 100000)
	t.Logf("Z: total %d rounding %d tenders %+v tax %+v expected cash %d", z.Total, z.Rounding, z.ByMethod, z.ByTaxRate, z.ExpectedCash)
	if z.Kind != "Z" || z.ZNo != 1 || z.CountedCash != expected-100 || z.Difference != -100 {
		t.Fatalf("Z report %+v", z)
	}
	if z.Sales != len(sales)-1 || z.Voids != 1 || z.Returns != 2 || z.NoSales != 1 || z.Receipts != len(sales)+len(returns) {
		t.Fatalf("Z report counts: %d sales, %d voids, %d returns, %d no sales, %d receipts", z.Sales, z.Voids, z.Returns, z.NoSales, z.Receipts)
	}
	cashiers := map[string]int64{}
	for _, c := range z.ByCashier {
		cashiers[c.Cashier] = c.Total - c.Returned
	}
	if cashiers["1"]+cashiers["2"] != z.Total || len(cashiers) != 2 {
		t.Fatalf("cashier totals %+v do not add up to %d", z.ByCashier, z.Total)
	}
	// The Z report carries the journal head: the journal as it stands
	// verifies, and ends with the Z report.
	check, err := e.db.VerifyJournal(e.ctx)
	e.must(err)
	if !check.OK() || check.Head != z.JournalHead || check.HeadN != z.JournalN {
		t.Fatalf("journal check %+v, Z head %d %s", check, z.JournalN, z.JournalHead)
	}
	evs := e.events(pos.EventShiftClosed)
	if len(evs) != 1 {
		t.Fatalf("%d shift events", len(evs))
	}
	d := contractData(t, evs[0], pos.EventShiftClosed)
	tbm := d["totals_by_method"].(map[string]any)
	for _, m := range z.ByMethod {
		if tbm[m.Method].(float64) != float64(m.Amount) {
			t.Fatalf("event totals_by_method %v, report %+v", tbm, z.ByMethod)
		}
	}
	if d["shift_id"] != sh.ID || d["expected_cash"].(float64) != float64(expected) || d["journal_head"] != z.JournalHead {
		t.Fatalf("shift event %s", evs[0].Data)
	}
	stored, err := e.db.ZReport(e.ctx, sh.ID)
	e.must(err)
	if stored.Total != z.Total || stored.JournalHead != z.JournalHead {
		t.Fatalf("stored Z report %+v", stored)
	}

	// Closed: no more cash operations, no second close, and the shift's
	// sales can no longer be voided.
	if _, err := e.as.CashOp(e.ctx, a, pos.CashNoSale, 0, "x"); !errors.Is(err, pos.ErrNoShift) {
		t.Fatalf("cash operation after close: %v", err)
	}
	if _, err := e.as.CloseShift(e.ctx, e.boss, 0); !errors.Is(err, pos.ErrNoShift) {
		t.Fatalf("second close: %v", err)
	}
	if _, err := e.as.VoidLastSale(e.ctx, e.boss, sales[len(sales)-1].ID, "late", nil); !errors.Is(err, pos.ErrShiftClosed) {
		t.Fatalf("void after the Z report: %v", err)
	}
	// The next shift starts from nothing.
	_, err = e.as.OpenShift(e.ctx, a, 0)
	e.must(err)
	x, err = e.as.XReport(e.ctx, e.boss, "till-1")
	e.must(err)
	if x.Receipts != 0 || x.Total != 0 || x.ExpectedCash != 0 {
		t.Fatalf("fresh shift X report %+v", x)
	}
}

func TestSalesReportsAndCSV(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	a, b := e.cashier, pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"}
	var sales []*pos.Sale
	sales = append(sales, e.sell(a, []buy{{jacketSKU, 1, nil}, {breadSKU, 2, nil}}, nil, tender{method: pos.MethodCard}))
	sales = append(sales, e.sell(b, []buy{{bookSKU, 3, nil}, {cheeseSKU, 400, nil}}, &pos.Discount{PercentBP: 1000, Reason: "x"}, tender{method: pos.MethodCash, amount: 70000}))
	e.mu.Lock()
	e.now = e.now.Add(2 * time.Hour) // the next sales fall into another hour
	e.mu.Unlock()
	sales = append(sales, e.sell(a, []buy{{breadSKU, 5, nil}}, nil, tender{method: pos.MethodCash}))
	r, err := e.as.Return(e.ctx, b, pos.ReturnRequest{SaleID: sales[1].ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "x"})
	e.must(err)
	voided := e.sell(a, []buy{{sockSKU, 1, nil}}, nil, tender{method: pos.MethodCash})
	_, err = e.as.VoidLastSale(e.ctx, e.boss, voided.ID, "x", nil)
	e.must(err)
	want := sumReceipts(sales, []*pos.Return{r})

	from, to := e.now.Add(-24*time.Hour), e.now.Add(time.Hour)
	rows := map[string][]pos.ReportRow{}
	for _, by := range pos.ReportGroupings {
		rows[by], err = e.db.SalesReport(e.ctx, by, from, to)
		e.must(err)
	}
	sum := func(by string, f func(pos.ReportRow) int64) int64 {
		var n int64
		for _, r := range rows[by] {
			n += f(r)
		}
		return n
	}
	amount := func(r pos.ReportRow) int64 { return r.Amount }
	tax := func(r pos.ReportRow) int64 { return r.Tax }
	var wantTax int64
	for _, tl := range want.tax {
		wantTax += tl.Tax
	}
	if len(rows[pos.ReportByHour]) != 2 || len(rows[pos.ReportByDay]) != 1 {
		t.Fatalf("hours %+v days %+v", rows[pos.ReportByHour], rows[pos.ReportByDay])
	}
	for _, by := range []string{pos.ReportByHour, pos.ReportByDay, pos.ReportByCashier} {
		if got := sum(by, amount); got != want.total {
			t.Fatalf("report by %s adds up to %d, receipts to %d", by, got, want.total)
		}
	}
	if got := sum(pos.ReportByTender, amount); got != want.total+want.rounding {
		t.Fatalf("report by tender adds up to %d, receipts to %d", got, want.total+want.rounding)
	}
	for _, row := range rows[pos.ReportByTender] {
		if row.Amount != want.byMethod[row.Key] {
			t.Fatalf("tender %s: %d, receipts %d", row.Key, row.Amount, want.byMethod[row.Key])
		}
	}
	if sum(pos.ReportByTaxRate, tax) != wantTax || sum(pos.ReportByHour, tax) != wantTax {
		t.Fatalf("tax by rate %d, by hour %d, receipts %d", sum(pos.ReportByTaxRate, tax), sum(pos.ReportByHour, tax), wantTax)
	}
	for _, row := range rows[pos.ReportByItem] {
		if row.Key == bookSKU && row.Qty != 2 {
			t.Fatalf("books net %d, want 3 sold − 1 returned", row.Qty)
		}
		if row.Key == sockSKU {
			t.Fatalf("a voided sale's item is in the report: %+v", row)
		}
	}
	// Nothing outside the period.
	if none, err := e.db.SalesReport(e.ctx, pos.ReportByDay, to, to.Add(time.Hour)); err != nil || len(none) != 0 {
		t.Fatalf("empty period: %+v %v", none, err)
	}
	if _, err := e.db.SalesReport(e.ctx, "weekday", from, to); err == nil {
		t.Fatal("unknown grouping accepted")
	}

	var buf bytes.Buffer
	e.must(pos.WriteReportCSV(&buf, pos.ReportByItem, rows[pos.ReportByItem]))
	recs, err := csv.NewReader(&buf).ReadAll()
	e.must(err)
	if len(recs) != len(rows[pos.ReportByItem])+1 || recs[0][0] != pos.ReportByItem || recs[0][3] != "amount_minor" {
		t.Fatalf("csv %v", recs)
	}
}

func TestCloseShiftRefusesAStaleReport(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	_, err := e.as.OpenShift(e.ctx, e.cashier, 0)
	e.must(err)
	e.sell(e.cashier, []buy{{bookSKU, 1, nil}}, nil, tender{method: pos.MethodCash})
	sh, err := e.db.CurrentShift(e.ctx, "till-1")
	e.must(err)
	d, err := e.db.ShiftData(e.ctx, sh.ID)
	e.must(err)
	rep := pos.BuildShiftReport("Z", d, e.now, "SEK")
	// A sale lands after the report was computed: the close is refused.
	e.sell(e.cashier, []buy{{sockSKU, 1, nil}}, nil, tender{method: pos.MethodCash})
	sh.ClosedAt = e.now
	if err := e.db.CloseShift(e.ctx, &sh, rep); !errors.Is(err, pos.ErrConflict) {
		t.Fatalf("close with a stale report: %v", err)
	}
	z, err := e.as.CloseShift(e.ctx, e.boss, 0)
	e.must(err)
	if z.Sales != 2 || z.Total != 18950+7990 {
		t.Fatalf("Z report %d sales, total %d", z.Sales, z.Total)
	}
}

// A shift is not closed while a cart at its station is being paid: that
// sale and its cash belong to the shift being counted.
func TestCloseShiftWaitsForACartBeingPaid(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	_, err := e.as.OpenShift(e.ctx, e.cashier, 100000)
	e.must(err)
	v := e.cart(e.cashier, []buy{{bookSKU, 1, nil}}, nil)
	_, err = e.till.PayCash(e.ctx, e.cashier, v.ID, 5000)
	e.must(err)
	if _, err := e.as.CloseShift(e.ctx, e.boss, 105000); !errors.Is(err, pos.ErrCartLocked) {
		t.Fatalf("close while a cart is being paid: %v", err)
	}
	if _, err := e.db.CurrentShift(e.ctx, "till-1"); err != nil {
		t.Fatalf("the shift was closed: %v", err)
	}
	_, err = e.till.PayCash(e.ctx, e.cashier, v.ID, 20000)
	e.must(err)
	_, err = e.till.Complete(e.ctx, e.cashier, v.ID)
	e.must(err)
	z, err := e.as.CloseShift(e.ctx, e.boss, 100000+18950)
	e.must(err)
	if z.Sales != 1 || z.Total != 18950 || z.ExpectedCash < 100000+18950-100 {
		t.Fatalf("Z report %d sales, total %d, expected cash %d", z.Sales, z.Total, z.ExpectedCash)
	}
}

// Reports by hour and by day count hours and days in the zone of the
// period asked for (the store's), not in the zone a sale's time stamp
// was written in.
func TestReportHoursAreTheStores(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	e.sell(e.cashier, []buy{{bookSKU, 1, nil}}, nil, tender{method: pos.MethodCash}) // 09:00 CET
	taipei, err := time.LoadLocation("Asia/Taipei")
	e.must(err)
	from := time.Date(2026, 11, 22, 0, 0, 0, 0, taipei)
	for by, want := range map[string]string{pos.ReportByHour: "2026-11-22T16", pos.ReportByDay: "2026-11-22"} {
		rows, err := e.db.SalesReport(e.ctx, by, from, from.AddDate(0, 0, 1))
		e.must(err)
		if len(rows) != 1 || rows[0].Key != want || rows[0].Count != 1 || rows[0].Amount != 18950 {
			t.Errorf("by %s: %+v, want one row %s", by, rows, want)
		}
	}
}
