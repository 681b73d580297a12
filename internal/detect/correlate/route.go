package correlate

import (
	"errors"
	"fmt"
)

// Hooks for running the engine sharded by key (package shard): a hit is
// routed to each (correlation, group) it feeds, each such pair is owned by
// one engine, and an engine's state moves between processes as bytes.

// ErrHitLog is returned by ProcessFor on an engine that keeps a hit log:
// the log replays hits to every correlation, so it cannot record hits
// meant for one.
var ErrHitLog = errors.New("correlation engine keeps a hit log: routed hits need an in-memory engine")

// Route calls fn for every correlation a hit feeds, with the encoded
// group-by values of the hit for that correlation (the key its state is
// kept under; group is only valid during the call). Correlations whose
// group-by fields the hit lacks are skipped: the engine would count the
// hit as missing and ignore it. A chained hit (ChainHit) feeds the
// correlations that reference its correlation.
func (s *Set) Route(h *Hit, buf []byte, fn func(c *Corr, group []byte)) []byte {
	for _, in := range s.inputsOf(h) {
		var ok bool
		buf, ok = groupKey(buf, in.c, in.idx, h)
		if !ok {
			continue
		}
		fn(in.c, buf)
	}
	return buf
}

// inputsOf returns where a hit goes: the inputs of its detection rule,
// or, for a chained hit, the correlations that reference its correlation.
func (s *Set) inputsOf(h *Hit) []input {
	if !h.chained {
		return s.inputs[h.Rule]
	}
	for _, c := range s.corrs {
		if c.ref == h.Rule {
			return c.parents
		}
	}
	return nil
}

// Chained reports whether some correlation of the set references another
// correlation: such a chain feeds the firings of one group into the
// groups of another, which a key-sharded deployment routes between
// engines (Options.RouteChains, ChainHit).
func (s *Set) Chained() bool {
	for _, c := range s.corrs {
		if len(c.parents) > 0 {
			return true
		}
	}
	return false
}

// ChainHit returns the hit a firing feeds to the correlations that
// reference its correlation, and false for an update or a correlation
// that none references. An engine with Options.RouteChains leaves these
// hits to its caller, which routes them with Set.Route.
func (f *Firing) ChainHit() (Hit, bool) {
	if f.Update || f.Corr == nil || len(f.Corr.parents) == 0 {
		return Hit{}, false
	}
	return Hit{Rule: f.Corr.ref, Tenant: f.Tenant, Time: f.Last.UnixNano(), ID: f.ID, Fields: f.Group,
		eventIDs: f.EventIDs, chained: true}, true
}

// Chain reports whether h is a chained hit (the firing of a correlation,
// ChainHit), with the events that contributed to that firing.
func (h *Hit) Chain() (eventIDs []string, chained bool) {
	return h.eventIDs, h.chained
}

// SetChain makes h a chained hit with the contributing events eventIDs
// (chained true), or a hit of a detection rule (false): how a process
// that received a routed hit restores what Chain reported.
func (h *Hit) SetChain(chained bool, eventIDs []string) {
	h.chained, h.eventIDs = chained, nil
	if chained {
		h.eventIDs = eventIDs
	}
}

// Lookup returns the correlation of a Corr.Key, or nil.
func (s *Set) Lookup(key string) *Corr {
	if s == nil {
		return nil
	}
	return s.byKey[key]
}

// ProcessFor feeds hits to correlation corrKey only (not to the other
// correlations their rule feeds) and returns the firings. It is the
// consumer side of routed hits: each (correlation, group) gets its hits
// from exactly one place.
func (e *Engine) ProcessFor(corrKey string, hits []Hit) ([]Firing, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.wal != nil {
		return nil, ErrHitLog
	}
	return e.processOnly(hits, corrKey, nil), nil
}

// State encodes the engine's state in the snapshot format
// (docs/correlation.md), without the hit log: what another process
// restores with Restore to take the groups over.
func (e *Engine) State() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.encodeSnapshot()
}

// Restore loads a state written by State into an engine that holds no
// state and keeps no hit log. Groups of correlations the engine's set
// does not have are dropped.
func (e *Engine) Restore(b []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.wal != nil {
		return ErrHitLog
	}
	if e.keys != 0 || len(e.tenants) != 0 {
		return errors.New("restore correlation state: the engine already holds state")
	}
	if err := e.decodeSnapshot(b); err != nil {
		e.tenants, e.keys, e.perRule = map[string]*tenant{}, 0, map[string]int{}
		return fmt.Errorf("restore correlation state: %w", err)
	}
	return nil
}
