package printer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/pos"
)

func TestVirtualPrinter(t *testing.T) {
	ctx := context.Background()
	v := printer.NewVirtual(printer.VirtualOptions{Profile: escpos.Generic58, Keep: 2})
	if !v.State().Ready() {
		t.Fatal("virtual printer not ready")
	}
	first, err := v.Print(ctx, testReceipt(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Reprint(ctx, first); err != nil {
		t.Fatal(err)
	}
	jobs := v.Jobs()
	if len(jobs) != 2 {
		t.Fatalf("%d jobs", len(jobs))
	}
	if !strings.Contains(jobs[0].Text, "KOPIA") || strings.Contains(jobs[1].Text, "KOPIA") {
		t.Errorf("newest should be the copy:\n%s\n---\n%s", jobs[0].Text, jobs[1].Text)
	}
	if !strings.Contains(jobs[1].Text, "Räksmörgås") || !strings.Contains(jobs[1].Text, "[BARCODE CODE128 R0000000001]") {
		t.Errorf("text:\n%s", jobs[1].Text)
	}
	if _, err := v.Print(ctx, testReceipt(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Reprint(ctx, first); !errors.Is(err, pos.ErrNotFound) {
		t.Errorf("reprint of a dropped job: %v", err)
	}
	if err := v.KickDrawer(ctx); err != nil || v.Kicks() != 1 {
		t.Errorf("kick: %v, %d", err, v.Kicks())
	}
}

var _ printer.Printer = (*printer.VirtualPrinter)(nil)
