package pos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors of staff administration. All are permanent for the request that
// caused them.
var (
	// ErrInvalidStaff reports a staff number, name, role or language that
	// cannot be used.
	ErrInvalidStaff = errors.New("pos: staff number is 1-8 digits, name 1-60 characters on one line, role cashier, supervisor or manager, language one the node speaks")
	// ErrSelfChange reports a manager lowering their own role or
	// deactivating themselves, which another manager must do, so that a
	// store always keeps a manager who can sign in.
	ErrSelfChange = errors.New("pos: you cannot lower your own role or deactivate yourself; ask another manager")
	// ErrLastManager reports a change that would leave the store without
	// an active manager.
	ErrLastManager = errors.New("pos: the store must keep at least one active manager")
	// ErrGuessablePIN reports a new PIN that is among the first a
	// stranger at a till would try: see GuessablePIN.
	ErrGuessablePIN = errors.New("pos: a PIN of one digit repeated, of digits in a row or of the staff number is too easy to guess")
)

// GuessablePIN reports whether pin, chosen for staff number id, is among
// the first PINs anyone at a till would try: one digit repeated (1111),
// digits in a row up or down (1234, 9876, 7890), or the staff number
// itself. The login's lock-out allows a few tries before it locks a
// staff number, which such a PIN would not outlast.
func GuessablePIN(pin, id string) bool {
	if pin == id {
		return true
	}
	same, up, down := true, true, true
	for i := 1; i < len(pin); i++ {
		d := (int(pin[i]) - int(pin[i-1]) + 10) % 10
		same = same && d == 0
		up = up && d == 1
		down = down && d == 9
	}
	return same || up || down
}

// StaffStore keeps the store's staff for the manager's pages. *sqlite.DB
// implements it.
type StaffStore interface {
	// ListStaff lists every member, active or not, by staff number.
	ListStaff(ctx context.Context) ([]Staff, error)
	// AddStaff stores a new member, added by the manager by, and
	// journals it (JournalStaff, StaffJournalData) in the same
	// transaction; ErrDuplicate (wrapped) when the staff number is taken.
	AddStaff(ctx context.Context, st Staff, by string) error
	// UpdateStaff changes member id on behalf of the manager by in one
	// transaction: f gets the member and every member as stored (to check
	// rules across the staff) and changes the member in place; nothing is
	// stored when f fails. A change is journalled (JournalStaff,
	// StaffJournalData) in the same transaction. It returns the member as
	// stored, or ErrNotFound (wrapped). A member left inactive or given a
	// new PIN has their sessions ended in the same transaction, so that
	// reactivating them revives none and a reset PIN locks out whoever
	// used the old one.
	UpdateStaff(ctx context.Context, id, by string, f func(st *Staff, all []Staff) error) (Staff, error)
}

// StaffByCommand is the By of a member added at the node's own command
// line (posnode staff add) rather than by a manager signed in.
const StaffByCommand = "command"

// Changes of a member of staff, as StaffJournalData names them.
const (
	StaffAdded    = "added"
	StaffChanged  = "changed"   // name, role, language or active
	StaffPINReset = "pin_reset" // a new PIN, with or without other changes
)

// StaffJournalData is the journal entry of a manager's change to a member
// of staff: who made it, what it was and the member as it left them. It
// never holds the PIN or its hash.
type StaffJournalData struct {
	Staff    string `json:"staff"`
	By       string `json:"by"`     // the manager's staff number, or StaffByCommand
	Change   string `json:"change"` // StaffAdded, StaffChanged or StaffPINReset
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	Language string `json:"language,omitempty"`
	Active   bool   `json:"active"`
}

// NewStaffJournalData is the journal entry of member st's change by the
// manager by; old is the member before it (nil when st was added).
func NewStaffJournalData(by string, old *Staff, st Staff) StaffJournalData {
	change := StaffAdded
	if old != nil {
		change = StaffChanged
		if old.PINHash != st.PINHash {
			change = StaffPINReset
		}
	}
	return StaffJournalData{Staff: st.ID, By: by, Change: change, Name: st.Name, Role: st.Role, Language: st.Language, Active: st.Active}
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

// validName reports whether n, trimmed, is a name to show: 1-60
// characters, at least one that prints, and no control characters, which
// would break the line a screen, a receipt or the journal shows it on, or
// reach a printer as a command.
func validName(n string) bool {
	n = strings.TrimSpace(n)
	if n == "" || utf8.RuneCountInString(n) > 60 {
		return false
	}
	seen := false
	for _, r := range n {
		if unicode.IsControl(r) {
			return false
		}
		seen = seen || (unicode.IsGraphic(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r))
	}
	return seen
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

// Add adds, on behalf of the manager by, an active member with st's staff
// number, name, role and language (empty: the device's) and pin as their
// first PIN, kept only as a hash.
func (a *StaffAdmin) Add(ctx context.Context, by string, st Staff, pin string) (Staff, error) {
	st.Name = strings.TrimSpace(st.Name)
	if err := CheckNewStaff(st); err != nil {
		return Staff{}, err
	}
	h, err := HashPIN(pin)
	if err != nil {
		return Staff{}, err
	}
	if GuessablePIN(pin, st.ID) {
		return Staff{}, ErrGuessablePIN
	}
	st.PINHash, st.Active = h, true
	if err := a.store.AddStaff(ctx, st, by); err != nil {
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
		if GuessablePIN(c.PIN, id) {
			return Staff{}, ErrGuessablePIN
		}
		hash = h
	}
	return a.store.UpdateStaff(ctx, id, by, func(st *Staff, all []Staff) error {
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
