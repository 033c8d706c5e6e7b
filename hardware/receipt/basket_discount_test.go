package receipt_test

import (
	"strings"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
)

// A sale with a line discount and a basket discount: the receipt prints
// the line's discount under its line and the basket discount once, by
// itself, and its figures add up to what was paid. The line discount was
// folded back into its line and printed only inside one discount of the
// whole cart, so that the customer could not see it was given.
func TestBasketDiscountKeepsLineDiscounts(t *testing.T) {
	for _, lang := range receipt.Langs {
		st := stores[lang]
		profiles := []escpos.Profile{st.profile}
		// Chinese prints on 58 mm in a raster font, tested elsewhere.
		if st.profile.Name != escpos.Generic58.Name && lang != receipt.LangTraditionalChinese {
			profiles = append(profiles, escpos.Generic58)
		}
		for _, prof := range profiles {
			t.Run(lang+"/"+prof.Name, func(t *testing.T) {
				checkBasketReceipt(t, lang, prof)
			})
		}
	}
}

func checkBasketReceipt(t *testing.T, lang string, prof escpos.Profile) {
	st := stores[lang]
	const lineOff, basketOff = 1000, 700
	c := &pos.Cart{
		Lines: []pos.Line{
			{SKU: "1", Names: map[string]string{lang: st.items[0]}, Unit: pos.UnitEach, Qty: 2, UnitPrice: 5900, TaxRateBP: 1200,
				Discount: &pos.Discount{Amount: lineOff, Reason: "damaged"}},
			{SKU: "2", Names: map[string]string{lang: st.items[1]}, Unit: pos.UnitEach, Qty: 1, UnitPrice: 3000, TaxRateBP: 2500},
		},
		Discount: &pos.Discount{Amount: basketOff, Reason: "regular"},
		Payments: []pos.Payment{{Method: pos.MethodCard, Amount: 13100}},
	}
	set := pos.DefaultSettings()
	set.Currency = st.store.Currency
	s := &pos.Sale{ID: "s1", ReceiptNo: 44, Station: "T1", Cashier: "staff-7", CompletedAt: when, Currency: st.store.Currency,
		Lines: c.Lines, Discount: c.Discount, Payments: c.Payments, Balance: c.Balance(set)}
	if s.Balance.Total != 13100 || s.Balance.Discount != lineOff+basketOff {
		t.Fatalf("sale priced at %d with %d off; the test expects 13100 with %d off", s.Balance.Total, s.Balance.Discount, lineOff+basketOff)
	}

	r := receipt.FromSale(s, st.store, "Anna")
	// The figures add up: the lines' gross to the subtotal, and the
	// subtotal less every discount printed to the total paid.
	var gross, lineDiscounts int64
	for _, l := range r.Lines {
		gross += l.Amount + l.Discount
		lineDiscounts += l.Discount
	}
	if gross != r.Subtotal {
		t.Errorf("lines add up to %d, subtotal is %d", gross, r.Subtotal)
	}
	if r.Subtotal-r.Discount != r.Total || r.Total != s.Balance.Total {
		t.Errorf("subtotal %d less discounts %d is not the total %d (paid %d)", r.Subtotal, r.Discount, r.Total, s.Balance.Total)
	}
	if got := []int64{r.Lines[0].Discount, r.Lines[1].Discount}; got[0] != lineOff || got[1] != 0 {
		t.Errorf("line discounts are %v, want [%d 0]", got, lineOff)
	}

	got := render(t, r, prof, nil)
	checkFit(t, lang+"/"+prof.Name, got, prof.Columns)
	text := stripCommands(got)
	printed := strings.NewReplacer("ș", "ş", "ț", "ţ") // as a code page prints Romanian
	money := func(v int64) string { return printed.Replace(receipt.Money(v, st.store.Currency, lang)) }
	lines := strings.Split(text, "\n")
	first, second := -1, -1
	for i, l := range lines {
		switch {
		case first < 0 && strings.HasPrefix(l, printed.Replace(st.items[0])):
			first = i
		case first >= 0 && second < 0 && strings.HasPrefix(l, printed.Replace(st.items[1])):
			second = i
		}
	}
	if first < 0 || second < 0 {
		t.Fatalf("receipt lacks its lines:\n%s", text)
	}
	if !hasPair(lines[first+1:second], "  "+printed.Replace(receipt.T(lang, "discount")), money(-lineOff)) {
		t.Errorf("%s is printed without its discount of %s:\n%s", st.items[0], money(-lineOff), text)
	}
	if !hasPair(lines[second:], printed.Replace(receipt.T(lang, "basket_disc")), money(-basketOff)) {
		t.Errorf("the basket discount of %s is not printed as such:\n%s", money(-basketOff), text)
	}
	if strings.Contains(text, money(-(lineOff + basketOff))) {
		t.Errorf("the line discount is printed again inside a discount of %s:\n%s", money(-(lineOff + basketOff)), text)
	}
}

// hasPair reports whether one of lines begins with label and ends with
// amount, or one line holds label and the next amount, as a pair too wide
// for the paper prints.
func hasPair(lines []string, label, amount string) bool {
	for i, l := range lines {
		if !strings.HasPrefix(l, label) {
			continue
		}
		if strings.HasSuffix(l, amount) || i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == amount {
			return true
		}
	}
	return false
}
