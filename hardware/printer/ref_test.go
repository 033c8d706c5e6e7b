package printer

import (
	"testing"

	"github.com/posnode/posnode/hardware/receipt"
)

// Sales, returns and training receipts are numbered in sequences of their
// own: each job's ref names one receipt, so that sale 7's receipt is not
// taken for printed when return 7's was.
func TestReceiptRefsNameOneReceipt(t *testing.T) {
	for _, c := range []struct {
		doc  receipt.Document
		want string
	}{
		{receipt.Receipt{ReceiptNo: 7}, "7"},
		{&receipt.Receipt{ReceiptNo: 7, Copy: true}, "7"},
		{receipt.Receipt{ReceiptNo: 7, Refund: true}, "return:7"},
		{receipt.Receipt{ReceiptNo: 7, Training: true}, "training:7"},
		{receipt.Receipt{ReceiptNo: 7, Training: true, Copy: true}, "training:7"},
		{receipt.PickupSlip{OrderID: "W-7"}, "W-7"},
	} {
		if got := ref(c.doc); got != c.want {
			t.Errorf("ref(%+v) = %q, want %q", c.doc, got, c.want)
		}
	}
}
