package scanner_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/posnode/posnode/hardware/scanner"
)

func ExampleScanner() {
	// A real station reads from a *serialdev.Device; any io.Reader works.
	line := strings.NewReader("]E04006381333931\r\n]E04006381333931\r\n\x1b[A\r\n]Q1PICKUP:0b6e7f:4821\r\n")
	sc, err := scanner.New(line, scanner.Options{
		Station: "till-1",
		Framing: scanner.FramingOptions{Terminator: scanner.TermCRLF},
		Logger:  slog.New(slog.DiscardHandler),
		Handler: func(_ context.Context, s scanner.Scan) {
			fmt.Printf("%s: %s (%s)\n", s.Station, s.Code, scanner.SymbologyName(s.Symbology))
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := sc.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	st := sc.Stats()
	fmt.Printf("accepted %d, repeats %d, rejected %v\n", st.Accepted, st.Duplicates, st.Rejected)
	// Output:
	// till-1: 4006381333931 (EAN/UPC)
	// till-1: PICKUP:0b6e7f:4821 (QR Code)
	// accepted 2, repeats 1, rejected map[scanner: control byte in scan:1]
}

func ExampleFramer() {
	f := scanner.NewFramer(scanner.FramingOptions{Timeout: 100 * time.Millisecond})
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	show := func(fr scanner.Frame) {
		if fr.Err != nil {
			fmt.Printf("rejected %q: %v\n", fr.Raw, fr.Err)
			return
		}
		fmt.Printf("code %s %s\n", fr.Symbology, fr.Code)
	}
	f.Feed(t0, []byte("7310865"), show) // the cable is pulled mid-scan
	f.Feed(t0.Add(time.Second), []byte("]E05901234123457\r"), show)
	// Output:
	// rejected "7310865": scanner: partial scan dropped after inactivity
	// code ]E0 5901234123457
}
