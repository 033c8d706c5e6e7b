// Package receipt lays out every document the store prints: receipts
// (and their copies), pickup slips, bag labels, X and Z reports and the
// printer test page. Layouts live here and nowhere else; each document is
// a plain struct (Receipt, PickupSlip, BagLabel, Report, TestPage) whose
// Encode method writes it to an escpos.Encoder, in the store's language
// (sv, sk, ro, zh-Hant, en; see T) and currency (see Money).
//
// Documents are fixed-width: lines are laid out in the Font A columns of
// the printer profile (32 on 58 mm paper, 48 on 80 mm), with amounts
// flush right. Text is measured as the encoder prints it
// (escpos.Encoder.Width): characters printed full width count two,
// invisible ones nothing, and a tab or line break in a name is a space.
//
// Documents are JSON-serialisable so that a print queue can keep them and
// render them again: Decode reads one back by Kind, and AsCopy marks a
// reprint, which prints COPY at the top and the bottom.
//
// FromSale maps a completed pos.Sale onto a Receipt, and FromTraining a
// pos.TrainingReceipt onto a Receipt marked as training, not a receipt,
// at the top and the bottom. FromShiftReport maps a pos.ShiftReport onto
// a Report that reconciles on paper: net sales and the cash rounding
// against the tenders, and the drawer from the float to the cash
// expected, counted and the difference.
package receipt
