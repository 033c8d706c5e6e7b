package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posnode/posnode/internal/brokertest"
	"github.com/posnode/posnode/internal/nodetest"
	"github.com/posnode/posnode/pos/sqlite"
)

// serviceDir is a data directory owned by another user than root, as
// /var/lib/posnode is the user posnode's. The test needs root to give it
// away.
func serviceDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to own files as another user")
	}
	dir := t.TempDir()
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	return dir
}

func ownerOf(t *testing.T, path string) uint32 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Uid
}

// `sudo posnode import catalog` on a stopped node leaves the database the
// service user's, or the node could not record a sale once started.
func TestImportAsRootLeavesDatabaseServiceUsers(t *testing.T) {
	dir := serviceDir(t)
	csv := writeConfig(t, string(demoCatalog))
	if err := cmdImportCatalog(context.Background(), csv, []string{"--data", dir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"posnode.db", "posnode.db-wal", "posnode.db-shm"} {
		if _, err := os.Stat(dir + "/" + f); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if uid := ownerOf(t, dir+"/"+f); uid != 65534 {
			t.Errorf("%s owned by uid %d after import as root, want the data directory's owner 65534", f, uid)
		}
	}
}

// Doctor, run as root as the guide says, tells a database the service's
// user cannot write, and a data directory every user of the box can read.
func TestDoctorDatabaseOwner(t *testing.T) {
	dir := serviceDir(t)
	cfg := DefaultConfig()
	cfg.Data = dir
	db, err := openDB(context.Background(), cfg, sqlite.Options{}) // as root: root's files
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = cmdDoctor(context.Background(), []string{"--data", dir}, &out, io.Discard)
	t.Log("\n" + out.String())
	if !errors.Is(err, errDoctorFailed) {
		t.Errorf("doctor = %v, want a failure", err)
	}
	for _, want := range []string{
		"FAIL  data      " + dir + "/posnode.db is owned by root",
		"fix: chown ",
		"WARN  data      " + dir + " can be read by every user",
		"chmod 0750 " + dir,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}

	// Given back to the service's user, nothing is left to tell.
	chownDB(cfg)
	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	_ = cmdDoctor(context.Background(), []string{"--data", dir}, &out, io.Discard)
	if strings.Contains(out.String(), "FAIL  data") || strings.Contains(out.String(), "WARN  data") {
		t.Errorf("doctor still finds the data directory wrong:\n%s", out.String())
	}
}

// A config file holding the broker's password, or a client key, that
// every user of the box can read is told, with the modes the package gives.
func TestDoctorSecretsReadable(t *testing.T) {
	dir := t.TempDir()
	key := writeConfig(t, "not a key, only its mode matters here")
	path := writeConfig(t, `
data = "`+dir+`"
store = "s1"
node = "till-1"
[mqtt]
url = "tcp://127.0.0.1:1"
username = "store-1"
password = "s3cret"
cert_file = "`+key+`"
key_file = "`+key+`"
`)
	doctor := func() string {
		var out bytes.Buffer
		_ = cmdDoctor(context.Background(), []string{"--config", path, "--timeout", "1s"}, &out, io.Discard)
		t.Log("\n" + out.String())
		return out.String()
	}
	if out := doctor(); strings.Contains(out, "every user of the box can read") {
		t.Errorf("files of mode 0600 are said to be readable by everyone")
	}
	for _, f := range []string{path, key} {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := doctor()
	for _, want := range []string{
		"WARN  config    every user of the box can read " + path + ", which holds the broker's password",
		"chmod 0640 " + path,
		"WARN  config    every user of the box can read " + key + ", the key of the broker's client certificate",
		"chmod 0640 " + key,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// The config file's warning names the secret it holds.
func TestDoctorSecretNamed(t *testing.T) {
	path := writeConfig(t, "data = \""+t.TempDir()+"\"\nstore = \"s1\"\nnode = \"till-1\"\n[metrics]\ntoken = \"t0ken-of-thirty-two-characters-xx\"\n")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_ = cmdDoctor(context.Background(), []string{"--config", path}, &out, io.Discard)
	if !strings.Contains(out.String(), "every user of the box can read "+path+", which holds the metrics token\n") {
		t.Errorf("the metrics token is not named:\n%s", out.String())
	}
}

// TestFirstBackupSoonOnANewNode: a node with no backup on disk takes its
// first once it has settled, not a whole interval after each start, which
// a box switched off every few hours never reached.
func TestFirstBackupSoonOnANewNode(t *testing.T) {
	cfg, db := testNodeDB(t, 1)
	cfg.Backup.Every.Duration = 6 * time.Hour
	b := newBackups(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if got := b.firstWait(); got != b.settle {
		t.Errorf("first backup of a node without one after %s, want %s", got, b.settle)
	}
	d := &doctor{cfg: cfg, now: time.Now}
	d.checkBackups()
	if len(d.out) != 1 || !strings.Contains(d.out[0].text, "the first is taken a minute after the node starts") {
		t.Errorf("doctor on a node without backups: %+v", d.out)
	}
}

// A data directory its owner, the node's user, cannot write is found by
// doctor run as root, which can write it all the same.
func TestDoctorDataDirNotWritableByOwner(t *testing.T) {
	dir := serviceDir(t)
	if err := os.Chmod(dir, 0o550); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := cmdDoctor(context.Background(), []string{"--data", dir}, &out, io.Discard)
	t.Log("\n" + out.String())
	if !errors.Is(err, errDoctorFailed) || !strings.Contains(out.String(), "FAIL  data      "+dir+" is not writable by "+userName(65534)+", its owner, whom the node runs as") ||
		!strings.Contains(out.String(), "fix: chmod 0750 "+dir) {
		t.Errorf("a data directory its owner cannot write is not found")
	}
	if strings.Contains(out.String(), "OK    data      "+dir+" is writable") {
		t.Errorf("the directory is said to be writable")
	}
}

// A node whose database its user may not write (left root's by a command
// run with sudo) does not start and says why, instead of answering ready
// and failing every sale.
func TestRunRefusesDatabaseItCannotWrite(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the node as another user")
	}
	bin, err := nodetest.Build()
	if err != nil {
		t.Fatal(err)
	}
	// A tree the user nobody can walk: t.TempDir's parents are root's only.
	base, err := os.MkdirTemp("", "posnode-owner")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+"/posnode", b, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := base + "/data"
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Data = dir
	db, err := openDB(context.Background(), cfg, sqlite.Options{}) // root's file
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	cmd := exec.Command(base+"/posnode", "run", "--demo=false", "--data", dir, "--http", "127.0.0.1:"+strconv.Itoa(brokertest.FreePort(t)))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out := &nodetest.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("the node exited 0:\n%s", out)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the node runs on a database it cannot write:\n%s", out)
	}
	if !strings.Contains(out.String(), dir+"/posnode.db cannot be written by "+userName(65534)) || !strings.Contains(out.String(), "chown "+userName(65534)) {
		t.Errorf("the node does not say why it cannot start:\n%s", out)
	}
}

// On a disk nearly full, doctor's advice says what the backups take, and
// does not send IT to delete backups there are none of.
func TestDoctorDiskFullAdvice(t *testing.T) {
	dir := t.TempDir()
	full := func(string) (int64, error) { return 100 << 20, nil }
	d := &doctor{cfg: Config{Data: dir}, free: full}
	d.checkDisk(dir)
	if len(d.out) != 1 || d.out[0].level != levelFail || !strings.Contains(d.out[0].fix, "there are no backups to delete") {
		t.Errorf("no backups: %+v", d.out)
	}
	if err := os.MkdirAll(dir+"/backups", 0o750); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"posnode-pre-migrate-7-to-12-20261207T035008Z.db", "posnode-20261207T030000Z.db"} {
		if err := os.WriteFile(dir+"/backups/"+f, make([]byte, 1<<20), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d = &doctor{cfg: Config{Data: dir}, free: full}
	d.checkDisk(dir)
	if len(d.out) != 1 || !strings.Contains(d.out[0].fix, "2 backups in "+dir+"/backups take 2.0 MiB") ||
		!strings.Contains(d.out[0].fix, "1 taken before a schema upgrade, of which the node keeps the newest two") {
		t.Errorf("backups to delete: %+v", d.out)
	}
}
