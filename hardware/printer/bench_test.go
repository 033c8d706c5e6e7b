package printer_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/pos/sqlite"
)

// BenchmarkPrintEnqueue measures what a sale waits for when it prints a
// receipt: rendering it and one durable insert into the print queue.
func BenchmarkPrintEnqueue(b *testing.B) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "node.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	drv, err := printer.New(printer.Options{
		Name: "till-1", Store: db,
		Open:   func() (io.ReadWriteCloser, error) { return nil, errors.New("no printer") },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	r := testReceipt(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := drv.Print(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
