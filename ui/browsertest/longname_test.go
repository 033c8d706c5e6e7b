package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/internal/nodetest"
)

// A name of one long word, as central may send: the longest Slovak word
// and a long model number.
const longName = "Najneobhospodarovávateľnejšími-XR2000/ABCDEF-1234567890"

// A long item name wraps inside the tablet's card, its details and the
// tablet's cart; nothing is pushed out of sight.
func TestTabletLongNames(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	launch(t, data, "127.0.0.1:0").stop() // the demo store
	csv := filepath.Join(t.TempDir(), "long.csv")
	if err := os.WriteFile(csv, []byte("sku,barcodes,unit,price,tax_rate_bp,name_en,name_sk\n"+
		"900001,,each,1990,2500,"+longName+","+longName+"\n"), 0o644); err != nil {
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

	ctx := browser(t)
	login(t, ctx, n.base, "tablet", cashierStaff, "1111")
	// overflows lists what sel's elements push out of their own box, or
	// of the window.
	overflows := func(sel string) []string {
		return value(t, ctx, "overflow of "+sel, chromedp.Evaluate[[]string](`[...document.querySelectorAll(`+"`"+sel+"`"+`)].flatMap((e) =>
			e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > window.innerWidth + 1 ? [e.className + ': ' + e.scrollWidth + ' > ' + e.clientWidth] : [])`))
	}
	card := `.tablet .cards .card[data-sku="900001"]`
	run(t, ctx, "the card", visible(card))
	if o := overflows(card + `, .tablet .cards`); len(o) > 0 {
		t.Errorf("the card overflows: %v", o)
	}
	run(t, ctx, "the details", click(card), visible(`[data-test=tablet-add]`))
	if o := overflows(`.modal, .modal header, .modal header .btn`); len(o) > 0 {
		t.Errorf("the details overflow: %v", o)
	}
	run(t, ctx, "the cart",
		click(`[data-test=tablet-add]`),
		gone(`[data-test=tablet-add]`),
		hasText(`[data-test=tablet-cart]`, "1"),
		click(`[data-test=tablet-cart]`),
		visible(`.modal .lines .line`))
	if o := overflows(`.modal, .modal .lines, .modal .line`); len(o) > 0 {
		t.Errorf("the cart overflows: %v", o)
	}
}
