package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/posnode/posnode/pos/sqlite"
)

// A data directory on a file system mounted read-only (a disk remounted
// so after errors, or a path the service's sandbox does not let it
// write) is said to be so, by the node and by doctor, not sent to chmod
// or chown what its owner may already write. The
// test mounts one in a mount namespace of its own, which needs root.
func TestDataOnReadOnlyFileSystem(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a read-only file system")
	}
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Data = filepath.Join(dir, "data")
	db, err := openDB(context.Background(), cfg, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	type result struct{ setup, err error }
	got := make(chan result, 1)
	doctorSays := make(chan []finding, 1)
	go func() {
		// The namespace is this thread's only; the thread ends with the
		// goroutine, never unlocked, and takes it along.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			got <- result{setup: err}
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			got <- result{setup: err}
			return
		}
		if err := unix.Mount(cfg.Data, cfg.Data, "", unix.MS_BIND, ""); err != nil {
			got <- result{setup: err}
			return
		}
		if err := unix.Mount("", cfg.Data, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			got <- result{setup: err}
			return
		}
		d := &doctor{cfg: cfg, now: time.Now, free: freeSpace}
		d.checkDataDir()
		doctorSays <- d.out
		got <- result{err: writableData(cfg)}
	}()
	r := <-got
	if r.setup != nil {
		t.Skipf("cannot mount a read-only file system here: %v", r.setup)
	}
	if err := r.err; err == nil || !strings.Contains(err.Error(), "read-only file system") || strings.Contains(err.Error(), "chmod") {
		t.Errorf("writableData on a read-only file system = %v, want it said, without a chmod", err)
	}
	for _, f := range <-doctorSays {
		if f.level == levelFail && (!strings.Contains(f.text, "read-only file system") || strings.Contains(f.fix, "chown")) {
			t.Errorf("doctor on a read-only file system: %s (fix: %s); want it said, without a chown", f.text, f.fix)
		}
	}
}
