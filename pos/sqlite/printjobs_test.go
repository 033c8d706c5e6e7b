package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

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
