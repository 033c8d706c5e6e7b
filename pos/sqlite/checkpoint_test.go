package sqlite_test

import (
	"context"
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
