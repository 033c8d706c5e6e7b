package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// eventMoney decodes the list (payments or refunds) of an event's data.
func eventMoney(t *testing.T, ev pos.Event, list string) []map[string]any {
	t.Helper()
	var data map[string]json.RawMessage
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatalf("%s data: %v", ev.Type, err)
	}
	var out []map[string]any
	if err := json.Unmarshal(data[list], &out); err != nil {
		t.Fatalf("%s %s: %v: %s", ev.Type, list, err, ev.Data)
	}
	return out
}

// refsByMethod maps each method of a payments or refunds list to its ref;
// a method without a ref maps to "none".
func refsByMethod(items []map[string]any) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		ref, ok := it["ref"].(string)
		if !ok {
			ref = "none"
		}
		out[it["method"].(string)] = ref
	}
	return out
}

func TestVoucherCodesReachCentralInEvents(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	// Store credit issued by a return: the return's event names its code.
	s := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}},
		Reason: "too small", ToStoreCredit: true})
	e.must(err)
	credit := r.Refunds[0].Ref
	returns := e.events(pos.EventReturnCompleted)
	contractData(t, returns[len(returns)-1], pos.EventReturnCompleted)
	if got := refsByMethod(eventMoney(t, returns[len(returns)-1], "refunds")); got[pos.MethodStoreCredit] != credit {
		t.Fatalf("return refunds %v, want store credit %s", got, credit)
	}

	// A sale paid by that credit, a card issued elsewhere and a bank card:
	// central learns both codes, and no bank card reference.
	const card = "GC-7001"
	e.must(e.db.SetVoucherOfflineLimit(e.ctx, card, 50000))
	sold := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}, {bookSKU, 1, nil}}, nil,
		tender{method: pos.MethodStoreCredit, amount: 100000, ref: credit},
		tender{method: pos.MethodGiftCard, amount: 20000, ref: card},
		tender{method: pos.MethodCard})
	sales := e.events(pos.EventSaleCompleted)
	ev := sales[len(sales)-1]
	contractData(t, ev, pos.EventSaleCompleted)
	want := map[string]string{pos.MethodStoreCredit: credit, pos.MethodGiftCard: card, pos.MethodCard: "none"}
	if got := refsByMethod(eventMoney(t, ev, "payments")); len(got) != 3 || got[pos.MethodStoreCredit] != want[pos.MethodStoreCredit] ||
		got[pos.MethodGiftCard] != want[pos.MethodGiftCard] || got[pos.MethodCard] != want[pos.MethodCard] {
		t.Fatalf("sale payments %v, want %v", got, want)
	}

	// Its void gives both back, and says to which codes.
	_, err = e.as.VoidLastSale(e.ctx, e.boss, sold.ID, "customer changed mind", nil)
	e.must(err)
	voids := e.events(pos.EventSaleVoided)
	ev = voids[len(voids)-1]
	contractData(t, ev, pos.EventSaleVoided)
	if got := refsByMethod(eventMoney(t, ev, "refunds")); len(got) != 3 || got[pos.MethodStoreCredit] != credit ||
		got[pos.MethodGiftCard] != card || got[pos.MethodCard] != "none" {
		t.Fatalf("void refunds %v, want %v", got, want)
	}
}

// voucherEntries are the journal's entries of vouchers issued outside a
// return, by code.
func (e *asEnv) voucherEntries() map[string]pos.VoucherIssue {
	e.t.Helper()
	entries, err := e.db.Journal(e.ctx, 0, 10000)
	e.must(err)
	out := map[string]pos.VoucherIssue{}
	for _, je := range entries {
		if je.Kind != pos.JournalVoucher {
			continue
		}
		var d pos.VoucherIssue
		e.must(json.Unmarshal(je.Data, &d))
		if je.Ref != d.Code {
			e.t.Fatalf("journal entry %d of voucher %s has ref %s", je.N, d.Code, je.Ref)
		}
		out[d.Code] = d
	}
	return out
}

func TestIssuedVoucherIsJournalledAndCountedInItsShift(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	// A gift card sold takes cash into a drawer: none without a shift.
	if _, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodGiftCard, 50000, "sold"); !errors.Is(err, pos.ErrNoShift) {
		t.Fatalf("gift card sold with no shift open: %v", err)
	}
	if _, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodStoreCredit, 5000, "  "); !errors.Is(err, pos.ErrReasonRequired) {
		t.Fatalf("store credit without a reason: %v", err)
	}
	if got := e.voucherEntries(); len(got) != 0 {
		t.Fatalf("refused vouchers journalled: %+v", got)
	}

	const float = 10000
	sh, err := e.as.OpenShift(e.ctx, e.cashier, float)
	e.must(err)
	sold := e.sell(e.cashier, []buy{{bookSKU, 1, nil}}, nil, tender{method: pos.MethodCash})
	saleCash := sold.Balance.Total + sold.Balance.Rounding // 189.50, rounded to whole kronor
	gift, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodGiftCard, 50000, "gift card sold")
	e.must(err)
	credit, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodStoreCredit, 20000, "late delivery, order W-17")
	e.must(err)

	// Each is journalled with who issued it, where, why and for how much,
	// and the voucher itself names its issuer and shift.
	want := map[string]pos.VoucherIssue{
		gift.Code: {Code: gift.Code, Kind: pos.MethodGiftCard, Amount: 50000, Cash: 50000, Reason: "gift card sold",
			Staff: "9", Station: "till-1", ShiftID: sh.ID},
		credit.Code: {Code: credit.Code, Kind: pos.MethodStoreCredit, Amount: 20000, Reason: "late delivery, order W-17",
			Staff: "9", Station: "till-1", ShiftID: sh.ID},
	}
	if got := e.voucherEntries(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("journal %+v, want %+v", got, want)
	}
	stored, err := e.as.Voucher(e.ctx, gift.Code)
	e.must(err)
	if stored.IssuedBy != "9" || stored.Station != "till-1" || stored.ShiftID != sh.ID || stored.Cash != 50000 || stored.Balance != 50000 {
		t.Fatalf("stored gift card %+v", stored)
	}

	// The X report shows both; the gift card's cash is expected in the
	// drawer, though it is no sale.
	x, err := e.as.XReport(e.ctx, e.boss, "till-1")
	e.must(err)
	issued := "[{gift_card 1 50000} {store_credit 1 20000}]"
	if fmt.Sprint(x.VouchersIssued) != issued || x.VoucherCash != 50000 || x.ExpectedCash != float+saleCash+50000 ||
		x.Total != 18950 || x.Sales != 1 {
		t.Fatalf("X report: vouchers %v cash %d, expected cash %d, total %d", x.VouchersIssued, x.VoucherCash, x.ExpectedCash, x.Total)
	}
	// Counting that cash closes the shift without a difference.
	z, err := e.as.CloseShift(e.ctx, e.boss, float+saleCash+50000)
	e.must(err)
	if z.Difference != 0 || fmt.Sprint(z.VouchersIssued) != issued {
		t.Fatalf("Z report: difference %d, vouchers %v", z.Difference, z.VouchersIssued)
	}
	evs := e.events(pos.EventShiftClosed)
	d := contractData(t, evs[len(evs)-1], pos.EventShiftClosed)
	if d["expected_cash"].(float64) != float64(float+saleCash+50000) || d["voucher_cash"].(float64) != 50000 {
		t.Fatalf("shift event %s", evs[len(evs)-1].Data)
	}

	// Store credit given while no shift is open belongs to the next shift
	// opened at the station.
	late, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodStoreCredit, 3000, "goodwill")
	e.must(err)
	if late.ShiftID != "" {
		t.Fatalf("store credit with no shift open has shift %q", late.ShiftID)
	}
	next, err := e.as.OpenShift(e.ctx, e.cashier, 0)
	e.must(err)
	x, err = e.as.XReport(e.ctx, e.boss, "till-1")
	e.must(err)
	if fmt.Sprint(x.VouchersIssued) != "[{store_credit 1 3000}]" || x.ExpectedCash != 0 {
		t.Fatalf("next shift's X report: vouchers %v, expected cash %d", x.VouchersIssued, x.ExpectedCash)
	}
	if got := e.voucherEntries()[late.Code]; got.ShiftID != "" || got.Staff != "9" {
		t.Fatalf("late store credit journalled as %+v", got)
	}
	if stored, _ := e.as.Voucher(e.ctx, late.Code); stored.ShiftID != next.ID {
		t.Fatalf("late store credit in shift %q, want %s", stored.ShiftID, next.ID)
	}
	check, err := e.db.VerifyJournal(e.ctx)
	e.must(err)
	if !check.OK() {
		t.Fatalf("journal %+v", check)
	}
}

// A voucher issued after a Z report was computed makes its close a
// conflict, as a receipt does.
func TestCloseShiftRefusesAReportWithoutAVoucherIssued(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	sh, err := e.as.OpenShift(e.ctx, e.cashier, 0)
	e.must(err)
	d, err := e.db.ShiftData(e.ctx, sh.ID)
	e.must(err)
	rep := pos.BuildShiftReport("Z", d, e.now, "SEK")
	_, err = e.as.IssueVoucher(e.ctx, e.boss, pos.MethodGiftCard, 10000, "sold")
	e.must(err)
	sh.ClosedAt = e.now
	if err := e.db.CloseShift(e.ctx, sh, rep); !errors.Is(err, pos.ErrConflict) {
		t.Fatalf("close with a report missing a voucher: %v", err)
	}
	z, err := e.as.CloseShift(e.ctx, e.boss, 10000)
	e.must(err)
	if z.VoucherCash != 10000 || z.Difference != 0 {
		t.Fatalf("Z report: voucher cash %d, difference %d", z.VoucherCash, z.Difference)
	}
	// The shift is closed: its drawer takes no more gift card cash.
	v := &pos.Voucher{Code: "9000000000000001", Kind: pos.MethodGiftCard, Issued: 100, Balance: 100, Cash: 100,
		IssuedBy: "9", Station: "till-1", ShiftID: sh.ID, CreatedAt: e.now, Ref: "sold"}
	if err := e.db.IssueVoucher(e.ctx, v); !errors.Is(err, pos.ErrShiftClosed) {
		t.Fatalf("gift card sold into a closed shift: %v", err)
	}
}

// A database of schema 7 keeps its vouchers through the migration that
// records who issued them; they count in no shift.
func TestMigratedVouchersKeepTheirBalance(t *testing.T) {
	path, _ := oldDatabase(t, 7)
	raw := rawDB(t, path)
	if _, err := raw.Exec(`INSERT INTO vouchers(code, kind, issued, balance, created_at, ref)
		VALUES ('9111222233334444', 'store_credit', 5000, 4000, '2026-11-01T10:00:00Z', 'r-1')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.Voucher(context.Background(), "9111222233334444")
	if err != nil {
		t.Fatal(err)
	}
	if v.Balance != 4000 || v.External || v.IssuedBy != "" || v.ShiftID != "" || v.Cash != 0 {
		t.Fatalf("migrated voucher %+v", v)
	}
}

// A code is the same card however the cashier types it: in lower case,
// with the spaces of groups typed by hand. A card issued elsewhere keeps
// one offline limit, not one per spelling, and central learns the code in
// its one form.
func TestVoucherCodeTypedInAnyCaseFindsTheCard(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	const card = "GC-7001"
	e.must(e.db.SetVoucherOfflineLimit(e.ctx, "gc-7001", 30000))
	for _, typed := range []string{"GC-7001", "gc-7001", "Gc-7001", " gc-7001\t"} {
		v, err := e.as.Voucher(e.ctx, typed)
		e.must(err)
		if v.Code != card || v.Limit != 30000 || v.Available() != 30000 {
			t.Fatalf("card typed %q: %+v, want %s with 30000 available", typed, v, card)
		}
	}

	// Its limit holds across spellings within a cart and across sales.
	c := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
	e.pay(e.cashier, c.ID, tender{method: pos.MethodGiftCard, amount: 20000, ref: "gc-7001"})
	if _, err := e.as.PayVoucher(e.ctx, e.cashier, c.ID, pos.MethodGiftCard, card, 20000); !errors.Is(err, pos.ErrVoucherLimit) {
		t.Fatalf("second 20000 on the card in another case: %v, want %v", err, pos.ErrVoucherLimit)
	}
	e.pay(e.cashier, c.ID, tender{method: pos.MethodCard})
	sold, err := e.till.Complete(e.ctx, e.cashier, c.ID)
	e.must(err)
	if v, err := e.as.Voucher(e.ctx, "gC-7001"); err != nil || v.Redeemed != 20000 || v.Available() != 10000 {
		t.Fatalf("card after the sale: %+v, %v", v, err)
	}
	sales := e.events(pos.EventSaleCompleted)
	if got := refsByMethod(eventMoney(t, sales[len(sales)-1], "payments")); got[pos.MethodGiftCard] != card {
		t.Fatalf("sale payments %v, want the card as %s", got, card)
	}
	_, err = e.as.VoidLastSale(e.ctx, e.boss, sold.ID, "wrong card", nil)
	e.must(err)
	if v, err := e.as.Voucher(e.ctx, card); err != nil || v.Redeemed != 0 {
		t.Fatalf("card after the void: %+v, %v", v, err)
	}

	// A gift card sold here, its sixteen digits typed in groups.
	e.must1(e.as.OpenShift(e.ctx, e.cashier, 0))
	gift, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodGiftCard, 5000, "sold")
	e.must(err)
	grouped := gift.Code[:4] + " " + gift.Code[4:8] + " " + gift.Code[8:12] + " " + gift.Code[12:]
	if v, err := e.as.Voucher(e.ctx, grouped); err != nil || v.Code != gift.Code || v.External || v.Balance != 5000 {
		t.Fatalf("gift card typed %q: %+v, %v", grouped, v, err)
	}
}

// A database of schema 13 kept codes as typed: a card issued elsewhere
// may be there once per spelling. The upgrade keeps each card once, in
// upper case, with what every spelling redeemed and the limit a manager
// set, and its uses follow it.
func TestMigratedVoucherCodesAreUpperCase(t *testing.T) {
	path, _ := oldDatabase(t, 13)
	raw := rawDB(t, path)
	for _, s := range []string{
		`INSERT INTO vouchers(code, kind, issued, balance, external, offline_limit, redeemed, created_at) VALUES
			('gc-7001', 'gift_card', 0, 0, 1, -1, 2000, '2026-11-01T10:00:00Z'),
			('GC-7001', 'gift_card', 0, 0, 1, 30000, 5000, '2026-11-02T10:00:00Z'),
			('gc-8002', 'gift_card', 0, 0, 1, 1000, 300, '2026-11-01T10:00:00Z'),
			('Gc-8002', 'gift_card', 0, 0, 1, -1, 100, '2026-11-02T10:00:00Z'),
			('x-9', 'gift_card', 0, 0, 1, -1, 50, '2026-11-02T10:00:00Z'),
			('9111222233334444', 'store_credit', 5000, 4000, 0, -1, 0, '2026-11-01T10:00:00Z')`,
		`INSERT INTO voucher_uses(code, delta, ref, at) VALUES
			('gc-7001', -2000, 's-1', '2026-11-01T10:00:00Z'), ('GC-7001', -5000, 's-2', '2026-11-02T10:00:00Z'),
			('gc-8002', -300, 's-3', '2026-11-01T10:00:00Z'), ('Gc-8002', -100, 's-4', '2026-11-02T10:00:00Z'),
			('x-9', -50, 's-5', '2026-11-02T10:00:00Z'),
			('9111222233334444', 5000, 'r-1', '2026-11-01T10:00:00Z'), ('9111222233334444', -1000, 's-6', '2026-11-01T11:00:00Z')`,
	} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	raw.Close()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		typed, code     string
		limit, redeemed int64
		balance         int64
	}{
		{"gc-7001", "GC-7001", 30000, 7000, 0},
		{"GC-8002", "GC-8002", 1000, 400, 0},
		{"x-9", "X-9", 0, 50, 0}, // the store's default limit, none set
		{"9111222233334444", "9111222233334444", 0, 0, 4000},
	} {
		v, err := db.Voucher(ctx, tc.typed)
		if err != nil {
			t.Fatal(err)
		}
		if v.Code != tc.code || v.Redeemed != tc.redeemed || v.Balance != tc.balance || (v.External && v.Limit != tc.limit) {
			t.Errorf("%s after the upgrade: %+v, want %s with limit %d, %d redeemed, balance %d",
				tc.typed, v, tc.code, tc.limit, tc.redeemed, tc.balance)
		}
	}

	raw = rawDB(t, path)
	defer raw.Close()
	rows, err := raw.Query("SELECT code, count(*), sum(delta) FROM voucher_uses GROUP BY code ORDER BY code")
	if err != nil {
		t.Fatal(err)
	}
	var uses []string
	for rows.Next() {
		var code string
		var n, sum int64
		if err := rows.Scan(&code, &n, &sum); err != nil {
			t.Fatal(err)
		}
		uses = append(uses, fmt.Sprintf("%s %d %d", code, n, sum))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(uses), "[9111222233334444 2 4000 GC-7001 2 -7000 GC-8002 2 -400 X-9 1 -50]"; got != want {
		t.Fatalf("voucher uses by code %s, want %s", got, want)
	}
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM vouchers").Scan(&n); err != nil || n != 4 {
		t.Fatalf("%d vouchers after the upgrade, want 4: %v", n, err)
	}
	var broken sql.NullString
	if err := raw.QueryRow("PRAGMA foreign_key_check").Scan(&broken); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("foreign key check after the upgrade: %v %v", broken, err)
	}
	if _, err := raw.Exec(`INSERT INTO vouchers(code, kind, issued, balance, created_at) VALUES ('gc-1', 'gift_card', 0, 0, '2026-11-03T10:00:00Z')`); err == nil {
		t.Fatal("a code in lower case stored after the upgrade")
	}
}
