package shard

import (
	"context"
	"testing"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/analytics/entity"
)

// BenchmarkEntityPath is the CPU an event costs on the entity shard path
// without the brokers: the router finds its entities and encodes their
// records (detect node), the owner decodes each and its engine learns
// from it. Per op: one login event (one record, its user).
func BenchmarkEntityPath(b *testing.B) {
	opts := options(b)
	r, pt := benchPath(b, opts)
	evs := logins()
	recs, err := r.Events(nil, evs[:1])
	if err != nil || len(recs) != 1 {
		b.Fatal(len(recs), err)
	}
	b.SetBytes(int64(len(recs[0].Value)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		recs, err = r.Events(recs[:0], evs[i%len(evs):i%len(evs)+1])
		if err != nil || len(recs) != 1 {
			b.Fatal(len(recs), err)
		}
		recs[0].Offset = int64(i)
		pt.Process(recs)
	}
}

// BenchmarkPeerPath is the CPU a process run costs on the entity shard
// path without the brokers, rarity's peer count included: the router
// makes the records of its host and program and its peer record; the
// owner learns from the first two, counts the peer (one engine owns
// every partition here) and learns from the peer count record it makes.
// Per op: one process run (four records).
func BenchmarkPeerPath(b *testing.B) {
	opts := options(b)
	opts.PeersRouted = true
	r, pt := benchPath(b, opts)
	evs := processRuns()
	recs, err := r.Events(nil, evs[:1])
	if err != nil || len(recs) != 3 {
		b.Fatal(len(recs), err)
	}
	b.SetBytes(int64(len(recs[0].Value)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		recs, err = r.Events(recs[:0], evs[i%len(evs):i%len(evs)+1])
		if err != nil || len(recs) != 3 {
			b.Fatal(len(recs), err)
		}
		pt.Process(recs)
		pt.Process(pt.Outbox())
		pt.Sent()
	}
}

// benchPath is the two ends of the entity shard path without the brokers:
// a detect node's router (its engine with the options, PeersRouted off)
// and the engine of partition 0 of an owner with opts, its alerts
// dropped.
func benchPath(b *testing.B, opts entity.Options) (*Router, *partition) {
	b.Helper()
	drop := alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil })
	ropts := opts
	ropts.PeersRouted = false
	re, err := entity.New(ropts, drop)
	if err != nil {
		b.Fatal(err)
	}
	var o Owner
	o.ctx = context.Background()
	o.cfg.Out = drop
	o.cfg.Topic = topic
	o.cfg.Analytics = opts
	o.log = quiet()
	m, err := o.newPartition(0)
	if err != nil {
		b.Fatal(err)
	}
	return NewRouter(topic, re), m.(*partition)
}
