package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/simterminal"
	"github.com/posnode/posnode/pos/sqlite"
)

// crashChildEnv makes the test binary act as a till that commits sales as
// fast as it can and prints the receipt number of each confirmed sale.
const crashChildEnv = "POSNODE_CRASH_CHILD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		if err := crashChild(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func crashChild(path string) error {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return err
	}
	if n, _ := db.CountItems(ctx); n == 0 {
		if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
			return err
		}
	}
	svc := pos.NewService(pos.Options{Store: db, Terminal: &simterminal.T{}, Policy: pos.DefaultPolicy()})
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-" + strconv.Itoa(i%2)}
		v, err := svc.OpenCart(ctx, a)
		if err != nil {
			return err
		}
		for _, l := range v.Lines { // a cart left open by the last kill: start again
			if len(v.Payments) > 0 {
				break
			}
			if v, err = svc.RemoveLine(ctx, a, v.ID, l.ID); err != nil {
				return err
			}
		}
		for j := 0; j <= i%4 && len(v.Payments) == 0; j++ {
			if v, _, err = svc.Scan(ctx, a, v.ID, "7310865004703"); err != nil {
				return err
			}
		}
		if !v.Balance.Settled {
			if v, err = svc.PayCash(ctx, a, v.ID, v.CashDue+1000); err != nil {
				return err
			}
		}
		s, err := svc.Complete(ctx, a, v.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%d %s\n", s.ReceiptNo, s.ID)
		out.Flush()
	}
}

// TestKilledMidCommitLosesNothing kills a child process that is committing
// sales at random moments. After each kill every sale the child confirmed
// is present with its event, every sale present has its event and stock
// movements, and receipt numbers and event seq are gap-free.
func TestKilledMidCommitLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	kills := 5
	if n, err := strconv.Atoi(os.Getenv("POSNODE_CRASH_KILLS")); err == nil {
		kills = n
	}
	path := filepath.Join(t.TempDir(), "pos.db")
	confirmed := map[int64]string{}
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Let it commit a few sales, then kill it at a random moment.
		for n := 0; n < 3; n++ {
			if l, ok := <-lines; ok {
				record(t, confirmed, l)
			}
		}
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines {
			record(t, confirmed, l)
		}
		_ = cmd.Wait()
		checkConsistent(t, path, confirmed)
	}
	if len(confirmed) == 0 {
		t.Fatal("the child confirmed no sale")
	}
	t.Logf("%d kills, %d confirmed sales, all present", kills, len(confirmed))
}

func record(t *testing.T, confirmed map[int64]string, l string) {
	var no int64
	var id string
	if _, err := fmt.Sscanf(l, "%d %s", &no, &id); err != nil {
		t.Fatalf("child printed %q", l)
	}
	confirmed[no] = id
}

func checkConsistent(t *testing.T, path string, confirmed map[int64]string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	for no, id := range confirmed {
		s, err := db.SaleByReceipt(ctx, no)
		if err != nil || s.ID != id {
			t.Fatalf("confirmed sale %d (%s) missing after kill: %v", no, id, err)
		}
	}
	r := db.Read()
	var sales, maxReceipt, events, maxSeq, orphans, linesWithoutMovement int64
	q := func(dst *int64, sql string) {
		if err := r.QueryRowContext(ctx, sql).Scan(dst); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	q(&sales, "SELECT count(*) FROM sales")
	q(&maxReceipt, "SELECT coalesce(max(receipt_no), 0) FROM sales")
	q(&events, "SELECT count(*) FROM outbox")
	q(&maxSeq, "SELECT coalesce(max(seq), 0) FROM outbox")
	q(&orphans, `SELECT count(*) FROM sales s WHERE NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.seq = s.seq AND o.type = 'pos.sale.completed' AND json_extract(o.data, '$.sale_id') = s.id)`)
	q(&linesWithoutMovement, `SELECT count(*) FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE NOT EXISTS
		(SELECT 1 FROM movements m WHERE m.seq = s.seq AND m.sku = l.sku)`)
	if sales != maxReceipt {
		t.Errorf("%d sales but receipt numbers reach %d: a gap", sales, maxReceipt)
	}
	if events != maxSeq {
		t.Errorf("%d events but seq reaches %d: a gap", events, maxSeq)
	}
	if events != sales {
		t.Errorf("%d sales but %d events", sales, events)
	}
	if orphans != 0 || linesWithoutMovement != 0 {
		t.Errorf("%d sales without their event, %d lines without stock movement", orphans, linesWithoutMovement)
	}
}
