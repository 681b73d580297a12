package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/bench"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize"
	_ "github.com/vigilsiem/vigil/internal/normalize/all"
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/normalize/pipelines"
	"github.com/vigilsiem/vigil/internal/parse"
	_ "github.com/vigilsiem/vigil/internal/parse/all"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// mixEvents returns n events of `vigil bench`'s mix as serve stores them:
// parsed by the auto parser, then through the normalisers and the built-in
// pipelines (no enrichment, no patterns). BenchmarkEncode's events are all
// one short sshd line; these have the mix's fields, names and values.
var mixEvents = sync.OnceValues(func() ([]*event.Event, error) {
	const n = 4000
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	g := &bench.Generator{Day: day, Events: n}
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return day.Add(24 * time.Hour) }})
	if err != nil {
		return nil, err
	}
	set, err := pipelines.Load()
	if err != nil {
		return nil, err
	}
	is, err := ingest.NewSet(nil, set)
	if err != nil {
		return nil, err
	}
	procs := append(normalize.Processors(normalize.BeforePipelines), pipeline.Processor(ingest.NewProcessor(is, nil)))
	procs = append(procs, normalize.Processors(normalize.AfterPipelines)...)
	var out []*event.Event
	for i := range n {
		rec := g.Append(nil, i)
		e := &event.Event{Tenant: "default", Source: "syslog-tcp", Ingested: day.Add(25 * time.Hour)}
		if err := pipeline.ParseRecord(ps, "default", "syslog-tcp", day, &pipeline.Record{Data: rec}, e); err != nil {
			return nil, fmt.Errorf("record %d (%q): %w", i, rec, err)
		}
		evs := []*event.Event{e}
		for _, p := range procs {
			evs = p.Process(context.Background(), evs)
		}
		out = append(out, evs...)
	}
	return out, nil
})

// BenchmarkEncodeMix encodes the bench mix's events into hot lines, 1000
// to a batch as the pipeline writes them. cpu-ns/event is the figure to
// compare on a busy machine.
func BenchmarkEncodeMix(b *testing.B) {
	evs, err := mixEvents()
	if err != nil {
		b.Fatal(err)
	}
	cat, err := loadCatalog(b.TempDir()+"/catalog.json", ColumnLimits{}, slog.Default())
	if err != nil {
		b.Fatal(err)
	}
	enc := &encoder{cat: cat}
	var buf []byte
	var size int
	for _, e := range evs {
		size += len(e.Original)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var c0 time.Duration
	for b.Loop() {
		if c0 == 0 {
			c0 = cpuTime()
		}
		for i := 0; i < len(evs); i += 1000 {
			buf = buf[:0]
			var info batchInfo
			for _, e := range evs[i:min(i+1000, len(evs))] {
				if buf, err = enc.appendEvent(buf, e, &info); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
	// The process's CPU time (all goroutines): on a shared machine the
	// wall clock counts the time the benchmark waited for a core.
	b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(b.N*len(evs)), "cpu-ns/event")
}
