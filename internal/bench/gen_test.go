package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
)

// TestMixParses checks that every kind of record the generator makes parses
// with the auto parser into the fields the queries rely on, and that the
// generator is deterministic.
func TestMixParses(t *testing.T) {
	g := &Generator{Day: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Events: 10_000}
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	ips, hosts, rare := 0, 0, 0
	for i := 0; i < 10_000; i++ {
		if i >= 4000 {
			if bytes.Contains(g.Append(nil, i), []byte(RareTerm)) {
				rare++
			}
			continue
		}
		rec := g.Append(nil, i)
		if !bytes.Equal(rec, g.Append(nil, i)) {
			t.Fatalf("record %d differs between two calls", i)
		}
		var e event.Event
		if err := ps.Parse(rec, &e); err != nil {
			t.Fatalf("record %d (%q): %v", i, rec, err)
		}
		if !e.Timestamp.Equal(g.Time(i).Truncate(time.Second)) && !e.Timestamp.Equal(g.Time(i).Truncate(time.Millisecond)) && !e.Timestamp.Equal(g.Time(i).Truncate(time.Microsecond)) {
			t.Errorf("record %d: @timestamp %v, want %v (%q)", i, e.Timestamp, g.Time(i), rec)
		}
		if e.Has("source.ip") {
			ips++
		}
		if e.Has("host.name") {
			hosts++
			if host, _ := g.Stream(i); e.GetString("host.name") != host {
				t.Errorf("record %d: Stream says host %q, the parser %q", i, host, e.GetString("host.name"))
			}
		}
		if bytes.Contains(rec, []byte(RareTerm)) {
			rare++
		}
	}
	if hosts < 3900 {
		t.Errorf("only %d of 4000 records have host.name", hosts)
	}
	if ips < 2000 {
		t.Errorf("only %d of 4000 records have source.ip", ips)
	}
	if rec := string(g.Append(nil, 777)); !strings.Contains(rec, "rarebenchterm0") {
		t.Errorf("record 777 lacks its token: %q", rec)
	}
	if rare != 10 {
		t.Errorf("%d of 10,000 records carry %s, want 10", rare, RareTerm)
	}
}

// TestRareTermCount: about ten records carry the rare term at any size, and
// adding it leaves every other record as it was.
func TestRareTermCount(t *testing.T) {
	for _, n := range []int{40, 99, 1000, 200_000, 1_000_003} {
		g := &Generator{Day: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Events: n}
		hits := 0
		for i := 0; i < n; i++ {
			if g.HasRareTerm(i) {
				hits++
			}
		}
		if hits < 10 || hits > 20 {
			t.Errorf("%d events: %d carry the rare term", n, hits)
		}
	}
	g := &Generator{Day: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Events: 200_000}
	for _, i := range []int{10_003, 30_003} {
		rec := string(g.Append(nil, i))
		if !strings.Contains(rec, RareTerm) {
			t.Fatalf("record %d lacks the rare term: %q", i, rec)
		}
		if strings.Count(rec, RareTerm) != 1 || strings.Contains(string(g.Append(nil, i+1)), RareTerm) {
			t.Errorf("record %d or its neighbour: %q", i, rec)
		}
	}
}

var sink []byte

func BenchmarkGenerate(b *testing.B) {
	g := &Generator{Day: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Events: 1 << 20}
	var buf []byte
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		buf = g.Append(buf[:0], n)
		n++
	}
	b.SetBytes(int64(len(buf)))
	sink = buf
}
