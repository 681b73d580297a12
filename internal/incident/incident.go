package incident

import (
	"context"
	"errors"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

// Status is where an incident is in its triage.
type Status string

// Statuses. A closed incident takes no new alerts.
const (
	StatusNew        Status = "new"
	StatusInProgress Status = "in_progress"
	StatusClosed     Status = "closed"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusNew || s == StatusInProgress || s == StatusClosed
}

// rank orders statuses by progress, for merges.
func (s Status) rank() int {
	switch s {
	case StatusInProgress:
		return 1
	case StatusClosed:
		return 2
	}
	return 0
}

// Bounds on what one incident document holds. An incident keeps growing
// for as long as alerts link to it (up to MaxSpan); its document is
// rewritten with each alert, so the lists in it are capped, with the full
// counts beside them. All its alerts stay in the store and GET
// /api/v1/incidents/{id} lists them.
const (
	// MaxAlertIDs: the ids of the first 1,000 alerts (~35 KB).
	MaxAlertIDs = 1000
	// MaxRules and MaxTags: distinct rules and tags of its alerts.
	MaxRules = 100
	MaxTags  = 100
	// MaxEntities per kind (hosts, users, source and destination IPs);
	// entities beyond it are neither listed nor linked.
	MaxEntities = 256
	// MaxDetailAlerts bounds the alerts one GET returns.
	MaxDetailAlerts = 10_000
)

// Rule is one rule whose alerts are in an incident.
type Rule struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Level  string `json:"level"`
	Alerts int    `json:"alerts"`
}

// Comment is an analyst's note on an incident.
type Comment struct {
	Author string    `json:"author"`
	Time   time.Time `json:"time"`
	Text   string    `json:"text"`
}

// Incident is a group of alerts about the same entities.
type Incident struct {
	ID     string `json:"id"`
	Tenant string `json:"tenant"`
	// Title is the title of its most severe rule, with the number of its
	// other rules.
	Title string `json:"title"`
	// Severity is the highest level of its alerts.
	Severity string `json:"severity"`
	Status   Status `json:"status"`
	Assignee string `json:"assignee"`
	// First and Last bound the alert times (the events' times).
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// Created and Updated are wall-clock times of the incident's record.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// AlertCount counts its alerts; AlertIDs lists the first MaxAlertIDs.
	AlertCount int      `json:"alert_count"`
	AlertIDs   []string `json:"alert_ids"`
	Rules      []Rule   `json:"rules"`
	Tags       []string `json:"tags,omitempty"`
	// Entities are the union of its alerts' entities.
	Entities alert.Entities `json:"entities"`
	// MergedInto names the incident this one was merged into (it is then
	// closed and its alerts are there).
	MergedInto string `json:"merged_into,omitempty"`
	// Comments are filled by Get, oldest first.
	Comments []Comment `json:"comments,omitempty"`
}

// Timeline entry kinds.
const (
	EntryAlert      = "alert"
	EntryStatus     = "status"
	EntryAssignee   = "assignee"
	EntryComment    = "comment"
	EntryMergedFrom = "merged_from"
	EntryMergedInto = "merged_into"
)

// Entry is one line of an incident's timeline.
type Entry struct {
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
	// Alert summarises an alert entry; the full alert is in Detail.Alerts.
	Alert *AlertRef `json:"alert,omitempty"`
	// Seq orders entries of the same time as they were recorded.
	Seq int64 `json:"-"`
}

// AlertRef is an alert as its timeline entry shows it.
type AlertRef struct {
	ID     string `json:"id"`
	RuleID string `json:"rule_id"`
	Title  string `json:"rule_title"`
	Level  string `json:"level"`
	Count  int    `json:"count"`
	// EventsQuery is a search (GET /api/v1/search?q=...) for the alert's
	// events by their ids.
	EventsQuery string `json:"events_query,omitempty"`
}

// Detail is an incident with its alerts and timeline.
type Detail struct {
	Incident
	// Alerts are its alerts by first time (at most MaxDetailAlerts).
	Alerts []alert.Alert `json:"alerts"`
	// Timeline holds its alerts and its status, assignee, comment and
	// merge changes in time order.
	Timeline []Entry `json:"timeline"`
}

// Filter selects incidents. Tenant is required.
type Filter struct {
	Tenant string
	// Statuses keeps incidents in any of them; empty keeps all.
	Statuses []Status
	// MinSeverity keeps incidents of this severity or above.
	MinSeverity string
	// Assignee keeps incidents assigned to this name; Unassigned keeps
	// those assigned to no one.
	Assignee   string
	Unassigned bool
	// Entity keeps incidents with this host, user or IP among their entities.
	Entity string
	// From and To keep incidents whose first-to-last range overlaps [From, To).
	From, To time.Time
	Limit    int
	Offset   int
}

// Member is an alert and the incident that holds it.
type Member struct {
	IncidentID string
	Alert      alert.Alert
}

// Move re-points every alert of one incident to another (a merge).
type Move struct {
	Tenant, From, To string
}

// Stamped is a timeline entry of an incident.
type Stamped struct {
	Tenant, IncidentID string
	Entry              Entry
}

// Changes are what one batch or update writes, in one transaction: moves
// first, then alert upserts, incident upserts and new timeline entries.
type Changes struct {
	Moves     []Move
	Alerts    []Member
	Incidents []Incident
	Entries   []Stamped
}

// Empty reports whether there is nothing to write.
func (c *Changes) Empty() bool {
	return len(c.Moves) == 0 && len(c.Alerts) == 0 && len(c.Incidents) == 0 && len(c.Entries) == 0
}

// Store keeps incidents. Every method that names a tenant reads only that
// tenant's rows; a bad tenant name is an error wrapping store.ErrBadRequest.
type Store interface {
	// Memberships returns, for those of alertIDs already in an incident,
	// the incident's id.
	Memberships(ctx context.Context, tenant string, alertIDs []string) (map[string]string, error)
	// Load returns the incidents with these ids (those that exist).
	Load(ctx context.Context, tenant string, ids []string) ([]Incident, error)
	// Active returns up to limit incidents of any tenant that are not
	// closed, the most recent (by last alert time) first.
	Active(ctx context.Context, limit int) ([]Incident, error)
	// Apply writes changes atomically: all or nothing.
	Apply(ctx context.Context, ch *Changes) error
	// List returns the incidents matching f, the most recent first, and
	// how many match in all.
	List(ctx context.Context, f Filter) ([]Incident, int64, error)
	// Alerts returns up to limit alerts of an incident by first time.
	Alerts(ctx context.Context, tenant, id string, limit int) ([]alert.Alert, error)
	// Entries returns an incident's recorded timeline entries (status,
	// assignee, comment and merge changes) in the order they were recorded.
	Entries(ctx context.Context, tenant, id string) ([]Entry, error)
}

// Errors.
var (
	// ErrNotFound: no incident of that id in that tenant.
	ErrNotFound = errors.New("incident not found")
	// ErrConflict: the change does not apply to the incident's state.
	ErrConflict = errors.New("conflict")
)

// Reasons of a Notice.
const (
	ReasonOpened    = "opened"
	ReasonEscalated = "escalated"
)

// Notice tells that an incident opened or its severity rose.
type Notice struct {
	Reason   string
	Incident Incident
}

// Notifier receives notices after they are stored; it must not block (the
// response dispatcher queues them).
type Notifier interface {
	NotifyIncidents(ctx context.Context, ns []Notice)
}
