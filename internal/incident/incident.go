package incident

import (
	"context"
	"errors"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
)

// The records of incidents are the store's (store.Incident and its
// kin), by alias: a backend implements store.Incidents without importing
// this package.

// Status is where an incident is in its triage.
type Status = store.IncidentStatus

// Statuses. A closed incident takes no new alerts.
const (
	StatusNew        = store.IncidentNew
	StatusInProgress = store.IncidentInProgress
	StatusClosed     = store.IncidentClosed
)

// statusRank orders statuses by progress, for merges.
func statusRank(s Status) int {
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
type Rule = store.IncidentRule

// Comment is an analyst's note on an incident.
type Comment = store.IncidentComment

// Incident is a group of alerts about the same entities.
type Incident = store.Incident

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
type Entry = store.IncidentEntry

// AlertRef is an alert as its timeline entry shows it.
type AlertRef = store.IncidentAlertRef

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
type Filter = store.IncidentFilter

// Member is an alert and the incident that holds it.
type Member = store.IncidentMember

// Move re-points every alert of one incident to another (a merge).
type Move = store.IncidentMove

// Stamped is a timeline entry of an incident.
type Stamped = store.IncidentStamped

// Changes are what one batch or update writes, in one transaction.
type Changes = store.IncidentChanges

// Store keeps incidents (store.Incidents).
type Store = store.Incidents

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
