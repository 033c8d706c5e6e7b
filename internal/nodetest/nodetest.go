// Package nodetest helps tests that run the real posnode binary: it builds
// the binary once per test process and collects a process's output safely
// while the process writes it.
package nodetest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// Build builds cmd/posnode once per test process and returns the binary's
// path.
var Build = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "posnode-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "posnode")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/posnode/posnode/cmd/posnode").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// Buffer is an io.Writer that a process or goroutines write while a test
// reads it.
type Buffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
