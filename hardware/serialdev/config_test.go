package serialdev

import (
	"errors"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name                   string
		baud, bits, par, stops string
		want                   Config
		wantErr                bool
	}{
		{"defaults", "", "", "", "", Config{Baud: 9600, DataBits: 8}, false},
		{"9600 8N1", "9600", "8", "none", "1", Config{Baud: 9600, DataBits: 8}, false},
		{"115200 7E2", "115200", "7", "even", "2", Config{Baud: 115200, DataBits: 7, Parity: ParityEven, StopBits: StopBits2}, false},
		{"odd short form", "19200", "8", "O", "1", Config{Baud: 19200, DataBits: 8, Parity: ParityOdd}, false},
		{"spaces and case", " 38400 ", " 8 ", " Even ", " 1 ", Config{Baud: 38400, DataBits: 8, Parity: ParityEven}, false},
		{"baud not a number", "fast", "8", "none", "1", Config{}, true},
		{"baud negative", "-9600", "8", "none", "1", Config{}, true},
		{"baud not standard", "9601", "8", "none", "1", Config{}, true},
		{"data bits 9", "9600", "9", "none", "1", Config{}, true},
		{"data bits 4", "9600", "4", "none", "1", Config{}, true},
		{"parity mark", "9600", "8", "mark", "1", Config{}, true},
		{"stop bits 3", "9600", "8", "none", "3", Config{}, true},
		{"stop bits 1.5 unsupported", "9600", "8", "none", "1.5", Config{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig(tt.baud, tt.bits, tt.par, tt.stops)
			if tt.wantErr {
				if !errors.Is(err, ErrBadConfig) {
					t.Fatalf("ParseConfig error = %v, want ErrBadConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			if got != tt.want {
				t.Fatalf("ParseConfig = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseStopBitsOneAndAHalf(t *testing.T) {
	s, err := ParseStopBits("1.5")
	if err != nil || s != StopBits1Half {
		t.Fatalf("ParseStopBits(1.5) = %v, %v", s, err)
	}
	if err := (Config{StopBits: s}).Validate(); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("Validate with 1.5 stop bits = %v, want ErrBadConfig", err)
	}
}

func TestConfigString(t *testing.T) {
	if got, want := (Config{}).String(), "9600 8N1"; got != want {
		t.Errorf("zero Config = %q, want %q", got, want)
	}
	c := Config{Baud: 19200, DataBits: 7, Parity: ParityEven, StopBits: StopBits2}
	if got, want := c.String(), "19200 7E2"; got != want {
		t.Errorf("Config = %q, want %q", got, want)
	}
}

func TestUSBIDMatches(t *testing.T) {
	p := PortInfo{Path: "/dev/ttyUSB0", USB: true, VID: "0403", PID: "6001", SerialNumber: "A50285BI"}
	tests := []struct {
		name string
		id   USBID
		want bool
	}{
		{"vid pid", USBID{VID: "0403", PID: "6001"}, true},
		{"lower case 0x", USBID{VID: "0x403", PID: "6001"}, true},
		{"serial", USBID{VID: "0403", PID: "6001", SerialNumber: "A50285BI"}, true},
		{"other serial", USBID{VID: "0403", PID: "6001", SerialNumber: "B"}, false},
		{"other pid", USBID{VID: "0403", PID: "6015"}, false},
	}
	for _, tt := range tests {
		if got := tt.id.Matches(p); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
	if (USBID{VID: "0403", PID: "6001"}).Matches(PortInfo{Path: "/dev/ttyS0"}) {
		t.Error("USB id matched a non-USB port")
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in      string
		path    string
		usb     *USBID
		wantErr bool
	}{
		{in: "/dev/ttyUSB0", path: "/dev/ttyUSB0"},
		{in: " /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0 ", path: "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"},
		{in: "usb:0403:6001", usb: &USBID{VID: "0403", PID: "6001"}},
		{in: "USB:4b4:f:A5:0", usb: &USBID{VID: "04B4", PID: "000F", SerialNumber: "A5:0"}},
		{in: "", wantErr: true},
		{in: "ttyUSB0", wantErr: true},
		{in: "usb:0403", wantErr: true},
		{in: "usb:zz03:6001", wantErr: true},
		{in: "usb:04030:6001", wantErr: true},
		{in: "usb:0403:6001:", wantErr: true},
	}
	for _, tt := range tests {
		path, usb, err := ParseTarget(tt.in)
		if tt.wantErr {
			if !errors.Is(err, ErrBadConfig) {
				t.Errorf("ParseTarget(%q) error = %v, want ErrBadConfig", tt.in, err)
			}
			continue
		}
		if err != nil || path != tt.path || (usb == nil) != (tt.usb == nil) || (usb != nil && *usb != *tt.usb) {
			t.Errorf("ParseTarget(%q) = %q, %+v, %v; want %q, %+v", tt.in, path, usb, err, tt.path, tt.usb)
		}
	}
}

// TestUSBIDFind resolves USB identities in a list of ports as Ports gives
// it: the stable by-id name when there is one, else the node; a serial
// number tells identical adapters apart.
func TestUSBIDFind(t *testing.T) {
	ports := []PortInfo{
		{Path: "/dev/ttyS0"},
		{Path: "/dev/ttyUSB0", USB: true, VID: "067B", PID: "2303"},
		{Path: "/dev/ttyUSB1", USB: true, VID: "0403", PID: "6001", SerialNumber: "A50285BI",
			ByID: []string{"/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"}},
		{Path: "/dev/ttyUSB2", USB: true, VID: "0403", PID: "6001", SerialNumber: "B7712Q01"},
	}
	for _, tt := range []struct {
		target, want string
	}{
		{"usb:067B:2303", "/dev/ttyUSB0"},
		{"usb:0403:6001:A50285BI", "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"},
		{"usb:0403:6001:B7712Q01", "/dev/ttyUSB2"},
		{"usb:0403:6001", "ambiguous"}, // two of them: either may be the one meant
		{"usb:0403:6001:OTHER", ""},
		{"usb:1a86:7523", ""},
		{"usb:1A86:7523", ""},
	} {
		_, id, err := ParseTarget(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		got, err := id.Find(ports)
		if tt.want == "ambiguous" {
			if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), "/dev/ttyUSB1, /dev/ttyUSB2") {
				t.Errorf("%s found at %q, %v; want ErrAmbiguous naming the ports", tt.target, got, err)
			}
			continue
		}
		if tt.want == "" {
			if !errors.Is(err, ErrNotFound) || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.target)) {
				t.Errorf("%s found at %q, %v; want ErrNotFound naming it", tt.target, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s found at %q, %v; want %s", tt.target, got, err, tt.want)
		}
	}
}

// TestPortInfoID: the identity a port shows is what the configuration
// takes to find it again, on whatever node it is plugged in next.
func TestPortInfoID(t *testing.T) {
	for _, tt := range []struct {
		port    PortInfo
		id, str string
	}{
		{PortInfo{Path: "/dev/ttyS0"}, "", "/dev/ttyS0"},
		{PortInfo{Path: "/dev/ttyUSB0", USB: true, VID: "0403", PID: "6001", SerialNumber: "A50285BI", Manufacturer: "FTDI", Product: "FT232R USB UART"},
			"usb:0403:6001:A50285BI", "/dev/ttyUSB0 usb:0403:6001:A50285BI (FTDI FT232R USB UART)"},
		{PortInfo{Path: "/dev/ttyACM0", USB: true, VID: "5e0", PID: "1900"}, "usb:05e0:1900", "/dev/ttyACM0 usb:05e0:1900"},
	} {
		if got := tt.port.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
		id, ok := tt.port.ID()
		if !ok {
			if tt.id != "" {
				t.Errorf("%s has no USB identity, want %s", tt.port.Path, tt.id)
			}
			continue
		}
		if id.String() != tt.id {
			t.Errorf("%s: identity %s, want %s", tt.port.Path, id, tt.id)
		}
		if _, back, err := ParseTarget(id.String()); err != nil || !back.Matches(tt.port) {
			t.Errorf("%s: %s read back as %+v, %v: does not match the port", tt.port.Path, id, back, err)
		}
	}
}
