package receipt_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
)

func TestFromSale(t *testing.T) {
	s := &pos.Sale{
		ID: "s1", ReceiptNo: 42, Station: "T1", Cashier: "staff-7", CompletedAt: when, Currency: "SEK",
		Lines: []pos.Line{
			{SKU: "1", Names: map[string]string{"sv": "Räksmörgås", "en": "Shrimp sandwich"}, Unit: pos.UnitEach, Qty: 2, UnitPrice: 5900, TaxRateBP: 1200},
			{SKU: "2", Names: map[string]string{"sv": "Blåbär"}, Unit: pos.UnitKg, Qty: 500, UnitPrice: 20000, TaxRateBP: 1200},
		},
		Payments:   []pos.Payment{{Method: pos.MethodCash, Amount: 25000}},
		CustomerID: "C-88412",
	}
	s.Balance.Lines = []pos.LineTotal{{Gross: 11800, Amount: 11800}, {Gross: 10000, Amount: 10000}}
	s.Balance.Subtotal, s.Balance.Total, s.Balance.Change = 21800, 21800, 3200
	s.Balance.Tax = []pos.TaxLine{{RateBP: 1200, Base: 19464, Tax: 2336}}

	r := receipt.FromSale(s, stores["sv"].store, "Anna")
	got := render(t, r, escpos.TMT88, nil)
	for _, w := range []string{"Räksmörgås", "2 x 59,00 kr", "0,500 kg x 200,00 kr/kg", "218,00 kr", "Växel", "32,00 kr",
		"Kassör Anna", "[BARCODE CODE128 " + pos.ReceiptBarcode(stores["sv"].store.ReceiptTag, 42) + "]"} {
		if !strings.Contains(got, w) {
			t.Errorf("receipt lacks %q:\n%s", w, got)
		}
	}
	// The loyalty customer is named by their id masked, in the store's
	// language, and never in full.
	if !regexp.MustCompile(`Kund +\*\*\*\*412\n`).MatchString(got) || strings.Contains(got, "88412") {
		t.Errorf("receipt does not name the customer as Kund ****412:\n%s", got)
	}
	for _, lang := range receipt.Langs {
		st := stores[lang].store
		if got := render(t, receipt.FromSale(s, st, ""), stores[lang].profile, nil); !strings.Contains(got, receipt.T(lang, "customer")) {
			t.Errorf("%s receipt lacks %q:\n%s", lang, receipt.T(lang, "customer"), got)
		}
	}
}

func TestMaskID(t *testing.T) {
	for _, tt := range []struct{ id, want string }{
		{"", ""},
		{"C-88412", "****412"},
		{"LOY-5555", "****5555"},
		{"4000123456789", "****6789"},
		{"C-1", "****1"},
		{"7", "****"},
		{"會員-陳美玲", "****陳美玲"},
	} {
		if got := receipt.MaskID(tt.id); got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestFromTraining(t *testing.T) {
	tr := &pos.TrainingReceipt{No: 3, Sale: pos.Sale{ID: "c1", Station: "T1", Cashier: "staff-7", CompletedAt: when, Currency: "SEK",
		Lines:    []pos.Line{{SKU: "1", Names: map[string]string{"sv": "Räksmörgås"}, Unit: pos.UnitEach, Qty: 1, UnitPrice: 5900, TaxRateBP: 1200}},
		Payments: []pos.Payment{{Method: pos.MethodCash, Amount: 6000}}}}
	tr.Sale.Balance.Lines = []pos.LineTotal{{Gross: 5900, Amount: 5900}}
	tr.Sale.Balance.Subtotal, tr.Sale.Balance.Total, tr.Sale.Balance.Change = 5900, 5900, 100

	r := receipt.FromTraining(tr, stores["sv"].store, "Anna")
	if !r.Training || r.ReceiptNo != 3 || r.Barcode != "" {
		t.Fatalf("training receipt %+v", r)
	}
	got := render(t, r, escpos.TMT88, nil)
	for _, w := range []string{"ÖVNING – INGET KVITTO", "Övning nr 3", "Räksmörgås", "Kontant", "Kassör Anna"} {
		if !strings.Contains(got, w) {
			t.Errorf("training receipt lacks %q:\n%s", w, got)
		}
	}
}

// A sale in a store whose prices do not include tax: the receipt prints
// the tax added between the subtotal and the total, so that they add up
// on the paper; it printed a total larger than the subtotal with nothing
// between, and the tax only in the table after the payments.
func TestTaxAddedBeforeTheTotal(t *testing.T) {
	s := &pos.Sale{
		ID: "s1", ReceiptNo: 43, Station: "T1", Cashier: "staff-7", CompletedAt: when, Currency: "USD",
		Lines:    []pos.Line{{SKU: "1", Names: map[string]string{"en": "Backpack"}, Unit: pos.UnitEach, Qty: 1, UnitPrice: 49900, TaxRateBP: 2500}},
		Payments: []pos.Payment{{Method: pos.MethodCard, Amount: 62375}},
	}
	s.Balance.Lines = []pos.LineTotal{{Gross: 49900, Amount: 49900}}
	s.Balance.Subtotal, s.Balance.Total = 49900, 62375
	s.Balance.Tax = []pos.TaxLine{{RateBP: 2500, Base: 49900, Tax: 12475}}
	for _, lang := range receipt.Langs {
		got := render(t, receipt.FromSale(s, stores[lang].store, ""), stores[lang].profile, nil)
		re := regexp.MustCompile(`(?s)` + regexp.QuoteMeta(receipt.T(lang, "subtotal")) + `.*\n` +
			regexp.QuoteMeta(receipt.T(lang, "tax_added")) + ` +[^\n]*124[.,]75[^\n]*\n.*` + regexp.QuoteMeta(receipt.T(lang, "total")))
		if receipt.T(lang, "tax_added") == "" || !re.MatchString(got) {
			t.Errorf("%s receipt lacks the tax added between subtotal and total:\n%s", lang, got)
		}
	}
}
