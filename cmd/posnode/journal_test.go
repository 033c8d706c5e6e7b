package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/posnode/posnode/internal/nodetest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// booksWithSales makes a data directory whose database holds the given
// sales of item SKU 1 (25.00) by quantity, made through the till service.
func booksWithSales(t *testing.T, qtys ...int64) (data string) {
	t.Helper()
	data, db, svc := books(t)
	defer db.Close()
	for _, q := range qtys {
		sellTea(t, svc, q)
	}
	return data
}

// books makes a data directory whose database holds item SKU 1 (25.00),
// and returns it open, with a till service on it.
func books(t *testing.T) (data string, db *sqlite.DB, svc *pos.Service) {
	t.Helper()
	ctx := context.Background()
	data = t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(data, "posnode.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	item := pos.Item{SKU: "1", Active: true, Names: map[string]string{"en": "Tea"}, Barcodes: []string{"7310865004703"},
		Unit: pos.UnitEach, Price: 2500, TaxRateBP: 1200}
	if err := db.PutItems(ctx, []pos.Item{item}, pos.Sweden); err != nil {
		db.Close()
		t.Fatal(err)
	}
	return data, db, pos.NewService(pos.Options{Store: db})
}

// teaSeller is the cashier of the books' sales.
var teaSeller = pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}

// sellTea sells qty of item 1 for cash at till-1.
func sellTea(t *testing.T, svc *pos.Service, qty int64) {
	t.Helper()
	ctx, a := context.Background(), teaSeller
	c, err := svc.OpenCart(ctx, a)
	if err == nil {
		_, err = svc.AddItem(ctx, a, c.ID, "1", qty)
	}
	if err == nil {
		_, err = svc.PayCash(ctx, a, c.ID, 2500*qty)
	}
	if err == nil {
		_, err = svc.Complete(ctx, a, c.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// posnode runs the built binary and returns its output and exit code.
func posnode(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin, err := nodetest.Build()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestJournalVerifyNamesTheTamperedEntry(t *testing.T) {
	data := booksWithSales(t, 1, 2, 3)
	out, errOut, code := posnode(t, "journal", "verify", "--data", data)
	if code != 0 || !strings.Contains(out, "journal: 3 entries, head 3 ") || !strings.Contains(out, "journal: ok") {
		t.Fatalf("untouched journal: exit %d\n%s%s", code, out, errOut)
	}

	tamperBooks(t, data, `UPDATE journal SET data = replace(data, '"total":', '"total":1') WHERE n = 2`)

	out, errOut, code = posnode(t, "journal", "verify", "--data", data)
	if code == 0 {
		t.Fatalf("tampered journal passed:\n%s", out)
	}
	if !strings.Contains(out, "entry 2 changed") || strings.Contains(out, "entry 1 ") || strings.Contains(out, "entry 3 changed") {
		t.Errorf("verify output does not name entry 2 alone:\n%s", out)
	}
	if !strings.Contains(errOut, "tampered") {
		t.Errorf("stderr: %s", errOut)
	}
}

// journal verify checks each stored Z report against the journal's
// entries of its shift: a report whose cash total was changed in the
// database file is named with its shift and the figure, and verify fails.
func TestJournalVerifyChecksZReports(t *testing.T) {
	ctx := context.Background()
	data, db, svc := books(t)
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: svc, Store: db})
	sh, err := as.OpenShift(ctx, teaSeller, 10000)
	if err != nil {
		t.Fatal(err)
	}
	sellTea(t, svc, 2)
	sellTea(t, svc, 1)
	boss := pos.Actor{Staff: "2", Role: pos.RoleSupervisor, Station: "till-1"} // closes the shift
	if _, err := as.CloseShift(ctx, boss, 17500); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, errOut, code := posnode(t, "journal", "verify", "--data", data)
	if code != 0 || !strings.Contains(out, "journal: ok") {
		t.Fatalf("untouched books: exit %d\n%s%s", code, out, errOut)
	}

	tamperBooks(t, data, `UPDATE shifts SET report = json_set(report, '$.by_method[0].amount', 5000) WHERE id = ?`, sh.ID)
	out, errOut, code = posnode(t, "journal", "verify", "--data", data)
	if code == 0 {
		t.Fatalf("a Z report changed by hand passed:\n%s", out)
	}
	if !strings.Contains(out, "shift "+sh.ID+": by_method[cash] is 5000 in the stored report, the journal's entries of the shift add up to 7500") {
		t.Errorf("verify output does not name the shift and its cash total:\n%s", out)
	}
	if !strings.Contains(errOut, "tampered") {
		t.Errorf("stderr: %s", errOut)
	}
}

// tamperBooks changes one row of the database in data with stmt, through a
// plain SQL connection, as someone with the file could.
func tamperBooks(t *testing.T, data, stmt string, args ...any) {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(data, "posnode.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	res, err := raw.Exec(stmt, args...)
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tamper: %d rows changed, want 1", n)
	}
}

func TestJournalVerifyNeedsADatabase(t *testing.T) {
	_, errOut, code := posnode(t, "journal", "verify", "--data", t.TempDir())
	if code == 0 || !strings.Contains(errOut, "no database") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestReportSales(t *testing.T) {
	data := booksWithSales(t, 1, 2)
	out, errOut, code := posnode(t, "report", "sales", "--by", "item", "--csv", "--data", data)
	if code != 0 || out != "item,count,qty,amount_minor,tax_minor\n1,2,3,7500,0\n" {
		t.Fatalf("report by item: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = posnode(t, "report", "sales", "--by", "tender", "--data", data)
	if code != 0 || !strings.Contains(out, "cash") || !strings.Contains(out, "7500") {
		t.Fatalf("report by tender: exit %d\n%s", code, out)
	}
	if _, errOut, code := posnode(t, "report", "sales", "--by", "week", "--data", data); code == 0 || !strings.Contains(errOut, "--by") {
		t.Fatalf("--by week: exit %d %s", code, errOut)
	}
}

// olderBooks makes a data directory whose database has the schema of the
// posnode before this one: the shipped migrations but the last applied.
func olderBooks(t *testing.T) (data string, schema int) {
	t.Helper()
	names, err := filepath.Glob("../../pos/sqlite/migrations/*.sql")
	if err != nil || len(names) < 2 {
		t.Fatalf("migrations: %v %v", names, err)
	}
	sort.Strings(names)
	data = t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "posnode.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, n := range names[:len(names)-1] {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	schema = sqlite.SchemaVersion() - 1
	if _, err := db.Exec(fmt.Sprintf("INSERT INTO meta(key, value) VALUES ('epoch', 'e1'); PRAGMA user_version = %d", schema)); err != nil {
		t.Fatal(err)
	}
	return data, schema
}

// TestReadingCommandsLeaveTheSchema runs report, journal verify and backup
// on the database of an older installed node: none upgrades it.
func TestReadingCommandsLeaveTheSchema(t *testing.T) {
	ctx := context.Background()
	data, schema := olderBooks(t)
	args := []string{"--data", data}
	err := cmdReport(ctx, append([]string{"sales"}, args...), io.Discard, io.Discard)
	if !errors.Is(err, sqlite.ErrOlderSchema) {
		t.Errorf("report on an older schema: %v, want ErrOlderSchema", err)
	}
	err = cmdJournal(ctx, append([]string{"verify"}, args...), io.Discard, io.Discard)
	if !errors.Is(err, sqlite.ErrOlderSchema) {
		t.Errorf("journal verify on an older schema: %v, want ErrOlderSchema", err)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := cmdBackup(ctx, backup, args, io.Discard, io.Discard); err != nil {
		t.Fatalf("backup of an older schema: %v", err)
	}
	for _, p := range []string{filepath.Join(data, "posnode.db"), backup} {
		c, err := checkBackup(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if c.schema != schema {
			t.Errorf("%s: schema %d, want it left at %d", p, c.schema, schema)
		}
	}
	if left := mustGlob(t, filepath.Join(data, "backups", "*pre-migrate*")); len(left) != 0 {
		t.Errorf("a migration was prepared: %v", left)
	}
}
