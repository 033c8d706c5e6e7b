package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// A store's node starts with no staff: its first manager is added on the
// box, the PIN read from standard input, never from the command line.
func TestStaffAddFirstManager(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	add := func(pin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := cmdStaff(ctx, append([]string{"add", "--data", dir}, args...), strings.NewReader(pin), &out, &out)
		return out.String(), err
	}
	out, err := add("482913\n", "--id", "7", "--name", "Ana Popescu", "--role", "manager")
	if err != nil {
		t.Fatalf("staff add: %v\n%s", err, out)
	}
	if strings.Contains(out, "482913") {
		t.Errorf("the PIN is shown: %s", out)
	}
	for _, c := range []struct {
		name, pin string
		args      []string
		want      string
	}{
		{"number taken", "583910\n", []string{"--id", "7", "--name", "Other", "--role", "cashier"}, "taken"},
		{"weak PIN", "12\n", []string{"--id", "8", "--name", "Bo", "--role", "cashier"}, "4 to 12 digits"},
		{"guessable PIN", "123456\n", []string{"--id", "8", "--name", "Bo", "--role", "cashier"}, "too easy to guess"},
		{"no PIN", "", []string{"--id", "8", "--name", "Bo", "--role", "cashier"}, "PIN"},
		{"bad role", "123456\n", []string{"--id", "8", "--name", "Bo", "--role", "boss"}, "role"},
		{"bad number", "123456\n", []string{"--id", "x8", "--name", "Bo", "--role", "cashier"}, "staff number"},
		{"no name", "123456\n", []string{"--id", "8", "--role", "cashier"}, "name"},
	} {
		if out, err := add(c.pin, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: staff add = %v, want an error naming %q\n%s", c.name, err, c.want, out)
		}
	}
	release, err := lockData(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Refused before the PIN is asked for: none is given here.
	if _, err := add("", "--id", "9", "--name", "Cy", "--role", "cashier"); !errors.Is(err, errRunning) {
		t.Errorf("staff add beside a running node = %v, want errRunning", err)
	}
	release()

	cfg := DefaultConfig()
	cfg.Data = dir
	db, err := openDB(ctx, cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := db.ListStaff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("staff = %+v, want only the manager added", all)
	}
	if st := all[0]; st.ID != "7" || st.Name != "Ana Popescu" || st.Role != pos.RoleManager || !st.Active || !pos.CheckPIN(st.PINHash, "482913") {
		t.Errorf("stored %+v, want active manager 7 Ana Popescu with PIN 482913", st)
	}
}

// Doctor tells a node nobody can manage: no active manager.
func TestDoctorNoManager(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Data = dir
	db, err := openDB(context.Background(), cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out bytes.Buffer
	_ = cmdDoctor(context.Background(), []string{"--data", dir}, &out, io.Discard)
	t.Log("\n" + out.String())
	if !strings.Contains(out.String(), "WARN  staff     no active manager") || !strings.Contains(out.String(), "posnode staff add") {
		t.Errorf("doctor does not tell that nobody can manage the node")
	}
	if err := cmdStaff(context.Background(), []string{"add", "--data", dir, "--id", "1", "--name", "M", "--role", "manager"}, strings.NewReader("4826\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	_ = cmdDoctor(context.Background(), []string{"--data", dir}, &out, io.Discard)
	if strings.Contains(out.String(), "WARN  staff") {
		t.Errorf("doctor warns of staff with a manager added:\n%s", out.String())
	}
}

// On a box with the package installed, a command run without --config or
// --data works on the installed node's data, not on ./data in whatever
// directory it was typed in, and says which config it took.
func TestCommandsTakeInstalledConfig(t *testing.T) {
	dir := t.TempDir()
	installed := writeConfig(t, "data = \""+dir+"\"\nstore = \"s1\"\nnode = \"till-1\"\n")
	was := installedConfig
	installedConfig = installed
	t.Cleanup(func() { installedConfig = was })
	t.Chdir(t.TempDir())

	var out, errOut bytes.Buffer
	if err := cmdStaff(context.Background(), []string{"add", "--id", "1", "--name", "Ana", "--role", "manager"}, strings.NewReader("482913\n"), &out, &errOut); err != nil {
		t.Fatalf("staff add: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "using "+installed) {
		t.Errorf("not told which config was taken: %q", errOut.String())
	}
	cfg := DefaultConfig()
	cfg.Data = dir
	db, err := openDB(context.Background(), cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.ListStaff(context.Background())
	db.Close()
	if err != nil || len(all) != 1 {
		t.Fatalf("staff of the installed node = %v, %v; want the manager added", all, err)
	}
	if _, err := os.Stat("data"); err == nil {
		t.Errorf("./data was made in the working directory")
	}

	// --data names another data directory: the installed config is not taken.
	other := t.TempDir()
	errOut.Reset()
	if err := cmdStaff(context.Background(), []string{"add", "--data", other, "--id", "1", "--name", "Bo", "--role", "manager"}, strings.NewReader("482913\n"), io.Discard, &errOut); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errOut.String(), "using") {
		t.Errorf("the installed config was taken beside --data: %q", errOut.String())
	}
}

// A node on which the demo's staff can still sign in with their public
// PINs (a box first tried out with --demo) is failed by doctor whatever
// the config says of the demo, and told where that setting comes from.
func TestDoctorDemoStaffLeft(t *testing.T) {
	cfg, db := testNodeDB(t, 0) // seeded with the demo staff
	db.Close()
	const left = "FAIL  staff     demo staff with public PINs can sign in: 1 (cashier, PIN 1111), 2 (supervisor, PIN 2222), 3 (manager, PIN 3333)"
	unset := writeConfig(t, "data = \""+cfg.Data+"\"\nstore = \"s1\"\nnode = \"till-1\"\n")
	on := writeConfig(t, "data = \""+cfg.Data+"\"\ndemo = true\n")
	for _, c := range []struct {
		name  string
		args  []string
		where string // where the demo setting came from
	}{
		{"config without demo", []string{"--config", unset}, "demo = false by default: " + unset + " does not set it"},
		{"demo = true", []string{"--config", on}, "demo = true in " + on},
		{"no config", []string{"--data", cfg.Data}, "demo = false by default (no --config)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			was := installedConfig
			installedConfig = filepath.Join(t.TempDir(), "none.toml")
			t.Cleanup(func() { installedConfig = was })
			var out bytes.Buffer
			err := cmdDoctor(context.Background(), c.args, &out, io.Discard)
			t.Log("\n" + out.String())
			if !errors.Is(err, errDoctorFailed) || !strings.Contains(out.String(), left+"; "+c.where) || !strings.Contains(out.String(), "deactivate them") {
				t.Errorf("the demo's staff are not failed, naming %q", c.where)
			}
			// Only a file that asks for the demo is warned of for it.
			if warned := strings.Contains(out.String(), "WARN  config    demo = true"); warned != strings.Contains(c.where, "demo = true") {
				t.Errorf("warned of demo = true: %t", warned)
			}
		})
	}
}

// The package makes /etc/posnode 0750 root:posnode, so a user of the box
// outside the group cannot even see that the installed config is there. A
// command typed without sudo, --config or --data is told to run as root,
// instead of working on a ./data made in the directory it was typed in.
// Run as root (as in CI), the test runs itself again as the user nobody.
func TestCommandsInstalledConfigUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		asNobody(t, "TestCommandsInstalledConfigUnreadable")
		return
	}
	etc := t.TempDir()
	installed := filepath.Join(etc, "posnode.toml")
	if err := os.WriteFile(installed, []byte("data = \""+t.TempDir()+"\"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(etc, 0); err != nil { // not searchable, as /etc/posnode is for others
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(etc, 0o700) })
	was := installedConfig
	installedConfig = installed
	t.Cleanup(func() { installedConfig = was })
	t.Chdir(t.TempDir())

	err := cmdStaff(context.Background(), []string{"add", "--id", "1", "--name", "Ana", "--role", "manager"}, strings.NewReader("482913\n"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), installed) || !strings.Contains(err.Error(), "sudo") {
		t.Errorf("staff add without access to the installed config = %v, want an error naming it and sudo", err)
	}
	if _, err := os.Stat("data"); err == nil {
		t.Errorf("./data was made in the working directory")
	}
	var out bytes.Buffer
	if err := cmdDoctor(context.Background(), nil, &out, io.Discard); !errors.Is(err, errDoctorFailed) ||
		!strings.Contains(out.String(), "FAIL  config    cannot read "+installed) {
		t.Errorf("doctor without access to the installed config = %v:\n%s", err, out.String())
	}
}

// asNobody runs the test named name again, in a copy of the test binary,
// as the user nobody, and fails with its output when it fails.
func asNobody(t *testing.T, name string) {
	t.Helper()
	// A tree nobody can walk: the build's own directories are root's only.
	base, err := os.MkdirTemp("", "posnode-nobody")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "posnode.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run", "^"+name+"$", "-test.count=1", "-test.v")
	cmd.Dir = base
	cmd.Env = append(os.Environ(), "HOME="+base, "TMPDIR=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Errorf("as the user nobody: %v\n%s", err, out)
	}
}

// A command's help says which config it takes without --config: the
// installed one for every command but run, the built-in defaults, no
// demo, for run.
func TestConfigFlagHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"staff", "add", "-h"}, installedConfig},
		{[]string{"backup", "-h"}, installedConfig},
		{[]string{"doctor", "-h"}, installedConfig},
		{[]string{"run", "-h"}, "built-in settings: data in ./data, UI on localhost:8080, offline, no demo"},
	} {
		var out strings.Builder
		if err := run(t.Context(), c.args, &out, &out); !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%v: %v", c.args, err)
		}
		if !strings.Contains(out.String(), c.want) {
			t.Errorf("%v: the help of -config does not name %s:\n%s", c.args, c.want, out.String())
		}
	}
}

// What staff add would refuse is refused before the PIN is asked for,
// not after it was typed twice: none is given here.
func TestStaffAddRefusesBeforePIN(t *testing.T) {
	dir := t.TempDir()
	add := func(pin string, args ...string) error {
		return cmdStaff(context.Background(), append([]string{"add", "--data", dir}, args...), strings.NewReader(pin), io.Discard, io.Discard)
	}
	if err := add("482913\n", "--id", "7", "--name", "Ana", "--role", "manager"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"number taken", []string{"--id", "7", "--name", "Other", "--role", "cashier"}, "taken"},
		{"bad number", []string{"--id", "x8", "--name", "Bo", "--role", "cashier"}, "staff number"},
		{"no name", []string{"--id", "8", "--role", "cashier"}, "name"},
		{"unknown language", []string{"--id", "8", "--name", "Bo", "--role", "cashier", "--language", "xx"}, "language"},
	} {
		if err := add("", c.args...); err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "no PIN given") {
			t.Errorf("%s: staff add = %v, want an error naming %q before any PIN", c.name, err, c.want)
		}
	}
}

// `sudo posnode staff add` leaves the database the service user's, or the
// node would refuse to start on it.
func TestStaffAddAsRootLeavesDatabaseServiceUsers(t *testing.T) {
	dir := serviceDir(t)
	if err := cmdStaff(context.Background(), []string{"add", "--data", dir, "--id", "1", "--name", "Ana", "--role", "manager"}, strings.NewReader("482913\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"posnode.db", "posnode.db-wal", "posnode.db-shm", "posnode.lock"} {
		if _, err := os.Stat(filepath.Join(dir, f)); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if uid := ownerOf(t, filepath.Join(dir, f)); uid != 65534 {
			t.Errorf("%s owned by uid %d after staff add as root, want the data directory's owner 65534", f, uid)
		}
	}
}

// staff add with no config, no --data and no installed node refuses,
// instead of making a new node's ./data wherever it was typed (as root,
// root's: a node started on it could not write it).
func TestStaffAddMakesNoDataDirectory(t *testing.T) {
	was := installedConfig
	installedConfig = filepath.Join(t.TempDir(), "none.toml")
	t.Cleanup(func() { installedConfig = was })
	t.Chdir(t.TempDir())
	err := cmdStaff(context.Background(), []string{"add", "--id", "1", "--name", "Ana", "--role", "manager"}, strings.NewReader("482913\n"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no data directory at ./data") || !strings.Contains(err.Error(), "--config") {
		t.Errorf("staff add with no node = %v, want it refused, naming --config", err)
	}
	if _, err := os.Stat("data"); err == nil {
		t.Errorf("./data was made in the working directory")
	}
	if os.Geteuid() == 0 {
		// As root, a --data that does not exist is refused too.
		dir := filepath.Join(t.TempDir(), "new")
		if err := cmdStaff(context.Background(), []string{"add", "--data", dir, "--id", "1", "--name", "Ana", "--role", "manager"}, strings.NewReader("482913\n"), io.Discard, io.Discard); err == nil {
			t.Errorf("staff add as root made a data directory %s", dir)
		}
	}
}
