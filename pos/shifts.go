package pos

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Shift is one drawer's working period at a station, from the float put
// in to the cash counted at close. A station has at most one open shift.
//
// Every sale, return and void of a station is attached to the shift open
// on that station when it is recorded; one recorded while no shift is open
// is attached to the next shift opened there. So every receipt belongs to
// exactly one Z report. A voucher issued outside a return (IssueVoucher)
// is attached in the same way, except that a gift card, sold for cash,
// needs an open shift.
type Shift struct {
	ID       string    `json:"shift_id"`
	Station  string    `json:"station"`
	OpenedBy string    `json:"opened_by"`
	OpenedAt time.Time `json:"opened_at"`
	Float    int64     `json:"float"`
	// ClosedAt is zero while the shift is open.
	ClosedAt time.Time `json:"closed_at"`
	ClosedBy string    `json:"closed_by,omitempty"`
	Counted  int64     `json:"counted_cash"`
	ZNo      int64     `json:"z_no,omitempty"` // Z report number, set at close
}

// Kinds of cash operation.
const (
	CashPaidIn  = "paid_in"  // money put into the drawer (change from the bank, ...)
	CashPaidOut = "paid_out" // money taken out for a purpose (window cleaner, ...)
	CashDrop    = "drop"     // money taken to the safe during the shift
	CashNoSale  = "no_sale"  // the drawer opened without money moving
)

// CashOp is a movement of cash, or an opening of the drawer, outside a
// sale.
type CashOp struct {
	ID      string    `json:"id"`
	ShiftID string    `json:"shift_id"`
	Station string    `json:"station"`
	Kind    string    `json:"kind"`
	Amount  int64     `json:"amount"` // positive; zero for no_sale
	Reason  string    `json:"reason"`
	Staff   string    `json:"staff"`
	At      time.Time `json:"at"`
}

// ShiftData is what a shift report is computed from: the shift, its
// receipts, its cash operations, the vouchers issued in it outside
// returns and its drawer alarms.
type ShiftData struct {
	Shift    Shift
	Sales    []Sale // with Voided set for voided sales
	Returns  []Return
	CashOps  []CashOp
	Vouchers []Voucher // issued by IssueVoucher, with ShiftID the shift's
	// DrawerAlarms are the station's drawer alarms journalled with
	// ShiftID the shift's.
	DrawerAlarms []DrawerAlarm
}

// MethodTotal is the net of one tender: sales' payments less change, less
// refunds.
type MethodTotal struct {
	Method string `json:"method"`
	// Count is how many payments and refunds of the method make up
	// Amount, as the sales report by tender counts them.
	Count  int64 `json:"count"`
	Amount int64 `json:"amount"`
}

// VoucherTotal is how many vouchers of one kind were issued, and their
// amount.
type VoucherTotal struct {
	Kind   string `json:"kind"` // MethodGiftCard or MethodStoreCredit
	Count  int    `json:"count"`
	Amount int64  `json:"amount"`
}

// CashierTotal is what one member of staff sold and took back.
type CashierTotal struct {
	Cashier  string `json:"cashier"`
	Sales    int    `json:"sales"`
	Total    int64  `json:"total"`
	Returns  int    `json:"returns"`
	Returned int64  `json:"returned"`
}

// ShiftReport is an X report (Kind "X", at any time) or a Z report (Kind
// "Z", at close). It is the sum of the shift's receipts to the minor unit:
//
//	Total          = Σ sale totals − Σ return totals (voided sales excluded)
//	Σ ByMethod     = Total + Rounding
//	Σ ByTaxRate    = the tax lines of the receipts, summed per rate
//	ExpectedCash   = Float + cash of sales − cash refunds + PaidIn − PaidOut − Drops + VoucherCash
type ShiftReport struct {
	Kind     string    `json:"kind"`
	ShiftID  string    `json:"shift_id"`
	Station  string    `json:"station"`
	OpenedAt time.Time `json:"opened_at"`
	ClosedAt time.Time `json:"closed_at"` // zero for an X report
	At       time.Time `json:"at"`
	ZNo      int64     `json:"z_no,omitempty"`
	Currency string    `json:"currency"`
	Float    int64     `json:"float"`

	Sales        int   `json:"sales"`
	SalesTotal   int64 `json:"sales_total"`
	Returns      int   `json:"returns"`
	ReturnsTotal int64 `json:"returns_total"`
	Voids        int   `json:"voids"`
	VoidsTotal   int64 `json:"voids_total"`
	Discounts    int64 `json:"discounts"`
	Total        int64 `json:"total"`
	Rounding     int64 `json:"rounding"`

	ByMethod  []MethodTotal  `json:"by_method"`
	ByTaxRate []TaxLine      `json:"by_tax_rate"`
	ByCashier []CashierTotal `json:"by_cashier"`

	PaidIn  int64 `json:"paid_in"`
	PaidOut int64 `json:"paid_out"`
	Drops   int64 `json:"drops"`
	NoSales int   `json:"no_sales"`
	// DrawerAlarms are the drawer's alarms in the shift, beside NoSales;
	// nil in a report stored before they were counted.
	DrawerAlarms *DrawerAlarmCounts `json:"drawer_alarms,omitempty"`

	// VouchersIssued are the gift cards sold and the store credit given
	// at the station in the shift outside returns, by kind (store credit
	// refunded by a return is among ByMethod's refunds). VoucherCash is
	// the cash paid into the drawer for the gift cards sold; it is not a
	// sale, so it is in ExpectedCash but not in Total or ByMethod.
	VouchersIssued []VoucherTotal `json:"vouchers_issued"`
	VoucherCash    int64          `json:"voucher_cash"`

	ExpectedCash int64 `json:"expected_cash"`
	CountedCash  int64 `json:"counted_cash"` // Z only
	Difference   int64 `json:"difference"`   // counted − expected, Z only

	// Receipts is how many receipts (sales, voided ones included, and
	// returns) the report covers.
	Receipts int `json:"receipts"`
	// JournalN and JournalHead are the journal entry of a Z report: its
	// hash covers every journal entry before it.
	JournalN    int64  `json:"journal_n,omitempty"`
	JournalHead string `json:"journal_head,omitempty"`
}

// BuildShiftReport sums a shift's receipts, cash operations and drawer
// alarms.
func BuildShiftReport(kind string, d ShiftData, at time.Time, currency string) *ShiftReport {
	sh := d.Shift
	r := &ShiftReport{Kind: kind, ShiftID: sh.ID, Station: sh.Station, OpenedAt: sh.OpenedAt, ClosedAt: sh.ClosedAt,
		At: at, ZNo: sh.ZNo, Currency: currency, Float: sh.Float, Receipts: len(d.Sales) + len(d.Returns),
		ByMethod: []MethodTotal{}, ByTaxRate: []TaxLine{}, ByCashier: []CashierTotal{}, VouchersIssued: []VoucherTotal{}}
	methods := map[string]int64{}
	counts := map[string]int64{} // payments and refunds by method
	rates := map[int64]*TaxLine{}
	cashiers := map[string]*CashierTotal{}
	cashier := func(id string) *CashierTotal {
		c := cashiers[id]
		if c == nil {
			c = &CashierTotal{Cashier: id}
			cashiers[id] = c
		}
		return c
	}
	tax := func(tl TaxLine, sign int64) {
		t := rates[tl.RateBP]
		if t == nil {
			t = &TaxLine{RateBP: tl.RateBP}
			rates[tl.RateBP] = t
		}
		t.Base += sign * tl.Base
		t.Tax += sign * tl.Tax
	}
	for _, s := range d.Sales {
		if s.Voided {
			r.Voids++
			r.VoidsTotal += s.Balance.Total
			continue
		}
		r.Sales++
		r.SalesTotal += s.Balance.Total
		r.Discounts += s.Balance.Discount
		r.Rounding += s.Balance.Rounding
		for _, p := range s.Payments {
			methods[p.Method] += p.Amount
			counts[p.Method]++
		}
		methods[MethodCash] -= s.Balance.Change
		for _, tl := range s.Balance.Tax {
			tax(tl, 1)
		}
		c := cashier(s.Cashier)
		c.Sales++
		c.Total += s.Balance.Total
	}
	for _, rt := range d.Returns {
		r.Returns++
		r.ReturnsTotal += rt.Total
		r.Rounding -= rt.Rounding
		for _, f := range rt.Refunds {
			methods[f.Method] -= f.Amount
			counts[f.Method]++
		}
		for _, tl := range rt.Tax {
			tax(tl, -1)
		}
		c := cashier(rt.Staff)
		c.Returns++
		c.Returned += rt.Total
	}
	r.Total = r.SalesTotal - r.ReturnsTotal
	for _, op := range d.CashOps {
		switch op.Kind {
		case CashPaidIn:
			r.PaidIn += op.Amount
		case CashPaidOut:
			r.PaidOut += op.Amount
		case CashDrop:
			r.Drops += op.Amount
		case CashNoSale:
			r.NoSales++
		}
	}
	alarms := CountDrawerAlarms(d.DrawerAlarms)
	r.DrawerAlarms = &alarms
	r.VouchersIssued, r.VoucherCash = vouchersIssued(d.Vouchers)
	r.ExpectedCash = sh.Float + methods[MethodCash] + r.PaidIn - r.PaidOut - r.Drops + r.VoucherCash
	for m, v := range methods {
		r.ByMethod = append(r.ByMethod, MethodTotal{Method: m, Count: counts[m], Amount: v})
	}
	sort.Slice(r.ByMethod, func(i, j int) bool { return r.ByMethod[i].Method < r.ByMethod[j].Method })
	for _, t := range rates {
		r.ByTaxRate = append(r.ByTaxRate, *t)
	}
	sort.Slice(r.ByTaxRate, func(i, j int) bool { return r.ByTaxRate[i].RateBP < r.ByTaxRate[j].RateBP })
	for _, c := range cashiers {
		r.ByCashier = append(r.ByCashier, *c)
	}
	sort.Slice(r.ByCashier, func(i, j int) bool { return r.ByCashier[i].Cashier < r.ByCashier[j].Cashier })
	return r
}

// vouchersIssued sums vouchers by kind, in the order of the kinds, and
// the cash paid for them.
func vouchersIssued(vs []Voucher) ([]VoucherTotal, int64) {
	out := []VoucherTotal{}
	var cash int64
	for _, kind := range []string{MethodGiftCard, MethodStoreCredit} {
		t := VoucherTotal{Kind: kind}
		for _, v := range vs {
			if v.Kind == kind {
				t.Count++
				t.Amount += v.Issued
				cash += v.Cash
			}
		}
		if t.Count > 0 {
			out = append(out, t)
		}
	}
	return out, cash
}

// VoucherCount is how many vouchers the report counts as issued.
func (r *ShiftReport) VoucherCount() int {
	n := 0
	for _, t := range r.VouchersIssued {
		n += t.Count
	}
	return n
}

// ShiftClosedData is the data of a pos.shift.closed event.
type ShiftClosedData struct {
	ShiftID        string           `json:"shift_id"`
	Station        string           `json:"station"`
	OpenedAt       time.Time        `json:"opened_at"`
	ClosedAt       time.Time        `json:"closed_at"`
	Float          int64            `json:"float"`
	ExpectedCash   int64            `json:"expected_cash"`
	CountedCash    int64            `json:"counted_cash"`
	TotalsByMethod map[string]int64 `json:"totals_by_method"`
	ZNo            int64            `json:"z_no"`
	Total          int64            `json:"total"`
	Rounding       int64            `json:"rounding"`
	ByTaxRate      []TaxLine        `json:"totals_by_tax_rate"`
	ByCashier      []CashierTotal   `json:"totals_by_cashier"`
	Currency       string           `json:"currency"`
	JournalN       int64            `json:"journal_n"`
	JournalHead    string           `json:"journal_head"`
	// VouchersIssued and VoucherCash are the report's: vouchers issued
	// outside returns, and the cash in ExpectedCash for gift cards sold.
	VouchersIssued []VoucherTotal `json:"vouchers_issued,omitempty"`
	VoucherCash    int64          `json:"voucher_cash,omitempty"`
}

// EventData returns the data of a Z report's pos.shift.closed event.
func (r *ShiftReport) EventData() ShiftClosedData {
	d := ShiftClosedData{ShiftID: r.ShiftID, Station: r.Station, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt,
		Float: r.Float, ExpectedCash: r.ExpectedCash, CountedCash: r.CountedCash, TotalsByMethod: map[string]int64{},
		ZNo: r.ZNo, Total: r.Total, Rounding: r.Rounding, ByTaxRate: r.ByTaxRate, ByCashier: r.ByCashier,
		Currency: r.Currency, JournalN: r.JournalN, JournalHead: r.JournalHead,
		VouchersIssued: r.VouchersIssued, VoucherCash: r.VoucherCash}
	for _, m := range r.ByMethod {
		d.TotalsByMethod[m.Method] = m.Amount
	}
	return d
}

// OpenShift opens a shift at the actor's station with float in the
// drawer.
func (as *AfterSales) OpenShift(ctx context.Context, a Actor, float int64) (*Shift, error) {
	if float < 0 || float > MaxPrice {
		return nil, fmt.Errorf("%w: float %d", ErrBadTender, float)
	}
	if a.Station == "" {
		return nil, fmt.Errorf("%w: a shift needs a station", ErrInvalidRequest)
	}
	defer as.lock("shift:" + a.Station)()
	sh := &Shift{ID: as.newID(), Station: a.Station, OpenedBy: a.Staff, OpenedAt: as.now(), Float: float}
	if err := as.opt.Store.OpenShift(ctx, sh); err != nil {
		return nil, err
	}
	as.till.opt.Notify(Change{Kind: "shift", Station: sh.Station, ID: sh.ID, Value: sh})
	return sh, nil
}

// CurrentShift is the open shift of station, or ErrNoShift.
func (as *AfterSales) CurrentShift(ctx context.Context, station string) (*Shift, error) {
	sh, err := as.opt.Store.CurrentShift(ctx, station)
	if err != nil {
		return nil, err
	}
	return &sh, nil
}

// CashOp records a paid-in, paid-out, cash drop or "no sale" opening of
// the drawer at the actor's station, with its reason and the staff who did
// it, and journals the drawer opening. The caller opens the drawer once it
// returns.
func (as *AfterSales) CashOp(ctx context.Context, a Actor, kind string, amount int64, reason string) (*CashOp, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, ErrReasonRequired
	}
	if err := checkText("reason", reason, 1, 200); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	switch kind {
	case CashPaidIn, CashPaidOut, CashDrop:
		if amount <= 0 || amount > MaxPrice {
			return nil, fmt.Errorf("%w: %s of %d", ErrBadTender, kind, amount)
		}
	case CashNoSale:
		if amount != 0 {
			return nil, fmt.Errorf("%w: a no-sale opening moves no money", ErrBadTender)
		}
	default:
		return nil, fmt.Errorf("%w: unknown cash operation %q (paid_in, paid_out, drop, no_sale)", ErrInvalidRequest, kind)
	}
	defer as.lock("shift:" + a.Station)()
	sh, err := as.opt.Store.CurrentShift(ctx, a.Station)
	if err != nil {
		return nil, err
	}
	op := &CashOp{ID: as.newID(), ShiftID: sh.ID, Station: a.Station, Kind: kind, Amount: amount, Reason: reason,
		Staff: a.Staff, At: as.now()}
	if err := as.opt.Store.AddCashOp(ctx, op); err != nil {
		return nil, err
	}
	return op, nil
}

// XReport reports the open shift of station so far. It changes nothing.
// It needs a supervisor: an actor below is refused with ErrForbidden.
func (as *AfterSales) XReport(ctx context.Context, a Actor, station string) (*ShiftReport, error) {
	if a.Role < RoleSupervisor {
		return nil, fmt.Errorf("%w: the X report needs a supervisor", ErrForbidden)
	}
	sh, err := as.opt.Store.CurrentShift(ctx, station)
	if err != nil {
		return nil, err
	}
	return as.report(ctx, "X", sh.ID)
}

func (as *AfterSales) report(ctx context.Context, kind, shiftID string) (*ShiftReport, error) {
	d, err := as.opt.Store.ShiftData(ctx, shiftID)
	if err != nil {
		return nil, err
	}
	set, err := as.till.opt.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	return BuildShiftReport(kind, d, as.now(), set.Currency), nil
}

// CloseShift closes the open shift of the actor's station with the cash
// counted in the drawer. The count is blind: the expected amount is shown
// only in the Z report returned. The Z report is recorded, journalled and
// emitted as pos.shift.closed in one transaction. It needs a supervisor:
// an actor below is refused with ErrForbidden and the shift stays open.
func (as *AfterSales) CloseShift(ctx context.Context, a Actor, counted int64) (*ShiftReport, error) {
	if a.Role < RoleSupervisor {
		return nil, fmt.Errorf("%w: closing a shift needs a supervisor", ErrForbidden)
	}
	if counted < 0 || counted > MaxPrice*10 {
		return nil, fmt.Errorf("%w: counted %d", ErrBadTender, counted)
	}
	defer as.lock("shift:" + a.Station)()
	// A sale being recorded at the station finishes first, and none is
	// recorded until the shift is closed (the station's lock, taken last).
	defer as.till.lockStation(a.Station)()
	if err := as.noMoneyInCarts(ctx, a.Station); err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		sh, err := as.opt.Store.CurrentShift(ctx, a.Station)
		if err != nil {
			return nil, err
		}
		now := as.now()
		sh.ClosedAt, sh.ClosedBy, sh.Counted = now, a.Staff, counted
		d, err := as.opt.Store.ShiftData(ctx, sh.ID)
		if err != nil {
			return nil, err
		}
		d.Shift.ClosedAt = now
		set, err := as.till.opt.Store.Settings(ctx)
		if err != nil {
			return nil, err
		}
		rep := BuildShiftReport("Z", d, now, set.Currency)
		rep.CountedCash, rep.Difference = counted, counted-rep.ExpectedCash
		err = as.opt.Store.CloseShift(ctx, &sh, rep)
		if errors.Is(err, ErrConflict) && try < 3 {
			continue // a receipt or cash operation arrived meanwhile: count it too
		}
		if err != nil {
			return nil, err
		}
		as.till.opt.Notify(Change{Kind: "shift", Station: sh.Station, ID: sh.ID, Value: rep})
		return rep, nil
	}
}

// noMoneyInCarts refuses, with ErrCartLocked, to close the shift of a
// station whose open cart holds a payment or a card payment at the
// terminal: that sale belongs to this shift and its cash to this count,
// so it is completed, or its payments taken back, first. Training carts
// move no real money and do not count.
func (as *AfterSales) noMoneyInCarts(ctx context.Context, station string) error {
	carts, err := as.till.opt.Store.Carts(ctx, station)
	if err != nil {
		return err
	}
	for _, c := range carts {
		if c.Station == station && !c.Training && (len(c.Payments) > 0 || c.Pending != nil) {
			return fmt.Errorf("%w: cart %s at %s is being paid; complete it or take back its payments before closing the shift", ErrCartLocked, c.ID, station)
		}
	}
	return nil
}
