package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/internal/nodetest"
)

// A tablet's price check of an item withdrawn from sale says it is no
// longer sold, as the till would when it is scanned; it showed the price.
func TestTabletPriceCheckOfAWithdrawnItem(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	launch(t, data, "127.0.0.1:0").stop() // the demo store
	csv := filepath.Join(t.TempDir(), "withdrawn.csv")
	if err := os.WriteFile(csv, []byte("sku,barcodes,unit,price,tax_rate_bp,active,name_en\n"+
		"900002,,each,1990,2500,false,Recalled kettle\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := nodetest.Build()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "import", "catalog", csv, "--data", data).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	n := launch(t, data, "127.0.0.1:0")
	en := loadStrings(t, "en")
	ctx := browser(t)
	login(t, ctx, n.base, "tablet", cashierStaff, "1111")
	run(t, ctx, "the withdrawn item's code",
		visible(`[data-test=search-input]`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-test=search-input]").focus()`),
		scan("900002"),
		hasText(`[data-test=price-check]`, en["err.inactive_item"]))
}
