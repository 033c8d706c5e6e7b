package pos

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidSKUAgreesWithItsPattern checks the hand-written SKU check
// against the pattern the contract states, over every short string of an
// alphabet that holds each class of byte it must tell apart.
func TestValidSKUAgreesWithItsPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9._\-/]{1,64}$`)
	const alphabet = "aZ09._-/ :\\\x00é"
	var walk func(prefix string, depth int)
	checked := 0
	walk = func(prefix string, depth int) {
		if got, want := validSKU(prefix), pattern.MatchString(prefix); got != want {
			t.Errorf("validSKU(%q) = %v, the pattern says %v", prefix, got, want)
		}
		checked++
		if depth == 0 {
			return
		}
		for _, r := range alphabet {
			walk(prefix+string(r), depth-1)
		}
	}
	walk("", 3)
	for _, s := range []string{strings.Repeat("a", 64), strings.Repeat("a", 65), strings.Repeat("9", 63) + "é"} {
		if got, want := validSKU(s), pattern.MatchString(s); got != want {
			t.Errorf("validSKU(%q) = %v, the pattern says %v", s, got, want)
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d strings checked", checked)
	}
}
