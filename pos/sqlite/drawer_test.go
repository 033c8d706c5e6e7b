package sqlite_test

import (
	"encoding/json"
	"testing"

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
