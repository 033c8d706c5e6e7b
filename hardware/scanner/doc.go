// Package scanner turns the byte stream of a serial barcode scanner into
// scans for a station.
//
// # Framing
//
// A Framer cuts the stream into codes at the configured terminator (CR, LF
// or CRLF; a CRLF pair always counts once), or, for a scanner that sends
// nothing after a code (TermNone), when the line falls silent for
// FramingOptions.Timeout. It drops a partial code when the line has been
// silent for longer than FramingOptions.Timeout, strips a
// configured prefix and suffix, and strips an AIM symbology identifier
// (']', a code character, a modifier digit: "]E0" EAN/UPC, "]C1" GS1-128,
// "]Q1" QR Code ...), reporting it as the scan's symbology. It drops a code
// equal to the previous one seen within FramingOptions.RepeatWindow (a
// double read, or a code held under a scanner in continuous mode), and
// rejects frames longer than MaxLen bytes, frames that are not valid UTF-8
// and frames with control characters. The ASCII group separator (GS, 0x1D)
// is the one control character accepted, because GS1 codes use it between
// variable-length fields. Every rejection is counted (Scanner.Stats) and
// logged with its reason, the first of a burst at warning level and the
// others as one count per Options.LogInterval, so that a scanner at a wrong
// baud rate does not flood the log; it is told to Options.OnReject, at most
// once per Options.RejectInterval, so that the station's screen can ask for
// the scan again. Garbage on the line never stops a station.
//
// The Framer reads no clock and starts no goroutine: callers pass arrival
// times, which keeps it deterministic and fuzzable (FuzzFramer).
//
// # Concurrency
//
// Scanner.Run is the one goroutine that reads the scanner's port. It calls
// the handler synchronously, in order, so scans of one station are never
// reordered; a slow handler delays later scans but loses none (bytes wait
// in the kernel), and the time spent in the handler does not count as
// silence on the line.
//
// # Wiring a station
//
// cmd builds one serialdev.Device per configured scanner port and runs it
// next to the Scanner that reads from it, under the node's errgroup; both
// stop when the context is cancelled:
//
//	dev, err := serialdev.New(serialdev.Options{
//		Name:    st.ID + " scanner",
//		Path:    st.Scanner, // ideally a /dev/serial/by-id name
//		Config:  line,       // from serialdev.ParseConfig
//		Logger:  log,
//		OnState: func(s serialdev.State) { publishDevice(st.ID, "scanner", s) },
//	})
//	...
//	sc, err := scanner.New(dev, scanner.Options{
//		Station: st.ID,
//		Framing: scanner.FramingOptions{Terminator: term},
//		Logger:  log,
//		Handler: func(ctx context.Context, s scanner.Scan) {
//			// At a till: add to the station's open cart, or start a
//			// return for a receipt code; at the pickup counter: open
//			// the order of a PICKUP:{order_id}:{code} QR. Errors
//			// (unknown code, no open cart) go to the station's screen.
//			routeScan(ctx, st, s.Code)
//		},
//	})
//	...
//	g.Go(func() error { return dev.Run(ctx) })
//	g.Go(func() error { return sc.Run(ctx) })
//
// The Device reconnects an unplugged scanner by itself; the Scanner keeps
// reading across the reconnect, so a replugged scanner works without a
// restart. Bytes sent while the scanner was unplugged are lost, and a code
// cut in half by the unplug is dropped as a partial.
package scanner
