package ui_test

import "testing"

// TestOwnSlipsDoNotLockTheTill has cashiers at one till mistype their own
// PINs now and then, each followed by a good login, many more times than
// the client's limit: the till never locks, since a good login takes back
// the client's failures on that staff number. Guesses at another staff
// number are not taken back (TestLoginLockoutSurvivesOwnLogins).
func TestOwnSlipsDoNotLockTheTill(t *testing.T) {
	s := newStore(t)
	for i := range 12 {
		staff := []string{"1", "2"}[i%2]
		s.fails(t, "", "POST", "/api/v1/login", map[string]string{"staff": staff, "pin": "0000", "station": "till-1"}, 401, "bad_pin")
		s.login(t, staff, "till-1")
	}
}
