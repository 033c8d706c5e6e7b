package browsertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// apiCall calls the node's API with a bearer token and decodes the answer.
func apiCall(t *testing.T, base, token, method, path string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, base+"/api/v1"+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: status %d, %v %v", method, path, resp.StatusCode, m, err)
	}
	return m
}

// The node restarts under an open till: the screen shows it is offline,
// reconnects by itself and resynchronises the cart, including a change
// made elsewhere while it was away.
func TestReconnectResync(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	n := launch(t, data, "127.0.0.1:0")
	addr := strings.TrimPrefix(n.base, "http://")
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "till online", visible(`#scan`), visible(`[data-test=live].ok`))

	n.stop()
	run(t, till, "offline shown", visible(`[data-test=live].bad`))
	shot(t, till, "till-offline")

	n = launch(t, data, addr)
	// Another screen of the same station adds to the open cart.
	tok := apiCall(t, n.base, "", "POST", "/login", map[string]string{"staff": "2", "pin": "2222", "station": tillStation})["token"].(string)
	cart := apiCall(t, n.base, tok, "GET", "/cart", nil)
	apiCall(t, n.base, tok, "POST", "/carts/"+cart["id"].(string)+"/scan", map[string]string{"code": umbrella})

	run(t, till, "back online with the cart",
		visible(`[data-test=live].ok`),
		visible(`.line[data-sku="`+umbrellaSKU+`"]`))
}
