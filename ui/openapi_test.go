package ui

import (
	"os"
	"strings"
	"testing"
)

// TestErrorCodesDocumented keeps docs/openapi.yaml's list of error codes in
// step with the codes the server sends.
func TestErrorCodesDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, e := range errorCodes {
		if !strings.Contains(doc, e.code) {
			t.Errorf("error code %q is not in docs/openapi.yaml", e.code)
		}
	}
}
