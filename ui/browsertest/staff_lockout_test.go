package browsertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// A member locked out by wrong PINs shows so on the manager's staff page,
// and a PIN reset there ends it.
func TestManagerSeesLockOut(t *testing.T) {
	t.Parallel()
	base := startNode(t)
	manager := browser(t)
	login(t, manager, base, tillStation, "3", "3333")
	for i := 0; i < 6; i++ {
		b, _ := json.Marshal(map[string]string{"staff": cashierStaff, "pin": "9999", "station": tillStation})
		resp, err := http.Post(base+"/api/v1/login", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	row := `[data-test=staff] tr[data-staff="` + cashierStaff + `"]`
	run(t, manager, "the staff page shows the cashier locked out",
		click(`[data-test=nav-manager]`), visible(`.manager`),
		click(`[data-tab=staff]`),
		hasText(row, "locked out after wrong PINs"))
	run(t, manager, "a PIN reset ends the lock-out",
		click(row+` [data-test=staff-pin]`),
		keypad("5681", `[data-test=pad-ok]`),
		hasText(row, "active"))
	if got := text(t, manager, row); bytes.Contains([]byte(got), []byte("locked out")) {
		t.Fatalf("after the reset the row reads %q", got)
	}
}
