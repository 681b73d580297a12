package app

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/analytics/entity"
	entityshard "github.com/vigilsiem/vigil/internal/analytics/entity/shard"
	"github.com/vigilsiem/vigil/internal/bus"
	"github.com/vigilsiem/vigil/internal/bus/keyshard"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/detect/correlate/shard"
	"github.com/vigilsiem/vigil/internal/event"
)

// Entity analytics on detect nodes with a bus (docs/analytics.md,
// "Sharded by entity"):
//
//	batch of events ──entityshard.Router──► <P>.entities, key (tenant, type, name)
//	alerts of rules, correlations, intel ──► <P>.entities (their risk)
//	      (in the batch's transaction; outside one, at least once)
//	<P>.entities ──entityshard.Owner (group <P>.analytics, state in
//	      <P>.entity-state)──► anomaly and risk alerts ──► <P>.alerts, the rules

// busAnalytics routes the events and alerts of this node to the owners of
// their entities, and owns some of the entity partitions.
type busAnalytics struct {
	bus *bus.Bus
	cfg config.Analytics
	// out writes the alerts of the owned engines (out, then to the rules).
	out alert.Sink

	mu     sync.Mutex // Router is not safe for concurrent use
	router *entityshard.Router
	recs   []*kgo.Record

	// owner is set at start; the views and metrics may look before
	owner atomic.Pointer[entityshard.Owner]
	// counters are shared by the engines of the owned partitions, so the
	// node's counts go on when partitions move (group).
	counters *entity.Counters
	// analytics is the number of analytics of each engine.
	analytics int
}

// routeAnalytics makes the router of entity analytics and the topics; it
// returns the sink for the alerts of the other detectors: out to alertOut,
// and their risk to their entities' owners. analyticsOut writes the alerts
// the owned engines raise.
func (d *busDetect) routeAnalytics(a *App, cfg config.Analytics, alertOut, analyticsOut alert.Sink) (alert.Sink, error) {
	// an engine with the analytics, for the entities an event feeds; it
	// learns nothing
	re, err := entity.New(entity.Options{Config: cfg, Logger: a.log},
		alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil }))
	if err != nil {
		return nil, err
	}
	ba := &busAnalytics{bus: d.bus, cfg: cfg, out: analyticsOut, router: entityshard.NewRouter(d.bus.Topic("entities"), re),
		counters: &entity.Counters{}, analytics: re.Stats().Analytics}
	if err := a.reg.Register(ba.group()); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), detectTopicsTimeout)
	defer cancel()
	kc := d.bus.Kafka()
	if err := keyshard.CreateTopics(ctx, d.consumer.Client(), d.bus.Topic("entities"), d.bus.Topic("entity-state"),
		kc.Partitions, kc.ReplicationFactor); err != nil {
		a.log.Warn("create the entity analytics topics; they must exist or be created by the brokers", "err", err)
	}
	d.analytics = ba
	return alert.SinkFunc(func(ctx context.Context, as []alert.Alert) error {
		if err := alertOut.WriteAlerts(ctx, as); err != nil {
			return err
		}
		return ba.route(ctx, func(r *entityshard.Router) ([]*kgo.Record, error) { return r.Alerts(ba.recs[:0], as) })
	}), nil
}

// route produces the records build returns: in the batch's transaction
// when ctx has one, else with the bus's producer (at least once).
func (ba *busAnalytics) route(ctx context.Context, build func(*entityshard.Router) ([]*kgo.Record, error)) error {
	ba.mu.Lock()
	defer ba.mu.Unlock()
	recs, err := build(ba.router)
	ba.recs = recs
	defer clear(ba.recs)
	if err != nil || len(recs) == 0 {
		return err
	}
	cl := shard.Transaction(ctx)
	if cl == nil {
		cl = ba.bus.Producer()
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("route to entity analytics: %w", err)
	}
	return nil
}

// analyticsSink is the detect role's analytics sink on a bus: it routes
// the events to the owners of their entities (nil without analytics).
func (d *busDetect) analyticsSink() *analyticsRouteSink {
	if d == nil || d.analytics == nil {
		return nil
	}
	return &analyticsRouteSink{d.analytics}
}

type analyticsRouteSink struct{ ba *busAnalytics }

func (s *analyticsRouteSink) Name() string { return "analytics" }

func (s *analyticsRouteSink) Write(ctx context.Context, events []*event.Event) error {
	return s.ba.route(ctx, func(r *entityshard.Router) ([]*kgo.Record, error) { return r.Events(s.ba.recs[:0], events) })
}

// startAnalytics joins the group of the entity owners.
func (d *busDetect) startAnalytics(a *App) error {
	ba := d.analytics
	parts := max(d.bus.Kafka().Partitions, 1)
	cfg := ba.cfg
	// a node that owns every partition holds at most what one engine would
	cfg.MaxEntities = max(cfg.MaxEntities/parts, 1)
	emitCtx := a.runCtx
	o, err := entityshard.NewOwner(entityshard.Config{Opts: groupOpts(d.bus),
		Topic: d.bus.Topic("entities"), StateTopic: d.bus.Topic("entity-state"), Group: d.bus.Group("analytics"),
		Analytics: entity.Options{Config: cfg, Counters: ba.counters}, Logger: a.log,
		Out: alert.SinkFunc(func(_ context.Context, as []alert.Alert) error {
			return retryPublish(emitCtx, a, "entity analytics alerts", len(as), func(ctx context.Context) error {
				return ba.out.WriteAlerts(ctx, as)
			})
		})})
	if err != nil {
		return err
	}
	ba.owner.Store(o)
	a.run(func(ctx context.Context) {
		if err := o.Run(ctx); err != nil {
			a.errs <- fmt.Errorf("entity analytics shard: %w", err)
		}
	})
	return nil
}

// group is the engines of the owned partitions, for their stats and
// metrics.
func (ba *busAnalytics) group() entity.Group {
	return entity.Group{Counters: ba.counters, Analytics: ba.analytics, Engines: func(fn func(*entity.Engine)) {
		if o := ba.owner.Load(); o != nil {
			o.Engines(fn)
		}
	}}
}

// analyticsStats are the summed stats of the owned engines (nil without
// analytics on a bus).
func (d *busDetect) analyticsStats() *entity.Stats {
	if d == nil || d.analytics == nil {
		return nil
	}
	st := d.analytics.group().Stats()
	return &st
}

// analyticsOwned are the entity partitions this node owns, each with the
// first offset not yet learned from (nil without analytics on a bus).
func (d *busDetect) analyticsOwned() map[int32]int64 {
	if d == nil || d.analytics == nil {
		return nil
	}
	if o := d.analytics.owner.Load(); o != nil {
		return o.Owned()
	}
	return nil
}

// entityViews reads the entities of the partitions this node owns (nil
// without analytics on a bus).
func (d *busDetect) entityViews() *ownedEntities {
	if d == nil || d.analytics == nil {
		return nil
	}
	return &ownedEntities{d.analytics}
}

// ownedEntities is the entities API over the engines of the owned
// partitions: an entity owned by another detect node is not found here.
type ownedEntities struct{ ba *busAnalytics }

func (v *ownedEntities) engines() []*entity.Engine {
	var es []*entity.Engine
	v.ba.group().Engines(func(e *entity.Engine) { es = append(es, e) })
	return es
}

func (v *ownedEntities) List(tenant, by string, limit int) ([]entity.Summary, error) {
	return entity.ListAll(v.engines(), tenant, by, limit)
}

func (v *ownedEntities) Entity(tenant, typ, name string) (entity.Detail, bool) {
	for _, e := range v.engines() {
		if d, ok := e.Entity(tenant, typ, name); ok {
			return d, true
		}
	}
	return entity.Detail{}, false
}
