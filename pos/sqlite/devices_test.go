package sqlite_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
)

func TestDevicePairing(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db := openDBAt(t, &now)

	d := pos.Device{ID: "dev1", Name: "Tablet 1", Code: "123456", CreatedAt: now}
	if err := db.CreateDevice(ctx, d, "secret"); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateDevice(ctx, pos.Device{ID: "dev2", Name: "x", Code: "123456", CreatedAt: now}, "s2"); !errors.Is(err, pos.ErrDuplicate) {
		t.Fatalf("second pending device with the same code: %v, want ErrDuplicate", err)
	}
	if n, err := db.PendingDevices(ctx); err != nil || n != 1 {
		t.Fatalf("PendingDevices = %d, %v; want 1", n, err)
	}

	// Pending: polling answers without a token; a wrong secret is unknown.
	if _, issued, err := db.PollDevice(ctx, "dev1", "secret", "tok"); err != nil || issued {
		t.Fatalf("poll while pending: issued %v, %v", issued, err)
	}
	if _, _, err := db.PollDevice(ctx, "dev1", "wrong", "tok"); !errors.Is(err, pos.ErrPairingUnknown) {
		t.Fatalf("poll with a wrong secret: %v", err)
	}
	if _, err := db.DeviceByToken(ctx, "tok"); !errors.Is(err, pos.ErrNotAuthorized) {
		t.Fatalf("token before approval: %v", err)
	}

	// Approval needs the code shown on the device.
	if _, err := db.ApproveDevice(ctx, "dev1", "654321", pos.RoleCashier, "tablet", "3"); !errors.Is(err, pos.ErrPairingUnknown) {
		t.Fatalf("approve with a wrong code: %v", err)
	}
	got, err := db.ApproveDevice(ctx, "dev1", "123456", pos.RoleCashier, "tablet", "3")
	if err != nil || got.Role != pos.RoleCashier || got.Station != "tablet" || got.ApprovedBy != "3" {
		t.Fatalf("approve: %+v, %v", got, err)
	}

	// The first poll after approval hands out the token, once.
	if _, issued, err := db.PollDevice(ctx, "dev1", "secret", "tok"); err != nil || !issued {
		t.Fatalf("poll after approval: issued %v, %v", issued, err)
	}
	if _, _, err := db.PollDevice(ctx, "dev1", "secret", "tok2"); !errors.Is(err, pos.ErrPairingUnknown) {
		t.Fatalf("second poll after the token was issued: %v", err)
	}
	dev, err := db.DeviceByToken(ctx, "tok")
	if err != nil || dev.ID != "dev1" || dev.Role != pos.RoleCashier || dev.Code != "" {
		t.Fatalf("DeviceByToken: %+v, %v", dev, err)
	}

	// Revoked: the token stops working at once, and stays listed.
	if err := db.RevokeDevice(ctx, "dev1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeviceByToken(ctx, "tok"); !errors.Is(err, pos.ErrNotAuthorized) {
		t.Fatalf("token after revocation: %v", err)
	}
	if err := db.RevokeDevice(ctx, "dev1"); !errors.Is(err, pos.ErrNotFound) {
		t.Fatalf("revoke twice: %v", err)
	}
	list, err := db.Devices(ctx)
	if err != nil || len(list) != 1 || list[0].RevokedAt.IsZero() {
		t.Fatalf("Devices = %+v, %v", list, err)
	}
}

func TestDevicePairingExpires(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db := openDBAt(t, &now)
	if err := db.CreateDevice(ctx, pos.Device{ID: "dev1", Name: "Tablet", Code: "111111", CreatedAt: now}, "secret"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(sqlite.PairingTTL + time.Second)
	if _, err := db.ApproveDevice(ctx, "dev1", "111111", pos.RoleCashier, "tablet", "3"); !errors.Is(err, pos.ErrPairingUnknown) {
		t.Fatalf("approve an expired pairing: %v", err)
	}
	if _, _, err := db.PollDevice(ctx, "dev1", "secret", "tok"); !errors.Is(err, pos.ErrPairingUnknown) {
		t.Fatalf("poll an expired pairing: %v", err)
	}
	if n, err := db.PendingDevices(ctx); err != nil || n != 0 {
		t.Fatalf("PendingDevices after expiry = %d, %v", n, err)
	}
	// An expired code may be drawn again.
	if err := db.CreateDevice(ctx, pos.Device{ID: "dev2", Name: "Tablet", Code: "111111", CreatedAt: now}, "s"); err != nil {
		t.Fatalf("reuse an expired code: %v", err)
	}
}

// A pairing withdrawn before approval (the queue was full, or the device
// asked again) is forgotten a day later, as an expired one is: requests
// that need no sign-in leave no rows behind for good. A device revoked
// after it was paired stays listed.
func TestWithdrawnPairingsAreForgotten(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db := openDBAt(t, &now)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.CreateDevice(ctx, pos.Device{ID: "paired", Name: "Tablet", Code: "111111", CreatedAt: now}, "s1"))
	_, err := db.ApproveDevice(ctx, "paired", "111111", pos.RoleCashier, "tablet", "3")
	must(err)
	_, _, err = db.PollDevice(ctx, "paired", "s1", "tok")
	must(err)
	must(db.RevokeDevice(ctx, "paired"))
	must(db.CreateDevice(ctx, pos.Device{ID: "withdrawn", Name: "Tablet", Code: "222222", CreatedAt: now}, "s2"))
	must(db.RevokeDevice(ctx, "withdrawn"))
	now = now.Add(25 * time.Hour)
	must(db.CreateDevice(ctx, pos.Device{ID: "new", Name: "Tablet", Code: "333333", CreatedAt: now}, "s3"))
	ds, err := db.Devices(ctx)
	must(err)
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	if slices.Contains(ids, "withdrawn") || !slices.Contains(ids, "paired") || !slices.Contains(ids, "new") {
		t.Fatalf("devices %v, want the paired one and the new one", ids)
	}
}
