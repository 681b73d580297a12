package patterns

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// BenchmarkMine measures mining one message of a known template (the
// steady state) over every loghub sample's messages in turn.
//
//	go test ./internal/patterns -run '^$' -bench Mine -cpu 1
func BenchmarkMine(b *testing.B) {
	var lines []string
	bytes := 0
	for _, sys := range loghubSystems {
		for _, l := range readLoghub(b, sys).content {
			lines = append(lines, l)
			bytes += len(l)
		}
	}
	tab := newTable("t", "s", MinerOptions{}, Learning{})
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, l := range lines {
		tab.Observe(l, at, "id")
	}
	b.SetBytes(int64(bytes / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tab.Observe(lines[i%len(lines)], at, "id")
	}
}

// BenchmarkAnnotate measures the processor's work per event: the
// eligibility test, the table lookup, mining, and setting the fields.
func BenchmarkAnnotate(b *testing.B) {
	var lines []string
	bytes := 0
	for _, sys := range loghubSystems {
		for _, l := range readLoghub(b, sys).content {
			lines = append(lines, l)
			bytes += len(l)
		}
	}
	s, _ := New(Options{})
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	evs := make([]event.Event, len(lines))
	for i, l := range lines {
		evs[i] = event.Event{Tenant: "t", Source: "s", Timestamp: at, ID: "id"}
		evs[i].Set("message", event.String(l))
		s.Annotate(&evs[i])
	}
	b.SetBytes(int64(bytes / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := &evs[i%len(evs)]
		e.Delete(FieldID)
		s.Annotate(e)
	}
}
