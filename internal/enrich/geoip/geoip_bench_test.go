package geoip

import (
	"context"
	"net/netip"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// BenchmarkEnrich is the cost of GeoIP and ASN on an event with two
// public addresses (source and destination), cache warm.
func BenchmarkEnrich(b *testing.B) {
	g, err := New(Options{City: mmdb(b, "GeoIP2-City-Test.mmdb"), ASN: mmdb(b, "GeoLite2-ASN-Test.mmdb")})
	if err != nil {
		b.Fatal(err)
	}
	base := &event.Event{}
	base.SetString("message", "connection")
	base.Set("source.ip", event.IP(netip.MustParseAddr("81.2.69.160")))
	base.Set("destination.ip", event.IP(netip.MustParseAddr("1.128.0.1")))
	base.Set("source.port", event.Int(51000))
	base.Set("destination.port", event.Int(443))
	e := base.Clone()
	batch := []*event.Event{e}
	b.ReportAllocs()
	b.SetBytes(int64(len(base.AppendJSON(nil))))
	for i := 0; i < b.N; i++ {
		e.Fields = append(e.Fields[:0], base.Fields...)
		g.Process(context.Background(), batch)
	}
}

// BenchmarkNoAddress is the cost on an event without address fields.
func BenchmarkNoAddress(b *testing.B) {
	g, err := New(Options{City: mmdb(b, "GeoIP2-City-Test.mmdb"), ASN: mmdb(b, "GeoLite2-ASN-Test.mmdb")})
	if err != nil {
		b.Fatal(err)
	}
	e := &event.Event{}
	for _, n := range []string{"message", "host.name", "process.name", "user.name", "event.action", "log.level"} {
		e.SetString(n, "x")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(e.AppendJSON(nil))))
	for i := 0; i < b.N; i++ {
		g.Enrich(e)
	}
}
