package clickhouse

import (
	"context"
	"testing"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
)

// BenchmarkSearch runs the queries the issue names (rare term, CIDR, stats)
// and a page of the newest events over the 20,000 events of TestSameAnswers,
// through the HTTP interface of a private server.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	srv := chtest.Start(b)
	s, err := Open(ctx, Options{URL: srv.URL, Database: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(ctx, mixedEvents(20000)); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, q string }{
		{"newest100", ""},
		{"rare_term", "zyxwvut"},
		{"cidr", "source.ip:10.2.0.0/15"},
		{"count_by_host", "* | stats count() by host.name"},
		{"timechart", "* | timechart span=1h count() by event.outcome"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(ctx, store.Request{Tenant: "acme", Query: c.q}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWrite inserts batches of 1,000 events.
func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	srv := chtest.Start(b)
	s, err := Open(ctx, Options{URL: srv.URL, Database: "benchw"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	evs := mixedEvents(1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Write(ctx, evs); err != nil {
			b.Fatal(err)
		}
	}
}
