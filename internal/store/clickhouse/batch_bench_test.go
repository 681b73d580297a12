package clickhouse

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
)

// BenchmarkWriteBatch inserts 100,000 distinct events in batches of 1,000
// and 10,000 (one op is one event), the figure per core a store node
// spends on the client side (encoding, HTTP); the server's CPU is its own
// process's (docs/scale-out.md measures both).
//
//	go test ./internal/store/clickhouse -run '^$' -bench WriteBatch -benchtime 100000x -cpu 1
func BenchmarkWriteBatch(b *testing.B) {
	evs := mixedEvents(100_000)
	for _, batch := range []int{1000, 10_000} {
		b.Run(strconv.Itoa(batch), func(b *testing.B) {
			ctx := context.Background()
			srv := chtest.Start(b)
			s, err := Open(ctx, Options{URL: srv.URL, Database: "benchb"})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var size int64
			for _, e := range evs[:batch] {
				size += int64(len(e.Original))
			}
			b.SetBytes(size / int64(batch))
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			for i := 0; i < b.N; i += batch {
				j := i % len(evs)
				n := min(batch, b.N-i, len(evs)-j)
				if err := s.Write(ctx, evs[j:j+n]); err != nil {
					b.Fatal(err)
				}
			}
			if cpu := (processCPU() - cpu0).Seconds(); cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu, "client-events/cpu-s")
			}
		})
	}
}

// processCPU is the CPU time this process (the client, not the server)
// has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
