// Package serialdev opens serial ports and keeps store devices on them
// connected across unplugging and replugging.
//
// A serial device (scanner, receipt printer, customer display) is named in
// the configuration by a path, usually a stable /dev/serial/by-id symlink,
// or by USB identity (vendor id, product id and optionally serial number,
// written usb:VID:PID[:SERIAL] and read by ParseTarget; Ports lists the
// ports present with theirs), and has line settings parsed with ParseConfig from strings such as
// ("9600", "8", "none", "1").
//
// A Device owns one such port. Its Run method opens the port when the device
// is present and watches it:
//
//   - The device's presence is polled every Options.PollInterval (250 ms by
//     default): the path is resolved again (a USB identity is looked up again
//     through the port enumerator and /dev/serial/by-id); a node that
//     disappears, or a path that now leads to a different node, closes the
//     port. A read or write error closes it at once. Either way the device is
//     reported disconnected within 2 seconds.
//   - A closed port is reopened at the next poll after the device is present
//     again, so a replugged device is back within 2 seconds, without a
//     restart.
//   - A port that fails within 10 seconds of opening (a USB adapter that
//     bounces, a device that hangs up at once), or that cannot be opened
//     although its node is there (permissions, another program holding
//     it), is reopened with back-off: after 100 ms, then twice as long
//     after each further failure in a row, up to 5 seconds, each wait cut
//     by a random part of up to half so that devices failing together do
//     not retry in step. The back-off ends once a port has stayed open for
//     10 seconds.
//   - Every change is logged and passed to Options.OnState. While a
//     back-off runs, OnState still sees every change, but the log has one
//     line when it starts and one when it ends, not one per attempt.
//
// # Never opened twice
//
// Open keeps a process-wide registry of open ports keyed by the real path of
// the device node, after following symlinks, so the same port configured
// twice under different names is refused with ErrInUse instead of two readers
// stealing each other's bytes.
//
// # Writes never hang
//
// Device.Write goes through a bounded queue to a single writer goroutine and
// returns once Options.WriteTimeout passes without the port taking more of
// its bytes, whatever the device does; a long write that keeps moving, such
// as a receipt sent as an image on a slow line, takes as long as it takes.
// A write that the port does not take in time marks the port broken: the device is
// reported disconnected and its output buffer discarded. A write(2) blocked in
// the kernel cannot be interrupted, so the descriptor is closed, and the
// device reopened, as soon as that write returns: at once for a real UART
// once its buffer is discarded, when the device drains or is unplugged for
// USB and pseudo-terminals. Until then the port stays registered as open, so
// it is never opened a second time behind a stalled write. While the device
// is disconnected Write fails at once with ErrDisconnected; nothing is
// buffered for later, because stale display text is worse than none and
// receipts have their own durable queue.
//
// # Pseudo-terminals
//
// Tests, and software bridges such as socat, use pseudo-terminals in place of
// serial ports. go.bug.st/serial opens a pty slave as long as no modem control
// lines are touched (TIOCMGET/TIOCMSET fail with ENOTTY on a pty), and this
// package never touches them. Should the library still refuse a pty, Open
// falls back to os.OpenFile with raw mode set through termios (MakeRaw);
// line settings have no meaning on a pty, so nothing is lost. A pty's node
// disappears when its master side is closed, which a Device sees as an unplug.
//
// # Concurrency
//
// A Device may be written to from any goroutine. It should be read from one
// goroutine only (one reader per port); ReadContext continues on the new port
// after a reconnect. Run starts the writer goroutine and stops it before it
// returns.
package serialdev
