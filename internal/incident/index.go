package incident

import (
	"slices"
	"sort"
	"time"
)

// index holds the incidents new alerts can join, by tenant and entity key.
// It is used under the Manager's mutex.
type index struct {
	link    linker
	tenants map[string]*tenantIndex
	n       int
}

type tenantIndex struct {
	byID  map[string]*entry
	byKey map[string][]*entry
	// watermark is the newest alert time seen in the tenant.
	watermark time.Time
}

// entry is one indexed incident: the authoritative copy of its summary
// while it is indexed, and the keys it is indexed under.
type entry struct {
	inc  *Incident
	keys []string
}

func newIndex(l linker) *index {
	return &index{link: l, tenants: map[string]*tenantIndex{}}
}

func (x *index) tenant(t string) *tenantIndex {
	ti := x.tenants[t]
	if ti == nil {
		ti = &tenantIndex{byID: map[string]*entry{}, byKey: map[string][]*entry{}}
		x.tenants[t] = ti
	}
	return ti
}

// get returns the indexed incident, or nil.
func (x *index) get(tenant, id string) *Incident {
	if ti := x.tenants[tenant]; ti != nil {
		if e := ti.byID[id]; e != nil {
			return e.inc
		}
	}
	return nil
}

// put indexes inc (or re-indexes it under its current entities).
func (x *index) put(inc *Incident) {
	ti := x.tenant(inc.Tenant)
	e := ti.byID[inc.ID]
	if e == nil {
		e = &entry{}
		ti.byID[inc.ID] = e
		x.n++
	} else {
		ti.unkey(e)
	}
	e.inc = inc
	e.keys = x.link.keys(inc.Entities, e.keys[:0])
	for _, k := range e.keys {
		ti.byKey[k] = append(ti.byKey[k], e)
	}
	if inc.Last.After(ti.watermark) {
		ti.watermark = inc.Last
	}
}

// remove drops an incident from the index.
func (x *index) remove(tenant, id string) {
	ti := x.tenants[tenant]
	if ti == nil {
		return
	}
	e := ti.byID[id]
	if e == nil {
		return
	}
	ti.unkey(e)
	delete(ti.byID, id)
	x.n--
	if len(ti.byID) == 0 {
		delete(x.tenants, tenant)
	}
}

func (ti *tenantIndex) unkey(e *entry) {
	for _, k := range e.keys {
		l := ti.byKey[k]
		if i := slices.Index(l, e); i >= 0 {
			l = slices.Delete(l, i, i+1)
		}
		if len(l) == 0 {
			delete(ti.byKey, k)
		} else {
			ti.byKey[k] = l
		}
	}
}

// candidates returns the open incidents an alert with these keys and times
// can join, oldest first.
func (x *index) candidates(tenant string, keys []string, first, last time.Time, window, maxSpan time.Duration) []*Incident {
	ti := x.tenants[tenant]
	if ti == nil {
		return nil
	}
	var out []*Incident
	for _, k := range keys {
		for _, e := range ti.byKey[k] {
			inc := e.inc
			if inc.Status == StatusClosed || slices.Contains(out, inc) {
				continue
			}
			if first.After(inc.Last.Add(window)) || last.Before(inc.First.Add(-window)) {
				continue
			}
			lo, hi := inc.First, inc.Last
			if first.Before(lo) {
				lo = first
			}
			if last.After(hi) {
				hi = last
			}
			if hi.Sub(lo) > maxSpan {
				continue
			}
			out = append(out, inc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return older(out[i], out[j]) })
	return out
}

// older orders incidents by first alert time, then creation, then id.
func older(a, b *Incident) bool {
	if !a.First.Equal(b.First) {
		return a.First.Before(b.First)
	}
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.ID < b.ID
}

// observe moves a tenant's watermark forward.
func (x *index) observe(tenant string, t time.Time) {
	if ti := x.tenants[tenant]; ti != nil && t.After(ti.watermark) {
		ti.watermark = t
	}
}

// evict drops incidents no alert can reasonably join any more: those whose
// last alert is more than horizon before their tenant's watermark. Past
// max incidents in all, the least recent go. It returns how many went.
func (x *index) evict(horizon time.Duration, maxN int) int {
	n := 0
	type cand struct {
		tenant, id string
		last       time.Time
	}
	var all []cand
	for t, ti := range x.tenants {
		cut := ti.watermark.Add(-horizon)
		for id, e := range ti.byID {
			if e.inc.Last.Before(cut) {
				x.remove(t, id)
				n++
			} else if maxN > 0 {
				all = append(all, cand{t, id, e.inc.Last})
			}
		}
	}
	if maxN > 0 && x.n > maxN {
		sort.Slice(all, func(i, j int) bool { return all[i].last.Before(all[j].last) })
		for _, c := range all[:x.n-maxN] {
			x.remove(c.tenant, c.id)
			n++
		}
	}
	return n
}
