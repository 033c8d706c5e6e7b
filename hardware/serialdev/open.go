package serialdev

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.bug.st/serial"
	"golang.org/x/sys/unix"
)

// Errors returned when opening a port.
var (
	// ErrInUse means the port is already open in this process (possibly
	// under another name: registry keys are resolved real paths). It is
	// permanent until the other owner closes the port; two stations
	// configured with the same port is a configuration mistake.
	ErrInUse = errors.New("serialdev: port already open in this process")

	// ErrNotFound means the path (or USB identity) does not name a device
	// right now. It is transient: the device may be plugged in later.
	ErrNotFound = errors.New("serialdev: device not present")

	// ErrAmbiguous means that a USB identity without a serial number
	// matches more than one port, and names none of them. It lasts until
	// all but one are unplugged, or the identity is given its serial
	// number. A Device already open on one of them keeps it.
	ErrAmbiguous = errors.New("serialdev: USB identity of more than one device")
)

// Port is one open serial line. Read honours the timeout set with
// SetReadTimeout by returning (0, nil) when it expires. Close is safe to call
// concurrently with a blocked Read and more than once.
type Port interface {
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	// SetReadTimeout makes Read return (0, nil) after d without data;
	// a negative d blocks forever.
	SetReadTimeout(d time.Duration) error
	// ResetOutputBuffer discards bytes queued for sending, which also
	// releases a writer blocked on a full output buffer.
	ResetOutputBuffer() error
	Close() error
	// Path is the resolved real path of the device node.
	Path() string
}

// registry records which real device paths are open in this process.
//
// It is deliberately process-wide: a serial port is a process-wide
// resource, and two Devices (or a Device and `posnode print-test`) in one
// process opening the same node would interleave bytes. TIOCEXCL, which the
// serial library sets, only stops other processes without CAP_SYS_ADMIN, so
// it does not cover a node running as root.
var registry = struct {
	mu   sync.Mutex
	open map[string]bool // guards nothing else; keys are real paths
}{open: make(map[string]bool)}

func claim(real string) bool {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.open[real] {
		return false
	}
	registry.open[real] = true
	return true
}

func release(real string) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	delete(registry.open, real)
}

// IsOpen reports whether the device that path resolves to is currently open
// in this process.
func IsOpen(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.open[real]
}

// Open opens the serial device at path (symlinks such as
// /dev/serial/by-id/... are followed) with the line settings cfg.
//
// Opening a device already open in this process fails with ErrInUse; a
// missing device fails with ErrNotFound; an unusable cfg with ErrBadConfig.
//
// Pseudo-terminals are supported, for tests and for software bridges: the
// serial library opens them as long as no modem control lines are set, which
// this package never does. Should it still refuse one, the pty is opened with
// os.OpenFile and put in raw mode with termios directly; baud rate, parity and
// stop bits mean nothing to a pty, so nothing is lost.
func Open(path string, cfg Config) (Port, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open %s: %w", path, ErrNotFound)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if !claim(real) {
		return nil, fmt.Errorf("open %s (%s): %w", path, real, ErrInUse)
	}
	p, err := serial.Open(real, cfg.mode())
	if err == nil {
		return &libPort{Port: p, real: real}, nil
	}
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PermissionDenied:
			err = fmt.Errorf("%w (the node's user must be allowed to use serial ports, usually by membership of the dialout group)", err)
		case serial.PortBusy:
			err = fmt.Errorf("%w (another program has the port open)", err)
		}
	}
	if isPTY(real) {
		fp, ferr := openPTY(real)
		if ferr == nil {
			return fp, nil
		}
		err = fmt.Errorf("%w (raw pty open: %v)", err, ferr)
	}
	release(real)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENXIO) {
		return nil, fmt.Errorf("open %s: %w", path, ErrNotFound)
	}
	return nil, fmt.Errorf("open %s: %w", path, err)
}

// libPort is a port opened by go.bug.st/serial.
type libPort struct {
	serial.Port
	real string
	once sync.Once
}

func (p *libPort) Path() string { return p.real }

// errHangup is the read error of a port whose device went away.
var errHangup = fmt.Errorf("%w: the line hung up", ErrRemoved)

// Read reports the serial library's "port closed" on a port nobody closed
// (Linux signals a hang-up as a readable port with no data) as a hang-up.
func (p *libPort) Read(b []byte) (int, error) {
	n, err := p.Port.Read(b)
	var pe *serial.PortError
	if errors.As(err, &pe) && pe.Code() == serial.PortClosed {
		err = errHangup
	}
	return n, err
}

func (p *libPort) Close() error {
	var err error
	p.once.Do(func() {
		err = p.Port.Close()
		release(p.real)
	})
	return err
}

// isPTY reports whether real names a Unix98 pseudo-terminal slave.
func isPTY(real string) bool {
	if strings.HasPrefix(real, "/dev/pts/") {
		return true
	}
	var st unix.Stat_t
	if unix.Stat(real, &st) != nil {
		return false
	}
	// Unix98 pty slaves use majors 136 to 143.
	maj := unix.Major(uint64(st.Rdev))
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && maj >= 136 && maj <= 143
}

// filePort is a pseudo-terminal opened without the serial library.
type filePort struct {
	f           *os.File
	real        string
	readTimeout time.Duration // guarded by being set before concurrent use
	once        sync.Once
}

// openPTY opens a pty slave with os.OpenFile (so reads and writes go through
// the runtime poller and honour deadlines) and sets raw mode with termios.
func openPTY(real string) (*filePort, error) {
	f, err := os.OpenFile(real, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	var terr error
	cerr := rc.Control(func(fd uintptr) { terr = MakeRaw(int(fd)) })
	if cerr != nil || terr != nil {
		f.Close()
		return nil, errors.Join(cerr, terr)
	}
	return &filePort{f: f, real: real, readTimeout: -1}, nil
}

// MakeRaw puts the terminal fd in raw mode, as cfmakeraw(3) does: no echo,
// no line editing, no signals, no CR/LF translation in either direction,
// 8-bit characters, reads return as soon as one byte is available.
func MakeRaw(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8 | unix.CREAD | unix.CLOCAL
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

func (p *filePort) Path() string { return p.real }

func (p *filePort) Read(b []byte) (int, error) {
	if p.readTimeout >= 0 {
		p.f.SetReadDeadline(time.Now().Add(p.readTimeout))
	} else {
		p.f.SetReadDeadline(time.Time{})
	}
	n, err := p.f.Read(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, nil
	}
	if n == 0 && err == nil {
		return 0, errHangup
	}
	return n, err
}

func (p *filePort) Write(b []byte) (int, error) { return p.f.Write(b) }

func (p *filePort) SetReadTimeout(d time.Duration) error {
	p.readTimeout = d
	return nil
}

func (p *filePort) ResetOutputBuffer() error {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return err
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) { ierr = unix.IoctlSetInt(int(fd), unix.TCFLSH, unix.TCOFLUSH) }); err != nil {
		return err
	}
	return ierr
}

func (p *filePort) Close() error {
	var err error
	p.once.Do(func() {
		err = p.f.Close()
		release(p.real)
	})
	return err
}
