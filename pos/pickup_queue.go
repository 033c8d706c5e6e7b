package pos

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
)

// Queue buckets: where an order shows on the pickup screens. An open order
// is in exactly one: a customer waiting (PickupOrder.Waiting) beats
// overdue, overdue beats an older arrival, and arrived beats the order's
// state.
const (
	BucketNew     = "new"
	BucketPicking = "picking"
	BucketReady   = "ready"
	BucketArrived = "arrived"
	BucketOverdue = "overdue"
)

// Buckets lists the queue buckets in screen order.
var Buckets = []string{BucketArrived, BucketNew, BucketPicking, BucketReady, BucketOverdue}

// PickupView is an order as screens show it. The pickup code is blanked:
// staff must not be able to read it off a screen. An open order's
// verification older than PickupOptions.VerifyTTL is left out: it no
// longer opens the order for handover, and the customer is verified again.
type PickupView struct {
	PickupOrder
	// Bucket is the queue bucket of an open order, or its state once
	// ended.
	Bucket string `json:"bucket"`
	// Since is when the order entered its bucket; Age is seconds since.
	Since time.Time `json:"since"`
	Age   int64     `json:"age"`
	// Due is what the customer pays at pickup for what was picked at the
	// ordered prices, with the tax the till adds in a store whose prices
	// do not include it; 0 for orders paid online.
	Due int64 `json:"due"`
}

func (s *PickupService) view(ctx context.Context, p PickupOrder, now time.Time) *PickupView {
	p.Order.PickupCode = ""
	// An item the catalog did not know when the order came (its page
	// fetched after) is shown in its unit, and the amount due read by
	// it, as soon as the catalog knows it.
	p.Lines = slices.Clone(p.Lines)
	s.enrich(ctx, &p)
	if p.State.Open() && p.Verified != nil && now.Sub(p.Verified.At) > s.opt.VerifyTTL {
		p.Verified = nil
	}
	if p.Notices == nil {
		p.Notices = []Notice{}
	}
	v := &PickupView{PickupOrder: p, Bucket: string(p.State)}
	switch {
	case !p.State.Open():
		v.Since = p.EndedAt
	case p.Overdue(now):
		v.Bucket, v.Since = BucketOverdue, p.Order.CollectBy
	case p.Arrival != nil:
		v.Bucket, v.Since = BucketArrived, p.Arrival.At
	case p.State == PickupPicking:
		v.Since = p.PickingAt
	case p.State == PickupReady:
		v.Since = p.ReadyAt
	default:
		v.Since = p.AcceptedAt
	}
	if !v.Since.IsZero() && now.After(v.Since) {
		v.Age = int64(now.Sub(v.Since) / time.Second)
	}
	v.Due = s.due(ctx, &p)
	return v
}

// due is what the till charges for an order paid at pickup when its
// cart is made of everything picked (ToCart): the lines at their pickup
// prices (pickupPrice), less the order's promotion (orderDiscount), taxed
// at the catalog's rates, with the tax added where prices do not include
// it. It is 0 for an order paid online.
// Should the settings or an item not be found, the tax is left out, as it
// is in a store whose prices include it, and the ordered price stands.
func (s *PickupService) due(ctx context.Context, p *PickupOrder) int64 {
	if p.Order.Payment.Status != OrderPayAtPickup {
		return 0
	}
	set, err := s.opt.Store.Settings(ctx)
	if err != nil {
		set = Settings{PricesIncludeTax: true}
	}
	lines := make([]Line, 0, len(p.Lines))
	for _, l := range p.Lines {
		nl := Line{Unit: l.Unit, Qty: l.Picked, UnitPrice: l.UnitPrice, OrderLineID: l.LineID}
		if l.Picked > 0 && (l.SubstituteSKU != "" || !set.PricesIncludeTax) {
			if it, err := s.opt.Store.ItemByCode(ctx, l.PickSKU()); err == nil {
				nl.UnitPrice, nl.TaxRateBP = pickupPrice(l, it), it.TaxRateBP
			}
		}
		lines = append(lines, nl)
	}
	return Price(lines, s.orderDiscount(ctx, p, lines, set), set).Total
}

// pickupPrice is the unit price a picked line is paid at the till, it
// being the item picked: the price the customer was promised, or, for a
// substitute whose shelf price is lower, that price. The customer pays no
// more than promised, nor more than the shelf asks for what they take.
func pickupPrice(l PickLine, it Item) int64 {
	if l.SubstituteSKU != "" && it.Price < l.UnitPrice {
		return it.Price
	}
	return l.UnitPrice
}

// sortViews orders views for the counter: arrived customers first, then
// ended orders with notices to act on, then the longest waiting.
func sortViews(vs []*PickupView) {
	rank := func(v *PickupView) int {
		switch {
		case v.Bucket == BucketArrived:
			return 0
		case !v.State.Open() && len(v.Notices) > 0:
			return 1
		}
		return 2
	}
	sort.SliceStable(vs, func(i, j int) bool {
		if ri, rj := rank(vs[i]), rank(vs[j]); ri != rj {
			return ri < rj
		}
		return vs[i].Age > vs[j].Age
	})
}

// PickupQueue is the counter's view of the orders.
type PickupQueue struct {
	// Counts has every bucket of Buckets, zero included.
	Counts map[string]int `json:"counts"`
	// Oldest is the age in seconds of the longest waiting order per bucket.
	Oldest map[string]int64 `json:"oldest"`
	Orders []*PickupView    `json:"orders"`
}

// Queue lists the open orders by bucket, arrived customers first, and
// the orders that ended with notices staff have not seen yet (bags to
// fetch from the shelf, goods to put back, money to give back): they stay
// until acknowledged, under their end's bucket. With a search, it lists
// the orders whose id, customer name or phone match, ended orders
// included; counts are always of the open orders.
func (s *PickupService) Queue(ctx context.Context, search string) (*PickupQueue, error) {
	open, err := s.opt.Store.PickupOrders(ctx, PickupQuery{})
	if err != nil {
		return nil, err
	}
	var noticed []PickupOrder
	if strings.TrimSpace(search) == "" {
		if noticed, err = s.opt.Store.PickupOrders(ctx, PickupQuery{Notices: true}); err != nil {
			return nil, err
		}
	}
	now := s.opt.Now()
	q := &PickupQueue{Counts: map[string]int{}, Oldest: map[string]int64{}, Orders: []*PickupView{}}
	for _, b := range Buckets {
		q.Counts[b], q.Oldest[b] = 0, 0
	}
	for _, p := range open {
		v := s.view(ctx, p, now)
		q.Counts[v.Bucket]++
		q.Oldest[v.Bucket] = max(q.Oldest[v.Bucket], v.Age)
		if search == "" {
			q.Orders = append(q.Orders, v)
		}
	}
	for _, p := range noticed {
		q.Orders = append(q.Orders, s.view(ctx, p, now))
	}
	if search = strings.TrimSpace(search); search != "" {
		found, err := s.opt.Store.PickupOrders(ctx, PickupQuery{Search: search, Limit: 50})
		if err != nil {
			return nil, err
		}
		for _, p := range found {
			q.Orders = append(q.Orders, s.view(ctx, p, now))
		}
	}
	sortViews(q.Orders)
	return q, nil
}

// PickItem is one item to fetch, with the orders it goes to.
type PickItem struct {
	Location string          `json:"location"`
	SKU      string          `json:"sku"`
	Name     string          `json:"name"`
	Unit     string          `json:"unit"`
	Qty      int64           `json:"qty"` // still to pick, over all its orders
	Orders   []PickItemOrder `json:"orders"`
}

// PickItemOrder is the share of a PickItem that goes to one order line.
type PickItemOrder struct {
	OrderID string `json:"order_id"`
	LineID  string `json:"line_id"`
	Qty     int64  `json:"qty"`
}

// PickList lists what is still to pick for the given orders (all new and
// picking orders when ids is empty), one entry per item, sorted by shelf
// location so that one walk through the store picks them all. Locations
// are taken from the catalog as it is now; items without a location come
// last.
func (s *PickupService) PickList(ctx context.Context, ids ...string) ([]PickItem, error) {
	var orders []PickupOrder
	if len(ids) == 0 {
		all, err := s.opt.Store.PickupOrders(ctx, PickupQuery{})
		if err != nil {
			return nil, err
		}
		for _, p := range all {
			if p.State == PickupNew || p.State == PickupPicking {
				orders = append(orders, p)
			}
		}
	}
	for _, id := range ids {
		p, err := s.opt.Store.PickupOrder(ctx, id)
		if err != nil {
			return nil, err
		}
		orders = append(orders, p)
	}
	items := map[string]*PickItem{}
	for _, p := range orders {
		if p.State != PickupNew && p.State != PickupPicking {
			continue
		}
		for _, l := range p.Lines {
			rest := l.Want() - l.Picked
			if rest <= 0 {
				continue
			}
			sku := l.PickSKU()
			it := items[sku]
			if it == nil {
				it = &PickItem{SKU: sku, Name: l.displayName(), Unit: l.Unit, Location: l.Location}
				if cat, err := s.opt.Store.ItemByCode(ctx, sku); err == nil {
					it.Location, it.Unit = cat.Location, cat.Unit
				}
				items[sku] = it
			}
			it.Qty += rest
			it.Orders = append(it.Orders, PickItemOrder{OrderID: p.Order.ID, LineID: l.LineID, Qty: rest})
		}
	}
	list := make([]PickItem, 0, len(items))
	for _, it := range items {
		list = append(list, *it)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if (a.Location == "") != (b.Location == "") {
			return b.Location == ""
		}
		if a.Location != b.Location {
			return naturalLess(a.Location, b.Location)
		}
		return a.SKU < b.SKU
	})
	return list, nil
}

// naturalLess compares shelf locations with their numbers as numbers, so
// that A-2 comes before A-10.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// PickupSlip is what the printer needs for a ready order: a slip for the
// bags and one label per bag. Neither carries the pickup code: bags are
// seen by many; the label's QR holds only the order id, for finding the
// order at the counter.
type PickupSlip struct {
	OrderID   string     `json:"order_id"`
	Customer  string     `json:"customer"`
	Phone     string     `json:"phone"`
	Language  string     `json:"language"` // the customer's
	Location  string     `json:"location"`
	Bags      int        `json:"bags"`
	ReadyAt   time.Time  `json:"ready_at"`
	CollectBy time.Time  `json:"collect_by"`
	PickedBy  string     `json:"picked_by"`
	Due       int64      `json:"due"` // to pay at pickup; 0 when paid online
	Currency  string     `json:"currency"`
	Lines     []SlipLine `json:"lines"`
	Labels    []BagLabel `json:"labels"`
}

// SlipLine is a line of a pickup slip.
type SlipLine struct {
	LineID        string `json:"line_id"`
	SKU           string `json:"sku"` // what is in the bag
	Name          string `json:"name"`
	Unit          string `json:"unit"`
	Ordered       int64  `json:"ordered"`
	Picked        int64  `json:"picked"`
	SubstituteFor string `json:"substitute_for,omitempty"` // the ordered SKU, when substituted
}

// BagLabel is the label of one bag: bag n of m.
type BagLabel struct {
	OrderID  string `json:"order_id"`
	Customer string `json:"customer"`
	Bag      int    `json:"bag"`
	Bags     int    `json:"bags"`
	Location string `json:"location"`
	QR       string `json:"qr"` // the order id
}

// SlipOf returns the slip and bag labels of an order, without what is due:
// that is priced as the till charges it (PickupService.due), with the
// catalog's prices of substitutes and tax added where prices exclude it.
func SlipOf(p *PickupOrder) *PickupSlip {
	sl := &PickupSlip{OrderID: p.Order.ID, Customer: p.Order.Customer.Name, Phone: p.Order.Customer.Phone,
		Language: p.Order.Customer.Language, Location: p.Location, Bags: p.Bags, ReadyAt: p.ReadyAt,
		CollectBy: p.Order.CollectBy, PickedBy: p.PickedBy, Currency: p.Order.Payment.Currency,
		Lines: make([]SlipLine, 0, len(p.Lines)), Labels: make([]BagLabel, 0, p.Bags)}
	for _, l := range p.Lines {
		sl.Lines = append(sl.Lines, SlipLine{LineID: l.LineID, SKU: l.PickSKU(), Name: l.displayName(), Unit: l.Unit,
			Ordered: l.Qty, Picked: l.Picked, SubstituteFor: map[bool]string{true: l.SKU}[l.SubstituteSKU != ""]})
	}
	for i := 1; i <= p.Bags; i++ {
		sl.Labels = append(sl.Labels, BagLabel{OrderID: p.Order.ID, Customer: p.Order.Customer.Name, Bag: i, Bags: p.Bags,
			Location: p.Location, QR: p.Order.ID})
	}
	return sl
}
