package ui

import (
	"context"
	"sync"
	"time"

	"github.com/posnode/posnode/pos"
)

// idleLock ends a staff session that has not been used for a while: a
// till left signed in is not left open to whoever passes. What the
// station had open stays there (a cart is the station's, not the
// session's) for the next member to sign in. Paired devices hold no PIN
// to sign in again with and are not locked; nor is a customer display's
// session, whose websockets all follow a station (?watch=): it shows what
// it is pushed and sends nothing. A display in the till's own browser
// shares the till's session, and is locked with it.
//
// A use is a request that changes something, input on the screen (the
// app says "use" on its websocket when touched or typed on) and a code
// read by the station's serial scanner, a use of the sessions signed in
// there (see UsedAt): the cashier scanning a customer's goods is at the
// till, though the screen is not touched. A request that only reads is
// not: a screen refetches on its own what a push says changed (a pickup
// counter's queue, a tablet's stock), and would be kept signed in by the
// store's activity, unwatched.
//
// When a session was last used is kept in memory: after a restart each
// session has the whole idle time again from its first use.
type idleLock struct {
	after time.Duration // < 0: never

	mu   sync.Mutex         // guards used
	used map[string]idleUse // by session token
}

// idleUse is when a session was last used, and at which station. used
// says it has been used for more than following a station: a till's
// session, which a display in the same browser does not keep signed in
// once the till's own tab is closed.
type idleUse struct {
	at      time.Time
	station string
	used    bool
}

// session returns the live session of token, ending it when it has been
// idle too long. touch counts this as a use of it.
func (s *Server) session(ctx context.Context, token string, touch bool) (pos.Session, error) {
	return s.sessionUsed(ctx, token, touch, touch)
}

// sessionUsed is session, own telling whether a use is the session's own
// (a request, the screen touched) or the station's (its scanner).
func (s *Server) sessionUsed(ctx context.Context, token string, touch, own bool) (pos.Session, error) {
	who, err := s.opt.Sessions.Session(ctx, token)
	if err != nil || who.DeviceID != "" || s.idle.after < 0 {
		return who, err
	}
	watching := !own && s.hub.watching(token) // before the lock: the hub has its own
	now := s.opt.Now()
	l := &s.idle
	l.mu.Lock()
	last, seen := l.used[token]
	// A display's time following a station counts as use: signed in still
	// when its connection comes back after a drop. Not a till's session's.
	display := watching && !last.used
	touch = touch || display
	idle := !display && seen && now.Sub(last.at) >= l.after
	switch {
	case idle: // forgotten once the session is ended, not before
	case touch || !seen:
		if len(l.used) >= 256 && !seen {
			for t, u := range l.used { // forget sessions expired by now
				if now.Sub(u.at) > s.opt.SessionTTL {
					delete(l.used, t)
				}
			}
		}
		l.used[token] = idleUse{at: now, station: who.Station, used: last.used || own}
	}
	l.mu.Unlock()
	if !idle {
		return who, nil
	}
	if err := s.opt.Sessions.DeleteSession(ctx, token); err != nil {
		return pos.Session{}, err
	}
	l.forget(token)
	s.hub.dropToken(token)
	s.log.Info("signed out: idle", "staff", who.Staff.ID, "station", who.Station, "after", s.idle.after)
	return pos.Session{}, pos.ErrNotAuthorized
}

// UsedAt counts a use of every staff session signed in at station: its
// serial scanner read a code. A session idle for the lock's time already
// is ended instead, as any other use of it would find it.
func (s *Server) UsedAt(ctx context.Context, station string) {
	if s.idle.after < 0 {
		return
	}
	var tokens []string
	s.idle.mu.Lock()
	for t, u := range s.idle.used {
		if u.station == station {
			tokens = append(tokens, t)
		}
	}
	s.idle.mu.Unlock()
	for _, t := range tokens {
		_, _ = s.sessionUsed(ctx, t, true, false)
	}
}

// forget drops what the lock knows of a session that ended.
func (l *idleLock) forget(token string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.used, token)
}
