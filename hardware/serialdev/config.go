package serialdev

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.bug.st/serial"
)

// ErrBadConfig is returned (wrapped) when a port setting read from the
// configuration cannot be used. The error text names the setting, the value
// given and the values accepted. It is permanent: fix the configuration.
var ErrBadConfig = errors.New("serialdev: invalid port setting")

// Parity is the parity checking of a serial line.
type Parity int

// Parity settings. The zero value is ParityNone.
const (
	ParityNone Parity = iota
	ParityOdd
	ParityEven
)

func (p Parity) String() string {
	switch p {
	case ParityNone:
		return "none"
	case ParityOdd:
		return "odd"
	case ParityEven:
		return "even"
	}
	return fmt.Sprintf("Parity(%d)", int(p))
}

// StopBits is the number of stop bits of a serial line.
type StopBits int

// Stop bit settings. The zero value is StopBits1.
//
// StopBits1Half (1.5) is accepted by the parser because some device manuals
// ask for it, but Linux serial drivers cannot set it: opening a port with it
// fails with ErrBadConfig.
const (
	StopBits1 StopBits = iota
	StopBits1Half
	StopBits2
)

func (s StopBits) String() string {
	switch s {
	case StopBits1:
		return "1"
	case StopBits1Half:
		return "1.5"
	case StopBits2:
		return "2"
	}
	return fmt.Sprintf("StopBits(%d)", int(s))
}

// Config is the line setting of one port.
//
// The zero value means 9600 baud, 8 data bits, no parity, 1 stop bit
// (9600 8N1), the factory setting of most scanners, printers and displays.
type Config struct {
	Baud     int      // bits per second; 0 means 9600
	DataBits int      // 5, 6, 7 or 8; 0 means 8
	Parity   Parity   // zero value: none
	StopBits StopBits // zero value: 1
}

// standardBauds are the rates accepted from configuration. Linux can set
// others, but a value outside this list is almost always a typo.
var standardBauds = []int{
	300, 600, 1200, 1800, 2400, 4800, 9600, 14400, 19200, 28800, 38400,
	57600, 115200, 230400, 460800, 921600,
}

// withDefaults returns c with zero fields replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.Baud == 0 {
		c.Baud = 9600
	}
	if c.DataBits == 0 {
		c.DataBits = 8
	}
	return c
}

// Validate reports whether c, after defaults, can be set on a Linux port.
func (c Config) Validate() error {
	c = c.withDefaults()
	if !validBaud(c.Baud) {
		return fmt.Errorf("%w: baud rate %d is not a standard rate (use one of %v)", ErrBadConfig, c.Baud, standardBauds)
	}
	if c.DataBits < 5 || c.DataBits > 8 {
		return fmt.Errorf("%w: data bits %d (use 5, 6, 7 or 8)", ErrBadConfig, c.DataBits)
	}
	switch c.Parity {
	case ParityNone, ParityOdd, ParityEven:
	default:
		return fmt.Errorf("%w: parity %v (use none, odd or even)", ErrBadConfig, c.Parity)
	}
	switch c.StopBits {
	case StopBits1, StopBits2:
	case StopBits1Half:
		return fmt.Errorf("%w: 1.5 stop bits cannot be set on this system (use 1 or 2; devices that need 1.5 usually accept 2)", ErrBadConfig)
	default:
		return fmt.Errorf("%w: stop bits %v (use 1 or 2)", ErrBadConfig, c.StopBits)
	}
	return nil
}

func (c Config) String() string {
	c = c.withDefaults()
	p := map[Parity]string{ParityNone: "N", ParityOdd: "O", ParityEven: "E"}[c.Parity]
	return fmt.Sprintf("%d %d%s%s", c.Baud, c.DataBits, p, c.StopBits)
}

// mode converts a validated Config to the serial library's Mode. Modem
// output bits are left alone: pseudo-terminals reject modem ioctls.
func (c Config) mode() *serial.Mode {
	c = c.withDefaults()
	m := &serial.Mode{BaudRate: c.Baud, DataBits: c.DataBits}
	switch c.Parity {
	case ParityOdd:
		m.Parity = serial.OddParity
	case ParityEven:
		m.Parity = serial.EvenParity
	default:
		m.Parity = serial.NoParity
	}
	switch c.StopBits {
	case StopBits2:
		m.StopBits = serial.TwoStopBits
	case StopBits1Half:
		m.StopBits = serial.OnePointFiveStopBits
	default:
		m.StopBits = serial.OneStopBit
	}
	return m
}

func validBaud(b int) bool {
	for _, s := range standardBauds {
		if s == b {
			return true
		}
	}
	return false
}

// ParseConfig parses the four line settings as they are written in the
// configuration file, for example ("9600", "8", "none", "1"). An empty string
// selects the default of that setting. The result is validated.
func ParseConfig(baud, dataBits, parity, stopBits string) (Config, error) {
	var c Config
	var err error
	if c.Baud, err = ParseBaud(baud); err != nil {
		return Config{}, err
	}
	if c.DataBits, err = ParseDataBits(dataBits); err != nil {
		return Config{}, err
	}
	if c.Parity, err = ParseParity(parity); err != nil {
		return Config{}, err
	}
	if c.StopBits, err = ParseStopBits(stopBits); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c.withDefaults(), nil
}

// ParseBaud parses a baud rate such as "9600" or "115200". The empty string
// means 9600.
func ParseBaud(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 9600, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: baud rate %q is not a positive whole number (for example 9600)", ErrBadConfig, s)
	}
	if !validBaud(n) {
		return 0, fmt.Errorf("%w: baud rate %d is not a standard rate (use one of %v)", ErrBadConfig, n, standardBauds)
	}
	return n, nil
}

// ParseDataBits parses "5", "6", "7" or "8". The empty string means 8.
func ParseDataBits(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 8, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 5 || n > 8 {
		return 0, fmt.Errorf("%w: data bits %q (use 5, 6, 7 or 8)", ErrBadConfig, s)
	}
	return n, nil
}

// ParseParity parses "none", "odd" or "even" (also "n", "o", "e"), in any
// letter case. The empty string means none.
func ParseParity(s string) (Parity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none", "n":
		return ParityNone, nil
	case "odd", "o":
		return ParityOdd, nil
	case "even", "e":
		return ParityEven, nil
	}
	return 0, fmt.Errorf("%w: parity %q (use none, odd or even)", ErrBadConfig, s)
}

// ParseStopBits parses "1", "1.5" or "2". The empty string means 1.
func ParseStopBits(s string) (StopBits, error) {
	switch strings.TrimSpace(s) {
	case "", "1":
		return StopBits1, nil
	case "1.5":
		return StopBits1Half, nil
	case "2":
		return StopBits2, nil
	}
	return 0, fmt.Errorf("%w: stop bits %q (use 1, 1.5 or 2)", ErrBadConfig, s)
}
