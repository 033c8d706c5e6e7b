package serialdev

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.bug.st/serial/enumerator"
)

// ByIDDir is where udev publishes stable names for USB serial devices.
const ByIDDir = "/dev/serial/by-id"

// PortInfo describes one serial port present on the machine.
type PortInfo struct {
	Path         string   // device node, such as /dev/ttyUSB0
	ByID         []string // stable /dev/serial/by-id names pointing at Path, if any
	USB          bool     // the port is a USB serial adapter or USB CDC device
	VID          string   // USB vendor id, 4 upper-case hex digits; empty if not USB
	PID          string   // USB product id, 4 upper-case hex digits; empty if not USB
	SerialNumber string   // USB serial number string; may be empty even for USB
	Manufacturer string   // USB manufacturer string, if the device reports one
	Product      string   // USB product string, if the device reports one
}

// String is the port's path followed, for a USB port, by its identity as
// the configuration names it and the device's own name:
// "/dev/ttyUSB0 usb:0403:6001:A50285BI (FTDI FT232R USB UART)".
func (p PortInfo) String() string {
	id, ok := p.ID()
	if !ok {
		return p.Path
	}
	s := p.Path + " " + id.String()
	if p.Product != "" {
		s += " (" + strings.TrimSpace(p.Manufacturer+" "+p.Product) + ")"
	}
	return s
}

// ID is the USB identity of the device on p, with its serial number if it
// reports one; false for a port that is not USB.
func (p PortInfo) ID() (USBID, bool) {
	if !p.USB {
		return USBID{}, false
	}
	return USBID{VID: normHex(p.VID), PID: normHex(p.PID), SerialNumber: p.SerialNumber}, true
}

// USBID identifies a USB serial device independently of the node name the
// kernel gives it, which changes with plug order.
type USBID struct {
	VID          string // required; hex, any letter case, with or without 0x
	PID          string // required; hex, any letter case, with or without 0x
	SerialNumber string // optional; empty matches any serial number
}

// String is the identity as the configuration writes it, which ParseTarget
// reads back: "usb:0403:6001" or "usb:0403:6001:A50285BI", the ids in
// lower case as lsusb and udev write them.
func (u USBID) String() string {
	s := "usb:" + strings.ToLower(normHex(u.VID)+":"+normHex(u.PID))
	if u.SerialNumber != "" {
		s += ":" + u.SerialNumber
	}
	return s
}

// Matches reports whether p is the device u describes.
func (u USBID) Matches(p PortInfo) bool {
	if !p.USB || normHex(u.VID) != normHex(p.VID) || normHex(u.PID) != normHex(p.PID) {
		return false
	}
	return u.SerialNumber == "" || u.SerialNumber == p.SerialNumber
}

func normHex(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "0X")
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// Ports lists the serial ports present now, with USB identities where the
// kernel knows them (read from sysfs; devices are not probed). Ports are
// sorted by path.
func Ports() ([]PortInfo, error) {
	details, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, fmt.Errorf("serialdev: list ports: %w", err)
	}
	links := byIDLinks(ByIDDir)
	out := make([]PortInfo, 0, len(details))
	for _, d := range details {
		p := PortInfo{
			Path:         d.Name,
			USB:          d.IsUSB,
			VID:          d.VID,
			PID:          d.PID,
			SerialNumber: d.SerialNumber,
			Manufacturer: d.Manufacturer,
			Product:      d.Product,
		}
		if real, err := filepath.EvalSymlinks(d.Name); err == nil {
			p.ByID = links[real]
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// byIDLinks maps real device paths to the by-id symlinks that point at them.
// A missing directory (no USB serial device plugged in) yields an empty map.
func byIDLinks(dir string) map[string][]string {
	m := make(map[string][]string)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return m
	}
	for _, e := range ents {
		link := filepath.Join(dir, e.Name())
		real, err := filepath.EvalSymlinks(link)
		if err != nil {
			continue
		}
		m[real] = append(m[real], link)
	}
	return m
}

// Find returns the path to open for the USB device u among ports (as
// Ports lists them), preferring its stable by-id name, or an error
// wrapping ErrNotFound when none matches. Should several match (an
// identity without a serial number, and identical adapters, or another
// device of the same make, plugged in), none is taken: which is which
// follows the order they were plugged in, and the device would be another
// at the next boot. The error wraps ErrAmbiguous and names their ports.
func (u USBID) Find(ports []PortInfo) (string, error) {
	var found []string
	for _, p := range ports {
		if u.Matches(p) {
			found = append(found, p.Path)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%s: %w", u, ErrNotFound)
	case 1:
		for _, p := range ports {
			if u.Matches(p) && len(p.ByID) > 0 {
				return p.ByID[0], nil
			}
		}
		return found[0], nil
	}
	return "", fmt.Errorf("%s: %w: %s; name it with its serial number, or by a path", u, ErrAmbiguous, strings.Join(found, ", "))
}

// ParseTarget reads how the configuration names a device: a path such as
// "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0" or
// "/dev/ttyUSB0", or a USB identity written "usb:VID:PID" or
// "usb:VID:PID:SERIAL" with VID and PID in hex ("usb:0403:6001:A50285BI").
// Exactly one of the results is set; the values go to Options.Path and
// Options.USB.
func ParseTarget(s string) (path string, usb *USBID, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil, fmt.Errorf("%w: empty device name", ErrBadConfig)
	}
	if !strings.HasPrefix(strings.ToLower(s), "usb:") {
		if !strings.HasPrefix(s, "/") {
			return "", nil, fmt.Errorf("%w: device %q: use an absolute path such as /dev/serial/by-id/... or usb:VID:PID[:SERIAL]", ErrBadConfig, s)
		}
		return s, nil, nil
	}
	parts := strings.SplitN(s[len("usb:"):], ":", 3)
	if len(parts) < 2 || !isHexID(parts[0]) || !isHexID(parts[1]) {
		return "", nil, fmt.Errorf("%w: device %q: write a USB identity as usb:VID:PID or usb:VID:PID:SERIAL, with 4-digit hex ids such as usb:0403:6001", ErrBadConfig, s)
	}
	id := &USBID{VID: normHex(parts[0]), PID: normHex(parts[1])}
	if len(parts) == 3 {
		if parts[2] == "" {
			return "", nil, fmt.Errorf("%w: device %q: empty serial number", ErrBadConfig, s)
		}
		id.SerialNumber = parts[2]
	}
	return "", id, nil
}

func isHexID(s string) bool {
	s = strings.TrimPrefix(strings.ToLower(s), "0x")
	if s == "" || len(s) > 4 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
