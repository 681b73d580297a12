package incident

import (
	"context"
	"errors"
	"fmt"
)

// DefaultMaxMembers bounds the alert → incident memberships held in
// memory. An entry costs about 80 bytes (the alert id, its map slot; the
// incident id is shared), so 500,000 stay under ~40 MB. Past it the
// Manager keeps the newest and a filter of all (KeyLister), or asks the
// store for each batch's memberships.
const DefaultMaxMembers = 500_000

// DefaultMaxFilterKeys bounds the filter of memberships kept past
// MaxMembers: 20 bits a key, so 16M keys take 40 MB. The filter is sized for twice the
// stored memberships, so past 8M of them the Manager stops keeping one and
// asks the store for each batch, as it does for a store that cannot list
// its keys: the filter spares a scan per batch, but memory must not grow
// with the months a SIEM runs.
const DefaultMaxFilterKeys = 16 << 20

// errFilterBound says the stored memberships are too many for the filter.
var errFilterBound = errors.New("incident memberships past the filter's bound")

// MembershipLister is implemented by a Store that can list every
// membership at once: the Manager then holds them in memory and asks the
// store nothing per batch (DuckDB answers Memberships with a scan of the
// whole membership table, which grows with every alert).
type MembershipLister interface {
	// AllMemberships returns tenant → alert id → incident id, or
	// complete false (and no map) when there are more than limit.
	AllMemberships(ctx context.Context, limit int) (m map[string]map[string]string, complete bool, err error)
}

// KeyLister is implemented by a Store that can stream the key of every
// membership. Past MaxMembers the Manager then keeps the recent
// memberships and a filter of all of them (memberFilter), and asks the
// store only for the ids the filter may hold: DuckDB's Memberships scans
// the whole table, a cost per batch that grew with the run.
type KeyLister interface {
	EachMembership(ctx context.Context, fn func(tenant, alertID string)) error
}

// members is the stored memberships, as the store holds them after the
// last applied batch (the Manager updates it after each Apply). Exact
// (filter nil): byTenant holds every one. Bounded: byTenant and prev hold
// the recent ones (two generations of at most max/2 each), and filter
// every one.
type members struct {
	byTenant map[string]map[string]string // tenant → alert id → incident id
	prev     map[string]map[string]string // the generation before byTenant
	// moved maps a merged incident to the one it merged into: the store
	// re-points the merged incident's rows; the map's entries are left
	// and resolved through it.
	moved     map[string]string // tenant\x00incident id → survivor id
	n         int
	max       int
	filter    *memberFilter
	filterMax int // the most keys filter may be sized for
}

// loadMembers reads every membership from st when it can list them and
// there are at most limit; past limit, when st is a KeyLister, a filter
// of them; nil otherwise (the Manager then queries).
func loadMembers(ctx context.Context, st Store, limit, filterMax int) (*members, error) {
	l, ok := st.(MembershipLister)
	if !ok {
		return nil, nil
	}
	all, complete, err := l.AllMemberships(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("load incident memberships: %w", err)
	}
	if !complete {
		kl, ok := st.(KeyLister)
		if !ok {
			return nil, nil
		}
		ms := &members{byTenant: map[string]map[string]string{}, prev: map[string]map[string]string{}, moved: map[string]string{}, max: limit, filterMax: filterMax}
		if err := ms.refilter(ctx, kl, 0); err != nil {
			if errors.Is(err, errFilterBound) {
				return nil, nil
			}
			return nil, err
		}
		return ms, nil
	}
	ms := &members{byTenant: map[string]map[string]string{}, moved: map[string]string{}, max: limit, filterMax: filterMax}
	intern := map[string]string{} // one copy of each incident id
	for tenant, m := range all {
		for a, inc := range m {
			if s, ok := intern[inc]; ok {
				m[a] = s
			} else {
				intern[inc] = inc
			}
			ms.n++
		}
		ms.byTenant[tenant] = m
	}
	return ms, nil
}

// refilter builds the filter from every stored key, sized for twice
// their number (n, or counted in a first scan when n is 0): rebuilt each
// time the table doubles, the scans cost a constant per stored membership.
// The keys are not held: at 10M memberships they would take ~1 GB.
// errFilterBound when the filter would pass filterMax keys.
func (ms *members) refilter(ctx context.Context, kl KeyLister, n int) error {
	if n <= 0 {
		if err := kl.EachMembership(ctx, func(string, string) { n++ }); err != nil {
			return fmt.Errorf("load incident memberships: %w", err)
		}
	}
	capacity := max(2*n, 2*ms.max)
	if capacity > ms.filterMax {
		return errFilterBound
	}
	f := newMemberFilter(capacity)
	if err := kl.EachMembership(ctx, f.add); err != nil {
		return fmt.Errorf("load incident memberships: %w", err)
	}
	ms.filter = f
	return nil
}

// bound switches an exact members to bounded: the map becomes the
// recent generation, the filter is made from it. errFilterBound when
// the filter would pass filterMax keys.
func (ms *members) bound() error {
	if 4*ms.max > ms.filterMax {
		return errFilterBound
	}
	f := newMemberFilter(4 * ms.max)
	for t, m := range ms.byTenant {
		for a := range m {
			f.add(t, a)
		}
	}
	ms.filter, ms.prev = f, map[string]map[string]string{}
	ms.rotate()
	return nil
}

// rotate starts a new recent generation; the old one's entries are
// resolved through moved, which is then emptied.
func (ms *members) rotate() {
	for t, m := range ms.byTenant {
		for a, inc := range m {
			m[a] = ms.resolve(t, inc)
		}
	}
	ms.prev, ms.byTenant, ms.moved, ms.n = ms.byTenant, map[string]map[string]string{}, map[string]string{}, 0
}

func (ms *members) resolve(tenant, inc string) string {
	for range 64 { // merges chain at most a few deep
		to, ok := ms.moved[tenant+"\x00"+inc]
		if !ok {
			break
		}
		inc = to
	}
	return inc
}

// lookup returns the memberships of ids, as store.Incidents.Memberships,
// and, bounded, the ids it cannot tell: the store must answer for them.
func (ms *members) lookup(tenant string, ids []string) (map[string]string, []string) {
	out := map[string]string{}
	var ask []string
	m, p := ms.byTenant[tenant], ms.prev[tenant]
	for _, id := range ids {
		inc, ok := m[id]
		if !ok {
			inc, ok = p[id]
		}
		if !ok {
			if ms.filter != nil && ms.filter.mayHold(tenant, id) {
				ask = append(ask, id)
			}
			continue
		}
		out[id] = ms.resolve(tenant, inc)
	}
	return out, ask
}

// applied records a batch the store has applied.
func (ms *members) applied(ch *Changes) {
	for _, mv := range ch.Moves {
		ms.moved[mv.Tenant+"\x00"+mv.From] = mv.To
		ms.n++
	}
	for i := range ch.Alerts {
		a := &ch.Alerts[i]
		ms.put(a.Alert.Tenant, a.Alert.ID, a.IncidentID)
		if ms.filter != nil {
			ms.filter.add(a.Alert.Tenant, a.Alert.ID)
		}
	}
	if ms.filter != nil && ms.n > ms.max/2 {
		ms.rotate()
	}
}

// put records that alert id of tenant is in incident inc.
func (ms *members) put(tenant, id, inc string) {
	m := ms.byTenant[tenant]
	if m == nil {
		m = map[string]string{}
		ms.byTenant[tenant] = m
	}
	if _, ok := m[id]; !ok {
		ms.n++
	}
	m[id] = inc
}
