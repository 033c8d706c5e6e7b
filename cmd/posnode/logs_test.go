package main

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/nodetest"
	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// TestLogsHoldNoSecrets runs a real node, logs in (once with a wrong PIN),
// sells with a card and checks that neither the PINs, nor the session
// token, nor the broker password, nor the PIN hash appear in what the node
// wrote to stdout and stderr (journald keeps both).
func TestLogsHoldNoSecrets(t *testing.T) {
	bin, err := nodetest.Build()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const pin, wrongPIN, mqttPassword = "739164", "582047", "broker-pw-Zq8vK2"
	cfg := DefaultConfig()
	cfg.Data = t.TempDir()
	db, err := openDB(ctx, cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, db, cfg.scaleTable(), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	hash, err := pos.HashPIN(pin)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutStaff(ctx, pos.Staff{ID: "41", Name: "Ana", Role: pos.RoleCashier, PINHash: hash, Active: true}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	addr := freeAddr(t)
	conf := writeConfig(t, fmt.Sprintf("data = %q\nhttp = %q\nstore = \"s1\"\nnode = \"till-1\"\n[mqtt]\nusername = \"s1\"\npassword = %q\n", cfg.Data, addr, mqttPassword))
	cmd := exec.Command(bin, "run", "--config", conf)
	var out nodetest.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, addr: addr, out: &out}
	t.Cleanup(p.kill)
	for i := 0; ; i++ {
		if r, err := http.Get("http://" + addr + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				break
			}
		}
		if i == 200 {
			t.Fatalf("node did not start:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	bad := &client{t: t, base: "http://" + addr}
	bad.call("POST", "/api/v1/login", map[string]string{"staff": "41", "pin": wrongPIN, "station": "till-1"}, http.StatusUnauthorized)
	c := login(t, addr, "41", pin)
	cart := c.call("GET", "/api/v1/cart", nil, 200)
	id := cart["id"].(string)
	c.call("POST", "/api/v1/carts/"+id+"/scan", map[string]string{"code": "73108658"}, 200)
	cart = c.call("GET", "/api/v1/cart", nil, 200)
	total := num(cart["balance"].(map[string]any)["total"])
	c.call("POST", "/api/v1/carts/"+id+"/payments", map[string]any{"method": "card", "amount": total}, 200)
	c.call("POST", "/api/v1/carts/"+id+"/complete", nil, 200)
	// A request with a forged token is refused and logged as refused.
	forged := &client{t: t, base: c.base, token: "forged-" + c.token}
	forged.call("GET", "/api/v1/cart", nil, http.StatusUnauthorized)

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	logs := out.String()
	if !strings.Contains(logs, `"msg":"login"`) || !strings.Contains(logs, `"msg":"posnode stopped"`) {
		t.Fatalf("the node did not log what the test drove; is this the right output?\n%s", logs)
	}
	for name, secret := range map[string]string{
		"PIN": pin, "wrong PIN": wrongPIN, "session token": c.token, "PIN hash": hash, "broker password": mqttPassword,
	} {
		if strings.Contains(logs, secret) {
			t.Errorf("the %s %q appears in the logs:\n%s", name, secret, logs)
		}
	}
}

// TestNoSecretsPassedToLoggers looks at every logging call in the
// project's code for attributes named like secrets, so that a new log line
// cannot add one unnoticed.
func TestNoSecretsPassedToLoggers(t *testing.T) {
	secretKey := func(k string) bool {
		k = strings.ToLower(k)
		for _, s := range []string{"pin", "token", "password", "passwd", "secret", "pan", "card_number", "cvv", "track"} {
			if k == s || strings.HasSuffix(k, "_"+s) || strings.HasPrefix(k, s+"_") {
				return true
			}
		}
		return false
	}
	logMethods := map[string]bool{"Debug": true, "Info": true, "Warn": true, "Error": true, "Log": true,
		"DebugContext": true, "InfoContext": true, "WarnContext": true, "ErrorContext": true, "With": true}
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil // not ours to judge here; the build reports it
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !logMethods[sel.Sel.Name] {
				return true
			}
			checked++
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				if k, err := strconv.Unquote(lit.Value); err == nil && secretKey(k) {
					t.Errorf("%s: log attribute %q looks like a secret", fset.Position(lit.Pos()), k)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("found no logging calls to check")
	}
}
