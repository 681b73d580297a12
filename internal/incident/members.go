package incident

import (
	"context"
	"fmt"
)

// DefaultMaxMembers bounds the alert → incident memberships held in
// memory. An entry costs about 80 bytes (the alert id, its map slot; the
// incident id is shared), so 500,000 stay under ~40 MB. Past it the
// Manager asks the store for each batch's memberships instead.
const DefaultMaxMembers = 500_000

// MembershipLister is implemented by a Store that can list every
// membership at once: the Manager then holds them in memory and asks the
// store nothing per batch (DuckDB answers Memberships with a scan of the
// whole membership table, which grows with every alert).
type MembershipLister interface {
	// AllMemberships returns tenant → alert id → incident id, or
	// complete false (and no map) when there are more than limit.
	AllMemberships(ctx context.Context, limit int) (m map[string]map[string]string, complete bool, err error)
}

// members is every stored membership, as the store holds it after the
// last applied batch (the Manager updates it after each Apply).
type members struct {
	byTenant map[string]map[string]string // tenant → alert id → incident id
	// moved maps a merged incident to the one it merged into: the store
	// re-points the merged incident's rows; the map's entries are left
	// and resolved through it.
	moved map[string]string // tenant\x00incident id → survivor id
	n     int
}

// loadMembers reads every membership from st when it can list them and
// there are at most limit; nil otherwise (the Manager then queries).
func loadMembers(ctx context.Context, st Store, limit int) (*members, error) {
	l, ok := st.(MembershipLister)
	if !ok {
		return nil, nil
	}
	all, complete, err := l.AllMemberships(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("load incident memberships: %w", err)
	}
	if !complete {
		return nil, nil
	}
	ms := &members{byTenant: map[string]map[string]string{}, moved: map[string]string{}}
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

// lookup returns the memberships of ids, as store.Incidents.Memberships.
func (ms *members) lookup(tenant string, ids []string) map[string]string {
	out := map[string]string{}
	m := ms.byTenant[tenant]
	if m == nil {
		return out
	}
	for _, id := range ids {
		inc, ok := m[id]
		if !ok {
			continue
		}
		for range 64 { // merges chain at most a few deep
			to, ok := ms.moved[tenant+"\x00"+inc]
			if !ok {
				break
			}
			inc = to
		}
		out[id] = inc
	}
	return out
}

// applied records a batch the store has applied.
func (ms *members) applied(ch *Changes) {
	for _, mv := range ch.Moves {
		ms.moved[mv.Tenant+"\x00"+mv.From] = mv.To
		ms.n++
	}
	for i := range ch.Alerts {
		a := &ch.Alerts[i]
		m := ms.byTenant[a.Alert.Tenant]
		if m == nil {
			m = map[string]string{}
			ms.byTenant[a.Alert.Tenant] = m
		}
		if _, ok := m[a.Alert.ID]; !ok {
			ms.n++
		}
		m[a.Alert.ID] = a.IncidentID
	}
}
