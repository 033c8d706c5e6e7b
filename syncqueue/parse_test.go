package syncqueue

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/posnode/posnode/pos"
)

func TestParsers(t *testing.T) {
	tests := []struct {
		name  string
		parse func([]byte) error
		in    string
		ok    bool
	}{
		{"settings", settingsP, `{"version":4,"currency":"SEK","prices_include_tax":true,"cash_rounding":100}`, true},
		{"settings/fraction", settingsP, `{"version":4,"currency":"SEK","prices_include_tax":true,"cash_rounding":0.5}`, false},
		{"settings/missing currency", settingsP, `{"version":4,"prices_include_tax":true,"cash_rounding":100}`, false},
		{"settings/string bool", settingsP, `{"version":4,"currency":"SEK","prices_include_tax":"yes","cash_rounding":100}`, false},
		{"settings/array", settingsP, `[1]`, false},
		{"settings/null", settingsP, `null`, false},
		{"settings/trailing", settingsP, `{"version":4,"currency":"SEK","prices_include_tax":true,"cash_rounding":100} x`, false},
		// A receipt line is free text: a tab in it is made a space, not a
		// reason to lose the currency and cash rounding with it.
		{"settings/tab in receipt header", settingsP, `{"version":4,"currency":"SEK","prices_include_tax":true,"cash_rounding":100,"receipt_header":["Butik Norr\tStorgatan 1"]}`, true},
		{"settings/control character in language", settingsP, `{"version":4,"currency":"SEK","prices_include_tax":true,"cash_rounding":100,"languages":["s\tv"]}`, false},
		{"manifest", manifestP, `{"version":812,"pages":{"0":17,"1":4}}`, true},
		{"manifest/page id with slash", manifestP, `{"version":1,"pages":{"a/b":1}}`, false},
		{"manifest/wildcard id", manifestP, `{"version":1,"pages":{"+":1}}`, false},
		{"manifest/version string", manifestP, `{"version":"1","pages":{}}`, false},
		{"page", pageP, `{"page":"0","version":17,"items":[{"sku":"100234","active":true,"name":{"en":"Backpack"},"barcodes":["7310865004703"],"unit":"each","price":49900,"tax_rate_bp":2500}]}`, true},
		{"page/float price", pageP, `{"page":"0","version":1,"items":[{"sku":"1","active":true,"name":{},"unit":"each","price":1.5,"tax_rate_bp":0}]}`, false},
		{"page/exponent price", pageP, `{"page":"0","version":1,"items":[{"sku":"1","active":true,"name":{},"unit":"each","price":1e3,"tax_rate_bp":0}]}`, false},
		{"page/missing unit", pageP, `{"page":"0","version":1,"items":[{"sku":"1","active":true,"name":{},"price":1,"tax_rate_bp":0}]}`, false},
		{"page/other page", pageP, `{"page":"1","version":1,"items":[]}`, false},
		// Names are taken as given (what shows them cleans them): one with
		// a control character must not cost its whole page.
		{"page/escape in name", pageP, `{"page":"0","version":1,"items":[{"sku":"1","active":true,"name":{"en":"Back\u001b@pack"},"unit":"each","price":1,"tax_rate_bp":0}]}`, true},
		{"page/line break in name", pageP, `{"page":"0","version":1,"items":[{"sku":"1","active":true,"name":{"sv":"Ryggsäck\n20 l"},"unit":"each","price":1,"tax_rate_bp":0}]}`, true},
		{"page/control character in language", pageP, `{"page":"0","version":1,"items":[{"sku":"1","active":true,"name":{"e\tn":"Backpack"},"unit":"each","price":1,"tax_rate_bp":0}]}`, true},
		{"page/duplicate sku", pageP, `{"page":"0","version":1,"items":[{"sku":"1","active":true,"name":{},"unit":"each","price":1,"tax_rate_bp":0},{"sku":"1","active":true,"name":{},"unit":"each","price":1,"tax_rate_bp":0}]}`, false},
		{"stock", stockP, `{"page":"0","version":1,"items":[{"sku":"100234","on_hand":14,"as_of":{"till-1":{"epoch":"e","seq":5120}}}]}`, true},
		{"stock/sku as central writes it", stockP, `{"page":"0","version":1,"items":[{"sku":"JKT 100/M","on_hand":3},{"sku":"ÄPPLE-1","on_hand":2}]}`, true},
		{"stock/sku with a tab", stockP, `{"page":"0","version":1,"items":[{"sku":"JKT\t100","on_hand":3}]}`, false},
		{"stock/fraction", stockP, `{"page":"0","version":1,"items":[{"sku":"1","on_hand":1.5}]}`, false},
		{"stock/as_of without seq", stockP, `{"page":"0","version":1,"items":[{"sku":"1","on_hand":1,"as_of":{"till-1":{"epoch":"e"}}}]}`, false},
		{"ack", ackP, `{"epoch":"0b7e","through":5120,"rejected":[{"seq":5100,"reason":"unknown sku"}]}`, true},
		{"ack/no epoch", ackP, `{"through":1}`, false},
		{"ack/rejected seq 0", ackP, `{"epoch":"e","through":1,"rejected":[{"seq":0}]}`, false},
		{"rpc/result", rpcP, `{"id":"a","result":{"x":1}}`, true},
		{"rpc/error", rpcP, `{"id":"a","error":{"code":"not_found","message":"no"}}`, true},
		{"rpc/error on two lines", rpcP, `{"id":"a","error":{"code":"not_found","message":"no such sale\nin store 7"}}`, true},
		{"rpc/both", rpcP, `{"id":"a","result":{},"error":{"code":"x"}}`, false},
		{"rpc/neither", rpcP, `{"id":"a"}`, false},
		{"order", orderP, `{"order_id":"W-1","version":3,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00","collect_by":"2026-11-29T20:00:00+01:00","customer":{"id":"C-1","name":"Ana"},"pickup_code":"483920","payment":{"status":"paid","amount":129800,"currency":"RON"},"lines":[{"line_id":"1","sku":"100234","name":"Rucsac","qty":2,"unit_price":49900}],"arrival":null}`, true},
		{"order/invalid UTF-8", orderP, "{\"order_id\":\"W-1\",\"version\":3,\"status\":\"placed\",\"placed_at\":\"2026-11-22T10:15:00+01:00\",\"collect_by\":\"2026-11-29T20:00:00+01:00\",\"customer\":{\"id\":\"C-1\",\"name\":\"An\xffa\"},\"pickup_code\":\"483920\",\"payment\":{\"status\":\"paid\",\"amount\":129800,\"currency\":\"RON\"},\"lines\":[{\"line_id\":\"1\",\"sku\":\"100234\",\"name\":\"Rucsac\",\"qty\":2,\"unit_price\":49900}],\"arrival\":null}", false},
		// The customer's arrival is free text: made safe, never a reason
		// to refuse the order (pos.TestParseOrderCleansFreeText).
		{"order/line break in arrival note", orderP, `{"order_id":"W-1","version":3,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00","collect_by":"2026-11-29T20:00:00+01:00","customer":{"id":"C-1","name":"Ana"},"pickup_code":"483920","payment":{"status":"paid","amount":129800,"currency":"RON"},"lines":[{"line_id":"1","sku":"100234","name":"Rucsac","qty":2,"unit_price":49900}],"arrival":{"at":"2026-11-22T11:00:00+01:00","bay":"Bay 3, beside the trolley shed, B","note":"red Volvo\nplate ABC"}}`, true},
		{"order/other topic", orderP, `{"order_id":"W-2","version":1,"status":"cancelled"}`, false},
		{"order/fraction qty", orderP, `{"order_id":"W-1","version":3,"status":"placed","placed_at":"2026-11-22T10:15:00+01:00","collect_by":"2026-11-29T20:00:00+01:00","customer":{"id":"C-1","name":"Ana"},"pickup_code":"483920","payment":{"status":"paid","amount":129800,"currency":"RON"},"lines":[{"line_id":"1","sku":"100234","name":"Rucsac","qty":2.5,"unit_price":49900}],"arrival":null}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse([]byte(tt.in))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok = %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidPayload) {
				t.Fatalf("error %v does not wrap ErrInvalidPayload", err)
			}
		})
	}
}

func settingsP(b []byte) error { _, err := ParseSettings(b); return err }
func manifestP(b []byte) error { _, err := ParseManifest(b); return err }
func pageP(b []byte) error     { _, err := ParseCatalogPage(b, "0"); return err }
func stockP(b []byte) error    { _, err := ParseStockPage(b, "0", "till-1"); return err }
func ackP(b []byte) error      { _, err := ParseAck(b); return err }
func rpcP(b []byte) error      { _, err := ParseRPCResponse(b); return err }
func orderP(b []byte) error    { _, err := ParseOrder(b, "W-1"); return err }

// TestSettingsWithoutReceiptLines: settings that name no receipt lines
// print none, not the demo store's heading and footer.
func TestSettingsWithoutReceiptLines(t *testing.T) {
	for _, in := range []string{
		`{"version":4,"currency":"RON","prices_include_tax":true,"cash_rounding":1}`,
		`{"version":4,"currency":"RON","prices_include_tax":true,"cash_rounding":1,"receipt_header":null,"receipt_footer":null}`,
	} {
		s, err := ParseSettings([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.ReceiptHeader) != 0 || len(s.ReceiptFooter) != 0 {
			t.Errorf("ParseSettings(%s): receipt header %q, footer %q; want none", in, s.ReceiptHeader, s.ReceiptFooter)
		}
	}
	s, err := ParseSettings([]byte(`{"version":4,"currency":"RON","prices_include_tax":true,"cash_rounding":1,"receipt_header":["Magazin Centru"],"receipt_footer":[]}`))
	if err != nil || len(s.ReceiptHeader) != 1 || s.ReceiptHeader[0] != "Magazin Centru" || len(s.ReceiptFooter) != 0 {
		t.Fatalf("settings = %+v, %v", s, err)
	}
}

// TestSettingsCleansReceiptLines: each receipt line is one printed line of
// central's free text. A control character in one becomes a space and a
// line over 200 bytes is cut on a character boundary, rather than the
// whole settings record being refused.
func TestSettingsCleansReceiptLines(t *testing.T) {
	long := strings.Repeat("a", 199) + "ö" // "ö" across the limit of 200 bytes
	b, _ := json.Marshal(map[string]any{"version": 4, "currency": "SEK", "prices_include_tax": true, "cash_rounding": 100,
		"receipt_header": []string{"Butik\tNorr", "Storgatan 1\r\nUmeå", long},
		"receipt_footer": []string{"Öppet köp\u001b30 dagar"}})
	s, err := ParseSettings(b)
	if err != nil {
		t.Fatalf("settings refused: %v", err)
	}
	want := []string{"Butik Norr", "Storgatan 1  Umeå", strings.Repeat("a", 199)}
	if !slices.Equal(s.ReceiptHeader, want) || !slices.Equal(s.ReceiptFooter, []string{"Öppet köp 30 dagar"}) {
		t.Fatalf("header %q, footer %q; want %q and [\"Öppet köp 30 dagar\"]", s.ReceiptHeader, s.ReceiptFooter, want)
	}
	if s.Currency != "SEK" || s.CashRounding != 100 {
		t.Fatalf("settings %+v", s)
	}
}

func TestStockPageTakesThisNodesAsOf(t *testing.T) {
	p, err := ParseStockPage([]byte(`{"page":"0","version":1,"items":[{"sku":"1","on_hand":14,"as_of":{"till-1":{"epoch":"e1","seq":5},"till-2":{"epoch":"e2","seq":9}}}]}`), "0", "till-2")
	if err != nil || p.Items[0].AsEpoch != "e2" || p.Items[0].AsSeq != 9 || p.Items[0].OnHand != 14 {
		t.Fatalf("%+v %v", p, err)
	}
}

func TestEncodeEvent(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 17, 3, 0, time.FixedZone("CET", 3600))
	b, err := EncodeEvent("s1", "till-1", pos.Event{ID: "id-1", Type: pos.EventSaleCompleted, Time: at, Epoch: "ep", Seq: 7, Data: json.RawMessage(`{"total":100}`)})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"specversion":"1.0","id":"id-1","source":"pos://s1/till-1","type":"pos.sale.completed","time":"2026-11-22T10:17:03+01:00","epoch":"ep","seq":7,"datacontenttype":"application/json","data":{"total":100}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

// The fuzz targets check that no payload makes a parser panic, and that
// whatever a parser accepts satisfies the contract's rules.

func FuzzParseSettings(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSettings(b)
		if err != nil {
			return
		}
		if s.Version < 1 || s.CashRounding < 0 || len(s.Currency) != 3 {
			t.Fatalf("accepted %+v", s)
		}
		for _, l := range append(slices.Clone(s.ReceiptHeader), s.ReceiptFooter...) {
			if err := checkText("receipt line", l, maxReceiptLine); err != nil {
				t.Fatalf("kept receipt line %q: %v", l, err)
			}
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		for p, v := range m.Pages {
			if !idPattern.MatchString(p) || strings.ContainsAny(p, "/+#") || v < 1 {
				t.Fatalf("accepted page %q version %d", p, v)
			}
		}
	})
}

func FuzzParseCatalogPage(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseCatalogPage(b, "")
		if err != nil {
			return
		}
		if p.Version < 1 || !idPattern.MatchString(p.Page) {
			t.Fatalf("accepted page %q version %d", p.Page, p.Version)
		}
		for _, it := range p.Items {
			if err := it.Validate(); err != nil {
				t.Fatalf("accepted an invalid item: %v", err)
			}
		}
	})
}

func FuzzParseStockPage(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseStockPage(b, "", "till-1")
		if err != nil {
			return
		}
		for _, c := range p.Items {
			if !pos.ValidSKU(c.SKU) || c.AsSeq < 0 {
				t.Fatalf("accepted %+v", c)
			}
		}
	})
}

// An odd reason in central's ack costs nothing of the ack: its control
// characters become spaces and a long one is cut on a character boundary.
func TestParseAckKeepsOddReasons(t *testing.T) {
	long := strings.Repeat("é", maxReason) // 2 bytes each
	b, _ := json.Marshal(map[string]any{"epoch": "e", "through": 7, "rejected": []any{
		map[string]any{"seq": 3, "reason": "unknown sku\n\t42"}, map[string]any{"seq": 5, "reason": long}}})
	a, err := ParseAck(b)
	if err != nil {
		t.Fatal(err)
	}
	if a.Through != 7 || len(a.Rejected) != 2 || a.Rejected[0].Reason != "unknown sku  42" ||
		a.Rejected[1].Reason != long[:maxReason] || !utf8.ValidString(a.Rejected[1].Reason) {
		t.Fatalf("ack %+v", a)
	}
}

func FuzzParseAck(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAck(b)
		if err != nil {
			return
		}
		if a.Epoch == "" || a.Through < 0 {
			t.Fatalf("accepted %+v", a)
		}
		for _, r := range a.Rejected {
			if r.Seq < 1 {
				t.Fatalf("accepted rejected seq %d", r.Seq)
			}
			if err := checkText("reason", r.Reason, maxReason); err != nil {
				t.Fatalf("kept reason %q: %v", r.Reason, err)
			}
		}
	})
}

func FuzzParseRPCResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRPCResponse(b)
		if err != nil {
			return
		}
		if r.ID == "" || (r.Result == nil) == (r.Err == nil) {
			t.Fatalf("accepted %+v", r)
		}
		if r.Result != nil && !json.Valid(r.Result) {
			t.Fatalf("result is not JSON: %q", r.Result)
		}
		if r.Err != nil && checkText("message", r.Err.Message, maxReason) != nil {
			t.Fatalf("kept message %q", r.Err.Message)
		}
	})
}

func FuzzParseOrder(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte, id string) {
		o, err := ParseOrder(b, id)
		if err != nil {
			return
		}
		if id != "" && o.ID != id {
			t.Fatalf("order %q accepted on the topic of %q", o.ID, id)
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("accepted an invalid order: %v", err)
		}
	})
}

// TestRefusalsQuoteLittle checks that the reason a payload is refused,
// which is logged and stored, quotes at most a short piece of a value
// however long the value is.
func TestRefusalsQuoteLittle(t *testing.T) {
	huge := strings.Repeat("7", 1<<20)
	hugeID := strings.Repeat("p", 1<<20)
	item := `{"sku":"1","active":true,"name":{"en":"A"},"barcodes":["1"],"unit":"each","price":1,"tax_rate_bp":2500}`
	for name, parse := range map[string]func() error{
		"catalog page version": func() error {
			_, err := ParseCatalogPage([]byte(`{"page":"0","version":`+huge+`,"items":[]}`), "0")
			return err
		},
		"catalog page price": func() error {
			_, err := ParseCatalogPage([]byte(`{"page":"0","version":1,"items":[`+strings.Replace(item, `"price":1`, `"price":`+huge, 1)+`]}`), "0")
			return err
		},
		"catalog page unit": func() error {
			_, err := ParseCatalogPage([]byte(`{"page":"0","version":1,"items":[`+strings.Replace(item, `"each"`, `"`+hugeID+`"`, 1)+`]}`), "0")
			return err
		},
		"catalog page id": func() error {
			_, err := ParseCatalogPage([]byte(`{"page":"`+hugeID+`","version":1,"items":[]}`), "0")
			return err
		},
		"settings version": func() error {
			_, err := ParseSettings([]byte(`{"version":` + huge + `,"currency":"SEK","prices_include_tax":true,"cash_rounding":1,"languages":["sv"]}`))
			return err
		},
		"settings currency": func() error {
			_, err := ParseSettings([]byte(`{"version":1,"currency":"` + hugeID + `","prices_include_tax":true,"cash_rounding":1,"languages":["sv"]}`))
			return err
		},
		"manifest page id": func() error {
			_, err := ParseManifest([]byte(`{"version":1,"pages":{"` + hugeID + `":1}}`))
			return err
		},
		"stock sku": func() error {
			_, err := ParseStockPage([]byte(`{"page":"0","version":1,"items":[{"sku":"`+hugeID+` ","on_hand":1}]}`), "0", "till-1")
			return err
		},
		"order status": func() error {
			_, err := ParseOrder([]byte(`{"order_id":"W-1","version":1,"status":"`+hugeID+`"}`), "W-1")
			return err
		},
		"order id": func() error {
			_, err := ParseOrder([]byte(`{"order_id":"`+hugeID+`","version":1,"status":"cancelled"}`), "W-1")
			return err
		},
	} {
		err := parse()
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if len(err.Error()) > 400 {
			t.Errorf("%s: a reason of %d bytes: %.300s…", name, len(err.Error()), err)
		}
	}
}

// TestMergeAckKeepsEachRejectionOnce: the retained ack comes again on every
// connection; an ack waiting to be recorded takes the highest point and each
// rejected seq once, however often it comes.
func TestMergeAckKeepsEachRejectionOnce(t *testing.T) {
	var p *Ack
	for i := range 100 {
		p = mergeAck(p, &Ack{Epoch: "e", Through: int64(10 + i%7), Rejected: []pos.Rejection{{Seq: 3, Reason: "bad"}, {Seq: int64(4 + i%2), Reason: "odd"}}})
	}
	if p.Through != 16 || len(p.Rejected) != 3 || p.Rejected[0].Seq != 3 || p.Rejected[1].Seq != 4 || p.Rejected[2].Seq != 5 {
		t.Fatalf("merged = %+v; want through 16 and seqs 3, 4, 5 once each", p)
	}
	if q := mergeAck(nil, nil); q != nil {
		t.Fatalf("nothing merged = %+v", q)
	}
}

func TestParseCustomer(t *testing.T) {
	const ok = `{"id":"C-88412","name":"Ana Popescu","language":"ro","points":120,"recent":[{"channel":"web","at":"2026-11-20T10:00:00+01:00","total":129800,"order_id":"W-1"}]}`
	if cu, err := parseCustomer(json.RawMessage(ok)); err != nil || cu.ID != "C-88412" || cu.Name != "Ana Popescu" || len(cu.Recent) != 1 {
		t.Fatalf("parseCustomer(%s) = %+v, %v", ok, cu, err)
	}
	// The name is free text: made safe for the till's screen, not a
	// reason to leave the customer unfound.
	for in, want := range map[string]string{
		`{"id":"C-1","name":"Ana\u001b[2J"}`:                      "Ana [2J",
		`{"id":"C-1","name":"Ana\nPopescu"}`:                      "Ana Popescu",
		`{"id":"C-1","name":"` + strings.Repeat("a", 1024) + `"}`: strings.Repeat("a", 200),
	} {
		if cu, err := parseCustomer(json.RawMessage(in)); err != nil || cu.Name != want {
			t.Errorf("parseCustomer(%.80s) = %q, %v; want the name %.40q", in, cu.Name, err, want)
		}
	}
	for name, in := range map[string]string{
		"empty id":                  `{"id":"","name":"Ana"}`,
		"id longer than 64":         `{"id":"` + strings.Repeat("C", 65) + `","name":"Ana"}`,
		"line break in id":          `{"id":"C-1\n","name":"Ana"}`,
		"control in language":       `{"id":"C-1","name":"Ana","language":"r\to"}`,
		"points out of range":       `{"id":"C-1","name":"Ana","points":1000000000000000000}`,
		"recent total out of range": `{"id":"C-1","name":"Ana","recent":[{"channel":"web","total":9000000000000000000}]}`,
		"control in recent channel": `{"id":"C-1","name":"Ana","recent":[{"channel":"w\neb","total":1}]}`,
		"missing name":              `{"id":"C-1"}`,
	} {
		if _, err := parseCustomer(json.RawMessage(in)); !errors.Is(err, ErrInvalidPayload) {
			t.Errorf("%s: parseCustomer(%.80s) = %v, want ErrInvalidPayload", name, in, err)
		}
	}
}

// orderAnswer is a complete answer to order.lookup. Its second line is
// free and exempt from tax: 0 is a price and a rate like any other.
func orderAnswer() map[string]any {
	return map[string]any{
		"lines": []any{
			map[string]any{"line_id": "1", "sku": "100234", "qty": 2, "unit_price": 49900, "tax_rate_bp": 2500},
			map[string]any{"line_id": "2", "sku": "200981", "qty": 1, "unit_price": 0, "tax_rate_bp": 0},
		},
		"payment": map[string]any{"status": "paid", "amount": 99800, "currency": "RON"},
	}
}

// saleAnswer is a complete answer to sale.lookup; discount, amount and
// unit may be left out (the return reckons an amount from the price).
func saleAnswer() map[string]any {
	return map[string]any{
		"lines": []any{
			map[string]any{"sku": "100234", "qty": 1, "unit_price": 49900, "tax_rate_bp": 2500, "discount": 0, "amount": 49900},
			map[string]any{"sku": "200100", "qty": 1234, "unit": "kg", "unit_price": 0, "tax_rate_bp": 0},
		},
		"payments": []any{map[string]any{"method": "card", "amount": 49900}, map[string]any{"method": "cash", "amount": 0}},
	}
}

// elem returns element i of the array field name of m, an object.
func elem(m map[string]any, name string, i int) map[string]any {
	return m[name].([]any)[i].(map[string]any)
}

// TestParseLookupResults: a line of a looked-up order or sale without its
// price or tax rate, or a payment without its amount, would be read as 0
// and a return refund nothing or reckon no tax; such an answer is refused
// like one without lines.
func TestParseLookupResults(t *testing.T) {
	order := func(b []byte) error { _, err := parseOrderDetails(b); return err }
	sale := func(b []byte) error { _, err := parseSaleDetails(b); return err }
	tests := []struct {
		name   string
		parse  func([]byte) error
		answer func() map[string]any
		edit   func(m map[string]any)
		want   string // "" for accepted, else a part of the error
	}{
		{"order/complete", order, orderAnswer, func(map[string]any) {}, ""},
		{"order/without lines", order, orderAnswer, func(m map[string]any) { delete(m, "lines") }, `"lines" is missing`},
		{"order/without payment", order, orderAnswer, func(m map[string]any) { delete(m, "payment") }, `"payment" is missing`},
		{"order/line without unit_price", order, orderAnswer, func(m map[string]any) { delete(elem(m, "lines", 1), "unit_price") }, `lines[1]: `},
		{"order/line with null unit_price", order, orderAnswer, func(m map[string]any) { elem(m, "lines", 0)["unit_price"] = nil }, `"unit_price" is missing`},
		{"order/line without tax_rate_bp", order, orderAnswer, func(m map[string]any) { delete(elem(m, "lines", 1), "tax_rate_bp") }, `"tax_rate_bp" is missing`},
		{"order/line without sku", order, orderAnswer, func(m map[string]any) { delete(elem(m, "lines", 0), "sku") }, `"sku" is missing`},
		{"order/line without qty", order, orderAnswer, func(m map[string]any) { delete(elem(m, "lines", 0), "qty") }, `"qty" is missing`},
		{"order/line null", order, orderAnswer, func(m map[string]any) { m["lines"].([]any)[0] = nil }, `lines[0]: `},
		{"order/payment without amount", order, orderAnswer, func(m map[string]any) { delete(m["payment"].(map[string]any), "amount") }, `payment: `},
		{"order/payment without status", order, orderAnswer, func(m map[string]any) { delete(m["payment"].(map[string]any), "status") }, `"status" is missing`},
		// The node takes the store's currency, not the answer's.
		{"order/payment without currency", order, orderAnswer, func(m map[string]any) { delete(m["payment"].(map[string]any), "currency") }, ""},
		{"order/payment of another status", order, orderAnswer, func(m map[string]any) { m["payment"].(map[string]any)["status"] = "Paid" }, `payment.status`},
		{"order/payment of a negative amount", order, orderAnswer, func(m map[string]any) { m["payment"].(map[string]any)["amount"] = -1 }, `payment.amount`},
		{"order/payment not an object", order, orderAnswer, func(m map[string]any) { m["payment"] = 5 }, `order.lookup`},
		{"sale/complete", sale, saleAnswer, func(map[string]any) {}, ""},
		{"sale/without payments", sale, saleAnswer, func(m map[string]any) { delete(m, "payments") }, `"payments" is missing`},
		{"sale/line without unit_price", sale, saleAnswer, func(m map[string]any) { delete(elem(m, "lines", 1), "unit_price") }, `"unit_price" is missing`},
		{"sale/line without tax_rate_bp", sale, saleAnswer, func(m map[string]any) { delete(elem(m, "lines", 0), "tax_rate_bp") }, `"tax_rate_bp" is missing`},
		{"sale/payment without amount", sale, saleAnswer, func(m map[string]any) { delete(elem(m, "payments", 1), "amount") }, `payments[1]: `},
		{"sale/payment without method", sale, saleAnswer, func(m map[string]any) { delete(elem(m, "payments", 0), "method") }, `"method" is missing`},
		{"sale/payment of an empty method", sale, saleAnswer, func(m map[string]any) { elem(m, "payments", 0)["method"] = "" }, `method`},
		{"sale/payment null", sale, saleAnswer, func(m map[string]any) { m["payments"].([]any)[0] = nil }, `payments[0]: `},
		{"sale/sku as central writes it", sale, saleAnswer, func(m map[string]any) { elem(m, "lines", 0)["sku"] = "JKT 100/M" }, ""},
		{"order/sku as central writes it", order, orderAnswer, func(m map[string]any) { elem(m, "lines", 0)["sku"] = "ÄPPLE-1" }, ""},
		{"sale/sku with a line break", sale, saleAnswer, func(m map[string]any) { elem(m, "lines", 0)["sku"] = "JKT\n100" }, `line 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.answer()
			tt.edit(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.parse(b)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("complete answer refused: %v", err)
			case tt.want != "" && (!errors.Is(err, ErrInvalidPayload) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want ErrInvalidPayload with %q", err, tt.want)
			}
		})
	}
}

// FuzzParseLookupResults: whatever order.lookup or sale.lookup accepts has
// lines a return can be reckoned against and payments with a method.
func FuzzParseLookupResults(f *testing.F) {
	for _, m := range []map[string]any{orderAnswer(), saleAnswer()} {
		b, _ := json.Marshal(m)
		f.Add(b)
	}
	f.Add([]byte(`{"lines":[{"sku":"1","qty":1}],"payment":{"amount":0},"payments":[{"method":"card"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, err := parseOrderDetails(b); err == nil {
			if checkLines("order.lookup", d.Lines) != nil || checkOrderPayment(d.Payment) != nil {
				t.Fatalf("accepted %+v", d)
			}
		}
		if d, err := parseSaleDetails(b); err == nil {
			if checkLines("sale.lookup", d.Lines) != nil {
				t.Fatalf("accepted %+v", d)
			}
			for _, p := range d.Payments {
				if p.Method == "" {
					t.Fatalf("accepted a payment without a method: %+v", d)
				}
			}
		}
	})
}
