package main

import (
	"strings"
	"testing"
)

// TestStartWithoutManager: a node started with nobody who can manage it
// says so in its log, with the command that adds the first manager to its
// data directory, wherever that command is typed, and how to try the
// demo instead; one with a manager (the demo's) says nothing of it.
func TestStartWithoutManager(t *testing.T) {
	const warning = "no active manager"
	data := t.TempDir()
	p := startNode(t, data, freeAddr(t), "--demo=false")
	out := p.out.String()
	if !strings.Contains(out, warning) || !strings.Contains(out, "posnode staff add --data "+data+" --id N --name NAME --role manager") ||
		!strings.Contains(out, "start it with --demo") {
		t.Errorf("the log of a node without a manager lacks the warning and its fix:\n%s", out)
	}
	p = startNode(t, t.TempDir(), freeAddr(t))
	if out := p.out.String(); strings.Contains(out, warning) {
		t.Errorf("the demo node, which has a manager, was warned of none:\n%s", out)
	}
}
