package ui_test

import (
	"testing"
)

// TestLoginLockoutSurvivesOwnLogins alternates wrong PINs against other
// staff numbers with good logins of the caller's own: the client's
// failures still add up to a lock-out.
func TestLoginLockoutSurvivesOwnLogins(t *testing.T) {
	s := newStore(t)
	guess := func(staff string) map[string]string {
		return map[string]string{"staff": staff, "pin": "0000", "station": "till-1"}
	}
	for i := range 4 {
		s.fails(t, "", "POST", "/api/v1/login", guess([]string{"2", "3"}[i%2]), 401, "bad_pin")
		s.login(t, "1", "till-1")
	}
	s.fails(t, "", "POST", "/api/v1/login", guess("2"), 401, "bad_pin")
	s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": "1", "pin": "1111", "station": "till-1"}, 429, "locked_out")
}
