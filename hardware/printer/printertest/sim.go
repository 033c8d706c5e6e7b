// Package printertest plays an ESC/POS receipt printer for tests: on the
// master side of a real pseudo-terminal (or one end of a pipe) it answers
// real-time status requests (DLE EOT) with the status it is given,
// wherever they come in the stream as firmware does, and collects what is
// printed, job by job (everything up to a cut), decoded into text and
// bracketed commands by escpos.Decode. Its drawer opens on a kick only
// when Options.DrawerOpenFor says for how long.
package printertest

import (
	"bytes"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/posnode/posnode/hardware/escpos"
)

// Sim is a simulated printer.
type Sim struct {
	t      testing.TB
	master io.ReadWriteCloser
	slave  io.Closer

	rate    int              // bytes a second; 0 is unlimited
	next    time.Time        // when run may read again, with rate; run's own
	replies chan statusReply // to reply, which sends them

	mu            sync.Mutex // guards the fields below
	status        escpos.Status
	jobs          []string
	kicks         int
	realTimeKicks int // of kicks, DLE DC4 pulses
	polls         int
	closeAfter    int
	stall         bool
	delay         time.Duration // of every status reply
	// paperOutAt is the job, counted from 1, at which the paper runs
	// out; 0 means never.
	paperOutAt int
	// coverOpenAfter is the job, counted from 1, after which the cover
	// is opened; 0 means never.
	coverOpenAfter int
	drawerOpenFor  time.Duration
	drawerShutAt   time.Time // a kick holds the drawer open until then

	closed chan struct{}
	done   chan struct{}
}

// Options configure a Sim. The zero value is a healthy printer.
type Options struct {
	// CloseAfter unplugs the printer when the job after this many starts
	// to arrive; 0 never does.
	CloseAfter int
	// Stall stops reading as soon as a job starts, like a jammed port.
	Stall bool
	// Rate is how many bytes a second the printer takes, like a serial
	// line (38400 baud carries 3840); 0 takes them as fast as they come.
	// Bytes it has not taken wait in the port, and a status request
	// waits behind them.
	Rate int
	// ReplyDelay holds back every status reply by this long, in order,
	// like a printer busy with something else; 0 answers at once.
	// SetReplyDelay changes it.
	ReplyDelay time.Duration
	// PaperOutAt runs out of paper when this job, counted from 1, starts
	// to arrive: that job does not print and the status says paper out
	// until SetStatus; 0 never does.
	PaperOutAt int
	// CoverOpenAfter opens the cover once this job, counted from 1, has
	// printed: the printer stays online, and the status says cover open
	// until SetStatus; 0 never does.
	CoverOpenAfter int
	// DrawerOpenFor makes a drawer kick open the drawer, which the status
	// then says is open for this long, as a cashier takes the change and
	// shuts it again; a kick while it is open keeps it open this long
	// from then. 0 leaves the drawer as SetStatus says, whatever the
	// kicks: a drawer that does not open.
	DrawerOpenFor time.Duration
}

// MakeRaw puts a terminal in raw mode: no echo, no line editing, no
// translation of CR or LF, 8-bit clean.
func MakeRaw(f *os.File) error {
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return err
	}
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag &^= unix.CSIZE | unix.PARENB
	tio.Cflag |= unix.CS8
	tio.Cc[unix.VMIN] = 1
	tio.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, tio)
}

// OpenPTY opens a pseudo-terminal with both ends raw; the slave's Name is
// the device path a node opens.
func OpenPTY(t testing.TB) (master, slave *os.File) {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := MakeRaw(slave); err != nil {
		t.Fatal(err)
	}
	if err := MakeRaw(master); err != nil {
		t.Fatal(err)
	}
	return master, slave
}

// New starts a simulated printer on a new pseudo-terminal; Path is where
// the node opens it. It is unplugged when the test ends.
func New(t testing.TB, o Options) *Sim {
	t.Helper()
	master, slave := OpenPTY(t)
	return start(t, master, slave, o)
}

// NewPipe starts a simulated printer on one end of a net.Pipe, whose
// writes block until the other side reads, and returns the other end.
func NewPipe(t testing.TB, o Options) (*Sim, io.ReadWriteCloser) {
	here, there := net.Pipe()
	return start(t, here, there, o), there
}

func start(t testing.TB, master io.ReadWriteCloser, slave io.Closer, o Options) *Sim {
	s := &Sim{t: t, master: master, slave: slave, closeAfter: o.CloseAfter, stall: o.Stall, rate: o.Rate, delay: o.ReplyDelay,
		paperOutAt: o.PaperOutAt, coverOpenAfter: o.CoverOpenAfter, drawerOpenFor: o.DrawerOpenFor,
		status:  escpos.Status{Online: true, DrawerKnown: true},
		replies: make(chan statusReply, 1024),
		closed:  make(chan struct{}), done: make(chan struct{})}
	replied := make(chan struct{})
	go s.reply(replied)
	go func() {
		s.run()
		<-replied
		close(s.done)
	}()
	t.Cleanup(s.Close)
	return s
}

// Path is the pseudo-terminal's device path.
func (s *Sim) Path() string { return s.slave.(*os.File).Name() }

// SetStatus changes what the printer answers to status requests.
func (s *Sim) SetStatus(st escpos.Status) {
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
}

// SetReplyDelay changes Options.ReplyDelay for the requests to come.
func (s *Sim) SetReplyDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Jobs returns the decoded jobs printed so far, in order.
func (s *Sim) Jobs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.jobs...)
}

// Polls is how many status requests were answered.
func (s *Sim) Polls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

// RealTimeKicks is how many of Kicks were real-time pulses (DLE DC4).
func (s *Sim) RealTimeKicks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.realTimeKicks
}

// Kicks is how many drawer kicks arrived outside jobs.
func (s *Sim) Kicks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kicks
}

// Unplugged is closed when the printer has been unplugged, by Close or
// by Options.CloseAfter.
func (s *Sim) Unplugged() <-chan struct{} { return s.done }

// Close unplugs the printer: both ends go away.
func (s *Sim) Close() {
	select {
	case <-s.closed:
	default:
		close(s.closed)
		s.master.Close()
		s.slave.Close()
	}
	<-s.done
}

// cutAt finds the end of the first full or partial cut (GS V 65 n or
// GS V 66 n, as the encoder writes them) in b, or -1.
func cutAt(b []byte) int {
	for _, m := range []byte{65, 66} {
		if i := bytes.Index(b, []byte{escpos.GS, 'V', m}); i >= 0 && len(b) >= i+4 {
			return i + 4
		}
	}
	return -1
}

// answer queues the reply to DLE EOT n: a byte of the status, or 0 for an
// n it does not know. It reports false once the printer is unplugged.
func (s *Sim) answer(n byte) bool {
	s.mu.Lock()
	var reply byte
	if n >= 1 && n <= 4 {
		st := s.status
		st.DrawerOpen = st.DrawerOpen || time.Now().Before(s.drawerShutAt)
		reply = escpos.EncodeStatus(st, escpos.StatusOptions{})[n-1]
	}
	s.polls++
	delay := s.delay
	s.mu.Unlock()
	select {
	case s.replies <- statusReply{reply, time.Now().Add(delay)}:
		return true
	case <-s.closed:
		return false
	}
}

// statusReply is a reply byte and when it is to be sent.
type statusReply struct {
	b   byte
	due time.Time
}

// reply sends the status replies in order, each when it is due, until
// the printer is unplugged.
func (s *Sim) reply(done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-s.closed:
			return
		case r := <-s.replies:
			select {
			case <-time.After(time.Until(r.due)):
			case <-s.closed:
				return
			}
			if _, err := s.master.Write([]byte{r.b}); err != nil {
				return
			}
		}
	}
}

// readPaced reads into b no faster than Options.Rate: at most a
// hundredth of a second's bytes at a time, each read once the bytes
// before it have had their time.
func (s *Sim) readPaced(b []byte) (int, error) {
	if s.rate <= 0 {
		return s.master.Read(b)
	}
	select {
	case <-time.After(time.Until(s.next)):
	case <-s.closed:
		return 0, io.EOF
	}
	n, err := s.master.Read(b[:min(len(b), max(s.rate/100, 1))])
	s.next = time.Now().Add(time.Duration(n) * time.Second / time.Duration(s.rate))
	return n, err
}

// kick pulses the drawer: a real-time pulse (DLE DC4) or ESC p.
func (s *Sim) kick(realTime bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kicks++
	if realTime {
		s.realTimeKicks++
	}
	if s.drawerOpenFor > 0 {
		s.drawerShutAt = time.Now().Add(s.drawerOpenFor)
	}
}

func (s *Sim) run() {
	// buf holds bytes not yet understood; inJob says a job has started in
	// it, so a DLE or ESC there is job data, not a request of its own (a
	// DLE EOT there is answered all the same, see below).
	var buf []byte
	inJob := false
	scanned := 0  // bytes of the job in buf looked at for status requests
	lost := false // the job in buf does not print: the paper ran out
	b := make([]byte, 4096)
	jobsSeen := 0
	for {
		n, err := s.readPaced(b)
		if err != nil {
			return
		}
		buf = append(buf, b[:n]...)
		for len(buf) > 0 {
			if !inJob && buf[0] == escpos.DLE && len(buf) >= 2 && buf[1] == escpos.DC4 {
				// DLE DC4 1 m t: a pulse now, offline too.
				if len(buf) < 5 {
					break
				}
				if buf[2] == 1 {
					s.kick(true)
				}
				buf = buf[5:]
				continue
			}
			if !inJob && buf[0] == escpos.DLE {
				if len(buf) < 3 {
					break
				}
				if !s.answer(buf[2]) {
					return
				}
				buf = buf[3:]
				continue
			}
			if !inJob && buf[0] == escpos.ESC && len(buf) >= 2 && buf[1] == 'p' {
				if len(buf) < 5 {
					break
				}
				s.kick(false)
				buf = buf[5:]
				continue
			}
			if !inJob {
				if s.stall {
					<-s.closed // never read again
					return
				}
				if s.closeAfter > 0 && jobsSeen >= s.closeAfter {
					go s.Close() // the cable is pulled before any of the next job prints
					return
				}
				s.mu.Lock()
				if s.paperOutAt > 0 && jobsSeen+1 >= s.paperOutAt {
					s.paperOutAt = 0
					s.status.PaperOut, s.status.Online = true, false
					lost = true
				}
				s.mu.Unlock()
				inJob, scanned = true, 0
			}
			end := cutAt(buf)
			upTo := end
			if end < 0 {
				upTo = len(buf)
			}
			// Firmware answers DLE EOT n wherever it comes, even inside
			// the data of a command (a barcode, an image), and goes on
			// with the data as it came.
			for ; scanned+3 <= upTo; scanned++ {
				if buf[scanned] == escpos.DLE && buf[scanned+1] == escpos.EOT && buf[scanned+2] >= 1 && buf[scanned+2] <= 4 {
					if !s.answer(buf[scanned+2]) {
						return
					}
				}
			}
			if end < 0 {
				break // wait for the rest of the job
			}
			text, err := escpos.Decode(buf[:end])
			if err != nil {
				s.t.Errorf("printer got a malformed job: %v\n%s", err, text)
			}
			buf, inJob = buf[end:], false
			if lost {
				lost = false
				continue
			}
			s.mu.Lock()
			s.jobs = append(s.jobs, text)
			jobsSeen++
			if s.coverOpenAfter > 0 && jobsSeen >= s.coverOpenAfter {
				s.coverOpenAfter = 0
				s.status.CoverOpen = true
			}
			s.mu.Unlock()
		}
	}
}
