package ui

import (
	"context"
	"fmt"
	"net/http"

	"github.com/posnode/posnode/pos"
)

// CatalogBrowser lists the catalog without a search term. When
// Options.Store implements it, GET /api/v1/items?browse=1 pages through
// the active items.
type CatalogBrowser interface {
	// BrowseItems lists active items by SKU, limit of them from offset.
	BrowseItems(ctx context.Context, offset, limit int) ([]pos.Item, error)
}

// tabletRoutes adds what assisted selling on a tablet needs besides the
// till's routes: saving a cart to its customer for finishing online
// (pos.cart.saved). Browsing is GET /api/v1/items?browse=1.
func (s *Server) tabletRoutes() {
	s.RegisterError(pos.ErrNoCustomer, "no_customer", http.StatusConflict)
	s.RegisterError(pos.ErrCustomerUnchecked, "customer_unchecked", http.StatusConflict)
	s.Handle("POST /api/v1/carts/{id}/save", pos.RoleCashier, s.atCart(s.saveToCustomer))
}

func (s *Server) saveToCustomer(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	sc, err := s.opt.Service.SaveToCustomer(r.Context(), actor(who), r.PathValue("id"))
	if err != nil {
		return err
	}
	s.log.Info("cart saved to customer", "cart", r.PathValue("id"), "customer", sc.CustomerID, "by", who.Staff.ID)
	writeJSON(w, http.StatusOK, sc)
	return nil
}

// browseItems answers a page of the catalog: offset (default 0) and limit
// (1-200, default 50).
func (s *Server) browseItems(w http.ResponseWriter, r *http.Request, who pos.Session) error {
	offset, err := queryInt(r, "offset", 0, 0, 10_000_000)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	b, ok := s.opt.Store.(CatalogBrowser)
	if !ok {
		return fmt.Errorf("catalog browsing: %w", pos.ErrNotFound)
	}
	items, err := b.BrowseItems(r.Context(), offset, limit)
	return reply(w, items, err)
}
