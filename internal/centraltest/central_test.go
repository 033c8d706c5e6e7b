package centraltest

import (
	"strings"
	"testing"
)

// TestCheckData: the contract's required fields are checked, and the
// optional fields the node adds (a voucher's ref on a payment or refund)
// are accepted.
func TestCheckData(t *testing.T) {
	sale := `{"sale_id": "s1", "receipt_no": 1, "station": "till-1", "cashier": "1",
		"lines": [{"sku": "J1", "qty": 1, "unit_price": 1000, "discount": 0, "tax_rate_bp": 2500, "amount": 1000}],
		"tax": [{"rate_bp": 2500, "base": 800, "tax": 200}], "total": 1000, "change": 0, "currency": "SEK",
		"payments": [%s]}`
	for _, tc := range []struct {
		name, typ, data string
		ok              bool
	}{
		{"sale", "pos.sale.completed", fmtData(sale, `{"method": "cash", "amount": 1000}`), true},
		{"sale paid by gift card", "pos.sale.completed", fmtData(sale, `{"method": "gift_card", "amount": 1000, "ref": "GC-1"}`), true},
		{"payment without amount", "pos.sale.completed", fmtData(sale, `{"method": "gift_card", "ref": "GC-1"}`), false},
		{"void with refunds", "pos.sale.voided", `{"sale_id": "s1", "receipt_no": 1, "reason": "x", "approved_by": "9",
			"refunds": [{"method": "store_credit", "amount": 1000, "ref": "9123"}]}`, true},
		{"return to store credit", "pos.return.completed", `{"return_id": "r1", "original": null, "reason": "x", "approved_by": "9",
			"lines": [{"sku": "J1", "qty": 1, "amount": 1000, "restock": true}],
			"refunds": [{"method": "store_credit", "amount": 1000, "ref": "9123"}]}`, true},
		{"no voucher event", "pos.voucher.issued", `{"code": "9123"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkData(tc.typ, []byte(tc.data))
			if (err == nil) != tc.ok {
				t.Fatalf("checkData = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func fmtData(format, payment string) string {
	return strings.Replace(format, "%s", payment, 1)
}
