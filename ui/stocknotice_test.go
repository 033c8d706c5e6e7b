package ui_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/posnode/posnode/ui"
)

type stockNotice struct {
	Type string
	Data struct {
		SKUs []string
		All  bool
	}
}

// stockScreen opens a screen's websocket on s and reads its hello.
func stockScreen(t *testing.T, s *store) *websocket.Conn {
	t.Helper()
	ws, _, err := websocketDial(s, s.login(t, "1", "tablet-1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	var hello ui.Message
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		t.Fatalf("hello = %+v, %v", hello, err)
	}
	return ws
}

func readNotice(t *testing.T, ws *websocket.Conn) stockNotice {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m stockNotice
	if err := ws.ReadJSON(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// stockPage is the SKUs of a stock page of n items from first on.
func stockPage(first, n int) []string {
	skus := make([]string, n)
	for i := range skus {
		skus[i] = fmt.Sprintf("%07d", first+i)
	}
	return skus
}

// A page of a thousand items from central reaches a screen as one
// message naming them, and the pages that follow before
// StockNoticeEvery has passed wait to go out together, not one message
// each.
func TestStockNoticeBatchesCentralPages(t *testing.T) {
	s := newStore(t, func(o *ui.Options) { o.StockNoticeEvery = time.Hour })
	ws := stockScreen(t, s)
	hub := s.server.Hub()

	first := stockPage(0, 1000)
	hub.StockChanged(first)
	if m := readNotice(t, ws); m.Type != "stock_changed" || m.Data.All || !slices.Equal(m.Data.SKUs, first) {
		t.Fatalf("first page: %s all=%v with %d skus, want stock_changed naming its 1000", m.Type, m.Data.All, len(m.Data.SKUs))
	}
	for p := 1; p < 300; p++ {
		hub.StockChanged(stockPage(p*1000, 1000))
	}
	// The next message is this one: the 299 pages wait for the hour.
	hub.Publish(ui.Message{Type: "mark"})
	if m := readNotice(t, ws); m.Type != "mark" {
		t.Fatalf("after 299 more pages the screen got %s (%d skus, all=%v), want nothing before the next notice is due", m.Type, len(m.Data.SKUs), m.Data.All)
	}
}

// Changes gathered while a notice waits go out once it is due; more SKUs
// than a notice lists are sent as all.
func TestStockNoticeSendsWhatWaited(t *testing.T) {
	s := newStore(t, func(o *ui.Options) { o.StockNoticeEvery = 20 * time.Millisecond })
	ws := stockScreen(t, s)
	hub := s.server.Hub()

	hub.StockChanged(stockPage(0, 1001))
	if m := readNotice(t, ws); m.Type != "stock_changed" || !m.Data.All || len(m.Data.SKUs) != 0 {
		t.Fatalf("1001 skus: %s all=%v with %d skus, want all", m.Type, m.Data.All, len(m.Data.SKUs))
	}
	hub.StockChanged([]string{"100234"})
	hub.StockChanged([]string{"100236"})
	var got []string
	for len(got) < 2 {
		m := readNotice(t, ws)
		if m.Type != "stock_changed" || m.Data.All {
			t.Fatalf("then %s all=%v, want the two skus", m.Type, m.Data.All)
		}
		got = append(got, m.Data.SKUs...)
	}
	if !slices.Equal(got, []string{"100234", "100236"}) {
		t.Fatalf("notices named %v, want 100234 and 100236", got)
	}
}
