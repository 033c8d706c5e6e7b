package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

// A station is signed in while a member has a live session there, and
// while a device paired for it holds its token: such a device is signed
// in from its pairing on, with no PIN of its own, until it is revoked.
// A till run from a paired device counted as nobody's, and its serial
// scanner's every code was refused.
func TestSignedIn(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pos.db"), sqlite.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	signedIn := func(station string, want bool) {
		t.Helper()
		if in, err := db.SignedIn(ctx, station); err != nil || in != want {
			t.Fatalf("SignedIn(%s) = %v, %v; want %v", station, in, err, want)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	signedIn("till-1", false)

	// A member's session, until it ends or expires.
	must(db.CreateSession(ctx, "s1", pos.Session{Staff: pos.Staff{ID: "1"}, Station: "till-1", ExpiresAt: now.Add(time.Hour)}))
	signedIn("till-1", true)
	signedIn("till-2", false)
	must(db.DeleteSession(ctx, "s1"))
	signedIn("till-1", false)
	must(db.CreateSession(ctx, "s2", pos.Session{Staff: pos.Staff{ID: "1"}, Station: "till-1", ExpiresAt: now.Add(-time.Minute)}))
	signedIn("till-1", false)

	// A device paired for till-2: signed in once it holds its token,
	// not while the pairing waits, and no longer once revoked.
	must(db.CreateDevice(ctx, pos.Device{ID: "dev1", Name: "Till 2", Code: "123456", CreatedAt: now}, "secret"))
	_, err = db.ApproveDevice(ctx, "dev1", "123456", pos.RoleCashier, "till-2", "3")
	must(err)
	signedIn("till-2", false)
	_, _, err = db.PollDevice(ctx, "dev1", "secret", "tok")
	must(err)
	signedIn("till-2", true)
	signedIn("till-1", false)
	must(db.RevokeDevice(ctx, "dev1"))
	signedIn("till-2", false)
}
