package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/posnode/posnode/internal/brokertest"
)

// retain publishes payload retained on topic at broker url.
func retain(t *testing.T, url, topic, payload string) {
	t.Helper()
	o := mqtt.NewClientOptions().AddBroker(url).SetClientID("central-test")
	cli := mqtt.NewClient(o)
	if tok := cli.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer cli.Disconnect(100)
	if tok := cli.Publish(topic, 1, true, payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
}

// Doctor logs in to the broker as the node does: a wrong password fails
// there, not only when the node runs. And it finds another node online
// under this node's ids.
func TestDoctorBrokerLogin(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Extra: brokertest.Passwords(t, "store-1", "s3cret")})
	cfg, db := testNodeDB(t, 0)
	epoch := db.Epoch()
	db.Close()
	doctor := func(password string) string {
		t.Helper()
		path := writeConfig(t, fmt.Sprintf(`
data = %q
store = "s1"
node = "till-1"
[mqtt]
url = %q
username = "store-1"
password = %q
[backup]
every = "6h"
`, cfg.Data, b.URL(), password))
		var out bytes.Buffer
		_ = cmdDoctor(context.Background(), []string{"--config", path, "--timeout", "5s"}, &out, io.Discard)
		t.Log("\n" + out.String())
		return out.String()
	}
	out := doctor("wrong")
	if !strings.Contains(out, "FAIL  broker    the broker refused the login as store-1") || !strings.Contains(out, "check username and password in [mqtt]") {
		t.Errorf("a wrong password is not found")
	}
	out = doctor("s3cret")
	if !strings.Contains(out, "OK    broker    MQTT login accepted as store-1") || strings.Contains(out, "\nFAIL  broker") {
		t.Errorf("the right password is not accepted")
	}

	status := "pos/v1/stores/s1/nodes/till-1/status"
	// A new box, no database yet, given the ids of a box that runs.
	retain(t, b.URL(), status, `{"state":"online","started_at":"2026-12-07T03:00:00Z","epoch":"e-of-another-box"}`)
	data := cfg.Data
	cfg.Data = t.TempDir()
	if out := doctor("s3cret"); !strings.Contains(out, "FAIL  broker    a node is already online as store \"s1\", node \"till-1\" (started 2026-12-07T03:00:00Z), and this box has no database yet") {
		t.Errorf("a new box with another's ids is not found")
	}
	cfg.Data = data
	for _, c := range []struct {
		name, status, want string
	}{
		{"another box with these ids", `{"state":"online","version":"1.4.0","started_at":"2026-12-07T03:00:00Z","epoch":"e-of-another-box"}`,
			"FAIL  broker    another node is online as store \"s1\", node \"till-1\" (started 2026-12-07T03:00:00Z, event epoch e-of-another-box; this database's is " + epoch},
		{"a copy of this database elsewhere", `{"state":"online","started_at":"2026-12-07T03:00:00Z","epoch":"` + epoch + `"}`,
			"FAIL  broker    a node of this very database"},
		{"offline", `{"state":"offline"}`, ""},
	} {
		retain(t, b.URL(), status, c.status)
		out := doctor("s3cret")
		switch {
		case c.want == "" && strings.Contains(out, "\nFAIL  broker"):
			t.Errorf("%s: doctor fails", c.name)
		case c.want != "" && !strings.Contains(out, c.want):
			t.Errorf("%s: output lacks %q", c.name, c.want)
		}
	}
	// The node itself online on this data directory is no other node.
	retain(t, b.URL(), status, `{"state":"online","epoch":"`+epoch+`"}`)
	release, err := lockData(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if out := doctor("s3cret"); strings.Contains(out, "\nFAIL  broker") {
		t.Errorf("the node running here is taken for another")
	}
}
