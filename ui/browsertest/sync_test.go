package browsertest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/chromedp/chromedp"

	"github.com/posnode/posnode/internal/brokertest"
)

// The manager's health screen shows the link to central as it is, pushed
// as it changes: online with the events not yet acknowledged, the events
// central rejected with its reason, what each was and what to do once its
// ack says so, and offline when
// the broker is gone.
func TestManagerSyncHealth(t *testing.T) {
	t.Parallel()
	br := brokertest.Start(t, brokertest.Options{})
	const store, nodeID = "s1", "till-1"
	n := launch(t, t.TempDir(), "127.0.0.1:0", "--mqtt", br.URL(), "--store", store, "--node", nodeID)

	manager := browser(t)
	login(t, manager, n.base, tillStation, "3", "3333")
	run(t, manager, "health: online",
		click(`[data-test=nav-manager]`),
		visible(`[data-test=sync-health]`),
		hasText(`[data-test=sync-state]`, "online"),
		hasText(`[data-test=sync-rejected]`, "0"))

	// A cash sale at the till: its events wait for central, which is not
	// there to acknowledge them.
	tok := apiCall(t, n.base, "", "POST", "/login", map[string]string{"staff": cashierStaff, "pin": "1111", "station": tillStation})["token"].(string)
	cart := apiCall(t, n.base, tok, "GET", "/cart", nil)["id"].(string)
	apiCall(t, n.base, tok, "POST", "/carts/"+cart+"/scan", map[string]string{"code": umbrella})
	apiCall(t, n.base, tok, "POST", "/carts/"+cart+"/payments", map[string]any{"method": "cash", "amount": 20000})
	receiptNo := int64(apiCall(t, n.base, tok, "POST", "/carts/"+cart+"/complete", nil)["receipt_no"].(float64))
	// The status follows the outbox within a moment.
	var st, sync map[string]any
	var last int64
	for deadline := time.Now().Add(10 * time.Second); last == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("status after a sale: %v", sync)
		}
		st = apiCall(t, n.base, tok, "GET", "/status", nil)
		sync = st["sync"].(map[string]any)
		last = int64(sync["last_seq"].(float64))
	}
	if sync["state"] != "online" || sync["configured"] != true || int64(sync["queue_depth"].(float64)) != last {
		t.Fatalf("status after a sale: %v", sync)
	}
	run(t, manager, "the sale's events wait for central",
		hasText(`[data-test=sync-depth]`, strconv.FormatInt(last, 10)),
		visible(`[data-test=sync-oldest]`))

	// Central applies them all but rejects the first, as the contract's
	// retained ack says.
	central := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(br.URL()).SetClientID("central"))
	if tk := central.Connect(); !tk.WaitTimeout(5*time.Second) || tk.Error() != nil {
		t.Fatalf("central connect: %v", tk.Error())
	}
	defer central.Disconnect(0)
	ack, _ := json.Marshal(map[string]any{"epoch": st["epoch"], "through": last,
		"rejected": []any{map[string]any{"seq": 1, "reason": "unknown sku 100236"}}})
	if tk := central.Publish(fmt.Sprintf("pos/v1/stores/%s/nodes/%s/ack", store, nodeID), 1, true, ack); !tk.WaitTimeout(5*time.Second) || tk.Error() != nil {
		t.Fatalf("publish ack: %v", tk.Error())
	}
	run(t, manager, "acknowledged, one rejected with central's reason",
		hasText(`[data-test=sync-depth]`, "0"),
		hasText(`[data-test=sync-rejected]`, "1"),
		visible(`[data-test=sync-last-delivery]`),
		hasText(`[data-test=rejected-events] tr[data-seq="1"] [data-test=reason]`, "unknown sku 100236"),
		// What the event was, named in the screen's language with the
		// receipt it stands for, and what to do about it.
		hasText(`[data-test=rejected-events] tr[data-seq="1"] [data-test=event]`, "Sale "+strconv.FormatInt(receiptNo, 10)),
		hasText(`.panel.wide .hint`, "give central's support the event's number"))
	if rows := value(t, manager, "rejected rows", chromedp.Evaluate[int](`document.querySelectorAll('[data-test=rejected-events] tbody tr').length`)); rows != 1 {
		t.Fatalf("%d rejected events listed, want 1", rows)
	}
	shot(t, manager, "manager-health")

	br.Kill()
	run(t, manager, "the broker is gone: offline", hasText(`[data-test=sync-state]`, "offline"))
	run(t, manager, "the footer says so too", hasText(`[data-test=sync]`, "offline"))
}
