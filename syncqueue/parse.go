package syncqueue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/posnode/posnode/pos"
)

// ErrInvalidPayload reports a payload from central that does not follow the
// contract: not a JSON object, a required field missing or of the wrong
// type (a fraction where money or a quantity is due, for example), or a
// value out of range. It is permanent for that payload: the node logs it
// with its topic, counts it and applies nothing of it.
var ErrInvalidPayload = errors.New("syncqueue: invalid payload from central")

// Limits on inbound payloads.
const (
	maxPayload       = 8 << 20 // bytes of one message
	maxPageItems     = 20_000  // central keeps pages under about 2,000 items
	maxManifestPages = 10_000  // central never has more than 1,000 pages per store
	maxRejected      = 100_000 // entries of one ack's rejected list
	maxStock         = 1 << 40 // |on_hand|
)

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	currencyPat = regexp.MustCompile(`^[A-Z]{3}$`)
)

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidPayload, fmt.Sprintf(format, a...))
}

// fields decodes b as a JSON object and checks that every name in required
// is present and not null.
func fields(b []byte, required ...string) (map[string]json.RawMessage, error) {
	if len(b) > maxPayload {
		return nil, invalid("payload of %d bytes is larger than %d", len(b), maxPayload)
	}
	if !utf8.Valid(b) {
		return nil, invalid("payload is not UTF-8")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, invalid("not a JSON object: %v", err)
	}
	if m == nil {
		return nil, invalid("not a JSON object: null")
	}
	for _, k := range required {
		if v, ok := m[k]; !ok || bytes.Equal(v, []byte("null")) {
			return nil, invalid("field %q is missing", k)
		}
	}
	return m, nil
}

// decode unmarshals one field into v; integers reject fractions and
// exponents because v's integer fields are int64.
func decode(m map[string]json.RawMessage, name string, v any) error {
	raw, ok := m[name]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return invalid("field %q: %s", name, clipMessage(err.Error()))
	}
	return nil
}

// clipMessage shortens an error message that may quote a payload's value
// whole (encoding/json quotes a number of any length).
func clipMessage(s string) string {
	if len(s) > 200 {
		return strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

// maxReceiptLine is the most bytes of a receipt line of the settings that
// the node keeps: a limit for paper and screens, not the contract's.
const maxReceiptLine = 200

// cleanReceiptLines cleans each of ls in place (cleanText). Receipt lines
// are central's free text, each printed and shown as one line (a header's
// first is the store's name, the footer's are joined with " · "): a line
// break or tab in one becomes a space, rather than costing the store the
// whole settings record, its currency and cash rounding with it.
func cleanReceiptLines(ls []string) {
	for i, l := range ls {
		ls[i] = pos.CleanText(l, maxReceiptLine)
	}
}

// maxReason is the most bytes of central's reason for a rejected event
// that the node keeps.
const maxReason = 1024

func checkText(name, v string, max int) error {
	if len(v) > max || !utf8.ValidString(v) || hasControl(v) {
		return invalid("%s must be at most %d bytes of text without control characters", name, max)
	}
	return nil
}

// hasControl reports whether s holds a control character (C0 or DEL).
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// ParseSettings decodes the settings topic. version, currency,
// prices_include_tax and cash_rounding are required. Missing receipt
// lines are none: the demo store's are never printed for a real one.
// Receipt lines are free text, cleaned rather than refused (see
// cleanReceiptLines). Missing languages and pickup_hold_days take
// pos.DefaultSettings' values.
func ParseSettings(b []byte) (pos.Settings, error) {
	m, err := fields(b, "version", "currency", "prices_include_tax", "cash_rounding")
	if err != nil {
		return pos.Settings{}, err
	}
	s := pos.DefaultSettings()
	s.ReceiptHeader, s.ReceiptFooter = []string{}, []string{}
	for name, v := range map[string]any{
		"version": &s.Version, "currency": &s.Currency, "prices_include_tax": &s.PricesIncludeTax,
		"cash_rounding": &s.CashRounding, "languages": &s.Languages, "receipt_header": &s.ReceiptHeader,
		"receipt_footer": &s.ReceiptFooter, "pickup_hold_days": &s.PickupHoldDays,
	} {
		if err := decode(m, name, v); err != nil {
			return pos.Settings{}, err
		}
	}
	switch {
	case s.Version < 1:
		return pos.Settings{}, invalid("version must be a positive integer")
	case !currencyPat.MatchString(s.Currency):
		return pos.Settings{}, invalid("currency must be an ISO 4217 code, not %q", clip(s.Currency))
	case s.CashRounding < 0 || s.CashRounding > 100_000:
		return pos.Settings{}, invalid("cash_rounding %d out of range 0..100000", s.CashRounding)
	case s.PickupHoldDays < 0 || s.PickupHoldDays > 365:
		return pos.Settings{}, invalid("pickup_hold_days %d out of range 0..365", s.PickupHoldDays)
	case len(s.Languages) > 16 || len(s.ReceiptHeader) > 32 || len(s.ReceiptFooter) > 32:
		return pos.Settings{}, invalid("too many languages or receipt lines")
	}
	for _, l := range s.Languages {
		if err := checkText("language", l, 16); err != nil || l == "" {
			return pos.Settings{}, invalid("language %q is not a language tag", clip(l))
		}
	}
	cleanReceiptLines(s.ReceiptHeader)
	cleanReceiptLines(s.ReceiptFooter)
	return s, nil
}

// Manifest lists every page of the catalog or of the stock and its version.
type Manifest struct {
	Version int64            `json:"version"`
	Pages   map[string]int64 `json:"pages"`
}

// ParseManifest decodes a catalog or stock manifest.
func ParseManifest(b []byte) (Manifest, error) {
	var mf Manifest
	m, err := fields(b, "version", "pages")
	if err != nil {
		return mf, err
	}
	if err := decode(m, "version", &mf.Version); err != nil {
		return mf, err
	}
	if err := decode(m, "pages", &mf.Pages); err != nil {
		return mf, err
	}
	if mf.Version < 0 {
		return Manifest{}, invalid("version must not be negative")
	}
	if len(mf.Pages) > maxManifestPages {
		return Manifest{}, invalid("%d pages, more than %d", len(mf.Pages), maxManifestPages)
	}
	for p, v := range mf.Pages {
		if !idPattern.MatchString(p) {
			return Manifest{}, invalid("page id %q must be 1-64 characters of A-Z a-z 0-9 _ -", clip(p))
		}
		if v < 1 {
			return Manifest{}, invalid("page %s: version must be a positive integer", p)
		}
	}
	if mf.Pages == nil {
		mf.Pages = map[string]int64{}
	}
	return mf, nil
}

// pageHeader decodes the fields every page has and checks that the page is
// the one its topic names.
func pageHeader(b []byte, page string) (map[string]json.RawMessage, string, int64, []json.RawMessage, error) {
	m, err := fields(b, "page", "version", "items")
	if err != nil {
		return nil, "", 0, nil, err
	}
	var id string
	var version int64
	var items []json.RawMessage
	for name, v := range map[string]any{"page": &id, "version": &version, "items": &items} {
		if err := decode(m, name, v); err != nil {
			return nil, "", 0, nil, err
		}
	}
	if err := checkPageHead(id, page, version, len(items)); err != nil {
		return nil, "", 0, nil, err
	}
	return m, id, version, items, nil
}

// checkPageHead checks what every page says of itself: its id, that it is
// the page its topic names (page, or "" to skip that check), its version
// and its number of items.
func checkPageHead(id, page string, version int64, n int) error {
	if !idPattern.MatchString(id) {
		return invalid("page id %q must be 1-64 characters of A-Z a-z 0-9 _ -", clip(id))
	}
	if page != "" && id != page {
		return invalid("page %q arrived on the topic of page %q", id, clip(page))
	}
	if version < 1 {
		return invalid("page %s: version must be a positive integer", id)
	}
	if n > maxPageItems {
		return invalid("page %s: %d items, more than %d", id, n, maxPageItems)
	}
	return nil
}

// ParseCatalogPage decodes a catalog page. page is the page id its topic
// names ("" to skip that check). Every item needs sku, active, name, unit,
// price and tax_rate_bp (barcodes may be missing); one invalid item makes
// the whole page invalid, so that a page is never applied half-way.
//
// The strings of the page's items, except those written with escapes,
// share one copy of b, which stays in memory as long as any of them does.
func ParseCatalogPage(b []byte, page string) (pos.CatalogPage, error) {
	if err := checkPagePayload(b); err != nil {
		return pos.CatalogPage{}, err
	}
	return parseCatalogPage(string(b), page, nil)
}

// parseOwnedCatalogPage is ParseCatalogPage without the copy of b: the
// items' strings are part of b, which must never be written again. A
// message's payload from paho is such a buffer (one is made for each
// message), and a page is a megabyte.
//
// With sc set, the page is decoded in memory sc held for a page decoded
// before, which must no longer be used.
func parseOwnedCatalogPage(b []byte, page string, sc *pageScratch) (pos.CatalogPage, error) {
	if err := checkPagePayload(b); err != nil {
		return pos.CatalogPage{}, err
	}
	return parseCatalogPage(unsafe.String(unsafe.SliceData(b), len(b)), page, sc)
}

// pageScratch is memory a page worker decodes its pages in, one after
// another: a page's items, their names maps and barcode arrays are those
// of the page before. A page of 1,000 items would otherwise allocate
// about a megabyte.
type pageScratch struct {
	raw   rawPage
	items []pos.Item
	seen  map[string]bool
}

func checkPagePayload(b []byte) error {
	if len(b) > maxPayload || !utf8.Valid(b) {
		return invalid("payload is not UTF-8 of at most %d bytes", maxPayload)
	}
	return nil
}

// parseCatalogPage decodes s, a payload checkPagePayload accepted.
func parseCatalogPage(s string, page string, sc *pageScratch) (pos.CatalogPage, error) {
	if sc == nil {
		sc = &pageScratch{}
	}
	raw := &sc.raw
	if err := decodeCatalogPageInto(s, raw); err != nil {
		return pos.CatalogPage{}, err
	}
	if !raw.hasPage || !raw.hasVersion || !raw.hasItems {
		return pos.CatalogPage{}, invalid("a catalog page needs page, version and items")
	}
	id, version, n := raw.page, raw.version, raw.nItems
	if err := checkPageHead(id, page, version, n); err != nil {
		return pos.CatalogPage{}, err
	}
	if sc.items == nil || cap(sc.items) < n {
		sc.items = make([]pos.Item, 0, n)
	}
	if sc.seen == nil {
		sc.seen = make(map[string]bool, n)
	}
	clear(sc.seen)
	p := pos.CatalogPage{Page: id, Version: version, Items: sc.items[:0]}
	seen := sc.seen
	for i := range n {
		c := &raw.items[i]
		if f := c.missing(); f != "" {
			return pos.CatalogPage{}, invalid("page %s item %d: field %q is missing", id, i, f)
		}
		barcodes := []string{}
		if c.nBarcodes > 0 {
			barcodes = c.barcodes[:c.nBarcodes:c.nBarcodes]
		}
		it := pos.Item{SKU: c.sku, Active: c.active, Names: c.names, Barcodes: barcodes,
			Unit: c.unit, Price: c.price, TaxRateBP: c.taxRateBP}
		if err := it.Validate(); err != nil {
			return pos.CatalogPage{}, fmt.Errorf("%w: page %s: %v", ErrInvalidPayload, id, err)
		}
		if seen[it.SKU] {
			return pos.CatalogPage{}, invalid("page %s: sku %s appears twice", id, it.SKU)
		}
		seen[it.SKU] = true
		p.Items = append(p.Items, it)
	}
	// Items of a longer page before must not keep its payload.
	clear(p.Items[len(p.Items):cap(p.Items)])
	return p, nil
}

// ParseStockPage decodes a stock page for node: of each item's as_of only
// node's entry counts. Every item needs sku and on_hand.
func ParseStockPage(b []byte, page, node string) (pos.StockPage, error) {
	_, id, version, raws, err := pageHeader(b, page)
	if err != nil {
		return pos.StockPage{}, err
	}
	p := pos.StockPage{Page: id, Version: version, Items: make([]pos.StockCount, 0, len(raws))}
	seen := make(map[string]bool, len(raws))
	for i, raw := range raws {
		m, err := fields(raw, "sku", "on_hand")
		if err != nil {
			return pos.StockPage{}, fmt.Errorf("page %s item %d: %w", id, i, err)
		}
		var c pos.StockCount
		var asOf map[string]struct {
			Epoch *string `json:"epoch"`
			Seq   *int64  `json:"seq"`
		}
		for name, v := range map[string]any{"sku": &c.SKU, "on_hand": &c.OnHand, "as_of": &asOf} {
			if err := decode(m, name, v); err != nil {
				return pos.StockPage{}, fmt.Errorf("page %s item %d: %w", id, i, err)
			}
		}
		if !pos.ValidSKU(c.SKU) {
			return pos.StockPage{}, invalid("page %s item %d: sku %q is not a SKU", id, i, clip(c.SKU))
		}
		if c.OnHand > maxStock || c.OnHand < -maxStock {
			return pos.StockPage{}, invalid("page %s: sku %s: on_hand %d out of range", id, c.SKU, c.OnHand)
		}
		if seen[c.SKU] {
			return pos.StockPage{}, invalid("page %s: sku %s appears twice", id, c.SKU)
		}
		seen[c.SKU] = true
		for n, a := range asOf {
			if a.Epoch == nil || a.Seq == nil || *a.Seq < 0 || checkText("epoch", *a.Epoch, 64) != nil {
				return pos.StockPage{}, invalid("page %s: sku %s: as_of %q needs epoch and a non-negative seq", id, c.SKU, clip(n))
			}
			if n == node {
				c.AsEpoch, c.AsSeq = *a.Epoch, *a.Seq
			}
		}
		p.Items = append(p.Items, c)
	}
	return p, nil
}

// Ack is central's acknowledgement of this node's events.
type Ack struct {
	Epoch    string          `json:"epoch"`
	Through  int64           `json:"through"`
	Rejected []pos.Rejection `json:"rejected"`
}

// ParseAck decodes the ack topic.
func ParseAck(b []byte) (Ack, error) {
	var a Ack
	m, err := fields(b, "epoch", "through")
	if err != nil {
		return a, err
	}
	var rejected []json.RawMessage
	for name, v := range map[string]any{"epoch": &a.Epoch, "through": &a.Through, "rejected": &rejected} {
		if err := decode(m, name, v); err != nil {
			return Ack{}, err
		}
	}
	if a.Epoch == "" || checkText("epoch", a.Epoch, 64) != nil {
		return Ack{}, invalid("epoch must be 1-64 bytes of text")
	}
	if a.Through < 0 {
		return Ack{}, invalid("through must not be negative")
	}
	if len(rejected) > maxRejected {
		return Ack{}, invalid("%d rejected events, more than %d", len(rejected), maxRejected)
	}
	for i, raw := range rejected {
		rm, err := fields(raw, "seq")
		if err != nil {
			return Ack{}, fmt.Errorf("rejected[%d]: %w", i, err)
		}
		var r pos.Rejection
		if err := decode(rm, "seq", &r.Seq); err != nil {
			return Ack{}, err
		}
		if err := decode(rm, "reason", &r.Reason); err != nil {
			return Ack{}, err
		}
		if r.Seq < 1 {
			return Ack{}, invalid("rejected[%d]: seq must be a positive integer", i)
		}
		// A reason is central's free text for a manager: an odd one
		// must not cost the ack, which would hold the queue.
		r.Reason = pos.CleanText(r.Reason, maxReason)
		a.Rejected = append(a.Rejected, r)
	}
	return a, nil
}

// ParseOrder decodes a click-and-collect order that arrived on the topic of
// order id (the pos.ParseOrder rules, and the id must match the topic).
// The payload must be UTF-8: the sink keeps it as it came, and
// encoding/json would otherwise turn a customer's name that is not into
// one with U+FFFD in it without a word.
func ParseOrder(b []byte, id string) (pos.Order, error) {
	if len(b) > pos.MaxOrderSize || !utf8.Valid(b) {
		return pos.Order{}, invalid("order payload is not UTF-8 of at most %d bytes", pos.MaxOrderSize)
	}
	o, err := pos.ParseOrder(b)
	if err != nil {
		return o, fmt.Errorf("%w: %v", ErrInvalidPayload, err)
	}
	if id != "" && o.ID != id {
		return pos.Order{}, invalid("order %q arrived on the topic of order %q", clip(o.ID), clip(id))
	}
	return o, nil
}

// RPCError is central's error answer to a request. Code "not_found"
// matches ErrNotFound with errors.Is.
type RPCError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *RPCError) Error() string { return "syncqueue: central answered " + e.Code + ": " + e.Message }

// Is reports whether a not_found answer is matched against ErrNotFound.
func (e *RPCError) Is(target error) bool { return target == ErrNotFound && e.Code == "not_found" }

// RPCResponse is one answer on the rpc/response topic: Result, or Err.
type RPCResponse struct {
	ID     string
	Result json.RawMessage
	Err    *RPCError
}

// ParseRPCResponse decodes the rpc/response topic: id and exactly one of
// result and error.
func ParseRPCResponse(b []byte) (RPCResponse, error) {
	var r RPCResponse
	m, err := fields(b, "id")
	if err != nil {
		return r, err
	}
	if err := decode(m, "id", &r.ID); err != nil {
		return RPCResponse{}, err
	}
	if r.ID == "" || checkText("id", r.ID, 64) != nil {
		return RPCResponse{}, invalid("id must be 1-64 bytes of text")
	}
	res, hasRes := m["result"]
	if hasRes && bytes.Equal(res, []byte("null")) {
		hasRes = false
	}
	e, hasErr := m["error"]
	if hasErr && bytes.Equal(e, []byte("null")) {
		hasErr = false
	}
	switch {
	case hasRes == hasErr:
		return RPCResponse{}, invalid("a response carries exactly one of result and error")
	case hasRes:
		r.Result = append(json.RawMessage(nil), res...)
	default:
		em, err := fields(e, "code")
		if err != nil {
			return RPCResponse{}, fmt.Errorf("error: %w", err)
		}
		r.Err = &RPCError{}
		if err := decode(em, "code", &r.Err.Code); err != nil {
			return RPCResponse{}, err
		}
		if err := decode(em, "message", &r.Err.Message); err != nil {
			return RPCResponse{}, err
		}
		// The message is central's free text: cleaned, not a reason to
		// leave the caller waiting for a timeout.
		r.Err.Message = pos.CleanText(r.Err.Message, maxReason)
		if r.Err.Code == "" || checkText("code", r.Err.Code, 64) != nil {
			return RPCResponse{}, invalid("error needs a code of 1-64 bytes of text")
		}
	}
	return r, nil
}
