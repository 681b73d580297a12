package shard

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/bus/keyshard"
	"github.com/vigilsiem/vigil/internal/detect/correlate"
)

// Config configures an Owner.
type Config struct {
	// Brokers are the seed brokers; Opts add to the client (TLS, SASL).
	Brokers []string
	Opts    []kgo.Opt
	// HitTopic carries the routed hits; StateTopic (compacted, with as
	// many partitions as HitTopic) the state of each hit partition.
	HitTopic, StateTopic string
	// Group is the consumer group of the detect nodes; the state of hit
	// partition p is written with the transactional id "<Group>.<p>"
	// (package keyshard: a new owner fences the previous one).
	Group string
	// Set is the compiled correlations; it must be the same on every node.
	Set *correlate.Set
	// Engine configures the engine of each owned partition: Dir and
	// Registerer must be empty (the state lives in the bus; the metrics
	// of many engines would collide).
	Engine correlate.Options
	// SnapshotEvery and SnapshotInterval bound the hits between two state
	// records of a partition; TickInterval is how often quiet windows are
	// closed. Zero means the defaults.
	SnapshotEvery    int
	SnapshotInterval time.Duration
	TickInterval     time.Duration
	// Emit receives the firings of a partition, from the goroutine of
	// Run, before the offsets of the hits that caused them are committed.
	// The firings of a correlation that others chain on are also routed
	// as chained hits to the outer correlations' keys on the hit topic,
	// in the transaction of the partition's next state record (the
	// partition's keyshard.Outbox).
	Emit   func(partition int32, fs []correlate.Firing)
	Logger *slog.Logger
}

// Owner is one member of the group of detect nodes: it owns some
// partitions of the hit topic and counts their keys (the partitions and
// their state are keyshard.Owner's; each machine is a correlate engine).
type Owner struct {
	cfg Config
	log *slog.Logger
	ko  *keyshard.Owner
	// set is the current rule generation (SetRules); partitions taken
	// over later start with it.
	set atomic.Pointer[correlate.Set]
}

// partition is the engine of one owned hit-topic partition.
type partition struct {
	o   *Owner
	p   int32
	e   *correlate.Engine
	hit correlate.Hit
	one [1]correlate.Hit
	// chain are the chained hits (firings of inner correlations routed to
	// the outer correlations' keys) not yet in the bus: keyshard produces
	// them in the transaction of the next state record, which holds the
	// firings, so a crash before it neither loses them (the replay fires
	// again) nor doubles them.
	chain []*kgo.Record
	buf   []byte
}

// NewOwner joins the group (the join completes in Run's polls).
func NewOwner(cfg Config) (*Owner, error) {
	if cfg.Engine.Dir != "" || cfg.Engine.Registerer != nil {
		return nil, errors.New("correlation shard: the partition engines keep their state in the bus (no Dir) and register no metrics")
	}
	if cfg.HitTopic == "" || cfg.StateTopic == "" || cfg.Group == "" || cfg.Emit == nil {
		return nil, errors.New("correlation shard: hit topic, state topic, group and Emit are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// the firings of inner correlations go to their outer keys' owners
	cfg.Engine.RouteChains = true
	o := &Owner{cfg: cfg, log: cfg.Logger.With("component", "correlate-shard")}
	o.set.Store(cfg.Set)
	ko, err := keyshard.NewOwner(keyshard.Config{Brokers: cfg.Brokers, Opts: cfg.Opts, Topic: cfg.HitTopic, StateTopic: cfg.StateTopic,
		Group: cfg.Group, New: o.newPartition, SnapshotEvery: cfg.SnapshotEvery, SnapshotInterval: cfg.SnapshotInterval,
		TickInterval: cfg.TickInterval, Name: "correlation", Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	o.ko = ko
	return o, nil
}

// newPartition is the empty engine of a partition taken over.
func (o *Owner) newPartition(p int32) (keyshard.Machine, error) {
	e, _, err := correlate.New(o.cfg.Engine, o.set.Load())
	if err != nil {
		return nil, err
	}
	return &partition{o: o, p: p, e: e}, nil
}

// Process counts the hit records of the partition.
func (pt *partition) Process(recs []*kgo.Record) {
	var out []correlate.Firing
	for _, r := range recs {
		corr, err := decodeHit(r.Value, &pt.hit)
		if err != nil {
			pt.o.log.Warn("skip a bad correlation hit record", "partition", pt.p, "offset", r.Offset, "err", err)
			continue
		}
		pt.one[0] = pt.hit
		fs, err := pt.e.ProcessFor(corr, pt.one[:])
		if err != nil {
			pt.o.log.Error("process correlation hit", "err", err)
			continue
		}
		out = append(out, fs...)
	}
	pt.fired(out)
}

// Tick closes the windows of quiet tenants.
func (pt *partition) Tick() { pt.fired(pt.e.Tick()) }

// fired emits firings and keeps the chained hits they make for the
// partition's next state transaction.
func (pt *partition) fired(fs []correlate.Firing) {
	if len(fs) == 0 {
		return
	}
	set, topic := pt.o.set.Load(), pt.o.cfg.HitTopic
	for i := range fs {
		h, ok := fs[i].ChainHit()
		if !ok {
			continue
		}
		pt.buf = set.Route(&h, pt.buf, func(c *correlate.Corr, group []byte) {
			pt.chain = append(pt.chain, &kgo.Record{Topic: topic,
				Key: appendKey(nil, h.Tenant, c.Key, group), Value: appendHit(nil, c.Key, &h)})
		})
	}
	pt.o.cfg.Emit(pt.p, fs)
}

// Outbox is the chained hits not yet in the bus (keyshard.Outbox).
func (pt *partition) Outbox() []*kgo.Record { return pt.chain }

// Sent drops the chained hits committed with a state.
func (pt *partition) Sent() { pt.chain = nil }

// State is the engine's snapshot.
func (pt *partition) State() ([]byte, error) { return pt.e.State(), nil }

// Restore loads a snapshot into the (new, empty) engine.
func (pt *partition) Restore(b []byte) error { return pt.e.Restore(b) }

// Run polls, counts and checkpoints until ctx ends; then it writes the
// state of its partitions and leaves the group (Close).
func (o *Owner) Run(ctx context.Context) error { return o.ko.Run(ctx) }

// SetRules switches the engines of the owned partitions, and those taken
// over later, to a new generation of the rules (a reload): the groups of
// correlations that are gone or changed are dropped (a changed definition
// is a new correlation key).
func (o *Owner) SetRules(set *correlate.Set) error {
	o.set.Store(set)
	o.ko.Each(func(_ int32, m keyshard.Machine) { m.(*partition).e.SetRules(set) })
	return nil
}

// Owned returns the partitions owned now and the first offset of each not
// yet counted.
func (o *Owner) Owned() map[int32]int64 { return o.ko.Owned() }

// Close writes the state of the owned partitions (through the revoke of
// leaving the group) and closes the client.
func (o *Owner) Close() { o.ko.Close() }
