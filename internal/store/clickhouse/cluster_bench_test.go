package clickhouse

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
)

// BenchmarkClusterInsert inserts 10,000-event batches into a cluster of two
// shards (one op is one event) two ways: through the Distributed table
// (each batch split over both shards by the servers, synchronously), and
// into the shards' local tables (Cluster.InsertLocal: Vigil splits the
// batch, one INSERT per shard). It reports both servers' CPU time per event (their
// background merges included) and the client's.
//
//	go test ./internal/store/clickhouse -run '^$' -bench ClusterInsert -benchtime 100000x -cpu 1
func BenchmarkClusterInsert(b *testing.B) {
	const batch = 10_000
	evs := mixedEvents(100_000)
	for _, way := range []string{"distributed", "local"} {
		b.Run(way, func(b *testing.B) {
			ctx := context.Background()
			nodes := chtest.StartCluster(b, 2)
			s, err := Open(ctx, Options{URL: nodes[0].URL, Database: "benchc",
				Cluster: Cluster{Name: chtest.ClusterName, Nodes: []string{nodes[0].URL, nodes[1].URL}, InsertLocal: way == "local"}})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.note(ctx, "events", evs[:batch]); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0, srv0 := processCPU(), serversCPU(b, nodes)
			for i := 0; i < b.N; i += batch {
				j := i % len(evs)
				n := min(batch, b.N-i, len(evs)-j)
				if err := s.Write(ctx, evs[j:j+n]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((serversCPU(b, nodes)-srv0).Microseconds())/float64(b.N), "server-cpu-µs/event")
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "client-cpu-µs/event")
		})
	}
}

// serversCPU is the user+system CPU time the servers' processes have used
// (/proc/PID/stat, in clock ticks of 1/100 s, Linux's USER_HZ).
func serversCPU(b *testing.B, nodes []*chtest.Server) time.Duration {
	var total time.Duration
	for _, n := range nodes {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(n.Pid) + "/stat")
		if err != nil {
			b.Skipf("no /proc: %v", err)
		}
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		// Fields after the command: state is f[0]; utime and stime are
		// fields 14 and 15 of the line, f[11] and f[12].
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(ut+st) * 10 * time.Millisecond
	}
	return total
}
