package browsertest

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
)

// A till left signed in goes back to the login by itself once its idle
// time has passed, and the sale it had open is there again for the next
// to sign in.
func TestIdleTillLocks(t *testing.T) {
	t.Parallel()
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte("idle_lock = \"2s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--config", cfgPath)
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "scan the backpack", visible(`#scan`), click(`[data-test=totals]`),
		scan(backpack), visible(`.line[data-sku="`+backpackSKU+`"]`))
	// Left alone, the till sees its session end when its socket next
	// checks it: within half the idle time for one as short as this
	// (every 20 s otherwise), which a step of run may not wait for.
	c, cancel := context.WithTimeout(till, time.Minute)
	defer cancel()
	if err := chromedp.Do(c, visible(`[data-test=login-step]`), gone(`#scan`)); err != nil {
		t.Fatalf("the till left alone: %v\npage text:\n%s", err, pageText(till))
	}
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "the sale is there again", visible(`.line[data-sku="`+backpackSKU+`"]`))
}

// A till typed on is in use, though what it asks the node only reads: it
// stays signed in past its idle time while keys are typed, and the parked
// sales read after are shown, not the login.
func TestIdleTillTypedOnStays(t *testing.T) {
	t.Parallel()
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte("idle_lock = \"8s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--config", cfgPath)
	till := browser(t)
	login(t, till, n.base, tillStation, cashierStaff, "1111")
	run(t, till, "the till", visible(`#scan`))
	for range 12 { // a key a second, half again the idle time
		time.Sleep(time.Second)
		run(t, till, "a key typed", chromedp.SendKeys(`#scan`, "1"))
	}
	run(t, till, "the parked sales", click(`[data-test=parked]`),
		chromedp.Poll[chromedp.Void](`!!document.querySelector('.modal, [data-test=login-step]')`))
	run(t, till, "still signed in", visible(`.modal`), visible(`#scan`))
}

// A customer display opened in the till's own browser shares the till's
// session and is signed out with it when the till is left alone; it shows
// the till's sale again by itself once the till is signed in again in that
// browser, not the staff's login to the customers.
func TestIdleDisplayInTheTillsBrowserComesBack(t *testing.T) {
	t.Parallel()
	cfgPath := filepath.Join(t.TempDir(), "posnode.toml")
	if err := os.WriteFile(cfgPath, []byte("idle_lock = \"10s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--config", cfgPath)
	display := browser(t)
	run(t, display, "the display, no one signed in", chromedp.Navigate(n.base+"/?display="+tillStation), visible(`[data-test=login-step]`))
	// The till signs in in the same browser (its session cookie is the
	// display's too) and shows its sale, on a websocket of its own.
	signIn := func() string {
		t.Helper()
		token := value(t, display, "the till signs in", chromedp.Evaluate[string](`fetch('/api/v1/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
			body: JSON.stringify({staff: '`+cashierStaff+`', pin: '1111', station: '`+tillStation+`'})}).then((r) => r.json()).then((j) => j.token)`,
			chromedp.EvalAwaitPromise))
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(n.base, "http")+"/ws", http.Header{"Authorization": {"Bearer " + token}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		go func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
		return token
	}
	signIn()
	run(t, display, "the display once the till signed in", visible(`.display-welcome`))
	c, cancel := context.WithTimeout(display, time.Minute)
	defer cancel()
	if err := chromedp.Do(c, visible(`[data-test=login-step]`)); err != nil {
		t.Fatalf("the till left alone: the display %v\npage text:\n%s", err, pageText(display))
	}
	token := signIn()
	req, _ := http.NewRequest("GET", n.base+"/api/v1/cart", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var cart struct{ ID string }
	err = json.NewDecoder(resp.Body).Decode(&cart)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest("POST", n.base+"/api/v1/carts/"+cart.ID+"/scan", strings.NewReader(`{"code": "`+backpack+`"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scan at the till: %v %v", err, resp)
	}
	resp.Body.Close()
	run(t, display, "the display back, showing the sale", visible(`.display-lines`), gone(`[data-test=login-step]`))
}
