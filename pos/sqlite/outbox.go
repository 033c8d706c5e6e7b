package sqlite

import (
	"context"

	"github.com/posnode/posnode/pos"
)

// EventsAfter returns up to limit outbox events with seq above after, in
// seq order.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) ([]pos.Event, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT seq, id, type, time, data FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []pos.Event
	for rows.Next() {
		ev := pos.Event{Epoch: db.epoch}
		var at, data string
		if err := rows.Scan(&ev.Seq, &ev.ID, &ev.Type, &at, &data); err != nil {
			return nil, err
		}
		ev.Time, ev.Data = parseTS(at), []byte(data)
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}
