package bench

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize"
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/normalize/pipelines"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// The per-core figures docs/scale-out.md builds its reference deployments
// on: what an ingest node spends per event of the mix (parse and
// normalise), and what carrying an event over Kafka costs (encode,
// produce, consume, decode). Run with -cpu 1; events/cpu-s is the figure
// per core, which wall time on a shared machine is not.

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, events int, cpu0 time.Duration) {
	if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(float64(events)/cpu, "events/cpu-s")
	}
}

// ingestProcessors are the processors serve runs between parsing and the
// sinks, enrichment left out (app.Processors with no configuration).
func ingestProcessors(tb testing.TB) []pipeline.Processor {
	tb.Helper()
	builtin, err := pipelines.Load()
	if err != nil {
		tb.Fatal(err)
	}
	set, err := ingest.NewSet(nil, builtin)
	if err != nil {
		tb.Fatal(err)
	}
	procs := append(normalize.Processors(normalize.BeforePipelines), pipeline.Processor(ingest.NewProcessor(set, nil)))
	return append(procs, normalize.Processors(normalize.AfterPipelines)...)
}

// BenchmarkParseNormalize parses and normalises the mix in batches of 256,
// one record per op: the ingest role's work per event before the bus or
// the store (framing, TCP and fsync not included).
//
//	go test ./internal/bench -run '^$' -bench ParseNormalize -cpu 1
func BenchmarkParseNormalize(b *testing.B) {
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	const n, batch = 1 << 14, 256
	g := &Generator{Day: day, Events: n}
	recs := make([][]byte, n)
	var size int64
	for i := range recs {
		recs[i] = g.Append(nil, i)
		size += int64(len(recs[i]))
	}
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return day.Add(24 * time.Hour) }})
	if err != nil {
		b.Fatal(err)
	}
	procs := ingestProcessors(b)
	b.SetBytes(size / n)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	evs := make([]*event.Event, 0, batch)
	for i := 0; i < b.N; i += batch {
		evs = evs[:0]
		for j := i; j < min(i+batch, b.N); j++ {
			e := &event.Event{}
			r := pipeline.Record{Data: recs[j%n], Position: strconv.Itoa(j)}
			if err := pipeline.ParseRecord(ps, "default", "bench", day, &r, e); err != nil {
				b.Fatal(err)
			}
			evs = append(evs, e)
		}
		for _, p := range procs {
			evs = p.Process(context.Background(), evs)
		}
	}
	reportCPU(b, b.N, cpu0)
}

// BenchmarkKafkaRoundTrip carries events of the mix through Kafka as the
// roles would: event.AppendBinary, produced to a 6-partition topic, read
// back by a consumer group member and decoded, one event per op. The
// broker is kfake in the same process, so its CPU is counted too: a real
// broker's cost is its own machines' (docs/scale-out.md).
//
//	go test ./internal/bench -run '^$' -bench KafkaRoundTrip -cpu 1
func BenchmarkKafkaRoundTrip(b *testing.B) {
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	const n = 1 << 12
	g := &Generator{Day: day, Events: n}
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return day.Add(24 * time.Hour) }})
	if err != nil {
		b.Fatal(err)
	}
	procs := ingestProcessors(b)
	values := make([][]byte, 0, n)
	var size int64
	for i := 0; i < n; i++ {
		e := &event.Event{}
		r := pipeline.Record{Data: g.Append(nil, i), Position: strconv.Itoa(i)}
		if err := pipeline.ParseRecord(ps, "default", "bench", day, &r, e); err != nil {
			b.Fatal(err)
		}
		evs := []*event.Event{e}
		for _, p := range procs {
			evs = p.Process(context.Background(), evs)
		}
		v, err := evs[0].AppendBinary(nil)
		if err != nil {
			b.Fatal(err)
		}
		values = append(values, v)
		size += int64(len(v))
	}
	for _, comp := range []struct {
		name  string
		codec kgo.CompressionCodec
	}{{"none", kgo.NoCompression()}, {"lz4", kgo.Lz4Compression()}} {
		b.Run(comp.name, func(b *testing.B) {
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(6, "vigil.events"))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ProducerBatchCompression(comp.codec),
				kgo.ProducerLinger(time.Millisecond), kgo.DefaultProduceTopic("vigil.events"))
			if err != nil {
				b.Fatal(err)
			}
			defer prod.Close()
			cons, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumerGroup("detect"),
				kgo.ConsumeTopics("vigil.events"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
			if err != nil {
				b.Fatal(err)
			}
			defer cons.Close()
			ctx := context.Background()
			b.SetBytes(size / n)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			done := make(chan error, 1)
			go func() {
				got := 0
				var e event.Event
				for got < b.N {
					fs := cons.PollFetches(ctx)
					if err := fs.Err(); err != nil {
						done <- err
						return
					}
					fs.EachRecord(func(r *kgo.Record) {
						if err := e.UnmarshalBinary(r.Value); err == nil {
							got++
						}
					})
				}
				done <- nil
			}()
			const batch = 1000
			for i := 0; i < b.N; i += batch {
				recs := make([]*kgo.Record, 0, batch)
				for j := i; j < min(i+batch, b.N); j++ {
					recs = append(recs, &kgo.Record{Key: []byte(strconv.Itoa(j % 997)), Value: values[j%n]})
				}
				if err := prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			reportCPU(b, b.N, cpu0)
		})
	}
}
