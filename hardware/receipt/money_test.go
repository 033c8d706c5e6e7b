package receipt_test

import (
	"encoding/json"
	"testing"

	"github.com/posnode/posnode/hardware/receipt"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMoney(t *testing.T) {
	tests := []struct {
		amount         int64
		currency, lang string
		want           string
	}{
		{49900, "SEK", "sv", "499,00 kr"},
		{149900, "SEK", "sv", "1 499,00 kr"},
		{-100, "SEK", "sv", "-1,00 kr"},
		{4990, "EUR", "sk", "49,90 €"},
		{123456789, "EUR", "sk", "1 234 567,89 €"},
		{49900, "RON", "ro", "499,00 lei"},
		{149905, "RON", "ro", "1.499,05 lei"},
		{49900, "TWD", "zh-Hant", "NT$499"},
		{149950, "TWD", "zh-Hant", "NT$1,499.50"},
		{4990, "EUR", "en", "€49.90"},
		{149900, "SEK", "en", "SEK 1,499.00"},
		{149900, "GBP", "en", "£1,499.00"},
		{-4990, "GBP", "en", "-£49.90"},
		{149900, "USD", "en", "$1,499.00"},
		// Other languages write pounds and dollars as their norms do, the
		// code after the amount; in Taiwan $ alone is the NT dollar.
		{149900, "GBP", "sv", "1 499,00 GBP"},
		{-4990, "GBP", "ro", "-49,90 GBP"},
		{149900, "USD", "sk", "1 499,00 USD"},
		{4990, "USD", "zh-Hant", "49.90 USD"},
		{5, "XYZ", "en", "0.05 XYZ"},
	}
	for _, tt := range tests {
		if got := receipt.Money(tt.amount, tt.currency, tt.lang); got != tt.want {
			t.Errorf("Money(%d, %s, %s) = %q, want %q", tt.amount, tt.currency, tt.lang, got, tt.want)
		}
	}
}

// A rate is written as the screens write it (Intl, after CLDR): with a
// space before the sign in Swedish, Slovak and Romanian, without in
// English and Chinese.
func TestPercent(t *testing.T) {
	tests := []struct {
		bp   int64
		lang string
		want string
	}{
		{2500, "sv", "25 %"},
		{1200, "sv", "12 %"},
		{650, "sv", "6,5 %"},
		{1905, "sv", "19,05 %"},
		{2300, "sk", "23 %"},
		{1900, "ro", "19 %"},
		{550, "ro", "5,5 %"},
		{2000, "en", "20%"},
		{550, "zh-Hant", "5.5%"},
	}
	for _, tt := range tests {
		if got := receipt.Percent(tt.bp, tt.lang); got != tt.want {
			t.Errorf("Percent(%d, %s) = %q, want %q", tt.bp, tt.lang, got, tt.want)
		}
	}
}

func TestLabelsComplete(t *testing.T) {
	for _, key := range []string{"receipt", "copy", "total", "thanks", "bag_of", "x_report", "z_report", "sample"} {
		for _, lang := range receipt.Langs {
			if got := receipt.T(lang, key); got == key || got == "" {
				t.Errorf("no %s label for %s", lang, key)
			}
		}
	}
}

func TestDecodeUnknownKind(t *testing.T) {
	if _, err := receipt.Decode("flyer", []byte("{}")); err == nil {
		t.Error("unknown kind decoded")
	}
	if _, err := receipt.Decode(receipt.KindReceipt, []byte("{")); err == nil {
		t.Error("bad JSON decoded")
	}
}
