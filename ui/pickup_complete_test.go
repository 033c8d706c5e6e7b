package ui_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/posnode/posnode/pos"
)

// The till asks twice to complete a paid pickup cart (a tap on Complete
// while the tender's completion is on its way, or a retry after a lost
// answer): both answers are the one sale, as for a till sale.
func TestPickupCompleteTwice(t *testing.T) {
	s := newStore(t)
	s.order(t, "W-9", pos.OrderPayAtPickup, 2500, `[{"line_id": "1", "sku": "1", "name": "Tea", "qty": 1, "unit_price": 2500}]`)
	tok := s.login(t, "1", "till-1")
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-9/pick", map[string]string{"code": teaCode}, nil)
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-9/ready", map[string]any{"location": "P-1", "bags": 1}, nil)
	s.ok(t, tok, "POST", "/api/v1/pickup/open/code", map[string]string{"order_id": "W-9", "code": "483920"}, nil)
	var c cartView
	s.ok(t, tok, "POST", "/api/v1/pickup/orders/W-9/cart", "", &c)
	s.ok(t, tok, "POST", "/api/v1/carts/"+c.ID+"/payments", map[string]any{"method": "cash", "amount": 2500}, nil)

	// Two at once, each on a goroutine of its own: the answers are checked
	// on the test's.
	var sales [3]saleView
	var answers [2]*http.Response
	var errs [2]error
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/pickup/complete", strings.NewReader(`{"cart_id": "`+c.ID+`"}`))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			answers[i], errs[i] = http.DefaultClient.Do(req)
		}()
	}
	wg.Wait()
	for i, r := range answers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("completion %d: %d %s", i, r.StatusCode, b)
		}
		if err := json.Unmarshal(b, &sales[i]); err != nil {
			t.Fatal(err)
		}
	}
	s.ok(t, tok, "POST", "/api/v1/pickup/complete", map[string]string{"cart_id": c.ID}, &sales[2])
	for i, sale := range sales {
		if sale.ID != c.ID || sale.ReceiptNo != sales[0].ReceiptNo || sale.ReceiptNo == 0 {
			t.Errorf("answer %d = %+v, want the sale %s with receipt %d", i, sale, c.ID, sales[0].ReceiptNo)
		}
	}
}
