package receipt

import (
	"github.com/posnode/posnode/pos"
)

// FromSale lays out a completed sale as a receipt for store. Line names
// are taken in the store's language; cashier is the name to print for
// the sale's staff id ("" prints the id).
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
		Barcode:   pos.ReceiptBarcode(s.ReceiptNo),
		Station:   s.Station,
		Cashier:   cashier,
		Time:      s.CompletedAt,
		Subtotal:  s.Balance.Subtotal,
		Discount:  s.Balance.Discount,
		Total:     s.Balance.Total,
		Rounding:  s.Balance.Rounding,
		Change:    s.Balance.Change,
		OrderID:   s.OrderID,
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
			line.Discount, line.Amount = lt.Discount, lt.Amount
		} else {
			line.Amount = l.Gross()
		}
		r.Lines = append(r.Lines, line)
	}
	// Basket discounts are spread over the lines; print them once, as
	// the cart's discount, and the lines at their own discount only.
	if s.Discount != nil {
		for i := range r.Lines {
			r.Lines[i].Amount += r.Lines[i].Discount
			r.Lines[i].Discount = 0
		}
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
