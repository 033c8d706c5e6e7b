// Package backoff spaces the attempts of something that keeps failing,
// such as reopening a serial port that hangs up at once.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Wait returns the wait before the next attempt after n failures in a row
// (n of 1 or more): first, doubled for each failure before the last, at
// most max, less a random part of up to half of it, so that devices
// failing together do not retry in step. The result is never below half of
// first (with n < 1, first) and never above max.
func Wait(first, max time.Duration, n int) time.Duration {
	d := first
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + rand.N(d/2+1)
}
