package shard

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// benchHits fills hits with probes from 10,000 sources over 1,024 ports,
// one a millisecond of event time.
func benchHits(hits []correlate.Hit, fields []correlate.Field, n *int) {
	for j := range hits {
		*n++
		f := fields[2*j : 2*j+2 : 2*j+2]
		f[0] = correlate.Field{Name: "src", Value: "10.0." + strconv.Itoa(*n%10_000/250) + "." + strconv.Itoa(*n%250)}
		f[1] = correlate.Field{Name: "port", Value: strconv.Itoa(*n * 13 % 1024)}
		hits[j] = correlate.Hit{Rule: "probe", Tenant: "default", ID: "id" + strconv.Itoa(*n),
			Time: t0.Add(time.Duration(*n) * time.Millisecond).UnixNano(), Fields: f}
	}
}

// BenchmarkShardPath measures hits per second through the whole shard
// path: routed (two records a hit: port_scan and noisy) to the in-process
// broker, polled by one owner, decoded and counted, with a state record
// every 10,000 hits of a partition. Run with -cpu 1 for the figure per
// core; the broker (kfake) runs in the same process and is counted.
func BenchmarkShardPath(b *testing.B) {
	set := compileSet(b)
	c := newCluster(b)
	r := newRouter(b, c.ListenAddrs(), set)
	cfg := ownerConfig(c.ListenAddrs(), set, func(int32, []correlate.Firing) {})
	cfg.SnapshotEvery = DefaultSnapshotEvery
	o, err := NewOwner(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = o.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return len(o.Owned()) == partitions }) {
		b.Fatalf("the owner took %d of %d partitions", len(o.Owned()), partitions)
	}
	const batch = 256
	hits := make([]correlate.Hit, batch)
	fields := make([]correlate.Field, 2*batch)
	n, records := 0, int64(0)
	b.ReportAllocs()
	b.SetBytes(batch * 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchHits(hits, fields, &n)
		k, err := r.Route(ctx, hits)
		if err != nil {
			b.Fatal(err)
		}
		records += int64(k)
	}
	counted := testutil.Poll(testutil.WaitTimeout, func() bool {
		var sum int64
		for _, next := range o.Owned() {
			sum += next
		}
		return sum >= records
	})
	if !counted {
		b.Fatalf("the owner did not count the %d records routed", records)
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "hits/s")
}

// BenchmarkShardCodec measures the shard path without the broker: a hit
// routed, encoded, decoded and counted by its correlation's engine.
func BenchmarkShardCodec(b *testing.B) {
	set := compileSet(b)
	e, _, err := correlate.New(correlate.Options{Logger: quiet()}, set)
	if err != nil {
		b.Fatal(err)
	}
	const batch = 256
	hits := make([]correlate.Hit, batch)
	fields := make([]correlate.Field, 2*batch)
	var key, val, group []byte
	var h correlate.Hit
	one := make([]correlate.Hit, 1)
	n := 0
	b.ReportAllocs()
	b.SetBytes(batch * 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchHits(hits, fields, &n)
		for j := range hits {
			group = set.Route(&hits[j], group, func(c *correlate.Corr, g []byte) {
				key = appendKey(key[:0], hits[j].Tenant, c.Key, g)
				val = appendHit(val[:0], c.Key, &hits[j])
				corr, err := decodeHit(val, &h)
				if err != nil {
					b.Fatal(err)
				}
				one[0] = h
				if _, err := e.ProcessFor(corr, one); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "hits/s")
}

// BenchmarkConsumerTransact measures events per second through a
// Consumer: events (here hit records, 1,000 a poll) read from the events
// topic, decoded and routed to the hit topic in one Kafka transaction per
// batch with the batch's offsets. The broker (kfake) runs in the same
// process and is counted; the Owners are not (BenchmarkShardPath).
func BenchmarkConsumerTransact(b *testing.B) {
	set := compileSet(b)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, hitTopic, stateTopic),
		kfake.SeedTopics(eventPartitions, eventTopic), kfake.GroupMinSessionTimeout(500*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	brokers := c.ListenAddrs()
	prod, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer prod.Close()
	const batch = 1000
	hits := make([]correlate.Hit, batch)
	fields := make([]correlate.Field, 2*batch)
	n := 0
	recs := make([]*kgo.Record, 0, batch)
	for produced := 0; produced < b.N; produced += batch {
		benchHits(hits, fields, &n)
		recs = recs[:0]
		for j := range hits {
			recs = append(recs, &kgo.Record{Topic: eventTopic, Key: []byte(hits[j].Fields[0].Value), Value: appendHit(nil, "", &hits[j])})
		}
		if err := prod.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			b.Fatal(err)
		}
	}
	var router *Router
	var consumed atomic.Int64
	cfg := consumerConfig(brokers, "bench", func() *Router { return router })
	cfg.MaxPollRecords = batch
	route := cfg.Process
	cfg.Process = func(ctx context.Context, recs []*kgo.Record) error {
		if err := route(ctx, recs); err != nil {
			return err
		}
		consumed.Add(int64(len(recs)))
		return nil
	}
	cons, err := NewConsumer(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if router, err = NewRouter(cons.Client(), hitTopic, set); err != nil {
		b.Fatal(err)
	}
	want := int64((b.N + batch - 1) / batch * batch)
	b.ReportAllocs()
	b.SetBytes(64)
	b.ResetTimer()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cons.Run(ctx) }()
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return consumed.Load() >= want }) {
		b.Fatalf("consumed %d of %d events", consumed.Load(), want)
	}
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "events/s")
}
