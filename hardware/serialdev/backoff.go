package serialdev

import (
	"time"

	"github.com/posnode/posnode/internal/backoff"
)

// A port that fails soon after it was opened (a USB adapter that bounces,
// a device that hangs up at once) or cannot be opened at all (permissions,
// another program holding it) is not reopened at once: the wait doubles
// from reopenMin with each failure in a row, up to reopenMax, and starts
// again once a port has stayed open for healthyAfter.
const (
	reopenMin    = 100 * time.Millisecond
	reopenMax    = 5 * time.Second
	healthyAfter = 10 * time.Second
)

// reopenBackoff spaces the attempts to open a port that keeps failing. It
// reads no clock: callers pass the times.
type reopenBackoff struct {
	failures  int       // failed connections in a row
	notBefore time.Time // no open is tried before this
}

// failed records a failed connection at now and returns the wait before
// the next open (see backoff.Wait).
func (b *reopenBackoff) failed(now time.Time) time.Duration {
	b.failures++
	d := backoff.Wait(reopenMin, reopenMax, b.failures)
	b.notBefore = now.Add(d)
	return d
}

// ended records that a connection opened at opened failed at now. A
// connection that stayed up for healthyAfter was healthy: the next open is
// tried at once. It returns the wait before the next open.
func (b *reopenBackoff) ended(opened, now time.Time) time.Duration {
	if now.Sub(opened) >= healthyAfter {
		*b = reopenBackoff{}
		return 0
	}
	return b.failed(now)
}

// stable records that a connection opened at opened is still up at now. It
// reports whether that ended a back-off: the connection has now stayed up
// for healthyAfter after failures.
func (b *reopenBackoff) stable(opened, now time.Time) bool {
	if b.failures == 0 || now.Sub(opened) < healthyAfter {
		return false
	}
	*b = reopenBackoff{}
	return true
}

// wait returns how long the next open must still wait at now.
func (b *reopenBackoff) wait(now time.Time) time.Duration {
	return max(b.notBefore.Sub(now), 0)
}
