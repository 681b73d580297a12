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
	ips, hosts := 0, 0
	for i := 0; i < 4000; i++ {
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
		}
	}
	if hosts < 3900 {
		t.Errorf("only %d of 4000 records have host.name", hosts)
	}
	if ips < 2000 {
		t.Errorf("only %d of 4000 records have source.ip", ips)
	}
	if rare := string(g.Append(nil, 777)); !strings.Contains(rare, RareTerm) {
		t.Errorf("record 777 lacks the rare term: %q", rare)
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
