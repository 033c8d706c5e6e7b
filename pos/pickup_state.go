package pos

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// PickupState is where the store stands with an order. The open states are
// PickupNew, PickupPicking and PickupReady; the others are ends.
//
//	new ──▶ picking ──▶ ready ──▶ collected
//	 │         ▲ │        │
//	 │         └─┼────────┤ (a new version changes the lines)
//	 └───────────┴────────┴──▶ cancelled | rejected | expired
type PickupState string

// Fulfilment states.
const (
	PickupNew       PickupState = "new" // accepted, not yet picked
	PickupPicking   PickupState = "picking"
	PickupReady     PickupState = "ready" // bagged, waiting at Location
	PickupCollected PickupState = "collected"
	PickupCancelled PickupState = "cancelled" // by the customer, online
	PickupRejected  PickupState = "rejected"  // the store cannot fulfil it
	PickupExpired   PickupState = "expired"   // not collected by collect_by
)

// Open reports whether the order still holds stock and can change.
func (s PickupState) Open() bool {
	return s == PickupNew || s == PickupPicking || s == PickupReady
}

// Ways a customer is verified at handover (the contract's verified_by).
const (
	VerifiedByCode    = "code"     // the pickup code typed in
	VerifiedByQR      = "qr"       // the QR code of the customer's app scanned
	VerifiedByIDCheck = "id_check" // a supervisor checked an identity document
)

// Errors of click-and-collect. They are permanent for the request: the same
// request in the same state gives the same error.
var (
	ErrPickupState    = errors.New("pos: the order is not in a state that allows this")
	ErrWrongItem      = errors.New("pos: this item is not in the order; put it back")
	ErrOverPick       = errors.New("pos: every piece of this item is picked already")
	ErrPickIncomplete = errors.New("pos: lines are still to be picked or marked short")
	ErrNothingPicked  = errors.New("pos: nothing could be picked; reject the order instead")
	ErrBadLocation    = errors.New("pos: say where the bags wait: 1 to 32 characters, such as a shelf or bin")
	ErrWrongCode      = errors.New("pos: the pickup code does not match the order")
	ErrNotVerified    = errors.New("pos: verify the customer (code, QR or ID check) before handover")
	ErrNotOverdue     = errors.New("pos: the order is not past its collect-by time")
	ErrCustomerHere   = errors.New("pos: the customer said they are here; hand the order over")
	ErrBadCollect     = errors.New("pos: collected quantities do not match what was picked")
	ErrPayAtPickup    = errors.New("pos: the order is paid at pickup; take payment at the till")
	ErrStale          = errors.New("pos: the order changed meanwhile; reload it and try again")
	// ErrSubstituteUnit reports a substitute sold by another unit than
	// the ordered item (by weight for pieces, or the other way): the
	// ordered quantity would be read in the wrong unit.
	ErrSubstituteUnit = errors.New("pos: a substitute must be sold by the same unit as the ordered item")
	// ErrOrderEnded reports money on the till cart of an order that ended
	// while it was being paid (central cancelled or closed it): it is
	// given back and the cart cancelled. It comes with ErrPickupState.
	ErrOrderEnded = errors.New("pos: the order ended while it was being paid; give back what was paid for it and cancel the sale")
)

// PickLine is the store's progress on one order line. The line is complete
// when Picked + Short reaches Qty (for weighed items, within a tenth).
type PickLine struct {
	LineID    string `json:"line_id"`
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Qty       int64  `json:"qty"` // ordered
	UnitPrice int64  `json:"unit_price"`
	Unit      string `json:"unit"`     // from the catalog; UnitEach when unknown
	Location  string `json:"location"` // where the item to pick lives
	Picked    int64  `json:"picked"`   // scanned into the bag
	Short     int64  `json:"short"`    // cannot be supplied
	// SubstituteSKU is the item picked instead of SKU; "" when none.
	SubstituteSKU  string `json:"substitute_sku,omitempty"`
	SubstituteName string `json:"substitute_name,omitempty"`
	// Collected is what the customer took; set at handover.
	Collected int64 `json:"collected"`
}

// PickSKU is the SKU that goes into the bag: the substitute, if any.
func (l *PickLine) PickSKU() string {
	if l.SubstituteSKU != "" {
		return l.SubstituteSKU
	}
	return l.SKU
}

// Want is the quantity still to be supplied: ordered minus short.
func (l *PickLine) Want() int64 { return l.Qty - l.Short }

// Done reports whether nothing is left to pick on the line.
func (l *PickLine) Done() bool {
	if l.Unit == UnitKg && l.Picked > 0 {
		return l.Picked*10 >= l.Want()*9
	}
	return l.Picked >= l.Want()
}

// limit is the most that may be picked: the wanted quantity, or a tenth
// more for weighed items, which never weigh exactly what was ordered.
func (l *PickLine) limit() int64 {
	if l.Unit == UnitKg {
		return l.Want() + l.Want()/10
	}
	return l.Want()
}

// Verification records how the customer was identified at handover.
type Verification struct {
	By    string    `json:"by"`    // VerifiedByCode, VerifiedByQR or VerifiedByIDCheck
	Staff string    `json:"staff"` // who verified (the supervisor for an ID check)
	At    time.Time `json:"at"`
}

// Notice kinds: what staff must do or know about an order.
const (
	NoticeCancelled     = "cancelled"       // cancelled online; see the put_back notices
	NoticePutBack       = "put_back"        // take Qty of SKU back to Location
	NoticeLinesChanged  = "lines_changed"   // a new version changed the lines while picking
	NoticeBackToPicking = "back_to_picking" // a ready order changed; unpack and pick again
	NoticeFetchBags     = "fetch_bags"      // fetch the bags from Location before putting back
	NoticeAfterEnd      = "after_end"       // a change arrived after the order ended
	NoticeGiveBack      = "give_back"       // ended while Amount was paid at Station: give it back
)

// Notice is an instruction for staff. Text is in English; screens translate
// by Kind and the fields.
type Notice struct {
	// ID numbers the order's notices from 1, in the order they came; 0 for
	// notices kept before they were numbered.
	ID       int64     `json:"id,omitempty"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	LineID   string    `json:"line_id,omitempty"`
	SKU      string    `json:"sku,omitempty"`
	Name     string    `json:"name,omitempty"`
	Qty      int64     `json:"qty,omitempty"`
	Location string    `json:"location,omitempty"`
	// Amount, in minor units, and Station are what was paid for the order
	// at a till, and where (NoticeGiveBack).
	Amount  int64  `json:"amount,omitempty"`
	Station string `json:"station,omitempty"`
	Text    string `json:"text"`
}

// PickupOrder is an order and everything the store did with it.
type PickupOrder struct {
	// Order is the latest version from central. For a cancelled version
	// only Version and Status are taken; the rest stays as it was.
	Order Order       `json:"order"`
	State PickupState `json:"state"`
	// Rev counts the stored changes; a change based on an older Rev is
	// refused with ErrStale.
	Rev   int64      `json:"rev"`
	Lines []PickLine `json:"lines"`

	AcceptedAt time.Time `json:"accepted_at"`
	PickingAt  time.Time `json:"picking_at,omitzero"`
	ReadyAt    time.Time `json:"ready_at,omitzero"`
	EndedAt    time.Time `json:"ended_at,omitzero"` // collected, cancelled, rejected or expired
	UpdatedAt  time.Time `json:"updated_at"`

	// Arrival is the customer's first "I'm here"; later ones only update
	// the bay and note.
	Arrival *Arrival `json:"arrival,omitempty"`

	Location string `json:"location,omitempty"` // where the bags wait
	Bags     int    `json:"bags,omitempty"`
	PickedBy string `json:"picked_by,omitempty"`

	Verified    *Verification `json:"verified,omitempty"`
	CollectedBy string        `json:"collected_by,omitempty"`
	// CartID is the till cart of an order paid at pickup; SaleID the sale
	// that paid it.
	CartID string `json:"cart_id,omitempty"`
	// LinesVersion is the order version that last changed its lines or
	// their prices; a cart made from an older one is stale.
	LinesVersion int64  `json:"lines_version,omitempty"`
	SaleID       string `json:"sale_id,omitempty"`
	Reason       string `json:"reason,omitempty"` // why rejected or cancelled
	// GivenBack lists the payments on the order's cart that staff have
	// been told to give back (NoticeGiveBack), by id: each is told once.
	GivenBack []string `json:"given_back,omitempty"`
	// CodeFailures counts wrong pickup codes, for the record.
	CodeFailures int `json:"code_failures,omitempty"`
	// Closed is set once central has closed the order's record.
	Closed bool `json:"closed,omitempty"`
	// Notices wait for staff to acknowledge them. NoticeSeq is the ID of
	// the last notice given.
	Notices   []Notice `json:"notices"`
	NoticeSeq int64    `json:"notice_seq,omitempty"`
	// PersonalErasedAt is when the customer's name and phone, the
	// arrival's note and the pickup code were erased (see ErasePersonal);
	// zero while they are held.
	PersonalErasedAt time.Time `json:"personal_erased_at,omitzero"`
}

// ErasePersonal erases what the order says of the person who collects
// it, for an order ended long enough ago that the store no longer needs
// it: the customer's name and phone, the note of the arrival (a car, a
// number plate) and the pickup code. Central's customer id, which sales
// carry too, the lines, the states and who of the staff did what stay.
func (p *PickupOrder) ErasePersonal(at time.Time) {
	p.Order.Customer.Name, p.Order.Customer.Phone, p.Order.PickupCode = "", "", ""
	if p.Order.Arrival != nil {
		p.Order.Arrival.Note = ""
	}
	if p.Arrival != nil {
		p.Arrival.Note = ""
	}
	p.PersonalErasedAt = at
}

// NewPickupOrder makes the store's record of an order seen for the first
// time. A placed order starts PickupNew; a cancelled one is kept as
// PickupCancelled so that its version is remembered.
func NewPickupOrder(o Order, now time.Time) PickupOrder {
	p := PickupOrder{Order: o, State: PickupNew, AcceptedAt: now, UpdatedAt: now, Notices: []Notice{}}
	p.Lines = linesOf(o.Lines)
	if o.Status == OrderCancelled {
		p.State, p.EndedAt = PickupCancelled, now
	}
	return p
}

func linesOf(ols []OrderLine) []PickLine {
	ls := make([]PickLine, len(ols))
	for i, ol := range ols {
		ls[i] = PickLine{LineID: ol.LineID, SKU: ol.SKU, Name: ol.Name, Qty: ol.Qty, UnitPrice: ol.UnitPrice, Unit: UnitEach}
	}
	return ls
}

func (p *PickupOrder) line(id string) (*PickLine, error) {
	for i := range p.Lines {
		if p.Lines[i].LineID == id {
			return &p.Lines[i], nil
		}
	}
	return nil, fmt.Errorf("order %s line %s: %w", p.Order.ID, id, ErrNotFound)
}

func (p *PickupOrder) need(states ...PickupState) error {
	for _, s := range states {
		if p.State == s {
			return nil
		}
	}
	want := make([]string, len(states))
	for i, s := range states {
		want[i] = string(s)
	}
	return fmt.Errorf("%w: order %s is %s (needs %s)", ErrPickupState, p.Order.ID, p.State, strings.Join(want, " or "))
}

func (p *PickupOrder) notice(n Notice) {
	p.NoticeSeq++
	n.ID = p.NoticeSeq
	p.Notices = append(p.Notices, n)
}

func (p *PickupOrder) putBack(now time.Time, l *PickLine, qty int64, why string) {
	if qty <= 0 {
		return
	}
	p.notice(Notice{At: now, Kind: NoticePutBack, LineID: l.LineID, SKU: l.PickSKU(), Name: l.displayName(), Qty: qty,
		Location: l.Location, Text: fmt.Sprintf("%s: put %d × %s (%s) back at %s", why, qty, l.displayName(), l.PickSKU(), orDash(l.Location))})
}

func (l *PickLine) displayName() string {
	if l.SubstituteSKU != "" && l.SubstituteName != "" {
		return l.SubstituteName
	}
	if l.SubstituteSKU == "" && l.Name != "" {
		return l.Name
	}
	return l.PickSKU()
}

func orDash(s string) string {
	if s == "" {
		return "its shelf"
	}
	return s
}

// end closes the order in state s and tells staff to put back what was
// picked.
func (p *PickupOrder) end(s PickupState, now time.Time, why string) {
	if p.State == PickupReady && p.Location != "" {
		p.notice(Notice{At: now, Kind: NoticeFetchBags, Location: p.Location,
			Text: fmt.Sprintf("%s: fetch the %d bag(s) of order %s from %s", why, p.Bags, p.Order.ID, p.Location)})
	}
	for i := range p.Lines {
		p.putBack(now, &p.Lines[i], p.Lines[i].Picked, why)
	}
	p.State, p.EndedAt, p.UpdatedAt = s, now, now
}

// ApplyVersion applies a newer version of the order from central; the
// caller has checked that o.Version is higher than p.Order.Version.
//
// A cancelled version stops the order wherever it is and tells staff what
// to put back. A placed version while picking or ready keeps what was
// picked for unchanged lines, tells staff to put back what is no longer
// wanted, and sends a ready order back to picking when its lines changed.
// On an ended order only the version is recorded, with a notice.
// It reports whether the lines changed.
func (p *PickupOrder) ApplyVersion(o Order, now time.Time) (changed bool) {
	var repriced bool // a line's price changed: nothing to pick again, but a cart to make again
	p.UpdatedAt = now
	if !p.State.Open() {
		p.Order.Version, p.Order.Status = o.Version, o.Status
		if o.Status == OrderCancelled && p.State != PickupCancelled {
			p.notice(Notice{At: now, Kind: NoticeAfterEnd,
				Text: fmt.Sprintf("order %s was cancelled online after it was %s; tell a supervisor", p.Order.ID, p.State)})
		}
		return false
	}
	if o.Status == OrderCancelled {
		p.Order.Version, p.Order.Status = o.Version, o.Status
		p.Reason = "cancelled by the customer"
		p.notice(Notice{At: now, Kind: NoticeCancelled, Text: fmt.Sprintf("order %s was cancelled by the customer", p.Order.ID)})
		p.end(PickupCancelled, now, "cancelled")
		return true
	}
	old := p.Lines
	byID := make(map[string]*PickLine, len(old))
	for i := range old {
		byID[old[i].LineID] = &old[i]
	}
	lines := linesOf(o.Lines)
	for i := range lines {
		nl := &lines[i]
		ol := byID[nl.LineID]
		if ol == nil {
			changed = true
			continue
		}
		delete(byID, nl.LineID)
		if ol.SKU != nl.SKU {
			changed = true
			p.putBack(now, ol, ol.Picked, "item changed")
			continue
		}
		nl.Unit, nl.Location = ol.Unit, ol.Location
		nl.SubstituteSKU, nl.SubstituteName, nl.Picked, nl.Short = ol.SubstituteSKU, ol.SubstituteName, ol.Picked, ol.Short
		if nl.Qty != ol.Qty {
			changed = true
		}
		repriced = repriced || nl.UnitPrice != ol.UnitPrice
		// A weighed line may be picked up to a tenth over its weight
		// (limit); only what is beyond that now goes back.
		lim := nl.Qty
		if nl.Unit == UnitKg {
			lim += nl.Qty / 10
		}
		if nl.Picked > lim {
			p.putBack(now, nl, nl.Picked-lim, "quantity lowered")
			nl.Picked = lim
		}
		nl.Short = max(0, min(nl.Short, nl.Qty-nl.Picked))
	}
	for i := range old { // lines removed, in their old order
		if byID[old[i].LineID] != nil {
			changed = true
			p.putBack(now, &old[i], old[i].Picked, "line removed")
		}
	}
	arrival := p.Arrival
	p.Order, p.Lines, p.Arrival = o, lines, arrival
	if changed || repriced {
		p.LinesVersion = o.Version
	}
	if changed && p.State != PickupNew {
		p.notice(Notice{At: now, Kind: NoticeLinesChanged, Text: fmt.Sprintf("order %s was changed by the customer; check the pick list", o.ID)})
		if p.State == PickupReady {
			p.notice(Notice{At: now, Kind: NoticeBackToPicking, Location: p.Location,
				Text: fmt.Sprintf("order %s is back to picking: fetch its bags from %s", o.ID, orDash(p.Location))})
			p.State, p.ReadyAt, p.Verified = PickupPicking, time.Time{}, nil
		}
	}
	return changed
}

// StartPicking moves a new order to picking. Starting an order that is
// being picked already is not an error.
func (p *PickupOrder) StartPicking(staff string, now time.Time) error {
	if p.State == PickupPicking {
		return nil
	}
	if err := p.need(PickupNew); err != nil {
		return err
	}
	p.State, p.PickingAt, p.UpdatedAt, p.PickedBy = PickupPicking, now, now, staff
	return nil
}

// Pick counts qty of sku into the order (pieces, or grams for weighed
// items). The first unfinished line of that SKU takes it. An item not in
// the order is refused with ErrWrongItem, one more than wanted with
// ErrOverPick. A new order starts picking.
func (p *PickupOrder) Pick(sku string, qty int64, staff string, now time.Time) (*PickLine, error) {
	if err := p.StartPicking(staff, now); err != nil {
		return nil, err
	}
	if qty <= 0 || qty > MaxQuantity {
		return nil, fmt.Errorf("%w: %d", ErrBadQuantity, qty)
	}
	var found *PickLine
	for i := range p.Lines {
		l := &p.Lines[i]
		if l.PickSKU() != sku {
			continue
		}
		if found == nil {
			found = l
		}
		if !l.Done() {
			found = l
			break
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w: %s (order %s)", ErrWrongItem, sku, p.Order.ID)
	}
	if found.Picked+qty > found.limit() {
		return nil, fmt.Errorf("%w: line %s has %d of %d", ErrOverPick, found.LineID, found.Picked, found.Want())
	}
	found.Picked += qty
	p.UpdatedAt = now
	return found, nil
}

// Unpick takes qty back out of a line, for a piece scanned by mistake.
func (p *PickupOrder) Unpick(lineID string, qty int64, now time.Time) error {
	if err := p.need(PickupPicking); err != nil {
		return err
	}
	l, err := p.line(lineID)
	if err != nil {
		return err
	}
	if qty <= 0 || qty > l.Picked {
		return fmt.Errorf("%w: %d (line has %d picked)", ErrBadQuantity, qty, l.Picked)
	}
	l.Picked -= qty
	p.UpdatedAt = now
	return nil
}

// ShortPick records that missing of the line cannot be supplied (0 clears
// it). It cannot exceed what is not yet picked.
func (p *PickupOrder) ShortPick(lineID string, missing int64, staff string, now time.Time) error {
	if err := p.StartPicking(staff, now); err != nil {
		return err
	}
	l, err := p.line(lineID)
	if err != nil {
		return err
	}
	if missing < 0 || missing > l.Qty-l.Picked {
		return fmt.Errorf("%w: %d short of %d ordered with %d picked", ErrBadQuantity, missing, l.Qty, l.Picked)
	}
	l.Short = missing
	p.UpdatedAt = now
	return nil
}

// Substitute replaces the line's item with it for picking; an item equal to
// the ordered SKU clears the substitution. It must be sold by the line's
// unit (ErrSubstituteUnit). Pieces picked of the previous
// item go back, with a notice.
func (p *PickupOrder) Substitute(lineID string, it Item, staff string, now time.Time) error {
	if err := p.StartPicking(staff, now); err != nil {
		return err
	}
	l, err := p.line(lineID)
	if err != nil {
		return err
	}
	if it.SKU == l.PickSKU() {
		return nil
	}
	if !it.Active {
		return fmt.Errorf("%w: %s", ErrInactiveItem, it.SKU)
	}
	if it.SKU != l.SKU && it.Unit != l.Unit {
		return fmt.Errorf("%w: %s is sold by %s, line %s by %s", ErrSubstituteUnit, it.SKU, it.Unit, l.LineID, l.Unit)
	}
	p.putBack(now, l, l.Picked, "substituted")
	l.Picked, l.Short = 0, 0
	if it.SKU == l.SKU {
		l.SubstituteSKU, l.SubstituteName = "", ""
	} else {
		l.SubstituteSKU, l.SubstituteName = it.SKU, it.Name("")
	}
	l.Unit, l.Location = it.Unit, it.Location
	p.UpdatedAt = now
	return nil
}

// MarkReady closes picking: every line is picked or short, something was
// picked, and the bags wait at location.
func (p *PickupOrder) MarkReady(location string, bags int, staff string, now time.Time) error {
	if err := p.need(PickupPicking); err != nil {
		return err
	}
	location = strings.TrimSpace(location)
	if err := checkText("location", location, 1, 32); err != nil {
		return fmt.Errorf("%w: %v", ErrBadLocation, err)
	}
	if bags < 1 || bags > 99 {
		return fmt.Errorf("%w: %d bags (1..99)", ErrBadQuantity, bags)
	}
	var open []string
	var picked int64
	for i := range p.Lines {
		if !p.Lines[i].Done() {
			open = append(open, p.Lines[i].LineID)
		}
		picked += p.Lines[i].Picked
	}
	if len(open) > 0 {
		return fmt.Errorf("%w: %s", ErrPickIncomplete, strings.Join(open, ", "))
	}
	if picked == 0 {
		return ErrNothingPicked
	}
	p.State, p.ReadyAt, p.UpdatedAt, p.Location, p.Bags = PickupReady, now, now, location, bags
	if staff != "" {
		p.PickedBy = staff
	}
	return nil
}

// Arrive records the customer waiting outside. It reports whether this is
// the order's first arrival; a repeated arrival only updates the bay and
// note. Arrivals of ended orders are ignored.
func (p *PickupOrder) Arrive(a Arrival, now time.Time) (first bool, err error) {
	if err := a.validate(); err != nil {
		return false, fmt.Errorf("%w: arrival: %v", ErrInvalidOrder, err)
	}
	if !p.State.Open() {
		return false, nil
	}
	if p.Arrival != nil {
		if a.Bay != "" {
			p.Arrival.Bay = a.Bay
		}
		if a.Note != "" {
			p.Arrival.Note = a.Note
		}
		return false, nil
	}
	if a.At.IsZero() || a.At.After(now) {
		a.At = now
	}
	p.Arrival, p.UpdatedAt = &a, now
	return true, nil
}

// Verify records how the customer was identified; the order must be ready.
func (p *PickupOrder) Verify(by, staff string, now time.Time) error {
	if err := p.need(PickupReady); err != nil {
		return err
	}
	switch by {
	case VerifiedByCode, VerifiedByQR, VerifiedByIDCheck:
	default:
		return fmt.Errorf("pos: unknown verification %q", by)
	}
	p.Verified, p.UpdatedAt = &Verification{By: by, Staff: staff, At: now}, now
	return nil
}

// Collect hands the order over: qty maps line ids to what the customer
// takes; nil means everything picked. A line missing from qty is refused
// by the customer and goes back to stock, as does any quantity below what
// was picked. The customer must have been verified within ttl.
func (p *PickupOrder) Collect(qty map[string]int64, staff string, ttl time.Duration, now time.Time) error {
	if err := p.need(PickupReady); err != nil {
		return err
	}
	if p.Verified == nil || now.Sub(p.Verified.At) > ttl {
		return ErrNotVerified
	}
	for id := range qty {
		if _, err := p.line(id); err != nil {
			return fmt.Errorf("%w: %v", ErrBadCollect, err)
		}
	}
	var total int64
	for i := range p.Lines {
		l := &p.Lines[i]
		q := l.Picked
		if qty != nil {
			q = qty[l.LineID]
		}
		if q < 0 || q > l.Picked {
			return fmt.Errorf("%w: line %s: %d of %d picked", ErrBadCollect, l.LineID, q, l.Picked)
		}
		total += q
	}
	if total == 0 {
		return fmt.Errorf("%w: the customer takes nothing; reject the order instead", ErrBadCollect)
	}
	for i := range p.Lines {
		l := &p.Lines[i]
		l.Collected = l.Picked
		if qty != nil {
			l.Collected = qty[l.LineID]
		}
		p.putBack(now, l, l.Picked-l.Collected, "refused by the customer")
	}
	p.CollectedBy = staff
	p.State, p.EndedAt, p.UpdatedAt = PickupCollected, now, now
	return nil
}

// ArrivalWaits is how long a customer who said they are here is taken to
// wait for their order: past its collect-by time, an order whose customer
// arrived less than this ago is served, not put back.
const ArrivalWaits = time.Hour

// Waiting reports whether the customer said, less than ArrivalWaits
// before now, that they are here.
func (p *PickupOrder) Waiting(now time.Time) bool {
	return p.Arrival != nil && now.Sub(p.Arrival.At) < ArrivalWaits
}

// Overdue reports whether an open order is past its collect-by time with
// no customer waiting for it: one to put back on the shelf.
func (p *PickupOrder) Overdue(now time.Time) bool {
	return p.State.Open() && now.After(p.Order.CollectBy) && !p.Waiting(now)
}

// Expire ends an order not collected by its collect-by time. One whose
// customer is waiting is refused (ErrCustomerHere).
func (p *PickupOrder) Expire(now time.Time) error {
	if !p.State.Open() {
		return p.need(PickupNew, PickupPicking, PickupReady)
	}
	if !now.After(p.Order.CollectBy) {
		return fmt.Errorf("%w: order %s may be collected until %s", ErrNotOverdue, p.Order.ID, p.Order.CollectBy.Format(time.RFC3339))
	}
	if p.Waiting(now) {
		return fmt.Errorf("%w: order %s, at %s", ErrCustomerHere, p.Order.ID, p.Arrival.At.Format(time.RFC3339))
	}
	p.end(PickupExpired, now, "expired")
	return nil
}

// Reject ends an order the store cannot fulfil.
func (p *PickupOrder) Reject(reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrReasonRequired
	}
	if err := checkText("reason", reason, 1, 200); err != nil {
		return fmt.Errorf("%w: %v", ErrReasonRequired, err)
	}
	if !p.State.Open() {
		return p.need(PickupNew, PickupPicking, PickupReady)
	}
	p.Reason = reason
	p.end(PickupRejected, now, "rejected")
	return nil
}

// Close records that central has closed the order's record. An order still
// open on the node ends as cancelled, since central will not hear of it
// any more.
func (p *PickupOrder) Close(now time.Time) {
	p.Closed, p.UpdatedAt = true, now
	if p.State.Open() {
		p.Reason = "closed by central"
		p.notice(Notice{At: now, Kind: NoticeCancelled, Text: fmt.Sprintf("order %s was closed by head office", p.Order.ID)})
		p.end(PickupCancelled, now, "closed")
	}
}

// Reservation is stock held for an order line.
type Reservation struct {
	OrderID string `json:"order_id"`
	LineID  string `json:"line_id"`
	SKU     string `json:"sku"`
	Qty     int64  `json:"qty"`
}

// Reservations is the stock the order holds: nothing once it has ended;
// what is in the bags once ready; otherwise what is wanted or picked,
// whichever is more.
func (p *PickupOrder) Reservations() []Reservation {
	if !p.State.Open() {
		return nil
	}
	rs := make([]Reservation, 0, len(p.Lines))
	for i := range p.Lines {
		l := &p.Lines[i]
		q := max(l.Want(), l.Picked)
		if p.State == PickupReady {
			q = l.Picked
		}
		if q > 0 {
			rs = append(rs, Reservation{OrderID: p.Order.ID, LineID: l.LineID, SKU: l.PickSKU(), Qty: q})
		}
	}
	return rs
}
