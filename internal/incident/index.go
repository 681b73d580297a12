package incident

import (
	"slices"
	"sort"
	"time"
)

// index holds the incidents new alerts can join, by tenant and linking
// key. It is used under the Manager's mutex.
type index struct {
	link    linker
	tenants map[string]*tenantIndex
	n       int
}

type tenantIndex struct {
	byID  map[string]*tracked
	byKey map[string][]*tracked
	// watermark is the newest alert time seen in the tenant.
	watermark time.Time
}

func newIndex(l linker) *index {
	return &index{link: l, tenants: map[string]*tenantIndex{}}
}

// get returns the indexed incident, or nil.
func (x *index) get(tenant, id string) *tracked {
	if ti := x.tenants[tenant]; ti != nil {
		return ti.byID[id]
	}
	return nil
}

// put indexes t under all its linking keys; an indexed t is left as is.
func (x *index) put(t *tracked) {
	ti := x.tenants[t.Tenant]
	if ti == nil {
		ti = &tenantIndex{byID: map[string]*tracked{}, byKey: map[string][]*tracked{}}
		x.tenants[t.Tenant] = ti
	}
	if ti.byID[t.ID] == t {
		return
	}
	if old := ti.byID[t.ID]; old != nil {
		x.remove(t.Tenant, t.ID)
		ti = x.tenants[t.Tenant]
		if ti == nil {
			ti = &tenantIndex{byID: map[string]*tracked{}, byKey: map[string][]*tracked{}}
			x.tenants[t.Tenant] = ti
		}
	}
	ti.byID[t.ID] = t
	x.n++
	t.links = map[string]struct{}{}
	for ent := range t.ents {
		x.addLink(ti, t, ent)
	}
	x.observe(t.Tenant, t.Last)
}

// addKeys indexes an indexed incident under the linking keys of entities
// just added to it.
func (x *index) addKeys(t *tracked, ents []string) {
	ti := x.tenants[t.Tenant]
	if ti == nil || ti.byID[t.ID] != t {
		return
	}
	for _, ent := range ents {
		x.addLink(ti, t, ent)
	}
}

func (x *index) addLink(ti *tenantIndex, t *tracked, ent string) {
	k, ok := x.link.link(ent)
	if !ok {
		return
	}
	if _, dup := t.links[k]; dup {
		return
	}
	t.links[k] = struct{}{}
	ti.byKey[k] = append(ti.byKey[k], t)
}

// remove drops an incident from the index.
func (x *index) remove(tenant, id string) {
	ti := x.tenants[tenant]
	if ti == nil {
		return
	}
	t := ti.byID[id]
	if t == nil {
		return
	}
	for k := range t.links {
		l := ti.byKey[k]
		if i := slices.Index(l, t); i >= 0 {
			l = slices.Delete(l, i, i+1)
		}
		if len(l) == 0 {
			delete(ti.byKey, k)
		} else {
			ti.byKey[k] = l
		}
	}
	t.links = nil
	delete(ti.byID, id)
	x.n--
	if len(ti.byID) == 0 {
		delete(x.tenants, tenant)
	}
}

// candidates returns the open incidents an alert with these linking keys
// and times can join, oldest first.
func (x *index) candidates(tenant string, keys []string, first, last time.Time, window, maxSpan time.Duration) []*tracked {
	ti := x.tenants[tenant]
	if ti == nil {
		return nil
	}
	var out []*tracked
	for _, k := range keys {
		for _, t := range ti.byKey[k] {
			if t.Status == StatusClosed || slices.Contains(out, t) {
				continue
			}
			if first.After(t.Last.Add(window)) || last.Before(t.First.Add(-window)) {
				continue
			}
			lo, hi := t.First, t.Last
			if first.Before(lo) {
				lo = first
			}
			if last.After(hi) {
				hi = last
			}
			if hi.Sub(lo) > maxSpan {
				continue
			}
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return older(&out[i].Incident, &out[j].Incident) })
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
// maxN incidents in all, the least recent go. It returns how many went.
func (x *index) evict(horizon time.Duration, maxN int) int {
	n := 0
	type cand struct {
		tenant, id string
		last       time.Time
	}
	var all []cand
	for tn, ti := range x.tenants {
		cut := ti.watermark.Add(-horizon)
		for id, t := range ti.byID {
			if t.Last.Before(cut) {
				x.remove(tn, id)
				n++
			} else if maxN > 0 {
				all = append(all, cand{tn, id, t.Last})
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
