package embedded

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// testClock is an injectable clock for the store.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// eventsAt returns storetest events of tenant moved to start at ts, as an
// import of old logs writes them.
func eventsAt(tenant string, n int, ts time.Time) []*event.Event {
	evs := storetest.Events(tenant, n)
	for i, e := range evs {
		e.Timestamp = ts.Add(time.Duration(i) * time.Second)
	}
	return evs
}

// TestRetentionCountsFromReceiveTime imports events from 2020 and 2022
// (finding 11: they were deleted by the 30-day retention minutes after the
// import) and checks that they survive a freeze and a retention pass,
// while data received 60 days ago, though its events are recent, goes; the
// deletion is recorded in the chain and verify stays clean.
func TestRetentionCountsFromReceiveTime(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := &testClock{t: now.Add(-60 * 24 * time.Hour)}
	s, err := Open(Options{Dir: dir, Interval: time.Hour, Now: clock.now, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	// Received 60 days ago, with events of that day.
	if err := s.Write(ctx, eventsAt("acme", 4, clock.now().Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	// Received now: CloudTrail of 2020 and EVTX of 2022.
	clock.set(now)
	old := append(eventsAt("acme", 3, time.Date(2020, 3, 1, 8, 0, 0, 0, time.UTC)), eventsAt("acme", 2, time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC))...)
	if err := s.Write(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s, ""); n != 9 {
		t.Fatalf("before retention: %d events, want 9", n)
	}
	if err := s.datasets[store.Events].retain(clock.now()); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s, ""); n != 5 {
		t.Errorf("after retention: %d events, want the 5 imported just now (the 4 received 60 days ago deleted)", n)
	}
	res, err := s.Search(ctx, store.Request{Tenant: "acme", From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || res.Total != 5 {
		t.Errorf("imported history after retention: %d events (err %v), want 5", res.Total, err)
	}
	// 31 days on, the import is past the max age too.
	if err := s.datasets[store.Events].retain(now.Add(31 * 24 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s, ""); n != 0 {
		t.Errorf("31 days after the import: %d events, want 0", n)
	}
	rep, err := Verify(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Errorf("verify after retention reports problems: %v", rep.Problems)
	}
}
