package correlate

import (
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchCorrelations builds n correlations, a quarter of each type: counts
// of rule a (a failed logon) per user, distinct ports of rule b (a
// firewall deny) per source, and a then c (a successful logon) per user,
// unordered and ordered.
func benchCorrelations(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("---\n")
		}
		fmt.Fprintf(&b, "title: C%d\nname: c%d\ncorrelation:\n", i, i)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "  type: event_count\n  rules: [a]\n  group-by: [user]\n  timespan: 5m\n  condition: {gte: %d}\n", 10+i)
		case 1:
			fmt.Fprintf(&b, "  type: value_count\n  rules: [b]\n  group-by: [src]\n  timespan: 1m\n  condition: {field: port, gte: %d}\n", 20+i)
		case 2:
			fmt.Fprintf(&b, "  type: temporal\n  rules: [a, 33333333-3333-4333-8333-333333333333]\n  group-by: [user]\n  timespan: %dm\n", 1+i%5)
		case 3:
			fmt.Fprintf(&b, "  type: temporal_ordered\n  rules: [a, 33333333-3333-4333-8333-333333333333]\n  group-by: [user, src]\n  timespan: %dm\n", 1+i%7)
		}
	}
	return b.String()
}

// BenchmarkProcess measures hits per second through 100 correlations: 60%
// of the hits are of rule a (feeding 75 correlations), 30% of rule b
// (25), 10% of rule c (50), over 10,000 users and 1,000 addresses, one hit
// per millisecond of event time.
func BenchmarkProcess(b *testing.B) {
	set, errs := compile(b, benchCorrelations(100))
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	e, _, err := New(Options{Logger: slog.New(slog.DiscardHandler)}, set)
	if err != nil {
		b.Fatal(err)
	}
	const batch = 256
	hits := make([]Hit, batch)
	fields := make([]Field, 3*batch)
	b.ReportAllocs()
	b.SetBytes(batch * 64)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		for j := range hits {
			n++
			rule := "a"
			switch r := n * 7919 % 10; {
			case r >= 9:
				rule = "33333333-3333-4333-8333-333333333333"
			case r >= 6:
				rule = "b"
			}
			f := fields[3*j : 3*j+3 : 3*j+3]
			f[0] = Field{Name: "user", Value: "user" + strconv.Itoa(n*31%10_000)}
			f[1] = Field{Name: "src", Value: "10.0." + strconv.Itoa(n%1000/250) + "." + strconv.Itoa(n%250)}
			f[2] = Field{Name: "port", Value: strconv.Itoa(n * 13 % 1024)}
			hits[j] = Hit{Rule: rule, Tenant: "default", ID: "id", Time: t0.Add(time.Duration(n) * time.Millisecond).UnixNano(), Fields: f}
		}
		e.Process(hits)
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "hits/s")
}

// BenchmarkMillionKeys measures the memory of one million groups, each
// holding one hit of an event_count correlation grouped by source address
// (run with -benchtime=1x; the heap is measured after a GC).
func BenchmarkMillionKeys(b *testing.B) {
	const keys = 1_000_000
	set, errs := compile(b, "title: Scan\nname: scan\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [source.ip]\n  timespan: 1h\n  condition: {gte: 20}\n")
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		e, _, err := New(Options{Logger: slog.New(slog.DiscardHandler), MaxKeys: keys, MaxKeysPerRule: keys}, set)
		if err != nil {
			b.Fatal(err)
		}
		hits := make([]Hit, 1)
		for k := 0; k < keys; k++ {
			ip := "10." + strconv.Itoa(k>>16&255) + "." + strconv.Itoa(k>>8&255) + "." + strconv.Itoa(k&255)
			hits[0] = Hit{Rule: "a", Tenant: "default", ID: fmt.Sprintf("%032x", k), Time: t0.Add(time.Duration(k) * time.Microsecond).UnixNano(),
				Fields: []Field{{Name: "source.ip", Value: ip}}}
			e.Process(hits)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if st := e.Stats(); st.Groups != keys {
			b.Fatalf("%d groups, want %d", st.Groups, keys)
		}
		perKey := float64(after.HeapAlloc-before.HeapAlloc) / keys
		b.ReportMetric(perKey, "bytes/key")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB/1M-keys")
		runtime.KeepAlive(e)
	}
}
