package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

func TestPrintJobs(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "node.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	if id, _, err := db.NextPrintJob(ctx, "p1"); err != nil || id != 0 {
		t.Fatalf("empty queue: id %d, %v", id, err)
	}
	a, err := db.AddPrintJob(ctx, "p1", "receipt", "1", []byte(`{"receipt_no":1}`), []byte("\x1b@one"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := db.AddPrintJob(ctx, "p1", "receipt", "2", nil, []byte("\x1b@two"))
	if _, err := db.AddPrintJob(ctx, "p2", "receipt", "3", nil, []byte("other printer")); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.QueuedPrintJobs(ctx, "p1"); n != 2 {
		t.Errorf("queued %d, want 2", n)
	}
	id, data, err := db.NextPrintJob(ctx, "p1")
	if err != nil || id != a || !bytes.Equal(data, []byte("\x1b@one")) {
		t.Fatalf("next = %d %q %v, want job %d", id, data, err, a)
	}
	for i := 0; i < 2; i++ { // marking twice is harmless
		if err := db.PrintJobDone(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if id, _, _ := db.NextPrintJob(ctx, "p1"); id != b {
		t.Errorf("next after done = %d, want %d", id, b)
	}
	kind, doc, err := db.PrintJobDoc(ctx, a)
	if err != nil || kind != "receipt" || string(doc) != `{"receipt_no":1}` {
		t.Errorf("doc = %q %q %v", kind, doc, err)
	}
	if _, _, err := db.PrintJobDoc(ctx, 12345); !errors.Is(err, pos.ErrNotFound) {
		t.Errorf("missing job: %v, want pos.ErrNotFound", err)
	}
}

// A sale's receipt counts as queued only by a job of that sale's receipt
// on that printer: a return's receipt of the same number (its ref was
// once the bare number too) or a job on another printer does not count.
func TestSalesWithoutReceipt(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db})
	// Sold while the station had no printer: its receipt was on screen.
	s := sellBackpack(t, svc, pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"})
	since := s.CompletedAt.Add(-time.Minute)
	if got, err := db.SalesWithoutReceipt(ctx, "till-1", "till-1", since); err != nil || len(got) != 0 {
		t.Fatalf("a sale made before the printer printed anything: %+v, %v", got, err)
	}
	// With a printer that has printed here (a test page), a later sale's
	// receipt is missed until queued.
	if id, err := db.AddPrintJob(ctx, "till-1", "test_page", "", nil, []byte("x")); err != nil || db.PrintJobDone(ctx, id) != nil {
		t.Fatal("the printer's earlier job:", err)
	}
	s = sellBackpack(t, svc, pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"})
	missing := func() []pos.Sale {
		t.Helper()
		sales, err := db.SalesWithoutReceipt(ctx, "till-1", "till-1", since)
		if err != nil {
			t.Fatal(err)
		}
		return sales
	}
	if got := missing(); len(got) != 1 || got[0].ID != s.ID {
		t.Fatalf("without a job: %+v", got)
	}
	if got, err := db.SalesWithoutReceipt(ctx, "till-1", "till-1", s.CompletedAt.Add(time.Minute)); err != nil || len(got) != 0 {
		t.Fatalf("since after the sale: %+v, %v", got, err)
	}
	ref := strconv.FormatInt(s.ReceiptNo, 10)
	for _, job := range []struct{ printer, doc string }{
		{"till-1", `{"receipt_no":` + ref + `,"refund":true}`},
		{"till-1", `{"receipt_no":` + ref + `,"training":true}`},
		{"till-2", `{"receipt_no":` + ref + `}`},
	} {
		if _, err := db.AddPrintJob(ctx, job.printer, "receipt", ref, []byte(job.doc), []byte("x")); err != nil {
			t.Fatal(err)
		}
		if got := missing(); len(got) != 1 {
			t.Fatalf("after a job %s on %s: %+v", job.doc, job.printer, got)
		}
	}
	if _, err := db.AddPrintJob(ctx, "till-1", "receipt", ref, []byte(`{"receipt_no":`+ref+`}`), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got := missing(); len(got) != 0 {
		t.Fatalf("with the sale's receipt queued: %+v", got)
	}
}

// Printed jobs older than the cutoff go, in batches; jobs still queued
// stay whatever their age, and newer jobs stay.
func TestPrunePrintJobs(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "node.db"), sqlite.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	add := func(printed bool) int64 {
		t.Helper()
		id, err := db.AddPrintJob(ctx, "till-1", "receipt", "1", []byte(`{}`), bytes.Repeat([]byte("x"), 2000))
		if err == nil && printed {
			err = db.PrintJobDone(ctx, id)
		}
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	var old []int64
	for range 25 {
		old = append(old, add(true))
	}
	stuck := add(false) // never printed: the printer has been broken since
	now = now.AddDate(0, 1, 0)
	recent := add(true)

	n, err := db.PrunePrintJobs(ctx, now.AddDate(0, 0, -7), 10, time.Millisecond)
	if err != nil || n != int64(len(old)) {
		t.Fatalf("pruned %d, %v; want %d", n, err, len(old))
	}
	for _, id := range old {
		if _, _, err := db.PrintJobDoc(ctx, id); !errors.Is(err, pos.ErrNotFound) {
			t.Fatalf("old printed job %d kept: %v", id, err)
		}
	}
	for _, id := range []int64{stuck, recent} {
		if _, _, err := db.PrintJobDoc(ctx, id); err != nil {
			t.Fatalf("job %d: %v", id, err)
		}
	}
	if next, _, err := db.NextPrintJob(ctx, "till-1"); err != nil || next != stuck {
		t.Fatalf("next job %d, %v; want the queued %d", next, err, stuck)
	}
	if n, err := db.PrunePrintJobs(ctx, now.AddDate(0, 0, -7), 10, time.Millisecond); err != nil || n != 0 {
		t.Fatalf("pruned again: %d, %v", n, err)
	}
}

// Pruning keeps the newest job of each printer, however old: it is what
// tells a sale made after it, caught by a crash before its receipt was
// queued, from one made while the station had no printer. A till that
// printed nothing for longer than jobs are kept (a store closed for the
// season) still prints such a receipt at start.
func TestPrunePrintJobsKeepsEachPrintersLastJob(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "node.db"), sqlite.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PutItems(ctx, demoItems(), pos.Sweden); err != nil {
		t.Fatal(err)
	}
	var first, last int64
	for i := range 3 {
		id, err := db.AddPrintJob(ctx, "till-1", "receipt", strconv.Itoa(1000+i), []byte(`{}`), []byte("x"))
		if err == nil {
			err = db.PrintJobDone(ctx, id)
		}
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = id
		}
		last = id
	}
	now = now.AddDate(0, 2, 0)
	if n, err := db.PrunePrintJobs(ctx, now.AddDate(0, 0, -31), 10, time.Millisecond); err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want the 2 older jobs", n, err)
	}
	if _, _, err := db.PrintJobDoc(ctx, first); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("older job %d kept: %v", first, err)
	}
	if _, _, err := db.PrintJobDoc(ctx, last); err != nil {
		t.Fatalf("the printer's last job %d: %v", last, err)
	}
	svc := pos.NewService(pos.Options{Store: db, Now: clock})
	s := sellBackpack(t, svc, pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"})
	got, err := db.SalesWithoutReceipt(ctx, "till-1", "till-1", s.CompletedAt.Add(-time.Minute))
	if err != nil || len(got) != 1 || got[0].ID != s.ID {
		t.Fatalf("sale after a season without printing, its receipt not queued: %+v, %v", got, err)
	}
}
