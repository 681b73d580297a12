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
	re, err := entity.New(opts, alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil }))
	if err != nil {
		b.Fatal(err)
	}
	var o Owner
	o.ctx = context.Background()
	o.cfg.Out = alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil })
	o.log = quiet()
	m, err := o.newPartition(0)
	if err != nil {
		b.Fatal(err)
	}
	r := NewRouter(topic, re)
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
		m.Process(recs)
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
	re, err := entity.New(opts, alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil }))
	if err != nil {
		b.Fatal(err)
	}
	var o Owner
	o.ctx = context.Background()
	o.cfg.Out = alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil })
	o.cfg.Topic = topic
	o.cfg.Analytics = opts
	o.cfg.Analytics.PeersRouted = true
	o.log = quiet()
	m, err := o.newPartition(0)
	if err != nil {
		b.Fatal(err)
	}
	pt := m.(*partition)
	r := NewRouter(topic, re)
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
		m.Process(recs)
		m.Process(pt.Outbox())
		pt.Sent()
	}
}
