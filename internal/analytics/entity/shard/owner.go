package shard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/analytics/entity"
	"github.com/vigilsiem/vigil/internal/bus/keyshard"
	"github.com/vigilsiem/vigil/internal/event"
)

// Config configures an Owner.
type Config struct {
	// Brokers are the seed brokers; Opts add to the client (TLS, SASL).
	Brokers []string
	Opts    []kgo.Opt
	// Topic carries the entity records; StateTopic (compacted, with as
	// many partitions as Topic) the state of each of its partitions.
	Topic, StateTopic string
	// Group is the consumer group of the detect nodes' owners.
	Group string
	// Analytics configures the engine of each owned partition: Dir must
	// be empty (the state lives in the bus), and Config.MaxEntities is
	// per partition.
	Analytics entity.Options
	// Out receives the anomaly and risk alerts of the owned partitions,
	// from the goroutine of Run, before the offsets of the records that
	// raised them are committed: it retries until they are out (or its
	// context ends), or they are lost.
	Out alert.Sink
	// SnapshotEvery and SnapshotInterval bound the records between two
	// state records of a partition. Zero means keyshard's defaults.
	SnapshotEvery    int
	SnapshotInterval time.Duration
	Logger           *slog.Logger
}

// Owner is one member of the group of detect nodes: it owns some
// partitions of the entity topic and runs an analytics engine for each.
type Owner struct {
	cfg Config
	log *slog.Logger
	ko  *keyshard.Owner
	// ctx is Run's, for the engines' alert writes.
	ctx context.Context
}

// partition is the engine of one owned partition.
type partition struct {
	o   *Owner
	p   int32
	e   *entity.Engine
	one [1]*event.Event
	// out are the peer counts made since the last state (kindPeers
	// records, to the owners of their entities): keyshard produces them
	// in the transaction of the next state.
	out []*kgo.Record
}

// NewOwner joins the group (the join completes in Run's polls).
func NewOwner(cfg Config) (*Owner, error) {
	if cfg.Analytics.Dir != "" {
		return nil, errors.New("entity shard: the partition engines keep their state in the bus (no Dir)")
	}
	if cfg.Topic == "" || cfg.StateTopic == "" || cfg.Group == "" || cfg.Out == nil {
		return nil, errors.New("entity shard: topic, state topic, group and Out are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Analytics.Logger = cfg.Logger
	// rarity's peers are counted by the owners of the values (kindPeer)
	cfg.Analytics.PeersRouted = true
	o := &Owner{cfg: cfg, log: cfg.Logger.With("component", "entity-shard"), ctx: context.Background()}
	ko, err := keyshard.NewOwner(keyshard.Config{Brokers: cfg.Brokers, Opts: cfg.Opts, Topic: cfg.Topic, StateTopic: cfg.StateTopic,
		Group: cfg.Group, New: o.newPartition, SnapshotEvery: cfg.SnapshotEvery, SnapshotInterval: cfg.SnapshotInterval,
		OutboxWaits: true, // peer counts: one outbox record per process event
		Name:        "entity analytics", Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	o.ko = ko
	return o, nil
}

// newPartition is the empty engine of a partition taken over.
func (o *Owner) newPartition(p int32) (keyshard.Machine, error) {
	e, err := entity.New(o.cfg.Analytics, alert.SinkFunc(func(_ context.Context, as []alert.Alert) error {
		return o.cfg.Out.WriteAlerts(o.ctx, as)
	}))
	if err != nil {
		return nil, err
	}
	return &partition{o: o, p: p, e: e}, nil
}

// Process feeds each record to its entity's analytics.
func (pt *partition) Process(recs []*kgo.Record) {
	for _, r := range recs {
		rec, err := decodeRecord(r.Value)
		if err != nil {
			pt.o.log.Warn("skip a bad entity record", "partition", pt.p, "offset", r.Offset, "err", err)
			continue
		}
		switch {
		case rec.kind == kindPeer:
			err = pt.countPeer(rec)
		case rec.kind == kindPeers:
			err = pt.e.WritePeersFor(pt.o.ctx, rec.r, rec.analytic, rec.others, rec.event)
		case rec.event != nil:
			pt.one[0] = rec.event
			err = pt.e.WriteFor(pt.o.ctx, rec.r, pt.one[:])
			pt.one[0] = nil
		default:
			if risk := pt.e.AddAlertsFor(rec.r, []alert.Alert{*rec.alert}); len(risk) > 0 {
				err = pt.o.cfg.Out.WriteAlerts(pt.o.ctx, risk)
			}
		}
		if err != nil {
			pt.o.log.Error("entity analytics alerts not written", "partition", pt.p, "offset", r.Offset, "err", err)
		}
	}
}

// countPeer counts the entity of a peer record as a peer of its value
// and passes the event on to the owner of the entity with the count.
func (pt *partition) countPeer(rec record) error {
	others, err := pt.e.CountPeerFor(rec.event, entity.PeerRef{Analytic: rec.analytic, Value: rec.value, Entity: rec.r})
	if err != nil {
		return err
	}
	payload, err := rec.event.AppendBinary(nil)
	if err != nil {
		return fmt.Errorf("pass the peer count of %s on: %w", rec.event.ID, err)
	}
	v := appendPeerHead(make([]byte, 0, len(payload)+len(rec.analytic)+len(rec.value)+len(rec.r.Type)+len(rec.r.Name)+24),
		kindPeers, rec.r, rec.analytic, rec.value, others)
	pt.out = append(pt.out, &kgo.Record{Topic: pt.o.cfg.Topic, Key: appendKey(nil, tenantOf(rec.event.Tenant), rec.r),
		Value: append(v, payload...)})
	return nil
}

// Outbox returns the peer counts made since the last state.
func (pt *partition) Outbox() []*kgo.Record { return pt.out }

// Sent drops them: they committed with a state.
func (pt *partition) Sent() { pt.out = nil }

// Tick does nothing: analytics keep time by their events.
func (*partition) Tick() {}

// State is the engine's baselines and risk.
func (pt *partition) State() ([]byte, error) { return pt.e.State() }

// Restore loads them into the (new, empty) engine.
func (pt *partition) Restore(b []byte) error { return pt.e.Restore(b) }

// Run polls, learns and checkpoints until ctx ends; then it writes the
// state of its partitions and leaves the group (Close). Call it once.
func (o *Owner) Run(ctx context.Context) error {
	o.ctx = ctx
	return o.ko.Run(ctx)
}

// Owned returns the partitions owned now and the first offset of each not
// yet learned from.
func (o *Owner) Owned() map[int32]int64 { return o.ko.Owned() }

// Engines calls fn with the engine of each owned partition (the entity
// views read them; fn must not keep them).
func (o *Owner) Engines(fn func(*entity.Engine)) {
	o.ko.Each(func(_ int32, m keyshard.Machine) { fn(m.(*partition).e) })
}

// Close writes the state of the owned partitions (through the revoke of
// leaving the group) and closes the client.
func (o *Owner) Close() { o.ko.Close() }
