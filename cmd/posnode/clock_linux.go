package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// clockSynced reports whether the kernel's clock is synchronised to a
// time source (NTP): read with adjtimex, or, where the service's sandbox
// refuses that call (ProtectClock), from systemd-timesyncd's flag file.
func clockSynced() bool {
	var tx unix.Timex
	if state, err := unix.Adjtimex(&tx); err == nil {
		return state != unix.TIME_ERROR && tx.Status&unix.STA_UNSYNC == 0
	}
	_, err := os.Stat("/run/systemd/timesync/synchronized")
	return err == nil
}
