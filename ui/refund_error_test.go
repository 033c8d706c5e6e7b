package ui_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/posnode/posnode/pos"
)

// TestRefundedButNotRecordedIsSaid: a void or return whose card was
// refunded but which could not be recorded answers refunded_not_recorded
// with the refund, whatever error kept it from being recorded (here one
// with a code of its own), and every language has words for it.
func TestRefundedButNotRecordedIsSaid(t *testing.T) {
	s := newStore(t)
	err := fmt.Errorf("void: %w", &pos.RefundedError{Cards: []string{"129900 (A1B2)"}, Err: pos.ErrNotLastSale})
	e, st := s.server.Classify(err)
	if st != 500 || e.Code != "refunded_not_recorded" || !strings.Contains(e.Message, "129900 (A1B2)") {
		t.Errorf("answered %d %+v", st, e)
	}
	if e, _ := s.server.Classify(errors.New("x")); e.Code != "internal" {
		t.Errorf("a plain error answered %+v", e)
	}
	for _, lang := range []string{"en", "sv", "sk", "ro", "zh-Hant"} {
		b, err := os.ReadFile("web/i18n/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m["err.refunded_not_recorded"] == "" {
			t.Errorf("%s has no err.refunded_not_recorded", lang)
		}
	}
}
