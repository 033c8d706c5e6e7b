package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// errRunning reports that a posnode process holds the data directory.
var errRunning = errors.New("posnode is running on this data directory")

// lockName is the lock file in the data directory. `posnode run` holds an
// exclusive flock on it for as long as it runs; restore takes the same lock
// so that it never replaces a database under a running node. The kernel
// drops the lock when the process dies, however it dies, so a stale file
// never blocks anything.
const lockName = "posnode.lock"

// lockData takes the data directory's lock without waiting. It fails with
// errRunning, naming the holder's pid, when another process has it.
func lockData(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	chownLike(path, dir)
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := ""
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = fmt.Sprintf(" (pid %d)", pid)
			}
			return nil, fmt.Errorf("%w%s: %s; stop it first (systemctl stop posnode)", errRunning, holder, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The pid is only for the message above; the flock is the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// dataLocked reports whether a process holds the data directory's lock,
// without creating or changing anything.
func dataLocked(dir string) (holder string, locked bool) {
	path := filepath.Join(dir, lockName)
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		if b, rerr := os.ReadFile(path); rerr == nil && strings.TrimSpace(string(b)) != "" {
			holder = " (pid " + strings.TrimSpace(string(b)) + ")"
		}
		return holder, errors.Is(err, syscall.EWOULDBLOCK)
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return "", false
}
