package pos

// PickupAcceptedData is the data of pos.pickup.accepted: the node holds
// this version of the order.
type PickupAcceptedData struct {
	OrderID string `json:"order_id"`
	Version int64  `json:"version"`
}

// ReadyLineData is a line of pos.pickup.ready. SubstituteSKU is null when
// the ordered item was picked.
type ReadyLineData struct {
	LineID        string  `json:"line_id"`
	QtyPicked     int64   `json:"qty_picked"`
	SubstituteSKU *string `json:"substitute_sku"`
}

// PickupReadyData is the data of pos.pickup.ready.
type PickupReadyData struct {
	OrderID  string          `json:"order_id"`
	Lines    []ReadyLineData `json:"lines"`
	Location string          `json:"location"`
}

// CollectedLineData is a line of pos.pickup.collected.
type CollectedLineData struct {
	LineID string `json:"line_id"`
	Qty    int64  `json:"qty"`
}

// PickupCollectedData is the data of pos.pickup.collected. SaleID is set
// when the order was paid at pickup.
type PickupCollectedData struct {
	OrderID    string              `json:"order_id"`
	VerifiedBy string              `json:"verified_by"`
	Staff      string              `json:"staff"`
	Lines      []CollectedLineData `json:"lines"`
	SaleID     string              `json:"sale_id,omitempty"`
}

// PickupRejectedData is the data of pos.pickup.rejected.
type PickupRejectedData struct {
	OrderID string `json:"order_id"`
	Reason  string `json:"reason"`
}

// PickupExpiredData is the data of pos.pickup.expired.
type PickupExpiredData struct {
	OrderID string `json:"order_id"`
}

// ReadyData is the order's pos.pickup.ready data.
func (p *PickupOrder) ReadyData() PickupReadyData {
	d := PickupReadyData{OrderID: p.Order.ID, Location: p.Location, Lines: make([]ReadyLineData, len(p.Lines))}
	for i, l := range p.Lines {
		d.Lines[i] = ReadyLineData{LineID: l.LineID, QtyPicked: l.Picked}
		if l.SubstituteSKU != "" {
			s := l.SubstituteSKU
			d.Lines[i].SubstituteSKU = &s
		}
	}
	return d
}

// CollectedData is the order's pos.pickup.collected data: every line that
// was picked, with what the customer took (0 when refused).
func (p *PickupOrder) CollectedData() PickupCollectedData {
	d := PickupCollectedData{OrderID: p.Order.ID, Staff: p.CollectedBy, SaleID: p.SaleID, Lines: []CollectedLineData{}}
	if p.Verified != nil {
		d.VerifiedBy = p.Verified.By
	}
	for _, l := range p.Lines {
		if l.Picked > 0 {
			d.Lines = append(d.Lines, CollectedLineData{LineID: l.LineID, Qty: l.Collected})
		}
	}
	return d
}

// CollectedMovements take what the customer took off stock, for an order
// paid online (a sale carries its own movements).
func (p *PickupOrder) CollectedMovements() []Movement {
	var ms []Movement
	for _, l := range p.Lines {
		if l.Collected > 0 {
			ms = append(ms, Movement{SKU: l.PickSKU(), Delta: -l.Collected, Reason: "pickup", Ref: p.Order.ID})
		}
	}
	return ms
}
