package pos

import "time"

// SyncSummary says how much of central's paged state (catalog and stock)
// the node holds, for the manager's settings page.
type SyncSummary struct {
	Catalog PagedState `json:"catalog"`
	Stock   PagedState `json:"stock"`
	// Items and ActiveItems count the catalog held; StockSKUs the items
	// central has counted.
	Items       int `json:"items"`
	ActiveItems int `json:"active_items"`
	StockSKUs   int `json:"stock_skus"`
}

// PagedState is the node's view of one kind of central's paged state.
type PagedState struct {
	// Manifest is the version of the newest manifest held; zero when
	// central has sent none.
	Manifest int64 `json:"manifest"`
	// Pages is how many pages the manifest names; Current how many of
	// them the node holds at the manifest's version.
	Pages   int `json:"pages"`
	Current int `json:"current"`
	// LastApplied is when a page was last applied; zero when never.
	LastApplied time.Time `json:"last_applied,omitzero"`
}
