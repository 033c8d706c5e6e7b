package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/posnode/posnode/pos"
)

var _ pos.CartSaver = (*DB)(nil)

// SaveCartToCustomer records ev (pos.cart.saved) and removes the cart in
// one transaction; see pos.CartSaver.
func (db *DB) SaveCartToCustomer(ctx context.Context, id string, rev int64, ev *pos.Event) error {
	return db.Update(ctx, func(tx *Tx) error {
		var doc string
		err := tx.QueryRowContext(ctx, "SELECT doc FROM carts WHERE id = ?", id).Scan(&doc)
		if err != nil {
			return notFound("cart", id, err)
		}
		var c pos.Cart
		if err := json.Unmarshal([]byte(doc), &c); err != nil {
			return err
		}
		if c.Rev != rev {
			return fmt.Errorf("cart %s at revision %d, not %d: %w", id, c.Rev, rev, pos.ErrConflict)
		}
		if err := tx.AppendEvent(ev); err != nil {
			return err
		}
		_, err = tx.execContext(ctx, "DELETE FROM carts WHERE id = ?", id)
		return err
	})
}

// BrowseItems lists active items by SKU, limit of them from offset, for
// browsing the catalog without a search term.
func (db *DB) BrowseItems(ctx context.Context, offset, limit int) ([]pos.Item, error) {
	if limit <= 0 || offset < 0 {
		return []pos.Item{}, nil
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+itemCols+" FROM items WHERE active = 1 ORDER BY sku LIMIT ? OFFSET ?", limit, offset)
	if err != nil {
		return nil, err
	}
	items := []pos.Item{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		items = append(items, it)
	}
	rows.Close()
	return items, rows.Err()
}
