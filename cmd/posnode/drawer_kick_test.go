package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/posnode/posnode/hardware/drawer"
	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/printer"
	"github.com/posnode/posnode/pos"
)

// jobAhead is a printer that prints a job before it sends a kick (a
// backlog, or the receipt it took first), running job meanwhile.
type jobAhead struct {
	printer.Printer
	job func()
	err error
}

func (p *jobAhead) KickDrawer(context.Context) error {
	p.job()
	return p.err
}

// A kick that waits behind the job the printer is printing, longer than
// the kick's grace, is judged from when it goes out: the drawer read shut
// while the job prints did not fail to open, and its opening once the
// kick has gone out is the till's. A kick that never went out (the
// printer not ready) leaves an opening after it unasked.
func TestKickBehindAJob(t *testing.T) {
	shut := printer.State{Connected: true, Status: escpos.Status{Online: true, DrawerKnown: true}}
	open := shut
	open.Status.DrawerOpen = true
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"sent", nil, nil},
		{"not sent", printer.ErrNotReady, []string{pos.DrawerOpenedUnasked}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := &node{log: slog.New(slog.DiscardHandler)}
			st := &station{cfg: StationConfig{ID: "till-1"}}
			w := &drawerWatch{tracker: drawer.NewTracker(drawer.Options{KickGrace: 20 * time.Millisecond}),
				alarms: make(chan pos.DrawerAlarm, 16)}
			st.drawer = w
			// The switch is seen to move: a drawer is there.
			for _, s := range []printer.State{shut, shut, open, open, shut, shut} {
				n.observeDrawer(st, s)
			}
			for len(w.alarms) > 0 {
				<-w.alarms
			}
			st.printer = &jobAhead{err: tc.err, job: func() {
				for range 5 { // the printer answers polls with the drawer shut as it prints
					n.observeDrawer(st, shut)
					time.Sleep(10 * time.Millisecond)
				}
			}}
			_ = n.kickDrawer(context.Background(), st)
			n.observeDrawer(st, open)
			n.observeDrawer(st, open)
			var got []string
			for len(w.alarms) > 0 {
				got = append(got, (<-w.alarms).Alarm)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Fatalf("alarms %v, want %v", got, tc.want)
			}
		})
	}
}
