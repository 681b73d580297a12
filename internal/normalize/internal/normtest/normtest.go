// Package normtest owns what the normalisers' tests share: parsing a raw
// record as serve does (Parse), checking fields (Expect, Kind, Dump), and the
// fuzz invariants and benchmark loop every normaliser runs (Fuzz, Bench).
package normtest

import (
	"net/netip"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/parse/auto"
)

// Normalizer is what every normaliser has: it maps one event in place and
// reports whether it recognised it.
type Normalizer interface {
	Normalize(e *event.Event) bool
}

// Now is the receive time the tests parse records at.
var Now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// Parse parses a raw record with the auto format, as serve does for a
// source without a format, and returns the event before normalisation.
func Parse(t testing.TB, line string) *event.Event {
	t.Helper()
	p := auto.New(auto.Options{Now: func() time.Time { return Now }})
	e := &event.Event{Timestamp: Now, Ingested: Now, Original: line}
	if err := p.Parse([]byte(line), e); err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	return e
}

// Checker returns the table check the normalisers' tests share: each
// call runs a subtest named after line (its first nameLen bytes; 0: all
// of it) that parses line as serve does, fails unless n recognises it,
// and checks the wanted fields (Expect).
func Checker(t *testing.T, n Normalizer, nameLen int) func(line string, want map[string]string) {
	return func(line string, want map[string]string) {
		t.Helper()
		name := line
		if nameLen > 0 {
			name = line[:min(nameLen, len(line))]
		}
		t.Run(name, func(t *testing.T) {
			e := Parse(t, line)
			if !n.Normalize(e) {
				t.Fatalf("not recognised: %s", Dump(e))
			}
			Expect(t, e, want)
		})
	}
}

// Expect checks that every wanted field has the wanted text, and that a
// wanted "" means absent. Lists compare as their items joined with ",".
// It also checks the whole event against ECS (ingest.CheckECS), as the
// built-in pipelines' tests do.
func Expect(t *testing.T, e *event.Event, want map[string]string) {
	t.Helper()
	for _, v := range ingest.CheckECS(e, Now) {
		// The samples' own dates may lie after Now: the window around
		// the receive time means nothing here.
		if v.Rule != "timestamp" {
			t.Errorf("ECS %s", v)
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := want[k]
		v, ok := e.Get(k)
		if w == "" {
			if ok {
				t.Errorf("%s = %q, want absent", k, v.Text())
			}
			continue
		}
		if !ok {
			t.Errorf("%s absent, want %q", k, w)
			continue
		}
		got := v.Text()
		if v.Kind() == event.KindList {
			got = strings.Join(v.List(), ",")
		}
		if got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if t.Failed() {
		t.Logf("fields: %s", Dump(e))
	}
}

// Kind checks the kind of a field.
func Kind(t *testing.T, e *event.Event, name string, k event.Kind) {
	t.Helper()
	v, ok := e.Get(name)
	if !ok || v.Kind() != k {
		t.Errorf("%s is %v (present %v), want kind %v", name, v.Kind(), ok, k)
	}
}

// Dump lists the fields of e, one a line, for a failure message.
func Dump(e *event.Event) string {
	var b strings.Builder
	e.Range(func(name string, v event.Value) bool {
		b.WriteString("\n  " + name + " = " + v.Text() + " (" + v.Kind().String() + ")")
		return true
	})
	return b.String()
}

// Fuzz checks the invariants every normaliser keeps on any
// input: no panic; an event it does not recognise is left exactly as it
// was; a recognised one has typed addresses and ports that are valid, and
// a second pass neither panics nor changes what the first pass wrote into
// ECS fields of other types.
func Fuzz(f *testing.F, n Normalizer, seeds []string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e := Parse(t, line)
		before := string(e.AppendJSON(nil))
		if !n.Normalize(e) {
			if after := string(e.AppendJSON(nil)); after != before {
				t.Fatalf("unrecognised event changed:\n%s\n%s", before, after)
			}
			return
		}
		for _, fl := range e.Fields {
			switch {
			case fl.Value.Kind() == event.KindIP:
				if _, err := netip.ParseAddr(fl.Value.Str()); err != nil {
					t.Fatalf("%s = %q is not an IP", fl.Name, fl.Value.Str())
				}
			case strings.HasSuffix(fl.Name, ".port") && !strings.HasPrefix(fl.Name, "log.syslog.structured_data."):
				// (structured-data parameters are the sender's own text,
				// kept as the parser read them; only mapped ports are typed)
				if fl.Value.Kind() != event.KindInt || fl.Value.Int() < 0 || fl.Value.Int() > 65535 {
					t.Fatalf("%s = %v", fl.Name, fl.Value.Text())
				}
			case fl.Name == "event.category" || fl.Name == "event.type":
				if fl.Value.Kind() != event.KindList || len(fl.Value.List()) == 0 {
					t.Fatalf("%s = %v", fl.Name, fl.Value.Text())
				}
			}
		}
		n.Normalize(e)
	})
}

// Sink keeps what Bench computes, so the compiler cannot drop the work.
var Sink bool

// Bench measures one normaliser on one parsed record: each
// iteration restores the parsed fields and normalises them again.
func Bench(b *testing.B, n Normalizer, line string) {
	orig := Parse(b, line)
	e := orig.Clone()
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		e.Fields = append(e.Fields[:0], orig.Fields...)
		e.Reindex()
		Sink = n.Normalize(e)
	}
	reportCPU(b, cpu0)
}

// reportCPU reports the CPU time per op since cpu0: on a shared
// machine wall time (ns/op) counts the time other processes held the
// core, CPU time does not. Run with -cpu 1 so that it is one core's time.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if d := cpuTime() - cpu0; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// Fields maps each field of e to its kind and text ("string:x", "ip:…").
func Fields(e *event.Event) map[string]string {
	m := map[string]string{}
	for _, f := range e.Fields {
		m[f.Name] = f.Value.Kind().String() + ":" + f.Value.Text()
	}
	return m
}
