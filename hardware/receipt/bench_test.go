package receipt_test

import (
	"strings"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/escpos/escpostest"
)

// BenchmarkEncodeReceipt measures laying out and encoding one receipt,
// per language and way of printing Chinese.
func BenchmarkEncodeReceipt(b *testing.B) {
	zh := sampleReceipt("zh-Hant")
	var all strings.Builder
	for _, l := range zh.Lines {
		all.WriteString(l.Name)
	}
	all.WriteString("台北門市台北市信義區松高路1號統一編號收據號碼收銀台員小計折扣總計信用卡現金找零營業稅未稅含稅謝惠顧！")
	font := escpostest.SyntheticFont(all.String())
	cases := []struct {
		name    string
		lang    string
		profile escpos.Profile
		font    *escpos.Font
	}{
		{"sv", "sv", escpos.TMT88, nil},
		{"sk", "sk", escpos.TMT20, nil},
		{"ro", "ro", escpos.Generic58, nil},
		{"zh-Hant-big5", "zh-Hant", escpos.TMT88TraditionalChinese, nil},
		{"zh-Hant-raster", "zh-Hant", escpos.TMT88, font},
		{"en", "en", escpos.TMT88, nil},
	}
	for _, c := range cases {
		r := sampleReceipt(c.lang)
		b.Run(c.name, func(b *testing.B) {
			e := escpos.NewEncoder(c.profile, escpos.Options{Font: c.font})
			b.ReportAllocs()
			var n int
			for b.Loop() {
				e.Reset()
				if err := r.Encode(e); err != nil {
					b.Fatal(err)
				}
				n = len(e.Bytes())
			}
			b.SetBytes(int64(n))
		})
	}
}
