package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Scan is one code read at a station.
type Scan struct {
	Station   string    // Options.Station
	Code      string    // the code, without prefix, AIM identifier, suffix or terminator
	Symbology string    // AIM identifier such as "]E0", or "" if the scanner sent none
	At        time.Time // when the code's terminator arrived
}

// ContextReader is a byte source that can be interrupted through its
// context. *serialdev.Device implements it; it carries the stream across
// reconnects of the device.
type ContextReader interface {
	ReadContext(ctx context.Context, p []byte) (int, error)
}

// Options configure a Scanner.
type Options struct {
	// Station names the till or counter the scanner belongs to; it is
	// copied into every Scan. Required.
	Station string

	// Framing configures how bytes become codes; the zero value suits
	// most scanners (see FramingOptions).
	Framing FramingOptions

	// Handler receives every accepted scan, in order, on Run's
	// goroutine. It should return quickly: bytes wait in the kernel while
	// it runs. Required.
	Handler func(ctx context.Context, s Scan)

	// OnReject, if not nil, is told that a frame was refused (noise of a
	// wrong baud rate, a code too long or cut off, a wrong terminator:
	// any reason but ErrDuplicate), so that the station can ask for the
	// scan again. A burst of noise is told once: OnReject is called at
	// most once per RejectInterval, with the first refusal's reason. It
	// is called on Run's goroutine and should return quickly.
	OnReject func(ctx context.Context, err error)

	// RejectInterval spaces the calls of OnReject. Zero means 2s.
	RejectInterval time.Duration

	// Logger receives rejected frames with their reason: the first of a
	// burst at once, the count of the others once per LogInterval (each
	// of them at debug level). Nil means slog.Default().
	Logger *slog.Logger

	// LogInterval spaces the log lines of rejected frames, so that a
	// scanner at a wrong baud rate, whose noise is refused frame after
	// frame, logs a line per interval instead of one per frame. Zero
	// means 30s.
	LogInterval time.Duration
}

// Stats counts what a Scanner did since it was created.
type Stats struct {
	Accepted   int64
	Duplicates int64            // repeats dropped (ErrDuplicate)
	Rejected   map[string]int64 // by reason (the error text), duplicates excluded
}

// Scanner reads codes from one scanner and hands them to a handler.
type Scanner struct {
	opts Options
	log  *slog.Logger
	src  io.Reader

	accepted   atomic.Int64
	duplicates atomic.Int64
	mu         sync.Mutex
	rejected   map[string]int64 // guarded by mu
	toldAt     time.Time        // when OnReject was last called; used by Run's goroutine only
	rejectLog  rejectLog        // used by Run's goroutine only
}

// New returns a Scanner reading from src. If src implements ContextReader
// (a *serialdev.Device does) Run reads through it; otherwise Run reads with
// src.Read and, when ctx is done, closes src if it is an io.Closer so the read
// returns (useful for pipes in tests).
func New(src io.Reader, opts Options) (*Scanner, error) {
	if src == nil {
		return nil, errors.New("scanner: no source")
	}
	if opts.Station == "" {
		return nil, errors.New("scanner: no station")
	}
	if opts.Handler == nil {
		return nil, errors.New("scanner: no handler")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.RejectInterval <= 0 {
		opts.RejectInterval = 2 * time.Second
	}
	if opts.LogInterval <= 0 {
		opts.LogInterval = 30 * time.Second
	}
	log := opts.Logger.With("station", opts.Station)
	return &Scanner{
		opts:      opts,
		log:       log,
		src:       src,
		rejected:  make(map[string]int64),
		rejectLog: rejectLog{log: log, interval: opts.LogInterval},
	}, nil
}

// Stats returns a snapshot of the counters.
func (s *Scanner) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := make(map[string]int64, len(s.rejected))
	for k, v := range s.rejected {
		r[k] = v
	}
	return Stats{Accepted: s.accepted.Load(), Duplicates: s.duplicates.Load(), Rejected: r}
}

// Run reads and frames bytes until ctx is done or the source ends, calling
// the handler for each accepted scan. It is the only goroutine reading the
// source. It returns nil when ctx is done or the source reports io.EOF, and
// the read error otherwise (for a Device, ErrClosed if the Device stopped
// first).
//
// With a ContextReader source, a frame the line went silent on ends at the
// framing timeout (a TermNone code is delivered then), and the count of
// rejected frames is logged when it is due; with a plain reader both wait
// for the next bytes. A count not yet logged is logged when Run returns.
func (s *Scanner) Run(ctx context.Context) error {
	cr, _ := s.src.(ContextReader)
	if c, ok := s.src.(io.Closer); ok && cr == nil {
		stop := context.AfterFunc(ctx, func() { c.Close() })
		defer stop()
	}
	defer func() { s.rejectLog.flush(time.Now(), true) }()
	f := NewFramer(s.opts.Framing)
	emit := func(fr Frame) { s.deliver(ctx, fr) }
	buf := make([]byte, 512)
	for {
		f.Touch(time.Now())
		var n int
		var err error
		silent := false
		deadline, pending := f.Deadline()
		if due, held := s.rejectLog.due(); held && (!pending || due.Before(deadline)) {
			deadline, pending = due, true
		}
		switch {
		case cr == nil:
			n, err = s.src.Read(buf)
		case pending:
			rctx, cancel := context.WithDeadline(ctx, deadline)
			n, err = cr.ReadContext(rctx, buf)
			cancel()
			silent = err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded)
		default:
			n, err = cr.ReadContext(ctx, buf)
		}
		if n > 0 {
			f.Feed(time.Now(), buf[:n], emit)
		}
		s.rejectLog.flush(time.Now(), false)
		if silent {
			f.Flush(time.Now(), emit)
			continue
		}
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("scanner %s: read: %w", s.opts.Station, err)
		}
	}
}

func (s *Scanner) deliver(ctx context.Context, fr Frame) {
	switch {
	case fr.Err == nil:
		s.accepted.Add(1)
		s.opts.Handler(ctx, Scan{Station: s.opts.Station, Code: fr.Code, Symbology: fr.Symbology, At: fr.At})
	case errors.Is(fr.Err, ErrDuplicate):
		s.duplicates.Add(1)
		s.log.Debug("repeated scan dropped", "code", fr.Code)
	default:
		s.mu.Lock()
		s.rejected[fr.Err.Error()]++
		s.mu.Unlock()
		s.rejectLog.add(fr)
		if s.opts.OnReject != nil && (s.toldAt.IsZero() || fr.At.Sub(s.toldAt) >= s.opts.RejectInterval) {
			s.toldAt = fr.At
			s.opts.OnReject(ctx, fr.Err)
		}
	}
}
