package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/posnode/posnode/pos"
	"github.com/posnode/posnode/pos/sqlite"
	"github.com/posnode/posnode/ui"
)

// The clock watch tells the screens once when the clock falls behind the
// newest record or cannot be right, keeps telling them while sales made
// meanwhile are recorded at the wrong, earlier time, and tells them once
// when it is right again.
func TestClockWatch(t *testing.T) {
	day := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	now, last := day, day.Add(-time.Hour)
	var sent []ui.Message
	c := &clockWatch{
		lastRecorded: func(context.Context) (time.Time, error) { return last, nil },
		now:          func() time.Time { return now },
		log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		publish:      func(m ui.Message) { sent = append(sent, m) },
	}
	problem := func() string {
		if v := c.current(); v != nil {
			return v.Problem
		}
		return ""
	}
	ctx := context.Background()
	c.check(ctx)
	if problem() != "" || len(sent) != 0 {
		t.Fatalf("right clock: problem %q, %d messages", problem(), len(sent))
	}
	// The box restarts on the time it saved at its last shutdown, a
	// day behind the last sale.
	last, now = day, day.Add(-24*time.Hour)
	c.check(ctx)
	if problem() != clockBehind || len(sent) != 1 || sent[0].Type != "clock" {
		t.Fatalf("clock a day behind: problem %q, messages %+v", problem(), sent)
	}
	if v := c.current(); !v.Newest.Equal(day) || !v.Now.Equal(now) {
		t.Errorf("view %+v, want newest %s and now %s", v, day, now)
	}
	// A sale made meanwhile is recorded a day early: the newest record
	// is now an earlier one, and the clock is still wrong.
	last, now = now.Add(time.Minute), now.Add(time.Minute)
	c.check(ctx)
	if problem() != clockBehind || len(sent) != 1 {
		t.Fatalf("after a sale made with the clock behind: problem %q, %d messages", problem(), len(sent))
	}
	// Set right, the problem ends.
	now = day.Add(time.Hour)
	c.check(ctx)
	if problem() != "" || len(sent) != 2 || sent[1].Data.(*clockView) != nil {
		t.Fatalf("clock set right: problem %q, messages %+v", problem(), sent)
	}
	// A board with no clock at all starts in 1970.
	now = time.Unix(0, 0).UTC()
	c.check(ctx)
	if problem() != clockImplausible || len(sent) != 3 {
		t.Fatalf("clock in 1970: problem %q, %d messages", problem(), len(sent))
	}
	// A clock synchronised to a time source is right: a newer record was
	// made while it was set ahead, and nothing is wrong now.
	synced := true
	c.synced = func() bool { return synced }
	now = day.Add(-24 * time.Hour)
	c.check(ctx)
	if problem() != "" || len(sent) != 4 || sent[3].Data.(*clockView) != nil {
		t.Fatalf("synchronised clock behind a record: problem %q, messages %+v", problem(), sent)
	}
	synced = false
	c.check(ctx)
	if problem() != clockBehind || len(sent) != 5 {
		t.Fatalf("the same clock no longer synchronised: problem %q, %d messages", problem(), len(sent))
	}
}

// A node started on a box whose clock is behind its newest sale says so in
// the status every screen loads.
func TestNodeStatusNamesAClockBehind(t *testing.T) {
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.Data, cfg.HTTP = t.TempDir(), "127.0.0.1:0"
	ahead := time.Now().Add(3 * time.Hour)
	db, err := openDB(ctx, cfg, sqlite.Options{Now: func() time.Time { return ahead }})
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, db, cfg.scaleTable(), io.Discard); err != nil {
		t.Fatal(err)
	}
	svc := pos.NewService(pos.Options{Store: db, Policy: cfg.Policy, Market: cfg.scaleTable(), Now: func() time.Time { return ahead }})
	a := pos.Actor{Staff: "1", Role: pos.RoleCashier, Station: "till-1"}
	v, err := svc.OpenCart(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	items, err := pos.ParseCatalogCSV(bytes.NewReader(demoCatalog))
	if err != nil {
		t.Fatal(err)
	}
	if v, err = svc.AddItem(ctx, a, v.ID, items[0].SKU, 1); err != nil {
		t.Fatal(err)
	}
	if _, err = svc.PayCash(ctx, a, v.ID, v.Balance.Total+10000); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Complete(ctx, a, v.ID); err != nil {
		t.Fatal(err)
	}
	db.Close()

	n, err := newNode(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer n.db.Close()
	// Whatever this machine's clock discipline, the node is told its
	// clock is not synchronised, as on a box offline since it started.
	n.clock.synced = func() bool { return false }
	n.clock.check(ctx)
	c, ok := n.status()["clock"].(*clockView)
	if !ok || c.Problem != clockBehind || c.Newest.Sub(ahead).Abs() > time.Millisecond {
		t.Fatalf("status clock %+v, want behind the sale at %s", n.status()["clock"], ahead)
	}
}
