package ui

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestBackOfficeRoutesDocumented keeps docs/openapi.yaml in step with the
// click-and-collect and after-sales routes.
func TestBackOfficeRoutesDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	route := regexp.MustCompile(`s\.Handle\("([A-Z]+) (/[^"]+)"`)
	n := 0
	for _, file := range []string{"pickup.go", "aftersales.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range route.FindAllStringSubmatch(string(src), -1) {
			n++
			method, path := strings.ToLower(m[1]), m[2]
			i := strings.Index(doc, "\n  "+path+":\n")
			if i < 0 {
				t.Errorf("%s %s is not in docs/openapi.yaml", m[1], path)
				continue
			}
			block := doc[i+len(path)+4:]
			if j := regexp.MustCompile(`\n  /`).FindStringIndex(block); j != nil {
				block = block[:j[0]]
			}
			if !strings.Contains(block, "\n    "+method+":") {
				t.Errorf("%s %s: the method is not in docs/openapi.yaml", m[1], path)
			}
		}
	}
	if n < 40 {
		t.Fatalf("found only %d routes in the sources", n)
	}
}
