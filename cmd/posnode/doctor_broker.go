package main

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// statusWindow is how long doctor listens to the node's status topic for
// another node speaking as this one, after the retained status.
const statusWindow = 2 * time.Second

// checkBrokerSession logs in to the broker as the node would, with its
// username, password and certificates, and reads the node's retained
// status (pos/v1/stores/{store}/nodes/{node}/status) for a node of another
// database online under this store's and node's ids: a box cloned, or one
// given the ids of another, which cut each other off the broker in turn
// (each node logs its drops, and after a few a warning of them) and mix
// their events at central.
//
// It connects under a client id of its own, never the node's: a second
// connection under pos-{store}-{node} would throw the running node off the
// broker. It publishes nothing and sets no last will.
func (d *doctor) checkBrokerSession(raw string, tc *tls.Config) {
	m := d.cfg.MQTT
	o := mqtt.NewClientOptions()
	o.AddBroker(raw)
	o.SetClientID("pos-" + d.cfg.Store + "-" + d.cfg.Node + "-doctor")
	o.SetCleanSession(true)
	o.SetAutoReconnect(false)
	o.SetConnectRetry(false)
	o.SetConnectTimeout(d.timeout)
	if m.Username != "" {
		o.SetUsername(m.Username)
		o.SetPassword(m.Password)
	}
	if tc != nil {
		o.SetTLSConfig(tc)
	}
	as := "without a username"
	if m.Username != "" {
		as = "as " + m.Username
	}
	cli := mqtt.NewClient(o)
	t := cli.Connect()
	if !t.WaitTimeout(d.timeout + time.Second) {
		d.add(levelFail, "broker", "no answer to the MQTT login within "+d.timeout.String(), "check that mqtt.url names central's MQTT port, not another service")
		return
	}
	if err := t.Error(); err != nil {
		switch {
		case errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword), errors.Is(err, packets.ErrorRefusedNotAuthorised):
			fix := "check username and password in [mqtt] (central's operators give them), then restart the node"
			if m.Username == "" {
				fix = "set username and password in [mqtt] (central's operators give them), then restart the node"
			}
			d.add(levelFail, "broker", fmt.Sprintf("the broker refused the login %s: %v", as, err), fix)
		case errors.Is(err, packets.ErrorRefusedIDRejected):
			d.add(levelWarn, "broker", "the broker refused doctor's client id, so the login could not be checked", "none if the node's log says \"connected to broker\"")
		default:
			d.add(levelFail, "broker", "MQTT login failed: "+err.Error(), "check that mqtt.url names central's MQTT port, and the [mqtt] settings")
		}
		return
	}
	defer cli.Disconnect(100)
	d.add(levelOK, "broker", "MQTT login accepted "+as, "")

	topic := "pos/v1/stores/" + d.cfg.Store + "/nodes/" + d.cfg.Node + "/status"
	got := make(chan []byte, 64)
	st := cli.Subscribe(topic, 1, func(_ mqtt.Client, msg mqtt.Message) {
		select {
		case got <- msg.Payload():
		default:
		}
	})
	if !st.WaitTimeout(d.timeout) || st.Error() != nil {
		d.add(levelWarn, "broker", "could not read "+topic+" to look for another node with these ids", "")
		return
	}
	if s, ok := st.(*mqtt.SubscribeToken); ok {
		if qos := s.Result()[topic]; qos == subscribeRefusedCode {
			d.add(levelWarn, "broker", "the broker refused doctor a subscription to "+topic+", so another node with these ids could not be looked for", "")
			return
		}
	}
	timer := time.NewTimer(statusWindow)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return
		case p := <-got:
			if d.otherNode(p) {
				return
			}
		}
	}
}

// subscribeRefusedCode is the SUBACK return code of a refused
// subscription in MQTT 3.1.1.
const subscribeRefusedCode = 0x80

// otherNode reports, and returns true, when status p says that a node
// other than the one on this data directory is online as this node.
func (d *doctor) otherNode(p []byte) bool {
	var s struct {
		State     string `json:"state"`
		Epoch     string `json:"epoch"`
		StartedAt string `json:"started_at"`
	}
	if json.Unmarshal(p, &s) != nil || s.State != "online" {
		return false
	}
	ids := fmt.Sprintf("store %q, node %q", d.cfg.Store, d.cfg.Node)
	again := "; if this node stopped without closing its connection less than a minute ago, run doctor again in a minute"
	switch {
	case d.epoch == "" && !d.running:
		d.add(levelFail, "broker", fmt.Sprintf("a node is already online as %s (started %s), and this box has no database yet: the ids are another box's",
			ids, orDefault(s.StartedAt, "at an unknown time")),
			"give this box its own node id (node = ... in the config, as central knows it); to replace that box, stop its node first"+again)
		return true
	case d.epoch == "":
		return false
	case s.Epoch != d.epoch:
		d.add(levelFail, "broker", fmt.Sprintf("another node is online as %s (started %s, event epoch %s; this database's is %s): the two throw each other off the broker and central mixes their events",
			ids, orDefault(s.StartedAt, "at an unknown time"), s.Epoch, d.epoch),
			"give every box its own node id (node = ... in the config, as central knows it) and stop the other box's node until it has one"+again)
		return true
	case !d.running:
		d.add(levelFail, "broker", fmt.Sprintf("a node of this very database (epoch %s, started %s) is online as %s while none runs here: a copy of this box runs elsewhere",
			s.Epoch, orDefault(s.StartedAt, "at an unknown time"), ids),
			"stop the node on the box that is a copy of this one (a cloned disk or data directory), then give it its own node id"+again)
		return true
	}
	return false
}
