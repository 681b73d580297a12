package embedded

import (
	"context"
	"fmt"
	"github.com/vigilsiem/vigil/internal/event"
	"log/slog"
	"runtime"
	"sync/atomic"
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

// BenchmarkHotIDs measures what dropping replays adds to a write, per
// event: reading the key of each encoded line, checking the batch against
// the hot set and remembering it; and the heap each remembered key takes.
func BenchmarkHotIDs(b *testing.B) {
	dir := b.TempDir()
	cat, err := loadCatalog(dir+"/catalog.json", ColumnLimits{}, slog.Default())
	if err != nil {
		b.Fatal(err)
	}
	evs := benchEvents(1000)
	enc := &encoder{cat: cat}
	var buf []byte
	var info batchInfo
	var ends []int
	for _, e := range evs {
		if buf, err = enc.appendEvent(buf, e, &info); err != nil {
			b.Fatal(err)
		}
		ends = append(ends, len(buf))
	}
	ids := newHotIDs()
	b.ReportAllocs()
	seq := uint64(0)
	for b.Loop() {
		keys := getBatchKeys()
		start := 0
		for _, end := range ends {
			k, ok := lineIDKey(buf[start:end])
			keys.lines = append(keys.lines, lineKey{start: start, end: end, key: k, ok: ok})
			start = end
		}
		ids.markDuplicates(keys)
		ids.add(keys.kept, seq)
		putBatchKeys(keys)
		// The same lines each time: forget them, as freezes would.
		ids.frozen(seq)
		seq++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/event")
}

// BenchmarkHotIDsBytes reports the heap each remembered key takes, in a
// set of 2²⁰ keys (the size of a full hot window).
func BenchmarkHotIDsBytes(b *testing.B) {
	const n = 1 << 20
	keys := make([]idKey, n)
	for i := range keys {
		keys[i] = newIDKey(int64(i), []byte("id"))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	big := newHotIDs()
	big.add(keys, 1)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heapB/key")
	runtime.KeepAlive(big)
	for b.Loop() {
	}
}

var freshSeq atomic.Int64

// freshEvents returns storetest.Events with ids no earlier call returned:
// new events, not a replay the store would drop.
func freshEvents(tenant string, n int) []*event.Event {
	evs := storetest.Events(tenant, n)
	k := freshSeq.Add(1)
	for _, e := range evs {
		e.ID = fmt.Sprintf("%s-f%d", e.ID, k)
	}
	return evs
}
