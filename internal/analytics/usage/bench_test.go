package usage

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// BenchmarkMeterWrite is the metering's cost on the ingest path: one
// 256-event batch of one tenant per op, with its journal line written to a
// file (one write(2) per batch), as the pipeline calls it after the store.
func BenchmarkMeterWrite(b *testing.B) {
	m, err := Open(Options{Dir: b.TempDir(), Quotas: map[string]Quota{"acme": {EPS: 1 << 40}}})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	batch := make([]*event.Event, 256)
	size := 0
	for i := range batch {
		batch[i] = &event.Event{Tenant: "acme", Original: fmt.Sprintf("<134>Dec  7 05:30:00 fw%d app: a typical syslog line of moderate length %d", i%8, i)}
		size += len(batch[i].Original)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.Write(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/event")
}
