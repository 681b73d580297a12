package tail

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vigilsiem/vigil/internal/event"
)

func events(tenant string, n int, t0 time.Time) []*event.Event {
	out := make([]*event.Event, n)
	for i := range out {
		out[i] = &event.Event{Tenant: tenant, ID: fmt.Sprintf("%s-%d", tenant, i), Timestamp: t0.Add(time.Duration(i) * time.Second)}
	}
	return out
}

func TestHubFansOutPerTenant(t *testing.T) {
	h, err := New(Options{Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := h.Subscribe("acme")
	g, _ := h.Subscribe("globex")
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	if err := h.Write(context.Background(), append(events("acme", MaxIDs+3, t0), events("other", 5, t0)...)); err != nil {
		t.Fatal(err)
	}
	b1, b2 := <-a.C, <-a.C
	if len(b1.IDs) != MaxIDs || len(b2.IDs) != 3 || !b1.From.Equal(t0) || !b2.To.Equal(t0.Add((MaxIDs+2)*time.Second)) {
		t.Errorf("batches: %d ids %v–%v, %d ids %v–%v", len(b1.IDs), b1.From, b1.To, len(b2.IDs), b2.From, b2.To)
	}
	select {
	case b := <-g.C:
		t.Errorf("globex got acme's or other's events: %v", b.IDs)
	default:
	}
	a.Close()
	g.Close()
	if n := h.Subscribers(); n != 0 {
		t.Errorf("%d subscribers after Close", n)
	}
}

func TestHubBounds(t *testing.T) {
	h, _ := New(Options{MaxSubscribers: 3, MaxPerTenant: 2, Queue: 2})
	if _, err := h.Subscribe("a"); err != nil {
		t.Fatal(err)
	}
	slow, _ := h.Subscribe("a")
	if _, err := h.Subscribe("a"); !errors.Is(err, ErrFull) {
		t.Errorf("third of tenant a: %v, want ErrFull", err)
	}
	if _, err := h.Subscribe("b"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Subscribe("c"); !errors.Is(err, ErrFull) {
		t.Errorf("fourth in all: %v, want ErrFull", err)
	}
	// Nobody reads: the third batch finds the queues full, the pipeline
	// does not wait, and the slow subscribers are dropped and counted.
	for i := 0; i < 3; i++ {
		if err := h.Write(context.Background(), events("a", 1, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	<-slow.Gone
	if !errors.Is(slow.Err(), ErrSlow) {
		t.Errorf("err = %v, want ErrSlow", slow.Err())
	}
	if n := testutil.ToFloat64(h.dropped); n != 2 {
		t.Errorf("dropped = %v, want 2", n)
	}
	if n := h.Subscribers(); n != 1 {
		t.Errorf("subscribers = %d, want 1 (b)", n)
	}
	// A slot freed by a drop is free again.
	if _, err := h.Subscribe("a"); err != nil {
		t.Errorf("after the drop: %v", err)
	}
}

func BenchmarkHubWrite(b *testing.B) {
	h, _ := New(Options{Queue: 1 << 20})
	s, _ := h.Subscribe("acme")
	go func() {
		for range s.C {
		}
	}()
	evs := events("acme", 500, time.Now())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = h.Write(context.Background(), evs)
	}
}

// The common case: nobody tails, and the sink costs a lock per batch.
func BenchmarkHubWriteNoTail(b *testing.B) {
	h, _ := New(Options{})
	evs := events("acme", 500, time.Now())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = h.Write(context.Background(), evs)
	}
}
