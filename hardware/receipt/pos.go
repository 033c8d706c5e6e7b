package receipt

import (
	"strings"
	"time"

	"github.com/posnode/posnode/pos"
)

// FromSale lays out a completed sale as a receipt for store. Line names
// are taken in the store's language; cashier is the name to print for
// the sale's staff id ("" prints the id). The loyalty customer is named
// by their id masked (MaskID), never by name: a receipt is left in bags
// and bins, and should not tell who bought what.
func FromSale(s *pos.Sale, store Store, cashier string) Receipt {
	if cashier == "" {
		cashier = s.Cashier
	}
	if s.Currency != "" {
		store.Currency = s.Currency
	}
	r := Receipt{
		Store:     store,
		ReceiptNo: s.ReceiptNo,
		Barcode:   pos.ReceiptBarcode(store.ReceiptTag, s.ReceiptNo),
		Station:   s.Station,
		Cashier:   cashier,
		Time:      s.CompletedAt,
		Subtotal:  s.Balance.Subtotal,
		Discount:  s.Balance.Discount,
		Total:     s.Balance.Total,
		Rounding:  s.Balance.Rounding,
		Change:    s.Balance.Change,
		OrderID:   s.OrderID,
		Customer:  MaskID(s.CustomerID),
	}
	// A line's discount in the sale's balance holds its share of the
	// basket discount (pos.Price spreads it over the lines); the line
	// prints its own discount only, and the shares together print once
	// as the basket discount, so that every discount shows and the
	// figures still add up to the balance's. The lines' own discounts
	// are theirs priced without the basket discount; settings change
	// only the tax, which is not taken from this pricing. Without a
	// basket discount the balance's are theirs.
	own := s.Balance.Lines
	if s.Discount != nil {
		own = pos.Price(s.Lines, nil, pos.Settings{}).Lines
	}
	for i, l := range s.Lines {
		line := Line{
			Name:      l.Name(store.Lang),
			Qty:       l.Qty,
			ByWeight:  l.Unit == pos.UnitKg,
			UnitPrice: l.UnitPrice,
		}
		if i < len(s.Balance.Lines) {
			lt := s.Balance.Lines[i]
			line.Discount = min(max(own[i].Discount, 0), lt.Discount)
			share := lt.Discount - line.Discount
			line.Amount = lt.Amount + share
			r.BasketDiscount += share
		} else {
			line.Amount = l.Gross()
		}
		r.Lines = append(r.Lines, line)
	}
	for _, t := range s.Balance.Tax {
		r.Tax = append(r.Tax, Tax{RateBP: t.RateBP, Base: t.Base, Tax: t.Tax})
	}
	for _, p := range s.Payments {
		r.Payments = append(r.Payments, Payment{Method: p.Method, Amount: p.Amount})
	}
	return r
}

// FromTraining lays out a training receipt as FromSale lays out a sale,
// marked Training and numbered from the training sequence. It has no
// barcode: nothing can be returned against it.
func FromTraining(t *pos.TrainingReceipt, store Store, cashier string) Receipt {
	r := FromSale(&t.Sale, store, cashier)
	r.ReceiptNo, r.Barcode, r.Training = t.No, "", true
	return r
}

// FromShiftReport lays out an X or Z report of a shift for store, printed
// at printed. A Z report carries the cash counted and the difference,
// and its journal entry; an X report has neither.
func FromShiftReport(rep *pos.ShiftReport, store Store, printed time.Time) Report {
	if rep.Currency != "" {
		store.Currency = rep.Currency
	}
	r := Report{Store: store, Z: rep.Kind == "Z", Number: rep.ZNo, Station: rep.Station,
		From: rep.OpenedAt, To: rep.At, Sales: int64(rep.Sales), Returns: int64(rep.Returns),
		Gross: rep.SalesTotal, Refunds: rep.ReturnsTotal, Discounts: rep.Discounts, Rounding: rep.Rounding,
		Voids: int64(rep.Voids), VoidsTotal: rep.VoidsTotal,
		Float: rep.Float, PaidIn: rep.PaidIn, PaidOut: rep.PaidOut, Drops: rep.Drops,
		VoucherCash: rep.VoucherCash, Cash: rep.ExpectedCash,
		NoSales: int64(rep.NoSales), JournalN: rep.JournalN, ChainHead: rep.JournalHead, Printed: printed}
	if a := rep.DrawerAlarms; a != nil {
		r.DrawerAlarms = &DrawerAlarms{OpenedUnasked: int64(a.OpenedUnasked), LeftOpen: int64(a.LeftOpen)}
	}
	if !rep.ClosedAt.IsZero() {
		r.To = rep.ClosedAt
	}
	if r.Z {
		r.Counted, r.Difference = rep.CountedCash, rep.Difference
	}
	for _, m := range rep.ByMethod {
		r.Tenders = append(r.Tenders, TenderTotal{Method: m.Method, Count: m.Count, Amount: m.Amount})
	}
	for _, t := range rep.ByTaxRate {
		r.Tax = append(r.Tax, Tax{RateBP: t.RateBP, Base: t.Base, Tax: t.Tax})
	}
	for _, v := range rep.VouchersIssued {
		r.Vouchers = append(r.Vouchers, TenderTotal{Method: v.Kind, Count: int64(v.Count), Amount: v.Amount})
	}
	return r
}

// MaskID masks a loyalty id for a receipt: four stars, then its last
// four characters, or its last half when it is shorter than eight
// (C-88412 prints as ****412); enough for the customer and the store to
// recognise the card, not to use it. "" stays "".
func MaskID(id string) string {
	if id == "" {
		return ""
	}
	r := []rune(id)
	return strings.Repeat("*", 4) + string(r[len(r)-min(4, len(r)/2):])
}
