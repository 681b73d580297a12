package incident_test

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/incident"
)

// memStore is an incident.Store in maps, for the fuzz target and the
// benchmark of grouping without the database.
type memStore struct {
	mu      sync.Mutex
	incs    map[string]incident.Incident // tenant\x00id
	members map[string]string            // tenant\x00alert id → incident id
	alerts  map[string]alert.Alert       // tenant\x00alert id
	entries map[string][]incident.Entry  // tenant\x00incident id
	held    map[string]map[string]bool   // tenant\x00incident id → member keys
}

func newMemStore() *memStore {
	return &memStore{incs: map[string]incident.Incident{}, members: map[string]string{}, alerts: map[string]alert.Alert{}, entries: map[string][]incident.Entry{}, held: map[string]map[string]bool{}}
}

func (s *memStore) Memberships(_ context.Context, tenant string, ids []string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, id := range ids {
		if inc, ok := s.members[tenant+"\x00"+id]; ok {
			out[id] = inc
		}
	}
	return out, nil
}

func (s *memStore) Load(_ context.Context, tenant string, ids []string) ([]incident.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []incident.Incident
	for _, id := range ids {
		if inc, ok := s.incs[tenant+"\x00"+id]; ok {
			out = append(out, inc)
		}
	}
	return out, nil
}

func (s *memStore) Active(_ context.Context, limit int) ([]incident.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []incident.Incident
	for _, inc := range s.incs {
		if inc.Status != incident.StatusClosed {
			out = append(out, inc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Last.After(out[j].Last) })
	return out[:min(len(out), limit)], nil
}

func (s *memStore) Apply(_ context.Context, ch *incident.Changes) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	hold := func(tenant, inc, k string) {
		h := s.held[tenant+"\x00"+inc]
		if h == nil {
			h = map[string]bool{}
			s.held[tenant+"\x00"+inc] = h
		}
		h[k] = true
	}
	for _, m := range ch.Moves {
		for k := range s.held[m.Tenant+"\x00"+m.From] {
			s.members[k] = m.To
			hold(m.Tenant, m.To, k)
		}
		delete(s.held, m.Tenant+"\x00"+m.From)
	}
	for _, m := range ch.Alerts {
		k := m.Alert.Tenant + "\x00" + m.Alert.ID
		if old, ok := s.members[k]; ok {
			delete(s.held[m.Alert.Tenant+"\x00"+old], k)
		}
		s.members[k] = m.IncidentID
		s.alerts[k] = m.Alert
		hold(m.Alert.Tenant, m.IncidentID, k)
	}
	for _, inc := range ch.Incidents {
		s.incs[inc.Tenant+"\x00"+inc.ID] = inc
	}
	for _, e := range ch.Entries {
		k := e.Tenant + "\x00" + e.IncidentID
		s.entries[k] = append(s.entries[k], e.Entry)
	}
	return nil
}

func (s *memStore) List(_ context.Context, f incident.Filter) ([]incident.Incident, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []incident.Incident
	for _, inc := range s.incs {
		if inc.Tenant == f.Tenant {
			out = append(out, inc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Last.After(out[j].Last) })
	return out, int64(len(out)), nil
}

func (s *memStore) Alerts(_ context.Context, tenant, id string, limit int) ([]alert.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []alert.Alert
	for k := range s.held[tenant+"\x00"+id] {
		out = append(out, s.alerts[k])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].First.Before(out[j].First) })
	return out[:min(len(out), limit)], nil
}

func (s *memStore) Entries(_ context.Context, tenant, id string) ([]incident.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]incident.Entry(nil), s.entries[tenant+"\x00"+id]...), nil
}

// listingStore is a memStore that lists its memberships, so the Manager
// holds them in memory (MembershipLister).
type listingStore struct{ *memStore }

func (s listingStore) AllMemberships(_ context.Context, limit int) (map[string]map[string]string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.members) > limit {
		return nil, false, nil
	}
	out := map[string]map[string]string{}
	for k, inc := range s.members {
		tenant, id, _ := strings.Cut(k, "\x00")
		if out[tenant] == nil {
			out[tenant] = map[string]string{}
		}
		out[tenant][id] = inc
	}
	return out, true, nil
}
