package detect

import (
	"context"
	"log/slog"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/bench"
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

// mixEvents parses and normalises n records of the `vigil bench` mix as
// serve does before detection (enrichment left out).
func mixEvents(tb testing.TB, n int) ([]*event.Event, int64) {
	tb.Helper()
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	g := &bench.Generator{Day: day, Events: n}
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return day.Add(24 * time.Hour) }})
	if err != nil {
		tb.Fatal(err)
	}
	builtin, err := pipelines.Load()
	if err != nil {
		tb.Fatal(err)
	}
	set, err := ingest.NewSet(nil, builtin)
	if err != nil {
		tb.Fatal(err)
	}
	procs := append(normalize.Processors(normalize.BeforePipelines), pipeline.Processor(ingest.NewProcessor(set, nil)))
	procs = append(procs, normalize.Processors(normalize.AfterPipelines)...)
	out := make([]*event.Event, 0, n)
	var size int64
	for i := 0; i < n; i++ {
		rec := g.Append(nil, i)
		e := &event.Event{}
		r := pipeline.Record{Data: rec, Position: strconv.Itoa(i)}
		if err := pipeline.ParseRecord(ps, "default", "bench", day, &r, e); err != nil {
			tb.Fatal(err)
		}
		evs := []*event.Event{e}
		for _, p := range procs {
			evs = p.Process(context.Background(), evs)
		}
		out = append(out, evs...)
		size += int64(len(rec))
	}
	return out, size / int64(n)
}

// BenchmarkEngineCorpusMix is the detect role's work per event of the
// `vigil bench` mix with the whole SigmaHQ corpus loaded: matching, the
// folding of matches into alerts and handing them to the sink (which
// only counts them here: writing alerts is the store's cost). One op is
// one event, in batches of 512; run with -cpu 1 for the figure per core.
//
//	go test ./internal/detect -run '^$' -bench EngineCorpusMix -cpu 1
func BenchmarkEngineCorpusMix(b *testing.B) {
	dir := testutil.SharedData(b, "sigma")
	events, size := mixEvents(b, 1<<14)
	alerts := 0
	sink := alert.SinkFunc(func(_ context.Context, as []alert.Alert) error { alerts += len(as); return nil })
	eng, err := New(Config{Dirs: []string{dir}, Logger: slog.New(slog.DiscardHandler)}, sink)
	if err != nil {
		b.Fatal(err)
	}
	const batch = 512
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i += batch {
		j := i % len(events)
		n := min(batch, b.N-i, len(events)-j)
		if err := eng.Write(context.Background(), events[j:j+n]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, "events/cpu-s")
	}
	b.ReportMetric(float64(alerts)/float64(b.N), "alerts/event")
}

// cpuTime is the CPU time this process has used (user and system): on a
// shared machine wall time undercounts a core, CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
