package intel

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"runtime"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// millionIndicators makes 1M indicators: 700k IPv4 addresses, 50k CIDRs,
// 150k domains, 100k SHA-256 hashes.
func millionIndicators() []Indicator {
	inds := make([]Indicator, 0, 1_000_000)
	for i := 0; i < 700_000; i++ {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], 0x0b000000+uint32(i)*7)
		inds = append(inds, Indicator{Type: TypeIP, Value: netip.AddrFrom4(b).String(), Feed: "bench", Provider: "bench", Confidence: 50})
	}
	for i := 0; i < 50_000; i++ {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], 0x60000000+uint32(i)<<8)
		inds = append(inds, Indicator{Type: TypeIP, Value: netip.PrefixFrom(netip.AddrFrom4(b), 24).String(), Feed: "bench", Confidence: 50})
	}
	for i := 0; i < 150_000; i++ {
		inds = append(inds, Indicator{Type: TypeDomain, Value: fmt.Sprintf("d%d.bad.example", i), Feed: "bench", Confidence: 50})
	}
	for i := 0; i < 100_000; i++ {
		inds = append(inds, Indicator{Type: TypeSHA256, Value: fmt.Sprintf("%064x", i*7919), Feed: "bench", Confidence: 50})
	}
	return inds
}

func benchIntel(b *testing.B) *Intel {
	x, err := New(context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	x.index.Store(Build(millionIndicators()))
	return x
}

func benchEvent(src, dst string) *event.Event {
	e := &event.Event{}
	for _, n := range []string{"message", "host.name", "process.name", "event.action", "log.level", "user.name"} {
		e.SetString(n, "x")
	}
	e.Set("source.ip", event.IP(netip.MustParseAddr(src)))
	e.Set("destination.ip", event.IP(netip.MustParseAddr(dst)))
	e.Set("source.port", event.Int(51000))
	e.Set("destination.port", event.Int(443))
	e.SetString("dns.question.name", "www.example.org")
	return e
}

// BenchmarkEnrich1M: one event with two addresses and a DNS name against
// one million indicators, without a match and with one.
func BenchmarkEnrich1M(b *testing.B) {
	x := benchIntel(b)
	for _, c := range []struct{ name, src, dst string }{
		{"miss", "10.0.0.5", "93.184.216.34"},
		{"hit", "10.0.0.5", "11.0.0.7"},
	} {
		b.Run(c.name, func(b *testing.B) {
			base := benchEvent(c.src, c.dst)
			e := base.Clone()
			batch := []*event.Event{e}
			b.ReportAllocs()
			b.SetBytes(int64(len(base.AppendJSON(nil))))
			for i := 0; i < b.N; i++ {
				e.Fields = append(e.Fields[:0], base.Fields...)
				x.Process(context.Background(), batch)
			}
		})
	}
}

// BenchmarkBuild1M builds the index of one million indicators and reports
// the heap the indicators and their index hold together, per indicator.
func BenchmarkBuild1M(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(1_000_000)
	var x *Index
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		x = Build(millionIndicators())
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(x.Len()), "heap-B/indicator")
	}
	runtime.KeepAlive(x)
}
