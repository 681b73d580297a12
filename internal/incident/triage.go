package incident

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
)

// Update applies an analyst's change to an incident of a tenant and
// returns the incident as it stands. Another tenant's incident is
// ErrNotFound. A merged incident keeps its closed status (ErrConflict).
func (m *Manager) Update(ctx context.Context, tenant, id string, p Patch) (*Detail, error) {
	if !store.ValidTenant(tenant) {
		return nil, fmt.Errorf("%w: tenant %q", store.ErrBadRequest, tenant)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", store.ErrBadRequest, err)
	}
	if err := m.update(ctx, tenant, id, p); err != nil {
		return nil, err
	}
	return m.Get(ctx, tenant, id)
}

func (m *Manager) update(ctx context.Context, tenant, id string, p Patch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	inc := m.idx.get(tenant, id)
	indexed := inc != nil
	if !indexed {
		got, err := m.st.Load(ctx, tenant, []string{id})
		if err != nil {
			return fmt.Errorf("load incident %s: %w", id, err)
		}
		if len(got) == 0 {
			return fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		inc = track(got[0])
	}
	if p.Status != nil && *p.Status != inc.Status && inc.MergedInto != "" {
		return fmt.Errorf("%w: incident %s was merged into %s; change that one", ErrConflict, id, inc.MergedInto)
	}
	now := m.cfg.Now().UTC()
	next := cloneIncident(&inc.Incident)
	var ch Changes
	add := func(e Entry) {
		e.Time, e.Actor = now, p.Author
		ch.Entries = append(ch.Entries, Stamped{Tenant: tenant, IncidentID: id, Entry: e})
	}
	if p.Status != nil && *p.Status != next.Status {
		add(Entry{Kind: EntryStatus, From: string(next.Status), To: string(*p.Status)})
		next.Status = *p.Status
	}
	if p.Assignee != nil && *p.Assignee != next.Assignee {
		add(Entry{Kind: EntryAssignee, From: next.Assignee, To: *p.Assignee})
		next.Assignee = *p.Assignee
	}
	if p.Comment != nil {
		entries, err := m.st.Entries(ctx, tenant, id)
		if err != nil {
			return fmt.Errorf("read timeline of %s: %w", id, err)
		}
		n := 0
		for _, e := range entries {
			if e.Kind == EntryComment {
				n++
			}
		}
		if n >= MaxComments {
			return fmt.Errorf("%w: incident %s has %d comments, the most it takes", ErrConflict, id, n)
		}
		add(Entry{Kind: EntryComment, Text: *p.Comment})
	}
	if len(ch.Entries) == 0 {
		return nil // nothing changes: the incident already is as asked
	}
	next.Updated = now
	ch.Incidents = []Incident{next}
	if err := m.st.Apply(ctx, &ch); err != nil {
		m.met.errors.Inc()
		return fmt.Errorf("update incident %s: %w", id, err)
	}
	inc.Incident = next
	switch {
	case indexed && inc.Status == StatusClosed:
		m.idx.remove(tenant, id)
	case !indexed && inc.Status != StatusClosed && inc.MergedInto == "":
		// Reopened: index it again unless it is past the horizon (the next
		// sweep drops it then).
		m.idx.put(inc)
	}
	m.met.active.Set(float64(m.idx.n))
	return nil
}

// Get returns an incident of a tenant with its alerts and timeline.
func (m *Manager) Get(ctx context.Context, tenant, id string) (*Detail, error) {
	if !store.ValidTenant(tenant) {
		return nil, fmt.Errorf("%w: tenant %q", store.ErrBadRequest, tenant)
	}
	got, err := m.st.Load(ctx, tenant, []string{id})
	if err != nil {
		return nil, fmt.Errorf("load incident %s: %w", id, err)
	}
	if len(got) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	d := &Detail{Incident: got[0]}
	if d.Alerts, err = m.st.Alerts(ctx, tenant, id, MaxDetailAlerts); err != nil {
		return nil, fmt.Errorf("load alerts of incident %s: %w", id, err)
	}
	entries, err := m.st.Entries(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("load timeline of incident %s: %w", id, err)
	}
	d.Timeline, d.Comments = timeline(d.Alerts, entries)
	if d.Alerts == nil {
		d.Alerts = []alert.Alert{}
	}
	return d, nil
}

// timeline merges alert entries (at their first time) with the recorded
// entries, in time order; at equal times alerts come first, then entries
// in the order they were recorded.
func timeline(alerts []alert.Alert, entries []Entry) ([]Entry, []Comment) {
	out := make([]Entry, 0, len(alerts)+len(entries))
	for _, a := range alerts {
		out = append(out, Entry{Time: a.First, Kind: EntryAlert, Seq: -1, Alert: &AlertRef{
			ID: a.ID, RuleID: a.RuleID, Title: a.Title, Level: a.Level, Count: a.Count, EventsQuery: EventsQuery(a.EventIDs)}})
	}
	var comments []Comment
	for _, e := range entries {
		out = append(out, e)
		if e.Kind == EntryComment {
			comments = append(comments, Comment{Author: e.Actor, Time: e.Time, Text: e.Text})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].Seq < out[j].Seq
	})
	return out, comments
}

// EventsQuery is the search that finds events by id:
// event.id:("a" OR "b"). Empty for no ids.
func EventsQuery(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("event.id:(")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(id))
		b.WriteByte('"')
	}
	b.WriteByte(')')
	return b.String()
}

// List returns the incidents matching f, the most recent first, and how
// many match in all.
func (m *Manager) List(ctx context.Context, f Filter) ([]Incident, int64, error) {
	return m.st.List(ctx, f)
}
