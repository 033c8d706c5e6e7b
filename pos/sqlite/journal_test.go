package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// journalEnv records one of every kind of journal entry and closes the
// database, leaving its file.
func journalEnv(t *testing.T) (string, []pos.JournalEntry) {
	t.Helper()
	e := newASEnv(t, pos.ReturnPolicy{})
	_, err := e.as.OpenShift(e.ctx, e.cashier, 50000)
	e.must(err)
	v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}, {bookSKU, 1, nil}}, nil)
	v, err = e.till.OverridePrice(e.ctx, e.cashier, v.ID, v.Lines[0].ID, 99900, "shop-worn", e.sup)
	e.must(err)
	e.pay(e.cashier, v.ID, tender{method: pos.MethodCard})
	s, err := e.till.Complete(e.ctx, e.cashier, v.ID)
	e.must(err)
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "2", Qty: 1, Restock: true}}, Reason: "x"})
	e.must(err)
	_, err = e.as.CashOp(e.ctx, e.cashier, pos.CashNoSale, 0, "change for a customer")
	e.must(err)
	c, err := e.as.RecordCopy(e.ctx, e.cashier, "sale", s.ID)
	e.must(err)
	if c.CopyNo != 1 || c.No != s.ReceiptNo || pos.ReceiptMark(pos.MarkCopy, c.CopyNo) != "COPY 1" {
		t.Fatalf("copy %+v", c)
	}
	rc, err := e.as.RecordCopy(e.ctx, e.cashier, "return", r.ID)
	e.must(err)
	if rc.CopyNo != 1 || rc.No != r.ReturnNo {
		t.Fatalf("return copy %+v", rc)
	}
	if c, err = e.as.RecordCopy(e.ctx, e.cashier, "sale", s.ID); err != nil || c.CopyNo != 2 {
		t.Fatalf("second copy %+v, %v", c, err)
	}
	last := e.sell(e.cashier, []buy{{sockSKU, 1, nil}}, nil, tender{method: pos.MethodCash})
	_, err = e.as.VoidLastSale(e.ctx, e.boss, last.ID, "mistake", nil)
	e.must(err)
	e.sell(e.cashier, []buy{{breadSKU, 1, nil}}, nil, tender{method: pos.MethodCash})
	_, err = e.as.CloseShift(e.ctx, e.boss, 0)
	e.must(err)
	entries, err := e.db.Journal(e.ctx, 0, 1000)
	e.must(err)
	e.must(e.db.Close())
	return e.path, entries
}

// tamper copies the database file and changes it with stmts through a
// plain SQL connection, as someone with the file could.
func tamper(t *testing.T, src string, stmts ...string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "tampered.db")
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", dst)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range stmts {
		res, err := raw.Exec(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s changed nothing", s)
		}
	}
	return dst
}

func verify(t *testing.T, path string) sqlite.JournalCheck {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.VerifyJournal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// named lists the problems as "N kind", in the order of N.
func named(c sqlite.JournalCheck) []string {
	ps := append([]pos.JournalProblem(nil), c.Problems...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].N < ps[j].N || ps[i].N == ps[j].N && ps[i].Kind < ps[j].Kind })
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d %s", p.N, p.Kind))
	}
	return out
}

func TestJournalNamesTamperedEntries(t *testing.T) {
	path, entries := journalEnv(t)
	kinds := map[string]int64{}
	for _, e := range entries {
		if _, ok := kinds[e.Kind]; !ok {
			kinds[e.Kind] = e.N
		}
	}
	for _, k := range []string{pos.JournalSale, pos.JournalPriceOverride, pos.JournalReturn, pos.JournalDrawer,
		pos.JournalCopy, pos.JournalVoid, pos.JournalZReport} {
		if kinds[k] == 0 {
			t.Fatalf("no %s entry in the journal: %v", k, kinds)
		}
	}
	if c := verify(t, path); !c.OK() || c.Entries != len(entries) {
		t.Fatalf("untouched journal: %+v", c)
	}
	z := entries[len(entries)-1]
	if z.Kind != pos.JournalZReport {
		t.Fatalf("last entry is %s", z.Kind)
	}
	ret, drawer, cp := kinds[pos.JournalReturn], kinds[pos.JournalDrawer], kinds[pos.JournalCopy]
	for _, tc := range []struct {
		name  string
		stmts []string
		want  []string
	}{
		{"edit an amount", []string{fmt.Sprintf(`UPDATE journal SET data = replace(data, '"total":', '"total":1') WHERE n = %d`, ret)},
			[]string{fmt.Sprintf("%d changed", ret)}},
		{"edit the time", []string{fmt.Sprintf(`UPDATE journal SET at = '2020-01-01T00:00:00Z' WHERE n = %d`, drawer)},
			[]string{fmt.Sprintf("%d changed", drawer)}},
		{"delete an entry", []string{fmt.Sprintf(`DELETE FROM journal WHERE n = %d`, cp)},
			[]string{fmt.Sprintf("%d removed", cp)}},
		{"swap two entries", []string{
			fmt.Sprintf(`UPDATE journal SET n = -1 WHERE n = %d`, ret),
			fmt.Sprintf(`UPDATE journal SET n = %d WHERE n = %d`, ret, drawer),
			fmt.Sprintf(`UPDATE journal SET n = %d WHERE n = -1`, drawer)},
			[]string{fmt.Sprintf("%d reordered", ret), fmt.Sprintf("%d reordered", drawer)}},
		{"delete the Z report", []string{fmt.Sprintf(`DELETE FROM journal WHERE n = %d`, z.N)},
			[]string{fmt.Sprintf("%d removed", z.N)}},
		{"delete and renumber", []string{
			fmt.Sprintf(`DELETE FROM journal WHERE n = %d`, cp),
			fmt.Sprintf(`UPDATE journal SET n = n - 1 WHERE n > %d`, cp)},
			// The entry now numbered cp does not follow its predecessor,
			// and the Z report's head is no longer entry z.N.
			[]string{fmt.Sprintf("%d broken", cp), fmt.Sprintf("%d removed", z.N)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := verify(t, tamper(t, path, tc.stmts...))
			got := named(c)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("problems %v, want %v: %+v", got, tc.want, c.Problems)
			}
		})
	}
}

func TestVouchersAndCustomers(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}},
		Reason: "x", ToStoreCredit: true})
	e.must(err)
	credit := r.Refunds[0].Ref

	// Redeem store credit at the till: never more than its balance.
	v := e.cart(e.cashier, []buy{{jacketSKU, 1, nil}, {bookSKU, 1, nil}}, nil)
	if _, err := e.as.PayVoucher(e.ctx, e.cashier, v.ID, pos.MethodStoreCredit, credit, 129901); !errors.Is(err, pos.ErrVoucherBalance) {
		t.Fatalf("over the balance: %v", err)
	}
	e.pay(e.cashier, v.ID, tender{method: pos.MethodStoreCredit, amount: 100000, ref: credit}, tender{method: pos.MethodCard})
	paid, err := e.till.Complete(e.ctx, e.cashier, v.ID)
	e.must(err)
	vc, err := e.as.Voucher(e.ctx, credit)
	e.must(err)
	if vc.Balance != 29900 || vc.Redeemed != 100000 {
		t.Fatalf("store credit after redeeming: %+v", vc)
	}
	// Voiding the sale gives the credit back.
	_, err = e.as.VoidLastSale(e.ctx, e.boss, paid.ID, "x", nil)
	e.must(err)
	if vc, _ = e.as.Voucher(e.ctx, credit); vc.Balance != 129900 {
		t.Fatalf("store credit after the void: %+v", vc)
	}

	// A gift card issued elsewhere: nothing offline until the store sets
	// a limit, then up to it, per card when the card has its own.
	const card = "GC-1001"
	v = e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
	if _, err := e.as.PayVoucher(e.ctx, e.cashier, v.ID, pos.MethodGiftCard, card, 1000); !errors.Is(err, pos.ErrVoucherLimit) {
		t.Fatalf("external card without a limit: %v", err)
	}
	e.must(e.db.SetVoucherOfflineLimit(e.ctx, "", 50000))
	e.pay(e.cashier, v.ID, tender{method: pos.MethodGiftCard, amount: 30000, ref: card}, tender{method: pos.MethodCard})
	_, err = e.till.Complete(e.ctx, e.cashier, v.ID)
	e.must(err)
	v = e.cart(e.cashier, []buy{{jacketSKU, 1, nil}}, nil)
	if _, err := e.as.PayVoucher(e.ctx, e.cashier, v.ID, pos.MethodGiftCard, card, 30000); !errors.Is(err, pos.ErrVoucherLimit) {
		t.Fatalf("beyond the offline limit: %v", err)
	}
	e.must(e.db.SetVoucherOfflineLimit(e.ctx, card, 70000))
	// Two carts tender the same card, each within what is left; the
	// second sale is refused in its own transaction and not recorded.
	e.pay(e.cashier, v.ID, tender{method: pos.MethodGiftCard, amount: 30000, ref: card}, tender{method: pos.MethodCard})
	other := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"}
	w := e.cart(other, []buy{{jacketSKU, 1, nil}}, nil)
	e.pay(other, w.ID, tender{method: pos.MethodGiftCard, amount: 30000, ref: card}, tender{method: pos.MethodCard})
	_, err = e.till.Complete(e.ctx, e.cashier, v.ID)
	e.must(err)
	if _, err := e.till.Complete(e.ctx, other, w.ID); !errors.Is(err, pos.ErrVoucherLimit) {
		t.Fatalf("second redemption beyond the limit: %v", err)
	}
	if _, err := e.db.Sale(e.ctx, w.ID); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("refused sale recorded: %v", err)
	}
	gc, err := e.as.Voucher(e.ctx, card)
	e.must(err)
	if !gc.External || gc.Redeemed != 60000 || gc.Available() != 10000 {
		t.Fatalf("gift card %+v", gc)
	}
	if _, err := e.as.IssueVoucher(e.ctx, e.cashier, pos.MethodGiftCard, 10000, "goodwill"); !errors.Is(err, pos.ErrForbidden) {
		t.Fatalf("cashier issuing a voucher: %v", err)
	}
	_, err = e.as.OpenShift(e.ctx, e.boss, 0) // a gift card is sold into a drawer
	e.must(err)
	issued, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodGiftCard, 10000, "goodwill")
	e.must(err)
	if got, _ := e.as.Voucher(e.ctx, issued.Code); got.Balance != 10000 || got.External {
		t.Fatalf("issued voucher %+v", got)
	}

	// Customers: central's profile online, the loyalty id alone offline.
	e.lookup.customers = map[string]pos.Customer{"+46701234567": {ID: "C-88412", Name: "Ana", Points: 1200}}
	x := e.cart(e.cashier, []buy{{breadSKU, 1, nil}}, nil)
	cv, cust, err := e.as.AttachCustomer(e.ctx, e.cashier, x.ID, "+46701234567")
	e.must(err)
	if cust.Name != "Ana" || cust.Offline || cv.CustomerID != "C-88412" {
		t.Fatalf("online customer %+v on cart %q", cust, cv.CustomerID)
	}
	if _, _, err := e.as.AttachCustomer(e.ctx, e.cashier, x.ID, "nobody"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("unknown customer: %v", err)
	}
	e.lookup.offline = true
	cv, cust, err = e.as.AttachCustomer(e.ctx, e.cashier, x.ID, "LOY-5555")
	e.must(err)
	if !cust.Offline || cv.CustomerID != "LOY-5555" {
		t.Fatalf("offline customer %+v on cart %q", cust, cv.CustomerID)
	}
	e.pay(e.cashier, x.ID, tender{method: pos.MethodCash})
	sold, err := e.till.Complete(e.ctx, e.cashier, x.ID)
	e.must(err)
	if sold.EventData().CustomerID != "LOY-5555" {
		t.Fatalf("sale event customer %q", sold.EventData().CustomerID)
	}
}

func TestTrainingReceiptIsJournalledOnly(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	before := len(e.events(""))
	stock := e.onHand(bookSKU)
	// A cart opened for real never closes as training, however it is paid.
	real := e.cart(e.cashier, []buy{{bookSKU, 2, nil}}, nil)
	e.pay(e.cashier, real.ID, tender{method: pos.MethodCash})
	if _, err := e.as.CompleteTraining(e.ctx, e.cashier, real.ID); !errors.Is(err, pos.ErrNotTraining) {
		t.Fatalf("a real cart closed as training: %v", err)
	}
	e.must(e.till.Cancel(e.ctx, e.cashier, real.ID))
	training := func(a pos.Actor) *pos.CartView {
		if _, err := e.as.OpenTraining(e.ctx, a, nil); !errors.Is(err, pos.ErrApprovalRequired) {
			t.Fatalf("training without approval: %v", err)
		}
		v, err := e.as.OpenTraining(e.ctx, a, e.sup)
		e.must(err)
		v, err = e.till.AddItem(e.ctx, a, v.ID, bookSKU, 2)
		e.must(err)
		return v
	}
	w := training(pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"})
	e.pay(e.cashier, w.ID, tender{method: pos.MethodCash})
	if _, err := e.till.Complete(e.ctx, e.cashier, w.ID); !errors.Is(err, pos.ErrTrainingCart) {
		t.Fatalf("a training cart completed as a sale: %v", err)
	}
	tr, err := e.as.CompleteTraining(e.ctx, e.cashier, w.ID)
	e.must(err)
	if tr.No != 1 || tr.Sale.Balance.Total != 2*18950 {
		t.Fatalf("training receipt %+v", tr)
	}
	if len(e.events("")) != before || e.onHand(bookSKU) != stock {
		t.Fatal("a training receipt sent an event or moved stock")
	}
	if _, err := e.db.Sale(e.ctx, w.ID); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("training receipt recorded as a sale: %v", err)
	}
	if _, err := e.db.Cart(e.ctx, w.ID); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("training cart still open: %v", err)
	}
	entries, err := e.db.Journal(e.ctx, 0, 100)
	e.must(err)
	if n := len(entries); n != 1 || entries[0].Mark != pos.MarkTraining || entries[0].Ref != w.ID {
		t.Fatalf("journal %+v", entries)
	}
	if pos.ReceiptMark(entries[0].Mark, 0) != "TRAINING" {
		t.Fatalf("mark %q", pos.ReceiptMark(entries[0].Mark, 0))
	}
}

// A training receipt is kept as closed, listed by its station, and a
// copy of it is journalled by its number; no receipt number finds it.
func TestTrainingReceiptCopy(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-2"}
	v, err := e.as.OpenTraining(e.ctx, a, e.sup)
	e.must(err)
	_, err = e.till.AddItem(e.ctx, a, v.ID, bookSKU, 2)
	e.must(err)
	e.pay(a, v.ID, tender{method: pos.MethodCash})
	tr, err := e.as.CompleteTraining(e.ctx, a, v.ID)
	e.must(err)
	got, err := e.db.TrainingReceipt(e.ctx, tr.No)
	e.must(err)
	if got.No != 1 || got.Sale.Station != "till-2" || len(got.Sale.Lines) != 1 || got.Sale.Lines[0].Names["en"] == "" ||
		got.Sale.Balance.Total != 2*18950 {
		t.Fatalf("training receipt kept as %+v", got)
	}
	for station, want := range map[string]int{"till-2": 1, "till-1": 0} {
		list, err := e.db.TrainingReceipts(e.ctx, station, 10)
		e.must(err)
		if len(list) != want {
			t.Errorf("%s lists %d training receipts, want %d", station, len(list), want)
		}
	}
	if _, err := e.db.SaleByReceipt(e.ctx, tr.No); !errors.Is(err, pos.ErrNotFound) {
		t.Errorf("receipt number %d finds a sale: %v", tr.No, err)
	}
	c, err := e.as.RecordCopy(e.ctx, a, "training", "1")
	e.must(err)
	if c.No != 1 || c.CopyNo != 1 {
		t.Errorf("copy %+v", c)
	}
	// The same receipt written with a leading zero is the same receipt:
	// its second copy.
	c, err = e.as.RecordCopy(e.ctx, a, "training", "01")
	e.must(err)
	if c.No != 1 || c.CopyNo != 2 || c.Ref != "1" {
		t.Errorf("second copy, asked for as 01: %+v", c)
	}
	if _, err := e.as.RecordCopy(e.ctx, a, "training", "2"); !errors.Is(err, pos.ErrNotFound) {
		t.Errorf("copy of a training receipt never made: %v", err)
	}
	if _, err := e.as.RecordCopy(e.ctx, a, "training", v.ID); !errors.Is(err, pos.ErrInvalidRequest) {
		t.Errorf("copy of a training receipt named by its cart: %v", err)
	}
	entries, err := e.db.Journal(e.ctx, 0, 100)
	e.must(err)
	if last := entries[len(entries)-1]; last.Kind != pos.JournalCopy || last.Ref != "1" || last.Mark != pos.MarkCopy {
		t.Errorf("journal's last entry %+v, want the copy", last)
	}
}

// TestTrainingCartRefusesRealSteps checks that the domain itself keeps a
// training cart from moving real money or leaving as a real sale, whoever
// asks: no card, no voucher, no exchange, no saving to a customer.
func TestTrainingCartRefusesRealSteps(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	s := e.sell(e.cashier, []buy{{jacketSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	r, err := e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}},
		Reason: "x", ToStoreCredit: true})
	e.must(err)
	credit := r.Refunds[0].Ref
	s = e.sell(e.cashier, []buy{{sockSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	before, stock := len(e.events("")), e.onHand(bookSKU)

	v, err := e.as.OpenTraining(e.ctx, e.cashier, e.sup)
	e.must(err)
	_, err = e.till.AddItem(e.ctx, e.cashier, v.ID, bookSKU, 1)
	e.must(err)
	e.lookup.offline = true // the customer is attached by number
	_, _, err = e.as.AttachCustomer(e.ctx, e.cashier, v.ID, "LOY-5555")
	e.must(err)

	if _, err := e.till.PayCard(e.ctx, e.cashier, v.ID, 1000); !errors.Is(err, pos.ErrTrainingTender) {
		t.Errorf("card on a training cart: %v", err)
	}
	if _, err := e.as.PayVoucher(e.ctx, e.cashier, v.ID, pos.MethodStoreCredit, credit, 1000); !errors.Is(err, pos.ErrTrainingTender) {
		t.Errorf("store credit on a training cart: %v", err)
	}
	if _, _, err := e.as.Exchange(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID,
		Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}, Reason: "exchange"}, v.ID); !errors.Is(err, pos.ErrTrainingCart) {
		t.Errorf("exchange into a training cart: %v", err)
	}
	if _, err := e.till.SaveToCustomer(e.ctx, e.cashier, v.ID); !errors.Is(err, pos.ErrTrainingCart) {
		t.Errorf("training cart saved to its customer: %v", err)
	}

	c, err := e.db.Cart(e.ctx, v.ID)
	e.must(err)
	if len(c.Payments) != 0 || c.Pending != nil {
		t.Errorf("training cart took payments %+v", c.Payments)
	}
	if len(e.events("")) != before || e.onHand(bookSKU) != stock {
		t.Errorf("a refused training step sent an event or moved stock")
	}
	vc, err := e.as.Voucher(e.ctx, credit)
	e.must(err)
	if vc.Redeemed != 0 {
		t.Errorf("store credit redeemed %d by training", vc.Redeemed)
	}
	// The cart still closes as a training receipt, paid in play cash.
	e.pay(e.cashier, v.ID, tender{method: pos.MethodCash})
	_, err = e.as.CompleteTraining(e.ctx, e.cashier, v.ID)
	e.must(err)
}

// TestZReportsAddUpToTheirJournal closes shifts at two stations, with
// every kind of receipt and cash movement a Z report sums (a sale made
// before the shift opened, discounts, cash rounding, card, gift card and
// cash tenders, a return to store credit, a void, a cash operation, a
// voucher issued and a training receipt, which counts in none), and
// checks each stored Z report against the journal; then a stored Z
// report changed by hand is named, with its shift and the figure.
func TestZReportsAddUpToTheirJournal(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	till2 := pos.Actor{Staff: "2", Role: pos.RoleCashier, Station: "till-2"}
	boss2 := pos.Actor{Staff: "9", Role: pos.RoleSupervisor, Station: "till-2"}
	e.sell(e.cashier, []buy{{breadSKU, 3, nil}}, nil, tender{method: pos.MethodCash, amount: 20000}) // before the shift
	e.must1(e.as.OpenShift(e.ctx, e.cashier, 50000))
	e.must1(e.as.OpenShift(e.ctx, till2, 20000))
	gift, err := e.as.IssueVoucher(e.ctx, e.boss, pos.MethodGiftCard, 30000, "birthday present")
	e.must(err)
	s := e.sell(e.cashier, []buy{{jacketSKU, 1, &pos.Discount{PercentBP: 1000, Reason: "loyal"}}, {bookSKU, 2, nil}},
		&pos.Discount{Amount: 1000, Reason: "coupon"}, tender{method: pos.MethodGiftCard, amount: 30000, ref: gift.Code},
		tender{method: pos.MethodCard, amount: 50000}, tender{method: pos.MethodCash})
	e.must1(e.as.Return(e.ctx, e.cashier, pos.ReturnRequest{SaleID: s.ID, Items: []pos.ReturnItem{{Line: "2", Qty: 1, Restock: true}},
		Reason: "x", ToStoreCredit: true}))
	e.sell(till2, []buy{{cheeseSKU, 333, nil}}, nil, tender{method: pos.MethodCash})
	e.must1(e.as.CashOp(e.ctx, till2, pos.CashPaidOut, 5000, "window cleaner"))
	last := e.sell(till2, []buy{{sockSKU, 1, nil}}, nil, tender{method: pos.MethodCard})
	e.must1(e.as.VoidLastSale(e.ctx, boss2, last.ID, "mistake", nil))
	tr, err := e.as.OpenTraining(e.ctx, e.cashier, e.sup)
	e.must(err)
	e.must1(e.till.AddItem(e.ctx, e.cashier, tr.ID, sockSKU, 1))
	e.must1(e.till.PayCash(e.ctx, e.cashier, tr.ID, 10000))
	e.must1(e.as.CompleteTraining(e.ctx, e.cashier, tr.ID))
	z1, err := e.as.CloseShift(e.ctx, e.boss, 120000)
	e.must(err)
	e.sell(e.cashier, []buy{{sockSKU, 2, nil}}, nil, tender{method: pos.MethodCash}) // into the next shift
	e.must1(e.as.CloseShift(e.ctx, boss2, 30000))
	e.must1(e.as.OpenShift(e.ctx, e.cashier, 10000))
	e.must1(e.as.CloseShift(e.ctx, e.boss, 10000))
	e.must(e.db.Close())

	if c := verify(t, e.path); !c.OK() {
		t.Fatalf("untouched books: %v", c.Problems)
	}
	if z1.Sales != 2 || z1.Returns != 1 || z1.VoucherCash != 30000 {
		t.Fatalf("Z report 1 has %d sales, %d returns, voucher cash %d; the books are not as meant", z1.Sales, z1.Returns, z1.VoucherCash)
	}
	c := verify(t, tamper(t, e.path,
		`UPDATE shifts SET report = json_set(report, '$.total', json_extract(report, '$.total') - 10000) WHERE z_no = 1`))
	if got := named(c); len(got) != 1 || got[0] != fmt.Sprintf("%d mismatch", z1.JournalN) ||
		!strings.Contains(c.Problems[0].Detail, z1.ShiftID) ||
		!strings.Contains(c.Problems[0].Detail, fmt.Sprintf("total is %d in the stored report", z1.Total-10000)) {
		t.Fatalf("Z report 1 with its total lowered: %v", c.Problems)
	}
}
