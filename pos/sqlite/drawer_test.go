package sqlite_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/posnode/posnode/hardware/escpos"
	"github.com/posnode/posnode/hardware/receipt"
	"github.com/posnode/posnode/pos"
)

// A drawer alarm is journalled with the station's open shift, if any, and
// the journal stays intact.
func TestDrawerAlarmJournalled(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	e.must(e.db.AddDrawerAlarm(e.ctx, &pos.DrawerAlarm{Station: "till-1", Alarm: pos.DrawerOpenedUnasked, At: e.now}))
	sh, err := e.as.OpenShift(e.ctx, e.cashier, 0)
	e.must(err)
	e.must(e.db.AddDrawerAlarm(e.ctx, &pos.DrawerAlarm{Station: "till-1", Alarm: pos.DrawerLeftOpen, At: e.now, OpenSeconds: 75}))
	entries, err := e.db.Journal(e.ctx, 0, 100)
	e.must(err)
	var got []pos.DrawerAlarm
	for _, en := range entries {
		if en.Kind != pos.JournalDrawerAlarm {
			continue
		}
		var a pos.DrawerAlarm
		e.must(json.Unmarshal(en.Data, &a))
		if en.Ref != "till-1" || !a.At.Equal(en.At) {
			t.Errorf("entry %d: ref %q, at %v; alarm %+v", en.N, en.Ref, en.At, a)
		}
		got = append(got, a)
	}
	if len(got) != 2 || got[0].Alarm != pos.DrawerOpenedUnasked || got[0].ShiftID != "" ||
		got[1].Alarm != pos.DrawerLeftOpen || got[1].ShiftID != sh.ID || got[1].OpenSeconds != 75 {
		t.Fatalf("journalled drawer alarms %+v, want opened unasked with no shift, then left open for 75 s in shift %s", got, sh.ID)
	}
	c, err := e.db.VerifyJournal(e.ctx)
	e.must(err)
	if !c.OK() {
		t.Fatalf("journal: %+v", c.Problems)
	}
}

// A shift's drawer alarms are on its X and Z reports, stored and printed,
// beside its no-sale openings: the openings the till did not ask for and
// the times the drawer was left open. An alarm raised with no shift open,
// at another station or after the close, and a kick that did not open
// the drawer, count in none. journal verify adds them up from the journal
// too and names a stored Z report that says otherwise, but does not check
// them in a Z report stored before they were counted.
func TestDrawerAlarmsInTheShiftReports(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	alarm := func(station, kind string) {
		t.Helper()
		e.must(e.db.AddDrawerAlarm(e.ctx, &pos.DrawerAlarm{Station: station, Alarm: kind, At: e.now}))
	}
	alarm("till-1", pos.DrawerOpenedUnasked) // no shift open
	e.must1(e.as.OpenShift(e.ctx, e.cashier, 10000))
	alarm("till-1", pos.DrawerOpenedUnasked)
	alarm("till-1", pos.DrawerLeftOpen)
	alarm("till-1", pos.DrawerNotOpened)
	alarm("till-2", pos.DrawerOpenedUnasked)
	e.must1(e.as.CashOp(e.ctx, e.cashier, pos.CashNoSale, 0, "change for the bus"))
	x, err := e.as.XReport(e.ctx, e.boss, "till-1")
	e.must(err)
	alarm("till-1", pos.DrawerOpenedUnasked)
	z, err := e.as.CloseShift(e.ctx, e.boss, 10000)
	e.must(err)
	alarm("till-1", pos.DrawerLeftOpen) // after the close
	stored, err := e.db.ZReport(e.ctx, z.ShiftID)
	e.must(err)
	for _, c := range []struct {
		rep           *pos.ShiftReport
		unasked, left int
	}{{x, 1, 1}, {z, 2, 1}, {&stored, 2, 1}} {
		want := pos.DrawerAlarmCounts{OpenedUnasked: c.unasked, LeftOpen: c.left}
		if c.rep.DrawerAlarms == nil || *c.rep.DrawerAlarms != want || c.rep.NoSales != 1 {
			t.Fatalf("%s report: drawer alarms %+v, no-sale openings %d; want %+v and 1", c.rep.Kind, c.rep.DrawerAlarms, c.rep.NoSales, want)
		}
		paper := printReport(t, c.rep)
		for k, n := range map[string]int{"no_sales": 1, "unasked": c.unasked, "left_open": c.left} {
			if !printsPair(paper, receipt.T("en", k), fmt.Sprint(n)) {
				t.Errorf("printed %s report lacks %q %d:\n%s", c.rep.Kind, receipt.T("en", k), n, paper)
			}
		}
	}
	e.must(e.db.Close())

	if c := verify(t, e.path); !c.OK() {
		t.Fatalf("untouched books: %v", c.Problems)
	}
	c := verify(t, tamper(t, e.path, `UPDATE shifts SET report = json_set(report, '$.drawer_alarms.left_open', 0) WHERE z_no = 1`))
	if got := named(c); len(got) != 1 || got[0] != fmt.Sprintf("%d mismatch", z.JournalN) ||
		!strings.Contains(c.Problems[0].Detail, "drawer_alarms.left_open is 0 in the stored report, the journal's entries of the shift add up to 1") {
		t.Fatalf("Z report with a drawer left open taken out: %v", c.Problems)
	}
	if c := verify(t, tamper(t, e.path, `UPDATE shifts SET report = json_remove(report, '$.drawer_alarms') WHERE z_no = 1`)); !c.OK() {
		t.Fatalf("Z report stored before drawer alarms were counted: %v", c.Problems)
	}
}

// printReport is rep as a printer prints it, its commands left out.
func printReport(t *testing.T, rep *pos.ShiftReport) string {
	t.Helper()
	enc := escpos.NewEncoder(escpos.TMT88, escpos.Options{})
	if err := receipt.FromShiftReport(rep, receipt.Store{Name: "Corner Shop", Lang: "en", Currency: "EUR"}, rep.At).Encode(enc); err != nil {
		t.Fatal(err)
	}
	var dec escpos.Decoder
	text, err := dec.Decode(enc.Bytes())
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, text)
	}
	return regexp.MustCompile(`\[[^\]]*\]`).ReplaceAllString(text, "")
}

// printsPair reports whether paper has a line with label at the left and
// value flush right.
func printsPair(paper, label, value string) bool {
	for _, l := range strings.Split(paper, "\n") {
		if strings.HasPrefix(l, label+" ") && strings.HasSuffix(strings.TrimRight(l, " "), " "+value) {
			return true
		}
	}
	return false
}

// A drawer alarm raised at the instant the shift closes, after its data
// was gathered, is in its Z report all the same, as the journal has it in
// the shift: the close is made again.
func TestDrawerAlarmAtTheInstantTheShiftCloses(t *testing.T) {
	e := newASEnv(t, pos.ReturnPolicy{})
	store := &readHooks{DB: e.db}
	as := pos.NewAfterSales(pos.AfterSalesOptions{Till: e.till, Store: store})
	e.must1(as.OpenShift(e.ctx, e.cashier, 10000))
	store.shift = func() {
		e.must(e.db.AddDrawerAlarm(e.ctx, &pos.DrawerAlarm{Station: "till-1", Alarm: pos.DrawerLeftOpen, At: e.now, OpenSeconds: 90}))
	}
	z, err := as.CloseShift(e.ctx, e.boss, 10000)
	e.must(err)
	if z.DrawerAlarms == nil || z.DrawerAlarms.LeftOpen != 1 {
		t.Fatalf("Z report drawer alarms %+v, want the drawer left open at the close", z.DrawerAlarms)
	}
	e.must(e.db.Close())
	if c := verify(t, e.path); !c.OK() {
		t.Fatalf("books: %v", c.Problems)
	}
}
