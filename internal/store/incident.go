package store

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

// The records of incidents (internal/incident groups alerts into them; its
// types are these, by alias). They live in the facade so that a backend
// implements Incidents without importing the alert flow above it.

// IncidentStatus is where an incident is in its triage.
type IncidentStatus string

// Incident statuses. A closed incident takes no new alerts.
const (
	IncidentNew        IncidentStatus = "new"
	IncidentInProgress IncidentStatus = "in_progress"
	IncidentClosed     IncidentStatus = "closed"
)

// Valid reports whether s is a known status.
func (s IncidentStatus) Valid() bool {
	return s == IncidentNew || s == IncidentInProgress || s == IncidentClosed
}

// IncidentRule is one rule whose alerts are in an incident.
type IncidentRule struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Level  string `json:"level"`
	Alerts int    `json:"alerts"`
}

// IncidentComment is an analyst's note on an incident.
type IncidentComment struct {
	Author string    `json:"author"`
	Time   time.Time `json:"time"`
	Text   string    `json:"text"`
}

// Incident is a group of alerts about the same entities. Its JSON form is
// the document a backend stores (docs/format/incidents.md) and the API
// shows.
type Incident struct {
	ID     string `json:"id"`
	Tenant string `json:"tenant"`
	// Title is the title of its most severe rule, with the number of its
	// other rules.
	Title string `json:"title"`
	// Severity is the highest level of its alerts.
	Severity string         `json:"severity"`
	Status   IncidentStatus `json:"status"`
	Assignee string         `json:"assignee"`
	// First and Last bound the alert times (the events' times).
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// Created and Updated are wall-clock times of the incident's record.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// AlertCount counts its alerts; AlertIDs lists the first
	// incident.MaxAlertIDs.
	AlertCount int            `json:"alert_count"`
	AlertIDs   []string       `json:"alert_ids"`
	Rules      []IncidentRule `json:"rules"`
	Tags       []string       `json:"tags,omitempty"`
	// Entities are the union of its alerts' entities.
	Entities alert.Entities `json:"entities"`
	// MergedInto names the incident this one was merged into (it is then
	// closed and its alerts are there).
	MergedInto string `json:"merged_into,omitempty"`
	// Comments are filled when one incident is read, oldest first; a
	// backend keeps them in the timeline, not in the document.
	Comments []IncidentComment `json:"comments,omitempty"`
}

// IncidentEntry is one line of an incident's timeline.
type IncidentEntry struct {
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`
	// Actor is who made a change ("vigil" for merges).
	Actor string `json:"actor,omitempty"`
	// From and To are the old and new status or assignee.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Text is a comment.
	Text string `json:"text,omitempty"`
	// Incident is the other incident of a merge.
	Incident string `json:"incident,omitempty"`
	// Alert summarises an alert entry; the full alert is in the incident's
	// detail.
	Alert *IncidentAlertRef `json:"alert,omitempty"`
	// Seq orders entries of the same time as they were recorded; the
	// backend assigns it.
	Seq int64 `json:"-"`
}

// IncidentAlertRef is an alert as its timeline entry shows it.
type IncidentAlertRef struct {
	ID     string `json:"id"`
	RuleID string `json:"rule_id"`
	Title  string `json:"rule_title"`
	Level  string `json:"level"`
	Count  int    `json:"count"`
	// EventsQuery is a search (GET /api/v1/search?q=...) for the alert's
	// events by their ids.
	EventsQuery string `json:"events_query,omitempty"`
}

// IncidentFilter selects incidents. Tenant is required.
type IncidentFilter struct {
	Tenant string
	// Statuses keeps incidents in any of them; empty keeps all.
	Statuses []IncidentStatus
	// MinSeverity keeps incidents of this severity or above.
	MinSeverity string
	// Assignee keeps incidents assigned to this name; Unassigned keeps
	// those assigned to no one.
	Assignee   string
	Unassigned bool
	// Entity keeps incidents with this host, user or IP among their
	// entities (compared as EntityFilterKeys says).
	Entity string
	// From and To keep incidents whose first-to-last range overlaps [From, To).
	From, To time.Time
	Limit    int
	Offset   int
}

// IncidentMember is an alert and the incident that holds it.
type IncidentMember struct {
	IncidentID string
	Alert      alert.Alert
	// New, when set, says the alert is in no incident yet (Memberships,
	// read in the same serialised write, did not name it): a backend may
	// insert its row without looking for one to replace. Unset: the row
	// may exist and is replaced.
	New bool
	// InAlertTable, when set, says the alert store holds this alert
	// exactly as given (the applier writes a batch to the alert table
	// before grouping it, and grouping changed none of its fields): a
	// backend that keeps both in one database may keep a reference to
	// that row rather than a second copy of the alert. Unset: the member
	// carries the only copy the backend may rely on.
	InAlertTable bool
}

// IncidentMove re-points every alert of one incident to another (a merge).
type IncidentMove struct {
	Tenant, From, To string
}

// IncidentStamped is a timeline entry of an incident.
type IncidentStamped struct {
	Tenant, IncidentID string
	Entry              IncidentEntry
}

// IncidentChanges are what one batch or update writes, in one transaction:
// moves first, then alert upserts, incident upserts and new timeline
// entries.
type IncidentChanges struct {
	Moves     []IncidentMove
	Alerts    []IncidentMember
	Incidents []Incident
	Entries   []IncidentStamped
}

// Empty reports whether there is nothing to write.
func (c *IncidentChanges) Empty() bool {
	return len(c.Moves) == 0 && len(c.Alerts) == 0 && len(c.Incidents) == 0 && len(c.Entries) == 0
}

// Incidents keeps incidents, the alerts in them and their timelines.
// Every method that names a tenant reads only that tenant's rows; a bad
// tenant name or filter is an error wrapping ErrBadRequest. Writes come
// from one writer (the incident manager); reads run concurrently.
type Incidents interface {
	// Memberships returns, for those of alertIDs already in an incident,
	// the incident's id.
	Memberships(ctx context.Context, tenant string, alertIDs []string) (map[string]string, error)
	// Load returns the incidents with these ids (those that exist).
	Load(ctx context.Context, tenant string, ids []string) ([]Incident, error)
	// Active returns up to limit incidents of any tenant that are not
	// closed, the most recent (by last alert time) first.
	Active(ctx context.Context, limit int) ([]Incident, error)
	// Apply writes changes atomically: all or nothing. An incident's
	// Comments are not stored in its document (they are timeline entries).
	Apply(ctx context.Context, ch *IncidentChanges) error
	// List returns the incidents matching f, the most recent first, and
	// how many match in all.
	List(ctx context.Context, f IncidentFilter) ([]Incident, int64, error)
	// Alerts returns up to limit alerts of an incident by first time.
	Alerts(ctx context.Context, tenant, id string, limit int) ([]alert.Alert, error)
	// Entries returns an incident's recorded timeline entries (status,
	// assignee, comment and merge changes) in the order they were
	// recorded, with Seq set.
	Entries(ctx context.Context, tenant, id string) ([]IncidentEntry, error)
}

// Normalize checks the filter and fills defaults (the limit), so that
// every backend refuses the same filters with the same errors. It returns
// the rank of MinSeverity (alert.LevelRank), -1 when there is none.
func (f *IncidentFilter) Normalize() (minRank int, err error) {
	if !ValidTenant(f.Tenant) {
		return -1, fmt.Errorf("%w: tenant %q: want 1-64 letters, digits, '_', '.', '-'", ErrBadRequest, f.Tenant)
	}
	for _, st := range f.Statuses {
		if !st.Valid() {
			return -1, fmt.Errorf("%w: status %q: want new, in_progress or closed", ErrBadRequest, st)
		}
	}
	minRank = -1
	if f.MinSeverity != "" {
		if minRank = alert.LevelRank(f.MinSeverity); minRank < 0 {
			return -1, fmt.Errorf("%w: severity %q: want informational, low, medium, high or critical", ErrBadRequest, f.MinSeverity)
		}
	}
	if err := checkRange(f.From, f.To); err != nil {
		return -1, err
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = DefaultLimit
	}
	if f.Offset < 0 {
		return -1, fmt.Errorf("%w: negative offset", ErrBadRequest)
	}
	return minRank, nil
}
