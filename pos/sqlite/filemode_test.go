package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The database and its write-ahead log hold customers' names and phones
// and the staff's PIN hashes: no other user of the box reads them, whatever
// the umask of whoever started the node, and a file an earlier version left
// readable by everyone is closed to them at the next start (its group, the
// service's, keeps what it had).
func TestDatabaseFilesNotWorldReadable(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "posnode.db")
	check := func(when string, mask os.FileMode, want string) {
		t.Helper()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if m := st.Mode().Perm(); m&mask != 0 {
				t.Errorf("%s: %s has mode %v, want %s", when, filepath.Base(p), m, want)
			}
		}
	}
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check("new database", 0o077, "0600")
	db.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	db, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check("database of mode 0644 opened again", 0o007, "none for others")
}
