package sqlite_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
)

// smallFS mounts a tmpfs of size bytes for the test, which needs root.
func smallFS(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the disk-full test needs root to mount a small filesystem")
		}
		t.Skip("the disk-full test needs root to mount a small filesystem; CI runs it")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestDiskFullRefusesSaleAndRecovers fills a small filesystem until a sale
// cannot be committed: the refusal is ErrDiskFull, every sale confirmed
// before is intact, and after space is freed the next sale goes through
// with the next receipt number and seq.
func TestDiskFullRefusesSaleAndRecovers(t *testing.T) {
	dir := smallFS(t, "3m")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Leave the database about 768 KiB to grow into.
	filler := filepath.Join(dir, "filler")
	st := make([]byte, 64<<10)
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := f.Write(st); err != nil {
			break
		}
	}
	f.Close()
	if err := os.Truncate(filler, mustSize(t, filler)-768<<10); err != nil {
		t.Fatal(err)
	}

	newSale := func(i int) *pos.Sale {
		lines := []pos.Line{{ID: "1", SKU: "100234", Unit: pos.UnitEach, Qty: 1, UnitPrice: 49900, TaxRateBP: 2500,
			Names: map[string]string{"en": strings.Repeat("x", 2000)}}}
		c := pos.Cart{Lines: lines, Payments: []pos.Payment{{ID: "p", Method: pos.MethodCash, Amount: 50000}}}
		return &pos.Sale{ID: pos.NewUUID(), Station: "till-1", Cashier: "1", CompletedAt: time.Now(), Lines: lines,
			Balance: c.Balance(pos.DefaultSettings()), Payments: c.Payments, Currency: "SEK", EventID: pos.NewUUID()}
	}
	var confirmed []int64
	var full error
	for i := 0; i < 10000; i++ {
		s := newSale(i)
		if err := db.CompleteSale(ctx, s); err != nil {
			full = err
			break
		}
		confirmed = append(confirmed, s.ReceiptNo)
	}
	if !errors.Is(full, sqlite.ErrDiskFull) {
		t.Fatalf("after %d sales the error was %v, want ErrDiskFull", len(confirmed), full)
	}
	t.Logf("disk full after %d sales: %v", len(confirmed), full)
	for _, no := range confirmed {
		if _, err := db.SaleByReceipt(ctx, no); err != nil {
			t.Fatalf("confirmed sale %d lost: %v", no, err)
		}
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	s := newSale(0)
	if err := db.CompleteSale(ctx, s); err != nil {
		t.Fatalf("sale after freeing space: %v", err)
	}
	if want := int64(len(confirmed) + 1); s.ReceiptNo != want {
		t.Errorf("receipt after recovery = %d, want %d (gap-free)", s.ReceiptNo, want)
	}
	evs, err := db.EventsAfter(ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: a gap", i, ev.Seq)
		}
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

func mustSize(t *testing.T, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestDiskFullReturnAndShiftClose: on a full disk a return refunded to
// the card it was paid with and a shift close with its Z report are
// refused whole (ErrDiskFull; the card refund not made, or named as made
// but not recorded), or recorded whole; once space is freed the same return,
// asked again under its id, is recorded without a second refund, the
// shift closes, and return and Z numbers and event seq are gap-free.
func TestDiskFullReturnAndShiftClose(t *testing.T) {
	dir := smallFS(t, "3m")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "pos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	term := &simterminal.T{}
	svc := pos.NewService(pos.Options{Store: db, Terminal: term, Policy: pos.DefaultPolicy()})
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: svc, Store: db})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	boss := pos.Actor{Staff: "9", Role: pos.RoleSupervisor, Station: "till-1"} // closes the shift
	if _, err := as.OpenShift(ctx, a, 10000); err != nil {
		t.Fatal(err)
	}
	v, err := svc.OpenCart(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if v, _, err = svc.Scan(ctx, a, v.ID, "7310865004703"); err != nil {
		t.Fatal(err)
	}
	if v, err = svc.PayCard(ctx, a, v.ID, v.Balance.Total); err != nil {
		t.Fatal(err)
	}
	paid, err := svc.Complete(ctx, a, v.ID)
	if err != nil {
		t.Fatal(err)
	}

	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for buf := make([]byte, 4<<10); ; {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()
	req := pos.ReturnRequest{ID: pos.NewUUID(), SaleID: paid.ID, Reason: "broken",
		Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}}
	var recorded int
	var refunded string // the card refund the terminal made
	r, err := as.Return(ctx, a, req)
	var re *pos.RefundedError
	switch {
	case err == nil:
		recorded++
		refunded = r.Refunds[0].Ref
	case !errors.Is(err, sqlite.ErrDiskFull):
		t.Fatalf("return on a full disk: %v, want ErrDiskFull", err)
	case errors.As(err, &re):
		if len(re.Cards) != 1 {
			t.Fatalf("return on a full disk: %v, want the card refund named", err)
		}
		t.Logf("return on a full disk, its card refunded: %v", err)
		refunded = re.Cards[0]
	default:
		// The refund's claim was not written: no card was refunded.
		t.Logf("return on a full disk, no card refunded: %v", err)
	}
	rep, err := as.CloseShift(ctx, boss, 10000)
	switch {
	case err == nil:
		recorded++
	case !errors.Is(err, sqlite.ErrDiskFull):
		t.Fatalf("shift close on a full disk: %v, want ErrDiskFull", err)
	default:
		t.Logf("shift close on a full disk: %v", err)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if r, err = as.Return(ctx, a, req); err != nil {
		t.Fatalf("the return asked again once space is freed: %v", err)
	}
	if rep == nil {
		if rep, err = as.CloseShift(ctx, boss, 10000); err != nil {
			t.Fatalf("shift close once space is freed: %v", err)
		}
	}
	if r.ReturnNo != 1 || rep.ZNo != 1 || len(r.Refunds) != 1 || r.Refunds[0].Method != pos.MethodCard {
		t.Fatalf("return %d refunded %+v, Z %d; want return 1 to the card and Z 1", r.ReturnNo, r.Refunds, rep.ZNo)
	}
	if refunded != "" && !strings.Contains(refunded, r.Refunds[0].Ref) {
		t.Fatalf("the return recorded card refund %q, the terminal made %q: refunded twice", r.Refunds[0].Ref, refunded)
	}
	evs, err := db.EventsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: a gap", i, ev.Seq)
		}
		types = append(types, ev.Type)
	}
	if want := []string{pos.EventSaleCompleted, pos.EventReturnCompleted, pos.EventShiftClosed}; strings.Join(types, " ") != strings.Join(want, " ") {
		t.Fatalf("events %v, want %v", types, want)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of 2 recorded on the full disk", recorded)
}
