package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/posnode/posnode/pos"
)

// SyncSummary says how much of central's catalog and stock the node holds.
func (db *DB) SyncSummary(ctx context.Context) (pos.SyncSummary, error) {
	var s pos.SyncSummary
	for _, k := range []struct {
		kind string
		into *pos.PagedState
	}{{KindCatalog, &s.Catalog}, {KindStock, &s.Stock}} {
		var pagesDoc string
		err := db.r.QueryRowContext(ctx, "SELECT version, pages FROM sync_manifests WHERE kind = ?", k.kind).
			Scan(&k.into.Manifest, &pagesDoc)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s, err
		}
		want := map[string]int64{}
		if pagesDoc != "" {
			if err := json.Unmarshal([]byte(pagesDoc), &want); err != nil {
				return s, err
			}
		}
		held, err := db.PageVersions(ctx, k.kind)
		if err != nil {
			return s, err
		}
		k.into.Pages = len(want)
		for p, v := range want {
			if held[p] >= v {
				k.into.Current++
			}
		}
		var last sql.NullString
		if err := db.r.QueryRowContext(ctx, "SELECT max(applied_at) FROM sync_pages WHERE kind = ?", k.kind).Scan(&last); err != nil {
			return s, err
		}
		if last.Valid {
			k.into.LastApplied = parseTS(last.String)
		}
	}
	if err := db.r.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(active), 0) FROM items").Scan(&s.Items, &s.ActiveItems); err != nil {
		return s, err
	}
	return s, db.r.QueryRowContext(ctx, "SELECT count(*) FROM stock_central").Scan(&s.StockSKUs)
}
