package pos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Errors of staff administration. Both are permanent for the request that
// caused them.
var (
	// ErrInvalidStaff reports a staff number, name, role or language that
	// cannot be used.
	ErrInvalidStaff = errors.New("pos: staff number is 1-8 digits, name 1-60 characters, role cashier, supervisor or manager, language one the node speaks")
	// ErrSelfChange reports a manager lowering their own role or
	// deactivating themselves, which another manager must do, so that a
	// store always keeps a manager who can sign in.
	ErrSelfChange = errors.New("pos: you cannot lower your own role or deactivate yourself; ask another manager")
	// ErrLastManager reports a change that would leave the store without
	// an active manager.
	ErrLastManager = errors.New("pos: the store must keep at least one active manager")
)

// StaffStore keeps the store's staff for the manager's pages. *sqlite.DB
// implements it.
type StaffStore interface {
	// ListStaff lists every member, active or not, by staff number.
	ListStaff(ctx context.Context) ([]Staff, error)
	// AddStaff stores a new member; ErrDuplicate (wrapped) when the staff
	// number is taken.
	AddStaff(ctx context.Context, st Staff) error
	// UpdateStaff changes member id in one transaction: f gets the member
	// and every member as stored (to check rules across the staff) and
	// changes the member in place; nothing is stored when f fails. It
	// returns the member as stored, or ErrNotFound (wrapped). A member
	// left inactive or given a new PIN has their sessions ended in the
	// same transaction, so that reactivating them revives none and a
	// reset PIN locks out whoever used the old one.
	UpdateStaff(ctx context.Context, id string, f func(st *Staff, all []Staff) error) (Staff, error)
}

// StaffChange is a manager's change to a member of staff. A nil field is
// left as it is; PIN, when not empty, replaces the member's PIN.
type StaffChange struct {
	Name     *string `json:"name,omitempty"`
	Role     *Role   `json:"role,omitempty"`
	Language *string `json:"language,omitempty"`
	Active   *bool   `json:"active,omitempty"`
	PIN      string  `json:"pin,omitempty"`
}

// StaffAdmin runs the manager's staff pages: add members, change their
// role, name or language, reset their PIN, deactivate and reactivate them.
//
// It keeps two rules: a manager never lowers their own role or deactivates
// themselves, and no change leaves the store without an active manager.
// A deactivated member cannot log in, and their sessions end.
type StaffAdmin struct {
	store StaffStore
}

// NewStaffAdmin returns a StaffAdmin over store.
func NewStaffAdmin(store StaffStore) *StaffAdmin { return &StaffAdmin{store: store} }

// List lists every member, active or not, by staff number.
func (a *StaffAdmin) List(ctx context.Context) ([]Staff, error) {
	return a.store.ListStaff(ctx)
}

func validStaffID(id string) bool {
	return len(id) >= 1 && len(id) <= 8 && allDigits(id)
}

func validName(n string) bool {
	n = strings.TrimSpace(n)
	return n != "" && utf8.RuneCountInString(n) <= 60
}

func validLanguage(l string) bool {
	return l == "" || slices.Contains(Languages, l)
}

func validRole(r Role) bool { return r >= RoleCashier && r <= RoleManager }

// CheckNewStaff reports, as Add does, an ErrInvalidStaff naming what
// keeps st from being added: its staff number, name, role or language. It
// lets a caller refuse before the PIN is asked for.
func CheckNewStaff(st Staff) error {
	switch {
	case !validStaffID(st.ID):
		return fmt.Errorf("%w: staff number %q", ErrInvalidStaff, st.ID)
	case !validName(st.Name):
		return fmt.Errorf("%w: name", ErrInvalidStaff)
	case !validRole(st.Role):
		return fmt.Errorf("%w: role", ErrInvalidStaff)
	case !validLanguage(st.Language):
		return fmt.Errorf("%w: language %q", ErrInvalidStaff, st.Language)
	}
	return nil
}

// Add adds an active member with st's staff number, name, role and
// language (empty: the device's) and pin as their first PIN, kept only as
// a hash.
func (a *StaffAdmin) Add(ctx context.Context, st Staff, pin string) (Staff, error) {
	st.Name = strings.TrimSpace(st.Name)
	if err := CheckNewStaff(st); err != nil {
		return Staff{}, err
	}
	h, err := HashPIN(pin)
	if err != nil {
		return Staff{}, err
	}
	st.PINHash, st.Active = h, true
	if err := a.store.AddStaff(ctx, st); err != nil {
		return Staff{}, fmt.Errorf("add staff %s: %w", st.ID, err)
	}
	return st, nil
}

// Change applies c to member id on behalf of the manager by (a staff
// number, or a paired device's session id).
func (a *StaffAdmin) Change(ctx context.Context, by, id string, c StaffChange) (Staff, error) {
	if c.Name != nil && !validName(*c.Name) {
		return Staff{}, fmt.Errorf("%w: name", ErrInvalidStaff)
	}
	if c.Role != nil && !validRole(*c.Role) {
		return Staff{}, fmt.Errorf("%w: role", ErrInvalidStaff)
	}
	if c.Language != nil && !validLanguage(*c.Language) {
		return Staff{}, fmt.Errorf("%w: language %q", ErrInvalidStaff, *c.Language)
	}
	var hash string
	if c.PIN != "" {
		h, err := HashPIN(c.PIN)
		if err != nil {
			return Staff{}, err
		}
		hash = h
	}
	return a.store.UpdateStaff(ctx, id, func(st *Staff, all []Staff) error {
		next := *st
		if c.Name != nil {
			next.Name = strings.TrimSpace(*c.Name)
		}
		if c.Role != nil {
			next.Role = *c.Role
		}
		if c.Language != nil {
			next.Language = *c.Language
		}
		if c.Active != nil {
			next.Active = *c.Active
		}
		if hash != "" {
			next.PINHash = hash
		}
		if err := checkStaffChange(by, *st, next, all); err != nil {
			return err
		}
		*st = next
		return nil
	})
}

// checkStaffChange keeps the rules of StaffAdmin for a change of member
// from old to next, with all the staff as stored.
func checkStaffChange(by string, old, next Staff, all []Staff) error {
	if old.ID == by && (next.Role < old.Role || !next.Active) {
		return ErrSelfChange
	}
	wasManager := old.Active && old.Role == RoleManager
	isManager := next.Active && next.Role == RoleManager
	if wasManager && !isManager {
		n := 0
		for _, m := range all {
			if m.ID != old.ID && m.Active && m.Role == RoleManager {
				n++
			}
		}
		if n == 0 {
			return ErrLastManager
		}
	}
	return nil
}
