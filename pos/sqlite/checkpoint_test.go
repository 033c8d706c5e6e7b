package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// TestBackgroundCheckpoints checks that with checkpoints moved off the
// commit path the log still gets copied back and truncated.
func TestBackgroundCheckpoints(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pos.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{BackgroundCheckpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	big := strings.Repeat("x", 190)
	for i := 0; i < 30; i++ {
		items := make([]pos.Item, 500)
		for j := range items {
			items[j] = pos.Item{SKU: "s" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "-" + string(rune('a'+j%26)) + string(rune('a'+j/26)),
				Active: true, Names: map[string]string{"en": big}, Unit: pos.UnitEach, Price: 100, TaxRateBP: 2500}
		}
		if err := db.PutItems(ctx, items, pos.Sweden); err != nil {
			t.Fatal(err)
		}
	}
	wal := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	before := wal()
	if before < 1000*4096 {
		t.Fatalf("the log is only %d bytes: commits checkpointed it", before)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- db.RunCheckpoints(cctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for wal() != 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if after := wal(); after != 0 {
		t.Fatalf("log still %d bytes (was %d)", after, before)
	}
	if n, err := db.CountItems(ctx); err != nil || n != 15000 {
		t.Fatalf("items = %d, %v", n, err)
	}
}

// TestCheckpointTruncateDoesNotHoldSales: a long reader (a backup, a
// report) that began after the last commit does not keep the background
// checkpoint's truncation of the log waiting with the writer's lock, so
// that a till's sale goes through while the reader still reads, rather
// than waiting with the till for the checkpoint's busy timeout.
func TestCheckpointTruncateDoesNotHoldSales(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pos.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{BackgroundCheckpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	big := strings.Repeat("x", 190)
	for i := 0; i < 4; i++ {
		items := make([]pos.Item, 5000)
		for j := range items {
			items[j] = pos.Item{SKU: fmt.Sprintf("s%d-%04d", i, j), Active: true, Names: map[string]string{"en": big},
				Unit: pos.UnitEach, Price: 100, TaxRateBP: 2500}
		}
		if err := db.PutItems(ctx, items, pos.Sweden); err != nil {
			t.Fatal(err)
		}
	}
	// The reader's snapshot has every frame of the log: the checkpoint
	// copies them all, and its truncation then waits for the reader.
	rtx, err := db.Read().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rtx.Rollback()
	var n int
	if err := rtx.QueryRowContext(ctx, "SELECT count(*) FROM items").Scan(&n); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- db.RunCheckpoints(cctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(1500 * time.Millisecond) // the writer idle: the checkpoint runs

	sold := make(chan error, 1)
	go func() {
		lines := []pos.Line{{ID: "1", SKU: "s0-0001", Unit: pos.UnitEach, Qty: 1, UnitPrice: 100, TaxRateBP: 2500}}
		c := pos.Cart{Lines: lines, Payments: []pos.Payment{{ID: "p", Method: pos.MethodCash, Amount: 100}}}
		sold <- db.CompleteSale(ctx, &pos.Sale{ID: pos.NewUUID(), Station: "till-1", Cashier: "1", CompletedAt: time.Now(),
			Lines: lines, Balance: c.Balance(pos.DefaultSettings()), Payments: c.Payments, Currency: "SEK", EventID: pos.NewUUID()})
	}()
	// The reader reads on, as a backup of a large database does, for
	// longer than any sale takes but less than the busy timeout.
	select {
	case err := <-sold:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(8 * time.Second):
		rtx.Rollback()
		err := <-sold
		t.Fatalf("the sale waited for the reader to end (%v): the checkpoint held the writer's lock", err)
	}
}

// TestCheckpointTruncatesOnceTheReaderEnds: a long log whose truncation
// a reader held off is truncated once the reader has ended, though no
// commit follows (a store closed for the night), rather than keep its
// size on disk.
func TestCheckpointTruncatesOnceTheReaderEnds(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pos.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{BackgroundCheckpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	big := strings.Repeat("x", 190)
	for i := 0; i < 4; i++ {
		items := make([]pos.Item, 5000)
		for j := range items {
			items[j] = pos.Item{SKU: fmt.Sprintf("s%d-%04d", i, j), Active: true, Names: map[string]string{"en": big},
				Unit: pos.UnitEach, Price: 100, TaxRateBP: 2500}
		}
		if err := db.PutItems(ctx, items, pos.Sweden); err != nil {
			t.Fatal(err)
		}
	}
	rtx, err := db.Read().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rtx.Rollback()
	var n int
	if err := rtx.QueryRowContext(ctx, "SELECT count(*) FROM items").Scan(&n); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- db.RunCheckpoints(cctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(1500 * time.Millisecond) // the log copied, its truncation held off by the reader
	st, err := os.Stat(path + "-wal")
	if err != nil || st.Size() < 4<<20 {
		t.Fatalf("log %v, %v: want it long while the reader reads", st, err)
	}
	rtx.Rollback()
	deadline := time.Now().Add(15 * time.Second)
	for {
		st, err := os.Stat(path + "-wal")
		if err == nil && st.Size() == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("log still %d bytes (%v) with the reader ended and nothing written", st.Size(), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
