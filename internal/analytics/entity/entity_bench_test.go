package entity

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

// benchWorld is an engine that learned n users, each from two logins on
// two days (so every per-user analytic, the hour-of-week rate history
// included, holds state), and what that cost in heap per entity.
type benchWorld struct {
	e         *Engine
	names     []string
	ips       []event.Value
	perEntity float64
	t         time.Time
}

var (
	worldsMu sync.Mutex
	worlds   = map[int]*benchWorld{}
)

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func world(b *testing.B, n int) *benchWorld {
	worldsMu.Lock()
	defer worldsMu.Unlock()
	if w := worlds[n]; w != nil {
		return w
	}
	names := make([]string, n)
	ips := make([]event.Value, n)
	for i := range names {
		names[i] = fmt.Sprintf("user%07d", i)
		ips[i] = userIP(i)
	}
	before := heapInUse()
	e := memoryEngine(b, n)
	batch := make([]*event.Event, 0, 512)
	for d := 0; d < 2; d++ {
		for i, name := range names {
			ev := benchLogin(name, day0.AddDate(0, 0, d).Add(offset(i)), i)
			batch = append(batch, ev)
			if len(batch) == cap(batch) {
				if err := e.Write(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	if err := e.Write(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	w := &benchWorld{e: e, names: names, ips: ips, t: day0.AddDate(0, 0, 8)}
	w.perEntity = float64(heapInUse()-before) / float64(e.Stats().Entities)
	worlds[n] = w
	return w
}

// offset is user i's usual time of day to log in.
func offset(i int) time.Duration { return time.Duration(i%36000) * time.Second }

// userIP is user i's own address.
func userIP(i int) event.Value {
	return event.IP(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}))
}

// benchLogin is an ordinary login: the user's own address and city.
func benchLogin(name string, at time.Time, i int) *event.Event {
	ev := &event.Event{Timestamp: at, Tenant: "acme", ID: fmt.Sprintf("%s-%d", name, at.Unix())}
	ev.SetString("event.category", "authentication")
	ev.SetString("event.outcome", "success")
	ev.SetString("user.name", name)
	ev.Set("source.ip", userIP(i))
	ev.SetString("source.geo.country_iso_code", "SE")
	ev.Set("source.geo.location.lat", event.Float(59.33))
	ev.Set("source.geo.location.lon", event.Float(18.06))
	ev.Set("source.as.number", event.Int(3301))
	ev.SetString("host.name", "vpn01")
	return ev
}

// benchWrite feeds batches of 256 logins of users picked across the whole
// population, each at its usual time of day, a day later on each pass
// (one in 500 from another country: an alert and some risk),
// through Write on one goroutine: events/s is per core.
func benchWrite(b *testing.B, n int) {
	w := world(b, n)
	const batchLen = 256
	batch := make([]*event.Event, batchLen)
	for i := range batch {
		batch[i] = benchLogin(w.names[0], w.t, 0)
	}
	b.ReportAllocs()
	b.SetBytes(300) // about the size of such a login as NDJSON
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i += batchLen {
		k := min(batchLen, b.N-i)
		for j := 0; j < k; j++ {
			x := (i + j) * 7919 % n
			ev := batch[j]
			// each user logs in at its usual time of day, a day later on
			// each pass over the population
			ev.Timestamp = w.t.AddDate(0, 0, (i+j)/n).Add(offset(x))
			ev.ID = fmt.Sprint(i + j)
			ev.SetString("user.name", w.names[x])
			ev.Set("source.ip", w.ips[x])
			if (i+j)%500 == 0 {
				ev.SetString("source.geo.country_iso_code", "CN")
			} else {
				ev.SetString("source.geo.country_iso_code", "SE")
			}
		}
		if err := w.e.Write(context.Background(), batch[:k]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if d := cpuTime() - cpu0; d > 0 {
		// the machine is shared: CPU time, not wall time, gives events per core
		b.ReportMetric(float64(b.N)/d.Seconds(), "events/cpu-s")
	}
	b.ReportMetric(w.perEntity, "B/entity")
}

// BenchmarkWrite1M is the figure of issue 16: events per second per core
// through the analytics with one million entities, and memory per entity.
func BenchmarkWrite1M(b *testing.B) { benchWrite(b, 1_000_000) }

// BenchmarkWrite10k is the same with 10,000 entities (quick).
func BenchmarkWrite10k(b *testing.B) { benchWrite(b, 10_000) }

// BenchmarkSnapshot writes the baselines of 100,000 users (as
// BenchmarkWrite learns them) to a file: bytes per entity and time.
func BenchmarkSnapshot(b *testing.B) {
	w := world(b, 100_000)
	w.e.opts.Dir = b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		w.e.changes.Add(1) // as if events came: an unchanged engine writes nothing
		if err := w.e.Snapshot(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	st, err := os.Stat(w.e.snapshotPath())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.Size())/float64(w.e.Stats().Entities), "file-B/entity")
	w.e.opts.Dir = ""
}

// BenchmarkLoad reads back the snapshot of 100,000 users.
func BenchmarkLoad(b *testing.B) {
	w := world(b, 100_000)
	dir := b.TempDir()
	w.e.opts.Dir = dir
	w.e.changes.Add(1)
	if err := w.e.Snapshot(); err != nil {
		b.Fatal(err)
	}
	w.e.opts.Dir = ""
	cfg := config.Analytics{MaxEntities: 200_000}
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		e, err := New(Options{Config: cfg, Dir: dir, Logger: quiet}, alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil }))
		if err != nil {
			b.Fatal(err)
		}
		<-e.Ready()
		if n := e.Stats().Entities; n != w.e.Stats().Entities {
			b.Fatalf("loaded %d entities of %d", n, w.e.Stats().Entities)
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkEntityMemory reports the heap per entity of source addresses
// as `vigil bench`'s firewall records make them: n addresses, each sending
// bytes to a few destinations in three hours of a day (both built-in
// source_ip rate analytics hold state), as live heap after GC.
func BenchmarkEntityMemory(b *testing.B) {
	const n = 20_000
	for i := 0; i < b.N; i++ {
		before := heapInUse()
		e := memoryEngine(b, n)
		batch := make([]*event.Event, 0, 512)
		for h := 0; h < 3; h++ {
			for j := 0; j < n; j++ {
				ev := &event.Event{Timestamp: day0.Add(time.Duration(j%8+h*7) * time.Hour).Add(time.Duration(j%3600) * time.Second), Tenant: "acme"}
				ev.Set("source.ip", userIP(j))
				ev.Set("destination.ip", userIP(j*7+h))
				ev.Set("source.bytes", event.Int(int64(1000+j%5000)))
				batch = append(batch, ev)
				if len(batch) == cap(batch) {
					if err := e.Write(context.Background(), batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
		}
		if err := e.Write(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(heapInUse()-before)/float64(e.Stats().Entities), "B/entity")
		runtime.KeepAlive(e)
	}
}

// memoryEngine is an engine with the built-in analytics, room for 2n
// entities and its alerts dropped, for the memory benchmarks.
func memoryEngine(b *testing.B, n int) *Engine {
	b.Helper()
	cfg := config.Analytics{MaxEntities: 2 * n}
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	e, err := New(Options{Config: cfg, Logger: quiet, Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }},
		alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil }))
	if err != nil {
		b.Fatal(err)
	}
	return e
}
