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
