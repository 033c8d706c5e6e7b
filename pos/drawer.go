package pos

import "time"

// Drawer alarms: what a station's cash drawer did that the till did not
// ask of it, as the drawer's switch tells it.
const (
	DrawerNotOpened     = "not_opened"     // a kick did not open it: jammed, locked or unplugged
	DrawerLeftOpen      = "left_open"      // open longer than the station allows
	DrawerOpenedUnasked = "opened_unasked" // opened with no kick: by its key, or forced
)

// DrawerAlarm is a drawer alarm as the journal keeps it, beside the
// openings the till asked for (the cash operations).
type DrawerAlarm struct {
	Station string    `json:"station"`
	Alarm   string    `json:"alarm"` // DrawerNotOpened, DrawerLeftOpen or DrawerOpenedUnasked
	At      time.Time `json:"at"`
	// OpenSeconds is how long the drawer had been open, for
	// DrawerLeftOpen; 0 otherwise.
	OpenSeconds int64 `json:"open_seconds,omitempty"`
	// ShiftID is the station's shift open at the time, "" when none was;
	// the store sets it.
	ShiftID string `json:"shift_id,omitempty"`
}

// DrawerAlarmCounts are a shift's loss-prevention figures, beside its
// no-sale openings (ShiftReport.NoSales): how often its station's drawer
// opened without the till asking (no sale, no cash operation) and how
// often it was left open.
type DrawerAlarmCounts struct {
	OpenedUnasked int `json:"opened_unasked"`
	LeftOpen      int `json:"left_open"`
}

// CountDrawerAlarms counts alarms into a shift's figures. A kick that did
// not open the drawer is a fault of the drawer, not counted here.
func CountDrawerAlarms(alarms []DrawerAlarm) DrawerAlarmCounts {
	var c DrawerAlarmCounts
	for _, a := range alarms {
		switch a.Alarm {
		case DrawerOpenedUnasked:
			c.OpenedUnasked++
		case DrawerLeftOpen:
			c.LeftOpen++
		}
	}
	return c
}
