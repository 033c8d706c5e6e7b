package sqlite_test

import (
	"bufio"
	"context"
	"errors"
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

// migrateChildEnv makes the test binary open the database named by it,
// running its migrations, and print "migrated" when they are done.
const migrateChildEnv = "POSNODE_MIGRATE_CHILD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(migrateChildEnv); path != "" {
		db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		db.Close()
		fmt.Println("migrated")
		os.Exit(0)
	}
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
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: svc, Store: db})
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-" + strconv.Itoa(i%2)}
		if _, err := as.CurrentShift(ctx, a.Station); errors.Is(err, pos.ErrNoShift) {
			if _, err := as.OpenShift(ctx, a, 10000); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
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
		if !v.Balance.Settled && i%3 == 1 {
			if v, err = svc.PayCard(ctx, a, v.ID, v.Balance.Total); err != nil {
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
		fmt.Fprintf(out, "S %d %s\n", s.ReceiptNo, s.ID)
		out.Flush()
		// Every third sale, a card one among them, comes back: its
		// refund goes to the card it was paid with, or in cash.
		if i%3 != 0 {
			r, err := as.Return(ctx, a, pos.ReturnRequest{SaleID: s.ID, Reason: "changed mind",
				Items: []pos.ReturnItem{{Line: "1", Qty: 1, Restock: true}}})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "R %d %s\n", r.ReturnNo, r.ID)
			out.Flush()
		}
		if i%3 == 2 {
			boss := pos.Actor{Staff: "9", Role: pos.RoleSupervisor, Station: a.Station}
			rep, err := as.CloseShift(ctx, boss, 10000)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Z %d %s\n", rep.ZNo, rep.ShiftID)
			out.Flush()
		}
	}
}

// TestKilledMidCommitLosesNothing kills a child process that is committing
// sales, card and cash, returns refunded to the card or in cash, and
// shift closes with their Z report at random moments. After each kill
// every sale, return and Z report the child confirmed is present, every
// one present has its event, every sale its stock movements, and receipt,
// return and Z numbers and event seq are gap-free.
func TestKilledMidCommitLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	kills := 5
	if n, err := strconv.Atoi(os.Getenv("POSNODE_CRASH_KILLS")); err == nil {
		kills = n
	}
	path := filepath.Join(t.TempDir(), "pos.db")
	confirmed := map[string]string{}
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
	kinds := map[byte]int{}
	for key := range confirmed {
		kinds[key[0]]++
	}
	t.Logf("%d kills; %d sales, %d returns and %d Z reports confirmed, all present", kills, kinds['S'], kinds['R'], kinds['Z'])
}

// record keeps what the child confirmed: "S 12 id" for receipt 12, "R"
// for a return and "Z" for a Z report, by kind and number.
func record(t *testing.T, confirmed map[string]string, l string) {
	var kind, id string
	var no int64
	if _, err := fmt.Sscanf(l, "%s %d %s", &kind, &no, &id); err != nil {
		t.Fatalf("child printed %q", l)
	}
	confirmed[fmt.Sprint(kind, " ", no)] = id
}

func checkConsistent(t *testing.T, path string, confirmed map[string]string) {
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
	r := db.Read()
	for key, id := range confirmed {
		var kind string
		var no int64
		fmt.Sscanf(key, "%s %d", &kind, &no)
		var found string
		var err error
		switch kind {
		case "S":
			var s pos.Sale
			s, err = db.SaleByReceipt(ctx, no)
			found = s.ID
		case "R":
			err = r.QueryRowContext(ctx, "SELECT id FROM returns WHERE return_no = ?", no).Scan(&found)
		case "Z":
			err = r.QueryRowContext(ctx, "SELECT id FROM shifts WHERE z_no = ? AND closed_at != '' AND report != ''", no).Scan(&found)
		}
		if err != nil || found != id {
			t.Fatalf("confirmed %s (%s) missing after kill: %v", key, id, err)
		}
	}
	var sales, maxReceipt, events, maxSeq, orphans, linesWithoutMovement int64
	var returns, maxReturn, closed, maxZ, returnOrphans, closeOrphans int64
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
	q(&returns, "SELECT count(*) FROM returns")
	q(&maxReturn, "SELECT coalesce(max(return_no), 0) FROM returns")
	q(&closed, "SELECT count(*) FROM shifts WHERE closed_at != ''")
	q(&maxZ, "SELECT coalesce(max(z_no), 0) FROM shifts")
	q(&returnOrphans, `SELECT count(*) FROM returns x WHERE NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.seq = x.seq AND o.type = 'pos.return.completed' AND json_extract(o.data, '$.return_id') = x.id)`)
	q(&closeOrphans, `SELECT count(*) FROM shifts x WHERE closed_at != '' AND NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.type = 'pos.shift.closed' AND json_extract(o.data, '$.shift_id') = x.id)`)
	if returns != maxReturn || closed != maxZ {
		t.Errorf("%d returns, numbers reach %d; %d Z reports, numbers reach %d: a gap", returns, maxReturn, closed, maxZ)
	}
	if returnOrphans != 0 || closeOrphans != 0 {
		t.Errorf("%d returns and %d shift closes without their event", returnOrphans, closeOrphans)
	}
	if sales != maxReceipt {
		t.Errorf("%d sales but receipt numbers reach %d: a gap", sales, maxReceipt)
	}
	if events != maxSeq {
		t.Errorf("%d events but seq reaches %d: a gap", events, maxSeq)
	}
	if events != sales+returns+closed {
		t.Errorf("%d sales, %d returns and %d shift closes but %d events", sales, returns, closed, events)
	}
	if orphans != 0 || linesWithoutMovement != 0 {
		t.Errorf("%d sales without their event, %d lines without stock movement", orphans, linesWithoutMovement)
	}
}
