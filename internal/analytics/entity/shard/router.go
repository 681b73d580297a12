package shard

import (
	"encoding/json"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/analytics/entity"
	"github.com/vigilsiem/vigil/internal/event"
)

// Router makes the entity records of events and alerts: one per entity
// each feeds, keyed by (tenant, entity type, name). Produce them with a
// client that partitions by key with Kafka's murmur2 hash (kgo's default
// partitioner, or StickyKeyPartitioner(nil)), inside the transaction of
// the batch they came from when there is one (correlate/shard.Transaction).
type Router struct {
	topic string
	// e is an engine with the analytics of the owners (the same
	// configuration on every node): it tells which entities an event
	// feeds, and learns nothing itself.
	e     *entity.Engine
	refs  []entity.Ref
	peers []entity.PeerRef
}

// NewRouter returns a router for topic; e holds the analytics.
func NewRouter(topic string, e *entity.Engine) *Router {
	return &Router{topic: topic, e: e}
}

// Events returns the records of events, appended to recs. Not safe for
// concurrent use.
func (r *Router) Events(recs []*kgo.Record, events []*event.Event) ([]*kgo.Record, error) {
	var payload []byte
	for _, ev := range events {
		r.refs = r.e.EntitiesOf(r.refs[:0], ev)
		if len(r.refs) == 0 {
			continue
		}
		var err error
		if payload, err = ev.AppendBinary(payload[:0]); err != nil {
			return recs, fmt.Errorf("route event %s to its entities: %w", ev.ID, err)
		}
		recs = r.append(recs, kindEvent, ev.Tenant, payload)
		// the sightings of rarity values with min_peers, to the owners of
		// the values, who count the peers and pass the event on
		r.peers = r.e.PeersOf(r.peers[:0], ev)
		for _, p := range r.peers {
			v := appendPeerHead(make([]byte, 0, len(payload)+len(p.Analytic)+len(p.Value)+len(p.Entity.Type)+len(p.Entity.Name)+16),
				kindPeer, p.Entity, p.Analytic, p.Value, 0)
			recs = append(recs, &kgo.Record{Topic: r.topic, Key: peerKey(tenantOf(ev.Tenant), p.Analytic, p.Value), Value: append(v, payload...)})
		}
	}
	return recs, nil
}

// Alerts returns the records of alerts raised elsewhere (rules,
// correlations, intel), one per entity they add risk to, appended to
// recs. Not safe for concurrent use.
func (r *Router) Alerts(recs []*kgo.Record, alerts []alert.Alert) ([]*kgo.Record, error) {
	for i := range alerts {
		a := &alerts[i]
		r.refs = entity.RiskEntitiesOf(r.refs[:0], a)
		if len(r.refs) == 0 {
			continue
		}
		payload, err := json.Marshal(a)
		if err != nil {
			return recs, fmt.Errorf("route alert %s to its entities: %w", a.ID, err)
		}
		recs = r.append(recs, kindAlert, a.Tenant, payload)
	}
	return recs, nil
}

// append adds one record per entity in r.refs.
func (r *Router) append(recs []*kgo.Record, kind byte, tenant string, payload []byte) []*kgo.Record {
	tenant = tenantOf(tenant)
	for _, ref := range r.refs {
		v := appendHead(make([]byte, 0, len(payload)+len(ref.Type)+len(ref.Name)+8), kind, ref)
		recs = append(recs, &kgo.Record{Topic: r.topic, Key: appendKey(nil, tenant, ref), Value: append(v, payload...)})
	}
	return recs
}

// tenantOf is the tenant the engine files an entity under.
func tenantOf(t string) string {
	if t == "" {
		return event.DefaultTenant
	}
	return t
}
