package pos

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Role is what a member of staff may do. Higher roles may do everything the
// lower ones may.
type Role int

// Roles, lowest first.
const (
	RoleNone Role = iota
	RoleCashier
	RoleSupervisor
	RoleManager
)

var roleNames = []string{"none", "cashier", "supervisor", "manager"}

func (r Role) String() string {
	if r < 0 || int(r) >= len(roleNames) {
		return "none"
	}
	return roleNames[r]
}

// ParseRole parses a role name.
func ParseRole(s string) (Role, error) {
	for i, n := range roleNames {
		if i > 0 && n == s {
			return Role(i), nil
		}
	}
	return RoleNone, fmt.Errorf("pos: unknown role %q (cashier, supervisor or manager)", s)
}

// MarshalText encodes the role by name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText decodes a role name.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	*r = v
	return err
}

// Staff is a member of the store's staff.
type Staff struct {
	ID       string `json:"id"` // the staff number typed at login
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	Language string `json:"language"`
	PINHash  string `json:"-"`
	Active   bool   `json:"active"`
}

// Session is a logged-in member of staff at a station, possibly on a
// paired device.
type Session struct {
	Staff     Staff
	Station   string
	DeviceID  string
	ExpiresAt time.Time
	// Client is the network address of the request the session is used
	// for: set per request, never stored.
	Client string
}

// Errors of authentication.
var (
	ErrBadPIN        = errors.New("pos: wrong staff number or PIN")
	ErrLockedOut     = errors.New("pos: too many wrong PINs; wait and try again")
	ErrWeakPIN       = errors.New("pos: a PIN is 4 to 12 digits")
	ErrForbidden     = errors.New("pos: your role may not do this")
	ErrNotAuthorized = errors.New("pos: log in first")
)

const pinIterations = 60_000

// HashPIN returns a salted PBKDF2-SHA256 hash of pin in the form
// "pbkdf2-sha256$iterations$salt$hash".
func HashPIN(pin string) (string, error) {
	if len(pin) < 4 || len(pin) > 12 || !allDigits(pin) {
		return "", ErrWeakPIN
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, pin, salt, pinIterations, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", pinIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPIN reports whether pin matches a hash made by HashPIN, in time
// independent of where they differ.
func CheckPIN(hash, pin string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// Limiter locks out a key (a staff number, a device, an order) after
// repeated failures: after Free failures each further one doubles the lock,
// from Base up to Max. A key's failures are forgotten once Max has passed
// since the last of them; Succeed clears a key at once.
type Limiter struct {
	Free int           // failures allowed before a lock; 0 means 5
	Base time.Duration // first lock; 0 means 30 s
	Max  time.Duration // longest lock; 0 means 15 min

	mu    sync.Mutex // guards fails
	fails map[string]*failures
}

type failures struct {
	n     int
	first time.Time // the first failure of this run
	last  time.Time // the latest failure
	until time.Time // locked before this
}

func (l *Limiter) defaults() (int, time.Duration, time.Duration) {
	free, base, mx := l.Free, l.Base, l.Max
	if free == 0 {
		free = 5
	}
	if base == 0 {
		base = 30 * time.Second
	}
	if mx == 0 {
		mx = 15 * time.Minute
	}
	return free, base, mx
}

// Allow returns ErrLockedOut, wrapped with the time left, if key is locked
// at now.
func (l *Limiter) Allow(key string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.fails[key]; f != nil && now.Before(f.until) {
		return fmt.Errorf("%w (%d s)", ErrLockedOut, int(f.until.Sub(now).Seconds())+1)
	}
	return nil
}

// Fail records a failure for key at now.
func (l *Limiter) Fail(key string, now time.Time) {
	free, base, mx := l.defaults()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fails == nil {
		l.fails = map[string]*failures{}
	}
	if len(l.fails) > 10_000 { // forget expired keys so the map stays small
		for k, f := range l.fails {
			if now.After(f.until) && (f.n < free || now.Sub(f.last) >= mx) {
				delete(l.fails, k)
			}
		}
	}
	f := l.fails[key]
	if f == nil || (now.After(f.until) && now.Sub(f.last) >= mx) {
		f = &failures{first: now}
		l.fails[key] = f
	}
	f.n++
	f.last = now
	if f.n >= free {
		d := base << min(f.n-free, 20)
		f.until = now.Add(min(d, mx))
	}
}

// Succeed clears key.
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// keys lists the keys with failures recorded that match.
func (l *Limiter) keys(match func(string) bool) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for k := range l.fails {
		if match(k) {
			out = append(out, k)
		}
	}
	return out
}

// Forgive takes the failures recorded under part back from key and clears
// part: failures that a later success showed to be slips rather than
// guesses. key's lock is worked out again from what remains.
func (l *Limiter) Forgive(key, part string) {
	free, base, mx := l.defaults()
	l.mu.Lock()
	defer l.mu.Unlock()
	p, f := l.fails[part], l.fails[key]
	delete(l.fails, part)
	if p == nil || f == nil || p.last.Before(f.first) {
		return // slips from before key's run have aged out of it already
	}
	if f.n -= p.n; f.n <= 0 {
		delete(l.fails, key)
		return
	}
	f.until = time.Time{}
	if f.n >= free {
		f.until = f.last.Add(min(base<<min(f.n-free, 20), mx))
	}
}

// Policy says which cart actions a cashier may do alone. Actions beyond it
// need a supervisor's approval. The zero value needs approval for every
// discount and override.
type Policy struct {
	// CashierDiscountBP is the largest discount, as a share of what it
	// applies to, a cashier may give alone.
	CashierDiscountBP int64 `json:"cashier_discount_bp" toml:"cashier_discount_bp"`
	// CashierDiscountAmount is the largest discount in minor units a
	// cashier may give alone.
	CashierDiscountAmount int64 `json:"cashier_discount_amount" toml:"cashier_discount_amount"`
	// CashierOverride lets cashiers override prices downwards by at most
	// CashierDiscountBP without approval.
	CashierOverride bool `json:"cashier_override" toml:"cashier_override"`
}

// DefaultPolicy lets cashiers give up to 10 % and at most 100.00 alone.
func DefaultPolicy() Policy {
	return Policy{CashierDiscountBP: 1000, CashierDiscountAmount: 10000, CashierOverride: true}
}

// needsApproval reports whether taking off off out of amount needs a
// supervisor when done by role.
func (p Policy) needsApproval(role Role, off, amount int64) bool {
	if role >= RoleSupervisor || off <= 0 {
		return false
	}
	if off > p.CashierDiscountAmount {
		return true
	}
	return amount > 0 && off*10000 > p.CashierDiscountBP*amount
}
