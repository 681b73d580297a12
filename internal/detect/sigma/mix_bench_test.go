package sigma_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/bench"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize"
	_ "github.com/vigilsiem/vigil/internal/normalize/all"
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/normalize/pipelines"
	"github.com/vigilsiem/vigil/internal/parse"
	_ "github.com/vigilsiem/vigil/internal/parse/all"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// mixEvents is the `vigil bench` mix (internal/bench) as serve matches it:
// parsed by the auto parser, then through the same processors serve runs
// before detection (vendor normalisers, the built-in pipelines, the
// normalisers after them; no enrichment).
const mixEventCount = 20_000

var (
	mixOnce   sync.Once
	mixEvents []*event.Event
	mixBytes  int64
	mixErr    error
)

func benchMix(tb testing.TB) ([]*event.Event, int64) {
	tb.Helper()
	mixOnce.Do(func() {
		day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
		g := &bench.Generator{Day: day, Events: mixEventCount}
		ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return day.Add(24 * time.Hour) }})
		if err != nil {
			mixErr = err
			return
		}
		set, err := pipelines.Load()
		if err != nil {
			mixErr = err
			return
		}
		is, err := ingest.NewSet(nil, set)
		if err != nil {
			mixErr = err
			return
		}
		procs := append(normalize.Processors(normalize.BeforePipelines), pipeline.Processor(ingest.NewProcessor(is, nil)))
		procs = append(procs, normalize.Processors(normalize.AfterPipelines)...)
		for i := 0; i < mixEventCount; i++ {
			rec := g.Append(nil, i)
			e := &event.Event{Tenant: "default", Source: "bench"}
			if err := pipeline.ParseRecord(ps, "default", "bench", day, &pipeline.Record{Data: rec, Position: fmt.Sprint(i)}, e); err != nil {
				mixErr = fmt.Errorf("record %d (%q): %w", i, rec, err)
				return
			}
			evs := []*event.Event{e}
			for _, p := range procs {
				evs = p.Process(context.Background(), evs)
			}
			mixEvents = append(mixEvents, evs...)
			mixBytes += int64(len(rec))
		}
	})
	if mixErr != nil {
		tb.Fatal(mixErr)
	}
	return mixEvents, mixBytes
}

var (
	corpusOnce sync.Once
	corpusSet  *sigma.RuleSet
	corpusErr  error
)

func corpus(tb testing.TB) *sigma.RuleSet {
	tb.Helper()
	dir := testutil.SharedData(tb, "sigma")
	corpusOnce.Do(func() {
		res, err := sigma.Load(sigma.Config{}, dir)
		if err != nil {
			corpusErr = err
			return
		}
		corpusSet = res.Set
	})
	if corpusErr != nil {
		tb.Fatal(corpusErr)
	}
	return corpusSet
}

// BenchmarkMatchCorpusMix evaluates the whole SigmaHQ corpus on the
// `vigil bench` mix (syslog, RFC 5424, CEF and JSON web/auth events, no
// Windows events), one event per op; SetBytes is the mean size of a raw
// record, so MB/s reads as the raw log rate detection keeps up with on
// one core. "all" is the mix; the others are its four formats apart.
func BenchmarkMatchCorpusMix(b *testing.B) {
	events, size := benchMix(b)
	rs := corpus(b)
	parts := []struct {
		name string
		pick func(i int) bool
	}{
		{"all", func(int) bool { return true }},
		{"rfc3164", func(i int) bool { return i%4 == 0 }},
		{"rfc5424", func(i int) bool { return i%4 == 1 }},
		{"cef", func(i int) bool { return i%4 == 2 }},
		{"json", func(i int) bool { return i%4 == 3 }},
	}
	for _, p := range parts {
		b.Run(p.name, func(b *testing.B) {
			var evs []*event.Event
			for i, e := range events {
				if p.pick(i) {
					evs = append(evs, e)
				}
			}
			m := rs.NewMatcher()
			b.SetBytes(size / int64(len(events)))
			b.ReportAllocs()
			b.ResetTimer()
			i, hits := 0, 0
			var dst []*sigma.Rule
			cpu0 := cpuTime()
			for b.Loop() {
				dst = m.Match(evs[i], dst[:0])
				hits += len(dst)
				i++
				if i == len(evs) {
					i = 0
				}
			}
			sinkRules = dst
			if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu, "events/cpu-s")
			}
			b.ReportMetric(float64(hits)/float64(b.N), "matches/event")
		})
	}
}

// TestCorpusMatchesOnMix logs which SigmaHQ rules the bench mix triggers
// and how often (run with -v): the alerts a corpus-loaded `vigil bench`
// writes. It fails if the mix stops being what the benchmark says it is.
func TestCorpusMatchesOnMix(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the whole corpus")
	}
	events, _ := benchMix(t)
	if len(events) != mixEventCount {
		t.Fatalf("%d events from %d records", len(events), mixEventCount)
	}
	rs := corpus(t)
	m := rs.NewMatcher()
	counts := map[string]int{}
	total := 0
	var dst []*sigma.Rule
	for _, e := range events {
		dst = m.Match(e, dst[:0])
		total += len(dst)
		for _, r := range dst {
			counts[r.Title]++
		}
	}
	titles := make([]string, 0, len(counts))
	for k := range counts {
		titles = append(titles, k)
	}
	sort.Slice(titles, func(i, j int) bool { return counts[titles[i]] > counts[titles[j]] })
	t.Logf("%d rules loaded; %d matches on %d events (%.1f%%), by %d rules", rs.Len(), total, len(events), 100*float64(total)/float64(len(events)), len(titles))
	for _, k := range titles {
		t.Logf("%6d %s", counts[k], k)
	}
}
