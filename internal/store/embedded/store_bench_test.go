package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// benchEvents returns n syslog-like parsed events.
func benchEvents(n int) []*event.Event {
	out := make([]*event.Event, n)
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range out {
		msg := fmt.Sprintf("Failed password for user%d from 10.%d.%d.%d port %d ssh2", i%500, i%7, i%256, i%200, 30000+i%30000)
		e := &event.Event{Timestamp: base.Add(time.Duration(i) * time.Millisecond), Ingested: base, Tenant: "default", Source: "syslog-tcp",
			Original: fmt.Sprintf("<38>Nov 23 10:00:00 host%d sshd[%d]: %s", i%50, 1000+i%5000, msg)}
		e.ID = event.NewID(e.Tenant, e.Source, "", 0, []byte(e.Original))
		e.SetString("message", msg)
		e.Set("log.syslog.priority", event.Int(38))
		e.Set("log.syslog.facility.code", event.Int(4))
		e.SetString("log.syslog.facility.name", "auth")
		e.Set("log.syslog.severity.code", event.Int(6))
		e.SetString("log.syslog.severity.name", "informational")
		e.SetString("host.hostname", fmt.Sprintf("host%d", i%50))
		e.SetString("host.name", fmt.Sprintf("host%d", i%50))
		e.SetString("process.name", "sshd")
		e.Set("process.pid", event.Int(int64(1000+i%5000)))
		e.Set("source.ip", event.IP(netip.AddrFrom4([4]byte{10, byte(i % 7), byte(i), byte(i % 200)})))
		out[i] = e
	}
	return out
}

// BenchmarkWrite measures durable writes (encode, group commit, fsync) of
// batches of 1000 events from as many writers as GOMAXPROCS. Each batch
// has ids of its own: the store drops a replay (hotids.go).
func BenchmarkWrite(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir(), Interval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	evs := benchEvents(1000)
	var size int
	for _, e := range evs {
		size += len(e.Original)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	var writers atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		w := writers.Add(1)
		batch := make([]*event.Event, len(evs))
		for i, e := range evs {
			c := *e
			batch[i] = &c
		}
		for n := 0; pb.Next(); n++ {
			suffix := fmt.Sprintf("-%d-%d", w, n)
			for i, e := range batch {
				e.ID = evs[i].ID + suffix
			}
			if err := s.Write(context.Background(), batch); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkFreeze measures moving 200k hot events to Parquet (COPY, meta,
// token index) and reports cold bytes per event and the peak of the Go
// heap in use during a freeze (sampled every 5 ms).
func BenchmarkFreeze(b *testing.B) {
	evs := benchEvents(1000)
	var peak uint64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := Open(Options{Dir: b.TempDir(), Interval: time.Hour})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 200; j++ {
			for k, e := range evs {
				e.Timestamp = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(time.Duration(j*1000+k) * time.Millisecond)
			}
			if err := s.Write(context.Background(), evs); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		done := make(chan uint64)
		stop := make(chan struct{})
		go func() { done <- peakHeap(stop) }()
		b.StartTimer()
		if err := s.Freeze(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		close(stop)
		peak = max(peak, <-done)
		var cold int64
		for _, f := range s.datasets[store.Events].cold.all()["default"] {
			cold += f.Size + metaSize(f)
		}
		b.ReportMetric(float64(cold)/200000, "cold-bytes/event")
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(200000*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// peakHeap samples the heap in use until stop is closed and returns its
// highest value.
func peakHeap(stop <-chan struct{}) uint64 {
	var m runtime.MemStats
	var peak uint64
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
	}
}

// BenchmarkEncode measures turning events into hot-log lines: the CPU the
// store spends per event on the write path.
func BenchmarkEncode(b *testing.B) {
	dir := b.TempDir()
	cat, err := loadCatalog(dir+"/catalog.json", ColumnLimits{}, slog.Default())
	if err != nil {
		b.Fatal(err)
	}
	evs := benchEvents(1000)
	enc := &encoder{cat: cat}
	var buf []byte
	var size int
	for _, e := range evs {
		size += len(e.Original)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		var info batchInfo
		for _, e := range evs {
			if buf, err = enc.appendEvent(buf, e, &info); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/event")
}
