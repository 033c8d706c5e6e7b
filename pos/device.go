package pos

import (
	"errors"
	"time"
)

// Device is a screen paired with the node without a staff login: a tablet
// or a customer display. It asks for pairing with a short Code, a manager
// approves it with a Role and Station, and it then holds a token that
// authenticates it until the device is revoked.
type Device struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Role       Role      `json:"role"` // RoleNone until approved
	Station    string    `json:"station"`
	Code       string    `json:"code,omitempty"` // the pairing code, until the device has its token
	CreatedAt  time.Time `json:"created_at"`
	ApprovedBy string    `json:"approved_by,omitempty"` // staff id
	ApprovedAt time.Time `json:"approved_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// ErrPairingUnknown: no pending pairing has this id, secret or code, or
// it expired. The device starts again with a new code.
var ErrPairingUnknown = errors.New("pos: unknown or expired pairing")
