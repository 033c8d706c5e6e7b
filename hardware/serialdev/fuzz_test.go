package serialdev

import (
	"errors"
	"testing"
)

// FuzzParseConfig checks that any configuration text gives either a valid
// Config or ErrBadConfig, never a panic or an unusable setting.
func FuzzParseConfig(f *testing.F) {
	f.Add("9600", "8", "none", "1")
	f.Add("115200", "7", "even", "2")
	f.Add("", "", "", "1.5")
	f.Fuzz(func(t *testing.T, baud, bits, parity, stops string) {
		c, err := ParseConfig(baud, bits, parity, stops)
		if err != nil {
			if !errors.Is(err, ErrBadConfig) {
				t.Fatalf("error %v does not wrap ErrBadConfig", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseConfig returned %+v, which does not validate: %v", c, err)
		}
	})
}

// FuzzParseTarget checks that any device name gives exactly one of a path
// and a complete USB identity, which reads back the same from its String,
// or ErrBadConfig.
func FuzzParseTarget(f *testing.F) {
	f.Add("/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0")
	f.Add("usb:0403:6001:A50285BI")
	f.Add("usb:04b8:0e15")
	f.Fuzz(func(t *testing.T, s string) {
		path, usb, err := ParseTarget(s)
		if err != nil {
			if !errors.Is(err, ErrBadConfig) || path != "" || usb != nil {
				t.Fatalf("ParseTarget(%q) = %q, %+v, %v", s, path, usb, err)
			}
			return
		}
		if (path == "") == (usb == nil) {
			t.Fatalf("ParseTarget(%q) = %q, %+v: want exactly one", s, path, usb)
		}
		if usb == nil {
			return
		}
		if len(usb.VID) != 4 || len(usb.PID) != 4 {
			t.Fatalf("ParseTarget(%q) gave ids %+v", s, usb)
		}
		// The identity written as ports and doctor show it reads back the same.
		if _, back, err := ParseTarget(usb.String()); err != nil || back == nil || *back != *usb {
			t.Fatalf("ParseTarget(%q) = %+v, written %q, read back as %+v, %v", s, usb, usb.String(), back, err)
		}
	})
}
