package entity

import (
	"context"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

// TestChurnKeepsHeapBounded: source addresses seen once each, ten times
// as many as max_entities (a long run's one-off internet addresses, as
// `vigil bench` makes them), leave the engine at its cap, and its heap
// where it was when the cap was first reached: forgetting an entity
// frees what it held, the shard maps do not keep growing.
func TestChurnKeepsHeapBounded(t *testing.T) {
	const maxEntities = shards * 200
	cfg := config.Analytics{MaxEntities: maxEntities}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{Config: cfg, Logger: quiet, Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }},
		alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	feed := func(n int) {
		batch := make([]*event.Event, 0, 512)
		for range n {
			ev := &event.Event{Timestamp: day0.Add(time.Duration(next) * time.Second), Tenant: "acme"}
			ev.Set("source.ip", userIP(next))
			ev.Set("destination.ip", userIP(next*7))
			ev.Set("source.bytes", event.Int(int64(1000+next%5000)))
			next++
			if batch = append(batch, ev); len(batch) == cap(batch) {
				if err := e.Write(context.Background(), batch); err != nil {
					t.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		if err := e.Write(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	base := heapInUse()
	feed(2 * maxEntities)
	atCap := heapInUse() - base
	feed(8 * maxEntities)
	after := heapInUse() - base
	st := e.Stats()
	if st.Entities > maxEntities || st.Evicted < 9*maxEntities-int64(st.Entities) {
		t.Errorf("entities %d (cap %d), evicted %d", st.Entities, maxEntities, st.Evicted)
	}
	t.Logf("heap at the cap %d B (%d B/entity), after 5 times as many addresses %d B", atCap, atCap/maxEntities, after)
	if after > atCap+atCap/4 {
		t.Errorf("heap grew from %d to %d bytes while the entities stayed at the cap", atCap, after)
	}
}
