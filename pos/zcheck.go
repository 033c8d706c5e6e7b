package pos

import (
	"encoding/json"
	"fmt"
	"sort"
)

// ShiftTally adds up, from the journal alone, what each Z report should
// say, so that a stored Z report can be checked against the entries it
// sums. Give it the entries in the order of their N.
//
// The entries of a shift are those of its station after the station's Z
// report before it: every sale, return, void, cash operation and voucher
// issued outside a return recorded at the station until the shift closed
// belongs to the shift (see Shift), and none recorded after it does. The
// float and the cash counted are taken from the Z report's own entry.
// Training receipts, copies and stock adjustments count in no Z report.
// A drawer alarm counts in the shift it names (DrawerAlarm.ShiftID).
//
// A shift with an entry that no longer matches its hash is not added up:
// VerifyJournal names that entry, and the Z report is not checked against
// a journal in doubt. The zero value is ready to use.
type ShiftTally struct {
	open map[string]*shiftTally // by station: its entries since its last Z report
}

type shiftTally struct {
	d       ShiftData
	sales   map[string]int // index in d.Sales by sale id, for its void
	changed bool           // an entry of the shift does not match its hash
}

// Add takes the next entry. At the entry of a Z report it returns the
// report as the entries of its shift add it up, by BuildShiftReport, and
// starts the station's next shift; otherwise, and for a shift with a
// changed entry, it returns nil.
func (t *ShiftTally) Add(e JournalEntry) *ShiftReport {
	if ChainHash(e.Prev, e) != e.Hash {
		t.changed(e)
		if z, ok := entryData[ShiftReport](e); e.Kind == JournalZReport && ok {
			delete(t.open, z.Station) // the next shift starts after it all the same
		}
		return nil
	}
	switch e.Kind {
	case JournalSale:
		d, ok := entryData[SaleCompletedData](e)
		if !ok || e.Mark != "" {
			break
		}
		s := Sale{ID: d.SaleID, Station: d.Station, Cashier: d.Cashier,
			Balance: Balance{Totals: Totals{Tax: d.Tax, Total: d.Total}, Rounding: d.Rounding, Change: d.Change}}
		for _, l := range d.Lines {
			s.Balance.Discount += l.Discount
		}
		for _, p := range d.Payments {
			s.Payments = append(s.Payments, Payment{Method: p.Method, Amount: p.Amount})
		}
		st := t.station(d.Station)
		st.sales[s.ID] = len(st.d.Sales)
		st.d.Sales = append(st.d.Sales, s)
	case JournalVoid:
		// A sale of a closed shift is never voided (ErrShiftClosed): the
		// sale is among the station's since its last Z report.
		if v, ok := entryData[voidEntry](e); ok {
			st := t.station(v.Station)
			if i, ok := st.sales[v.SaleID]; ok {
				st.d.Sales[i].Voided = true
			}
		}
	case JournalReturn:
		if d, ok := entryData[ReturnCompletedData](e); ok {
			r := Return{ID: d.ReturnID, Station: d.Station, Staff: d.Staff, Tax: d.Tax, Total: d.Total, Rounding: d.Rounding}
			for _, f := range d.Refunds {
				r.Refunds = append(r.Refunds, Refund{Method: f.Method, Amount: f.Amount})
			}
			sd := &t.station(d.Station).d
			sd.Returns = append(sd.Returns, r)
		}
	case JournalDrawer:
		if op, ok := entryData[CashOp](e); ok {
			sd := &t.station(op.Station).d
			sd.CashOps = append(sd.CashOps, op)
		}
	case JournalVoucher:
		if v, ok := entryData[VoucherIssue](e); ok {
			sd := &t.station(v.Station).d
			sd.Vouchers = append(sd.Vouchers, Voucher{Code: v.Code, Kind: v.Kind, Issued: v.Amount, Cash: v.Cash})
		}
	case JournalDrawerAlarm:
		// An alarm names its shift: one raised while none was open is
		// in no shift's figures.
		if a, ok := entryData[DrawerAlarm](e); ok && a.ShiftID != "" {
			sd := &t.station(a.Station).d
			sd.DrawerAlarms = append(sd.DrawerAlarms, a)
		}
	case JournalZReport:
		z, ok := entryData[ShiftReport](e)
		if !ok {
			break
		}
		st := t.station(z.Station)
		delete(t.open, z.Station)
		if st.changed {
			break
		}
		d := st.d
		d.Shift = Shift{ID: z.ShiftID, Station: z.Station, OpenedAt: z.OpenedAt, ClosedAt: z.ClosedAt, Float: z.Float,
			Counted: z.CountedCash, ZNo: z.ZNo}
		r := BuildShiftReport("Z", d, z.At, z.Currency)
		r.CountedCash, r.Difference = z.CountedCash, z.CountedCash-r.ExpectedCash
		return r
	}
	return nil
}

// voidEntry is what ShiftTally reads of a void's journal entry.
type voidEntry struct {
	SaleID  string `json:"sale_id"`
	Station string `json:"station"`
}

// entryData reads e's data as a T, and reports whether it could.
func entryData[T any](e JournalEntry) (T, bool) {
	var v T
	err := json.Unmarshal(e.Data, &v)
	return v, err == nil
}

// changed marks the shift of e, an entry that does not match its hash,
// as in doubt: the shift of the station its data names, or, when its data
// names none, every shift under way.
func (t *ShiftTally) changed(e JournalEntry) {
	var d struct {
		Station *string `json:"station"`
	}
	if json.Unmarshal(e.Data, &d) == nil && d.Station != nil {
		t.station(*d.Station).changed = true
		return
	}
	for _, st := range t.open {
		st.changed = true
	}
}

// station is the tally of station's shift under way.
func (t *ShiftTally) station(station string) *shiftTally {
	if t.open == nil {
		t.open = map[string]*shiftTally{}
	}
	st := t.open[station]
	if st == nil {
		st = &shiftTally{sales: map[string]int{}}
		t.open[station] = st
	}
	return st
}

// ZMismatch is a figure of a stored Z report that differs from what the
// journal's entries of its shift add up to (ShiftTally).
type ZMismatch struct {
	ShiftID string `json:"shift_id"`
	ZNo     int64  `json:"z_no"`
	// Figure names the figure as the report's JSON does: "total",
	// "by_method[cash]", "by_tax_rate[2500].tax", ...
	Figure  string `json:"figure"`
	Report  int64  `json:"report"`  // as the stored report has it
	Journal int64  `json:"journal"` // as the journal adds it up
	// Detail, when set, says why the stored report could not be compared
	// at all (it is missing or unreadable); Figure is then "report".
	Detail string `json:"detail,omitempty"`
}

func (m ZMismatch) String() string {
	if m.Detail != "" {
		return fmt.Sprintf("Z report %d of shift %s: %s", m.ZNo, m.ShiftID, m.Detail)
	}
	return fmt.Sprintf("Z report %d of shift %s: %s is %d in the stored report, the journal's entries of the shift add up to %d",
		m.ZNo, m.ShiftID, m.Figure, m.Report, m.Journal)
}

// CompareZReport lists, by figure name, the totals of a stored Z report
// that differ from those of journal, the report as its shift's journal
// entries add it up. Tender counts are not compared: reports closed
// before they were kept have none. Nor are the drawer alarms of a report
// stored before they were counted (its DrawerAlarms is nil).
func CompareZReport(stored, journal *ShiftReport) []ZMismatch {
	if stored.DrawerAlarms == nil {
		j := *journal
		j.DrawerAlarms = nil
		journal = &j
	}
	have, want := stored.figures(), journal.figures()
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	for n := range have {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []ZMismatch
	for _, n := range names {
		if have[n] != want[n] {
			out = append(out, ZMismatch{ShiftID: journal.ShiftID, ZNo: journal.ZNo, Figure: n, Report: have[n], Journal: want[n]})
		}
	}
	return out
}

// figures are the report's totals by name.
func (r *ShiftReport) figures() map[string]int64 {
	f := map[string]int64{
		"sales": int64(r.Sales), "sales_total": r.SalesTotal, "returns": int64(r.Returns), "returns_total": r.ReturnsTotal,
		"voids": int64(r.Voids), "voids_total": r.VoidsTotal, "discounts": r.Discounts, "total": r.Total,
		"rounding": r.Rounding, "paid_in": r.PaidIn, "paid_out": r.PaidOut, "drops": r.Drops, "no_sales": int64(r.NoSales),
		"voucher_cash": r.VoucherCash, "float": r.Float, "expected_cash": r.ExpectedCash, "counted_cash": r.CountedCash,
		"difference": r.Difference, "receipts": int64(r.Receipts), "z_no": r.ZNo,
	}
	for _, m := range r.ByMethod {
		f["by_method["+m.Method+"]"] = m.Amount
	}
	for _, t := range r.ByTaxRate {
		k := fmt.Sprintf("by_tax_rate[%d]", t.RateBP)
		f[k+".base"], f[k+".tax"] = t.Base, t.Tax
	}
	for _, c := range r.ByCashier {
		k := "by_cashier[" + c.Cashier + "]"
		f[k+".sales"], f[k+".total"] = int64(c.Sales), c.Total
		f[k+".returns"], f[k+".returned"] = int64(c.Returns), c.Returned
	}
	for _, v := range r.VouchersIssued {
		k := "vouchers_issued[" + v.Kind + "]"
		f[k+".count"], f[k+".amount"] = int64(v.Count), v.Amount
	}
	if a := r.DrawerAlarms; a != nil {
		f["drawer_alarms.opened_unasked"], f["drawer_alarms.left_open"] = int64(a.OpenedUnasked), int64(a.LeftOpen)
	}
	return f
}
