package forward_test

import (
	"context"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
)

type nopAppender struct{ n int }

func (a *nopAppender) Append(_ string, records [][]byte) (uint64, error) {
	a.n += len(records)
	return uint64(a.n), nil
}

// BenchmarkRouter measures the routing step alone (filters, field
// selection, binary encoding) over batches of 1000 events, with three
// routes to two outputs; the queue's Append is a no-op.
//
//	go test ./internal/forward -run '^$' -bench Router
func BenchmarkRouter(b *testing.B) {
	f := false
	routes := []config.Route{
		{Name: "all", Outputs: []string{"a"}},
		{Name: "auth", Filter: `event.outcome:failure AND source.ip:203.0.113.0/24`, Fields: []string{"user.name", "source.*"}, Outputs: []string{"b"}},
		{Name: "alerts", Events: &f, Alerts: true, Outputs: []string{"b"}},
	}
	a, c := &nopAppender{}, &nopAppender{}
	rt, err := forward.NewRouter(routes, []string{"a", "b"}, []forward.Appender{a, c})
	if err != nil {
		b.Fatal(err)
	}
	evs := make([]*event.Event, 1000)
	size := 0
	for i := range evs {
		evs[i] = forwardtest.BenchEvent(i)
		size += len(evs[i].AppendJSON(nil))
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := rt.Write(context.Background(), evs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "events/s")
}
