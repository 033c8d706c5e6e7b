package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRoutesDocumented keeps docs/openapi.yaml in step with every route
// the package registers, including those that need no session, and with
// the error codes features register.
func TestRoutesDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	route := regexp.MustCompile(`s\.(?:Handle|mux\.HandleFunc)\("([A-Z]+) (/[^"]+)"`)
	registered := regexp.MustCompile(`RegisterError\([\w.]+, "(\w+)"`)
	routes, codes := 0, 0
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range route.FindAllStringSubmatch(string(src), -1) {
			routes++
			method, path := strings.ToLower(m[1]), m[2]
			i := strings.Index(doc, "\n  "+path+":\n")
			if i < 0 {
				t.Errorf("%s: %s %s is not in docs/openapi.yaml", file, m[1], path)
				continue
			}
			block := doc[i+len(path)+4:]
			if j := regexp.MustCompile(`\n  /`).FindStringIndex(block); j != nil {
				block = block[:j[0]]
			}
			if !strings.Contains(block, "\n    "+method+":") {
				t.Errorf("%s: %s %s: the method is not in docs/openapi.yaml", file, m[1], path)
			}
		}
		for _, m := range registered.FindAllStringSubmatch(string(src), -1) {
			codes++
			if !strings.Contains(doc, m[1]) {
				t.Errorf("%s: error code %q is not in docs/openapi.yaml", file, m[1])
			}
		}
	}
	if routes < 90 || codes < 5 {
		t.Fatalf("found only %d routes and %d registered codes in the sources", routes, codes)
	}
}
