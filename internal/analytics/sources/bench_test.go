package sources

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// BenchmarkTrackerWrite is source health's cost on the ingest path: one
// 256-event batch per op from 8 hosts interleaved in runs of 32 (the
// tracker looks a host up once per run), with 1,000 other sources tracked.
func BenchmarkTrackerWrite(b *testing.B) {
	tr := New(Options{})
	for i := 0; i < 1000; i++ {
		_ = tr.Write(context.Background(), evs("acme", "syslog", fmt.Sprintf("other%d", i), 1))
	}
	batch := make([]*event.Event, 256)
	size := 0
	for i := range batch {
		e := &event.Event{Tenant: "acme", Source: "syslog", Original: fmt.Sprintf("<134>Dec  7 05:30:00 fw%d app: a typical syslog line %d", i/32, i)}
		e.SetString("host.hostname", fmt.Sprintf("fw%d", i/32))
		e.SetString("host.name", fmt.Sprintf("fw%d", i/32))
		e.SetString("message", "a typical syslog line")
		e.SetString("log.source.address", "10.0.0.1:514")
		batch[i] = e
		size += len(e.Original)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := tr.Write(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/event")
}

// BenchmarkTrackerWriteMix is BenchmarkTrackerWrite with the host changing
// at every event, as in `vigil bench`'s mix (500 hosts): a look-up per
// event.
func BenchmarkTrackerWriteMix(b *testing.B) {
	tr := New(Options{})
	batch := make([]*event.Event, 256)
	size := 0
	for i := range batch {
		e := &event.Event{Tenant: "acme", Source: "syslog", Original: fmt.Sprintf("<134>Dec  7 05:30:00 host-%d app: a typical syslog line %d", i*7%500, i)}
		e.SetString("host.hostname", fmt.Sprintf("host-%d", i*7%500))
		e.SetString("host.name", fmt.Sprintf("host-%d", i*7%500))
		e.SetString("message", "a typical syslog line")
		e.SetString("log.source.address", "10.0.0.1:514")
		batch[i] = e
		size += len(e.Original)
	}
	_ = tr.Write(context.Background(), batch)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := tr.Write(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/event")
}
