package entity

import (
	"bytes"
	"context"
	"fmt"

	"github.com/klauspost/compress/zstd"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

// What analytics sharded by entity (package entity/shard) needs from the
// engine: the entities an event or an alert feeds, so a router can send
// each to the one engine that owns the entity; that engine's WriteFor and
// AddAlertsFor, which learn from them for that entity only; and the state
// of an engine as bytes, which moves with its partition.

// Ref names an entity of a tenant: its type (user, host, source_ip, or
// an analytic's entity) and name, in lower case.
type Ref struct {
	Type, Name string
}

// EntitiesOf appends to dst the entities ev feeds: one per distinct (type,
// name) among the analytics whose filter it matches and whose key it has.
// Its tenant is ev's.
func (e *Engine) EntitiesOf(dst []Ref, ev *event.Event) []Ref {
	start := len(dst)
	var matched [64]int8
	var m []int8
	if len(e.filters) <= len(matched) {
		m = matched[:len(e.filters)]
	} else {
		m = make([]int8, len(e.filters))
	}
next:
	for _, a := range e.analytics {
		if !e.matches(a, ev, m) {
			continue
		}
		name := a.name(ev)
		if name == "" {
			continue
		}
		ref := Ref{Type: a.cfg.Entity, Name: name}
		for _, d := range dst[start:] {
			if d == ref {
				continue next
			}
		}
		dst = append(dst, ref)
	}
	return dst
}

// RiskEntitiesOf appends to dst the entities an alert raised elsewhere
// adds risk to (AddAlerts): its users, hosts and source addresses; none
// for the alerts of analytics.
func RiskEntitiesOf(dst []Ref, al *alert.Alert) []Ref {
	start := len(dst)
	eachRiskEntity(al, func(r Ref) {
		for _, d := range dst[start:] {
			if d == r {
				return
			}
		}
		dst = append(dst, r)
	})
	return dst
}

// WriteFor is Write for the analytics of one entity: ev's tenant's entity
// r learns from the events, the other entities they feed do not.
func (e *Engine) WriteFor(ctx context.Context, r Ref, events []*event.Event) error {
	if r.Type == "" {
		return fmt.Errorf("entity analytics: write for an entity without a type")
	}
	return e.write(ctx, events, r, nil)
}

// AddAlertsFor is AddAlerts for one entity: the alerts add risk to the
// alert's tenant's entity r only, and the risk alerts it raises are
// returned.
func (e *Engine) AddAlertsFor(r Ref, alerts []alert.Alert) []alert.Alert {
	if r.Type == "" {
		return nil
	}
	return e.addAlerts(alerts, r)
}

// State returns the engine's baselines, risk and clocks: the snapshot
// file's content (docs/format/baselines.md), zstd-compressed.
func (e *Engine) State() ([]byte, error) {
	<-e.ready
	var b bytes.Buffer
	zw, err := zstd.NewWriter(&b, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("encode baselines: %w", err)
	}
	if err := e.encode(zw); err != nil {
		zw.Close()
		return nil, fmt.Errorf("encode baselines: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("encode baselines: %w", err)
	}
	return b.Bytes(), nil
}

// Restore replaces the engine's baselines, risk and clocks with a State.
// On an error the engine is left empty.
func (e *Engine) Restore(b []byte) error {
	<-e.ready
	e.reset()
	zr, err := zstd.NewReader(bytes.NewReader(b), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxSnapshotMemory))
	if err != nil {
		return fmt.Errorf("restore baselines: %w", err)
	}
	defer zr.Close()
	if _, err := e.decode(zr); err != nil {
		e.reset()
		return fmt.Errorf("restore baselines: %w", err)
	}
	return nil
}
