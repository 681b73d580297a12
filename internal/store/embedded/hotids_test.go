package embedded

import (
	"context"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// TestHotReplayStoredOnce replays a batch while its first copy is hot: a
// search of hot data counts each event once, the replay is acknowledged,
// and the dropped copies are counted.
func TestHotReplayStoredOnce(t *testing.T) {
	ctx := context.Background()
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(ctx, storetest.Events("acme", 10)); err != nil {
		t.Fatal(err)
	}
	other := *storetest.Events("acme", 10)[3]
	other.ID = "another-id"
	beta := *storetest.Events("acme", 10)[3]
	beta.Tenant = "beta"
	later := *storetest.Events("acme", 10)[3]
	later.Timestamp = later.Timestamp.Add(time.Microsecond)
	// The replay, with one event twice in the same batch.
	replay := append(storetest.Events("acme", 10), storetest.Events("acme", 1)[0], &other, &beta, &later)
	if err := s.Write(ctx, replay); err != nil {
		t.Fatalf("a replay is acknowledged: %v", err)
	}
	if n := search(t, s, "acme", "").Total; n != 12 {
		t.Errorf("acme: %d hot events, want 10 + another id + a later time", n)
	}
	if n := search(t, s, "beta", "").Total; n != 1 {
		t.Errorf("beta: %d hot events, want 1 (the same id in another tenant)", n)
	}
	if got := testutilCounter(t, s.datasets[store.Events].m.duplicateRows); got != 11 {
		t.Errorf("duplicates counted: %v, want 11", got)
	}
	if got := testutilCounter(t, s.datasets[store.Events].m.rows); got != 13 {
		t.Errorf("rows counted: %v, want 13 stored", got)
	}
	// A batch of duplicates only is acknowledged too.
	if err := s.Write(ctx, storetest.Events("acme", 2)); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	if n := search(t, s, "acme", "").Total; n != 12 {
		t.Errorf("acme: %d events after the freeze, want 12", n)
	}
	if got := testutilCounter(t, s.datasets[store.Events].m.duplicateRows); got != 13 {
		t.Errorf("duplicates counted: %v, want 13 (none counted twice at freeze)", got)
	}
	if n := s.datasets[store.Events].ids.len(); n != 0 {
		t.Errorf("%d ids remembered after everything froze, want 0", n)
	}
}

// TestHotReplayAfterRestart writes a batch, restarts the store (the set of
// hot ids is rebuilt from the hot segments) and replays it.
func TestHotReplayAfterRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, storetest.Events("acme", 10)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := s.datasets[store.Events].ids.len(); n != 10 {
		t.Errorf("%d ids rebuilt at start, want 10", n)
	}
	if err := s.Write(ctx, storetest.Events("acme", 10)); err != nil {
		t.Fatal(err)
	}
	if n := search(t, s, "acme", "").Total; n != 10 {
		t.Errorf("acme: %d hot events after a replay across a restart, want 10", n)
	}
	if got := testutilCounter(t, s.datasets[store.Events].m.duplicateRows); got != 10 {
		t.Errorf("duplicates counted: %v, want 10", got)
	}
}
