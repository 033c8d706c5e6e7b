package pos

import (
	"errors"
	"testing"
)

func TestCanonicalVoucherCode(t *testing.T) {
	for _, tc := range []struct {
		name, typed, want string
		err               error
	}{
		{"own digits", "9123456789012345", "9123456789012345", nil},
		{"upper case", "GC-7001", "GC-7001", nil},
		{"lower case", "gc-7001", "GC-7001", nil},
		{"mixed case", "gC-7001", "GC-7001", nil},
		{"typed in groups", "9123 4567 8901 2345", "9123456789012345", nil},
		{"space and tab around", " gc-7001\t", "GC-7001", nil},
		{"dashes kept", "GC7001", "GC7001", nil},
		{"too short", "g c", "GC", ErrBadVoucherCode},
		{"only spaces", "    ", "", ErrBadVoucherCode},
		{"not a code", "gc_7001", "GC_7001", ErrBadVoucherCode},
		// U+0131 dotless i upper-cases to I in Unicode: still refused.
		{"non-ASCII letter", "g\u0131ft-1", "G\u0131FT-1", ErrBadVoucherCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CanonicalVoucherCode(tc.typed); got != tc.want {
				t.Errorf("CanonicalVoucherCode(%q) = %q, want %q", tc.typed, got, tc.want)
			}
			if err := CheckVoucherCode(tc.typed); !errors.Is(err, tc.err) {
				t.Errorf("CheckVoucherCode(%q) = %v, want %v", tc.typed, err, tc.err)
			}
		})
	}
}

// FuzzCanonicalVoucherCode: the canonical form is its own canonical form,
// and every code accepted is accepted in its canonical form.
func FuzzCanonicalVoucherCode(f *testing.F) {
	for _, s := range []string{"gc-7001", "9123 4567 8901 2345", "GC-7001", " \t", "g\u0131ft", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		c := CanonicalVoucherCode(typed)
		if again := CanonicalVoucherCode(c); again != c {
			t.Fatalf("canonical %q of %q becomes %q", c, typed, again)
		}
		if CheckVoucherCode(typed) == nil && !voucherCode.MatchString(c) {
			t.Fatalf("%q accepted, its canonical form %q is no code", typed, c)
		}
	})
}

func TestNewVoucherCodeIsCanonical(t *testing.T) {
	c := NewVoucherCode()
	if CanonicalVoucherCode(c) != c || CheckVoucherCode(c) != nil {
		t.Fatalf("new code %q is not canonical", c)
	}
}
