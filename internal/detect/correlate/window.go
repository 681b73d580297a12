package correlate

import (
	"encoding/binary"
	"slices"
	"strconv"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

// The windows of one group (one correlation, one tenant, one tuple of
// group-by values). All times are event times in Unix nanoseconds; T is the
// correlation's timespan and L the allowed lateness. A group's watermark is
// its newest hit (latest): a hit older than latest-L is late (engine.go).
//
// Sliding (conditions with only a lower bound, lo): the group keeps the
// hits that can still share a window of T with a hit to come — for
// event_count every hit, for value_count the latest hit of each distinct
// value, for temporal the latest hit of each referenced rule — sorted by
// time, at most lo-1 of them. A hit fires the group when it makes lo of
// them fit in T. Hits older than latest-L-T are pruned, since no
// acceptable hit can share a window with them.
//
// temporal_ordered keeps the latest hit of each rule and, per rule, the
// partial chain ending there with the latest start; a hit of rule k extends
// the chain of rule k-1 when it comes at or after its end and within T of
// its start, and the chain is then extended with the latest hits already
// seen of the rules after k (events that arrived out of order).
//
// After a sliding group fires, its alert stays open for T after the last
// hit of the firing: hits of the group meanwhile are folded into the alert
// (Firing.Update) instead of counting towards a new firing, so a burst
// gives one alert with a growing count, not one per threshold.
//
// Anchored (conditions with an upper bound or neq: lt, lte, eq, ranges):
// a window opens at the first hit and spans T; it counts hits (events,
// distinct values up to hi+1, distinct rules) and is evaluated once when it
// closes — when the tenant's event time passes its end plus L (and, live,
// T+L of wall time passed since its last hit), when a hit after its end
// arrives, or on Flush. A hit before the open window's start (late but
// within L) is counted in it.

// entry is one retained hit.
type entry struct {
	t int64
	// h is the distinct key (value hash, rule index); for chains the start.
	h uint64
	// id is the event id of a hit; ids the event ids of a chained hit or
	// a partial chain, alerts the contributing alerts.
	id          string
	ids, alerts []string
	ok          bool
}

// eventIDs calls fn for each contributing event id.
func (en *entry) eventIDs(fn func(string)) {
	if en.id != "" {
		fn(en.id)
	}
	for _, id := range en.ids {
		fn(id)
	}
}

// group is the state of one group of one correlation.
type group struct {
	key        string // the encoded group-by values
	prev, next *group // in the correlation's touch order
	latest     int64  // the newest hit time: the group's watermark
	touched    int64  // wall clock of the last hit (not persisted)
	open       bool   // anchored: a window is open
	deadline   int64  // when the group can be dropped or its window closes
	first      int64  // anchored: window start
	last       int64  // anchored: latest hit
	n          int64  // anchored: hits counted
	ents       []entry
	prefix     []entry // temporal_ordered: partial chains, h = start
	alert      *openAlert
}

// openAlert is the alert of a sliding group that fired, while it folds
// further hits.
type openAlert struct {
	id                 string
	first, last, until int64
	value, count       int64
	eventIDs, alertIDs []string
	// group caches the decoded group-by values (not persisted)
	group []Field
}

// observe feeds one hit (reference idx of c) to g and returns the firing
// it causes, if any.
func (e *Engine) observe(tn *tenant, c *Corr, g *group, idx int, h *Hit, vh uint64) (Firing, bool) {
	t := h.Time
	T := c.timespan
	if a := g.alert; a != nil {
		if t <= a.until {
			a.count++
			a.last = max(a.last, t)
			a.first = min(a.first, t)
			a.eventIDs, a.alertIDs = addIDs(a.eventIDs, a.alertIDs, h)
			return e.alertFiring(tn, c, g, true), true
		}
		g.alert = nil
	}
	if !c.sliding {
		return e.anchored(tn, c, g, idx, h, vh)
	}
	if c.typ == TemporalOrdered {
		return e.ordered(tn, c, g, idx, h)
	}
	en := newEntry(h)
	pos := -1
	switch c.typ {
	case EventCount:
		pos = insertSorted(&g.ents, en)
	case ValueCount, Temporal:
		key := vh
		if c.typ == Temporal {
			key = uint64(idx)
		}
		en.h = key
		for i := range g.ents {
			if g.ents[i].h != key {
				continue
			}
			if t < g.ents[i].t {
				pos = -2 // an older hit of a value already seen later: nothing changes
				break
			}
			g.ents = slices.Delete(g.ents, i, i+1)
			break
		}
		if pos == -1 {
			pos = insertSorted(&g.ents, en)
		}
	}
	// prune what no acceptable hit can share a window with
	cut := g.latest - e.lateness - T
	drop := 0
	for drop < len(g.ents) && g.ents[drop].t < cut {
		drop++
	}
	if drop > 0 {
		g.ents = slices.Delete(g.ents, 0, drop)
		pos -= drop
	}
	lo := int(c.lo)
	if n := len(g.ents); pos >= 0 && n >= lo {
		for k := max(0, pos-lo+1); k <= min(pos, n-lo); k++ {
			if g.ents[k+lo-1].t-g.ents[k].t <= T {
				return e.fire(tn, c, g, g.ents[k:k+lo], int64(lo)), true
			}
		}
	}
	if len(g.ents) >= lo {
		// lo hits that do not fit in T: the oldest can no longer take part
		g.ents = slices.Delete(g.ents, 0, len(g.ents)-lo+1)
	}
	g.deadline = e.dropAfter(g, T)
	return Firing{}, false
}

// ordered is temporal_ordered.
func (e *Engine) ordered(tn *tenant, c *Corr, g *group, idx int, h *Hit) (Firing, bool) {
	n := len(c.refs)
	T := c.timespan
	if g.ents == nil {
		g.ents = make([]entry, n)
		g.prefix = make([]entry, n)
	}
	t := h.Time
	en := newEntry(h)
	if !g.ents[idx].ok || t >= g.ents[idx].t {
		g.ents[idx] = en
	}
	var cur entry
	have := false
	if idx == 0 {
		cur, have = entry{t: t, h: uint64(t), id: en.id, ids: en.ids, alerts: en.alerts, ok: true}, true
	} else if p := g.prefix[idx-1]; p.ok && p.t <= t && t-int64(p.h) <= T {
		cur, have = joinEntry(p, en), true
	}
	for k := idx; have; {
		if k == n-1 {
			return e.fire(tn, c, g, []entry{cur}, int64(n)), true
		}
		if p := g.prefix[k]; !p.ok || int64(cur.h) > int64(p.h) || int64(cur.h) == int64(p.h) && cur.t < p.t {
			g.prefix[k] = cur
		}
		k++
		l := g.ents[k]
		if !l.ok || l.t < cur.t || l.t-int64(cur.h) > T {
			break
		}
		cur = joinEntry(cur, l)
	}
	cut := g.latest - e.lateness - T
	for i := range g.ents {
		if g.ents[i].ok && g.ents[i].t < cut {
			g.ents[i] = entry{}
		}
		if g.prefix[i].ok && int64(g.prefix[i].h) < cut {
			g.prefix[i] = entry{}
		}
	}
	g.deadline = e.dropAfter(g, T)
	return Firing{}, false
}

func joinEntry(p, l entry) entry {
	ids := make([]string, 0, len(p.ids)+len(l.ids)+2)
	p.eventIDs(func(id string) { ids = append(ids, id) })
	l.eventIDs(func(id string) { ids = append(ids, id) })
	var alerts []string
	if len(p.alerts)+len(l.alerts) > 0 {
		alerts = append(append(alerts, p.alerts...), l.alerts...)
	}
	return entry{t: l.t, h: p.h, ids: ids, alerts: alerts, ok: true}
}

// anchored is the window of a condition with an upper bound.
func (e *Engine) anchored(tn *tenant, c *Corr, g *group, idx int, h *Hit, vh uint64) (Firing, bool) {
	t := h.Time
	var f Firing
	fired := false
	if g.open && t > g.first+c.timespan {
		f, fired = e.closeWindow(tn, c, g)
	}
	if !g.open {
		g.open, g.first, g.last, g.n, g.ents = true, t, t, 0, nil
	}
	g.n++
	g.last = max(g.last, t)
	switch c.typ {
	case EventCount:
		if len(g.ents) < alert.MaxEventIDs {
			g.ents = append(g.ents, newEntry(h))
		}
	case ValueCount, Temporal:
		key := vh
		if c.typ == Temporal {
			key = uint64(idx)
		}
		found := false
		for i := range g.ents {
			if g.ents[i].h == key {
				found = true
				break
			}
		}
		// beyond hi+1 distinct keys (or the largest neq+1) the count's
		// relation to the bounds no longer changes
		if !found && int64(len(g.ents)) <= c.countCap() {
			en := newEntry(h)
			en.h = key
			g.ents = append(g.ents, en)
		}
	}
	g.deadline = g.first + c.timespan + e.lateness
	return f, fired
}

// countCap is the most distinct keys an anchored window needs to keep.
func (c *Corr) countCap() int64 {
	m := c.hi
	for _, v := range c.ne {
		m = max(m, v)
	}
	if m == 1<<63-1 {
		m = c.lo
	}
	return m
}

// closeWindow evaluates and closes an anchored window.
func (e *Engine) closeWindow(tn *tenant, c *Corr, g *group) (Firing, bool) {
	g.open = false
	v := g.n
	if c.typ != EventCount {
		v = int64(len(g.ents))
	}
	ok := v >= c.lo && v <= c.hi && !slices.Contains(c.ne, v)
	var f Firing
	if ok {
		f = Firing{Corr: c, Tenant: tn.name, Group: decodeGroup(c, g.key), First: time.Unix(0, g.first).UTC(),
			Last: time.Unix(0, g.last).UTC(), Value: v, Count: v}
		f.EventIDs, f.AlertIDs = collectIDs(g.ents)
		f.ID = alertID(tn.name, c, g.key, g.first)
	}
	g.ents = nil
	return f, ok
}

// fire turns the entries of a sliding window into a firing and opens the
// group's alert.
func (e *Engine) fire(tn *tenant, c *Corr, g *group, win []entry, value int64) Firing {
	first, last := win[0].t, win[len(win)-1].t
	if c.typ == TemporalOrdered {
		first = int64(win[0].h)
	}
	ev, al := collectIDs(win)
	g.alert = &openAlert{first: first, last: last, until: last + c.timespan, value: value, count: value,
		eventIDs: ev, alertIDs: al}
	g.alert.id = alertID(tn.name, c, g.key, first)
	g.ents, g.prefix = nil, nil
	g.deadline = g.alert.until + e.lateness
	return e.alertFiring(tn, c, g, false)
}

func (e *Engine) alertFiring(tn *tenant, c *Corr, g *group, update bool) Firing {
	a := g.alert
	if a.group == nil {
		a.group = decodeGroup(c, g.key)
	}
	return Firing{Corr: c, Tenant: tn.name, ID: a.id, Group: a.group,
		First: time.Unix(0, a.first).UTC(), Last: time.Unix(0, a.last).UTC(), Value: a.value, Count: a.count,
		// the engine only appends to these: a full slice expression gives
		// the firing a view no later append can change
		EventIDs: a.eventIDs[:len(a.eventIDs):len(a.eventIDs)], AlertIDs: a.alertIDs[:len(a.alertIDs):len(a.alertIDs)], Update: update}
}

// dropAfter is when a sliding group without an open alert holds nothing
// any acceptable hit can still use.
func (e *Engine) dropAfter(g *group, T int64) int64 {
	return g.latest + T + e.lateness
}

func newEntry(h *Hit) entry {
	en := entry{t: h.Time, ok: true}
	if h.chained {
		en.ids = h.eventIDs
		en.alerts = []string{h.ID}
	} else {
		en.id = h.ID
	}
	return en
}

// insertSorted inserts en after the entries not later than it and returns
// its index.
func insertSorted(ents *[]entry, en entry) int {
	s := *ents
	i := len(s)
	for i > 0 && s[i-1].t > en.t {
		i--
	}
	*ents = slices.Insert(s, i, en)
	return i
}

func addIDs(evs, als []string, h *Hit) ([]string, []string) {
	if h.chained {
		for _, id := range h.eventIDs {
			if len(evs) >= alert.MaxEventIDs {
				break
			}
			evs = append(evs, id)
		}
		if len(als) < alert.MaxEventIDs {
			als = append(als, h.ID)
		}
		return evs, als
	}
	if h.ID != "" && len(evs) < alert.MaxEventIDs {
		evs = append(evs, h.ID)
	}
	return evs, als
}

func collectIDs(ents []entry) (evs, als []string) {
	for i := range ents {
		en := &ents[i]
		en.eventIDs(func(id string) {
			if len(evs) < alert.MaxEventIDs && !slices.Contains(evs, id) {
				evs = append(evs, id)
			}
		})
		for _, id := range en.alerts {
			if len(als) < alert.MaxEventIDs && !slices.Contains(als, id) {
				als = append(als, id)
			}
		}
	}
	return evs, als
}

// alertID is the stable id of the alert of a window: the same correlation,
// tenant, group and window start give the same id, so a replay after a
// restart updates the alert it raised before rather than adding one.
func alertID(tenant string, c *Corr, gkey string, first int64) string {
	return event.NewID(tenant, "correlation", c.Key, 0, []byte(gkey+"\x00"+strconv.FormatInt(first, 10)))
}

// groupKey encodes the group-by values of a hit for reference idx, each
// as its length and bytes; ok is false when a group-by field is absent.
func groupKey(buf []byte, c *Corr, idx int, h *Hit) ([]byte, bool) {
	buf = buf[:0]
	for _, f := range c.refs[idx].fields {
		v, ok := h.get(f)
		if !ok {
			return buf, false
		}
		buf = binary.AppendUvarint(buf, uint64(len(v)))
		buf = append(buf, v...)
	}
	return buf, true
}

func decodeGroup(c *Corr, key string) []Field {
	out := make([]Field, 0, len(c.groupBy))
	for _, name := range c.groupBy {
		n, k := binary.Uvarint([]byte(key))
		if k <= 0 || uint64(len(key)-k) < n {
			break
		}
		out = append(out, Field{Name: name, Value: key[k : k+int(n)]})
		key = key[k+int(n):]
	}
	return out
}

// valueHash hashes a value_count value.
func valueHash(v string) uint64 { return xxh3.HashString(v) }
