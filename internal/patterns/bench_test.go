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

// BenchmarkMineCrowdedLeaf is the worst case of a source whose messages
// share their length and first two words (say, they start with a date and
// a time) but whose templates all differ: every message is compared with
// the patterns of one crowded leaf.
func BenchmarkMineCrowdedLeaf(b *testing.B) {
	word := func(i, j int) string { return string(rune('a'+(i>>(4*j))&15)) + "x" + string(rune('a'+j)) }
	msg := func(i int) string {
		return "2026-12-07 06:00:01 " + word(i, 0) + " " + word(i, 1) + " " + word(i, 2) + " " + word(i, 3) + " ended"
	}
	tab := newTable("t", "s", MinerOptions{}, Learning{})
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 1<<16; i++ {
		tab.Observe(msg(i), at, "id")
	}
	lines := make([]string, 4096)
	for i := range lines {
		lines[i] = msg(i * 7)
	}
	b.Logf("%d patterns, largest leaf %d", tab.Len(), tab.miner.largestLeaf())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tab.Observe(lines[i%len(lines)], at, "id")
	}
}

func (m *Miner) largestLeaf() int {
	max := 0
	var walk func(n *node)
	walk = func(n *node) {
		if len(n.leaf) > max {
			max = len(n.leaf)
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(m.root)
	return max
}
