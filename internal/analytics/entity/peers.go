package entity

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Rarity's peer counts when analytics are sharded by entity (package
// entity/shard): how many other entities showed a value is counted by one
// engine, the owner of (tenant, analytic, value), in the order the events
// were routed; it hands the count to the entity's engine, which decides
// the rest of rarity (learning, days, once a day) and raises the alert
// with the id one engine would give it.

// PeerRef is what an event shows to the owner of a peer count: the
// rarity analytic (with min_peers), the value and the entity that
// showed it. Its tenant is the event's.
type PeerRef struct {
	Analytic, Value string
	Entity          Ref
}

// peerCount is the peer count an entity's engine is given for one event
// of rarity analytic a (WritePeersFor).
type peerCount struct {
	a      *analytic
	others int
}

// routedPeers reports whether a's peers are counted by the owner of the
// value when analytics are sharded by entity.
func (a *analytic) routedPeers() bool { return a.kind == kindRarity && a.cfg.MinPeers > 0 }

// PeersOf appends to dst the peer counts ev feeds: one per rarity
// analytic with min_peers whose filter it matches and whose key and
// value it has.
func (e *Engine) PeersOf(dst []PeerRef, ev *event.Event) []PeerRef {
	var m []int8
	var buf []byte
	var tt = e.eventTime(ev, e.opts.Now())
	for _, a := range e.analytics {
		if !a.routedPeers() {
			continue
		}
		if m == nil {
			m = make([]int8, len(e.filters))
		}
		if !e.matches(a, ev, m) {
			continue
		}
		name := a.name(ev)
		if name == "" {
			continue
		}
		var ok bool
		if buf, ok = a.appendValue(buf[:0], ev, tt); !ok {
			continue
		}
		dst = append(dst, PeerRef{Analytic: a.cfg.Name, Value: string(buf), Entity: Ref{Type: a.cfg.Entity, Name: name}})
	}
	return dst
}

// CountPeerFor counts p's entity as a peer of p's value (of ev's tenant)
// unless it was counted before, and returns how many other entities
// showed the value: the count one engine given every event finds. The
// entities counted are remembered (hashed) up to min_peers+1, which
// decide rarity: past them the value is common.
func (e *Engine) CountPeerFor(ev *event.Event, p PeerRef) (int, error) {
	var a *analytic
	for _, x := range e.analytics {
		if x.cfg.Name == p.Analytic && x.routedPeers() {
			a = x
		}
	}
	if a == nil {
		return 0, fmt.Errorf("count peers: no rarity analytic %q with min_peers", p.Analytic)
	}
	<-e.ready
	e.changes.Add(1)
	h := fnv.New64a()
	h.Write([]byte(p.Entity.Name))
	id := h.Sum64()
	remember := min(a.cfg.MinPeers+1, maxPeerEntities)
	t := e.eventTime(ev, e.opts.Now()).Unix()
	e.peersMu.Lock()
	defer e.peersMu.Unlock()
	ps := e.peerStat(tenantOf(ev.Tenant), a, p.Value, dayOf(t))
	switch {
	case slices.Contains(ps.Ents, id):
		return max(int(ps.Peers)-1, 0), nil
	case len(ps.Ents) < remember:
		ps.Ents = append(ps.Ents, id)
	case remember > a.cfg.MinPeers:
		// min_peers+1 others showed it: common, whoever this is
		return int(ps.Peers), nil
	}
	others := int(ps.Peers)
	ps.Peers++
	return others, nil
}

// startLearning starts the learning of rarity analytic a for entity en at
// ev's time when it is earlier than what it knew (as observe does): the
// events reach the entity in the order they were routed, while their peer
// counts come from the owners of their values in no common order, so the
// learning period is kept by the events. buf is scratch space, returned.
func (e *Engine) startLearning(a *analytic, en *entity, ev *event.Event, tt time.Time, buf []byte) []byte {
	buf, ok := a.appendValue(buf, ev, tt)
	if !ok {
		return buf
	}
	t := tt.Unix()
	if s, _ := en.state(a.idx).(*valuesState); s == nil {
		en.states = append(en.states, slot{a: uint16(a.idx), st: &valuesState{Since: t}})
	} else if t < s.Since {
		s.Since = t
	}
	return buf
}

// WritePeersFor feeds ev to rarity analytic analytic of entity r (of ev's
// tenant) with others, the peer count CountPeerFor returned for it: what
// Write does for that analytic, but for counting peers itself.
func (e *Engine) WritePeersFor(ctx context.Context, r Ref, analytic string, others int, ev *event.Event) error {
	for _, a := range e.analytics {
		if a.cfg.Name == analytic && a.routedPeers() && a.cfg.Entity == r.Type {
			return e.write(ctx, []*event.Event{ev}, r, &peerCount{a: a, others: others})
		}
	}
	return fmt.Errorf("entity analytics: no rarity analytic %q with min_peers for %s", analytic, r.Type)
}
