package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

// AlertFilter selects alerts. Tenant is required.
type AlertFilter struct {
	Tenant string
	// MinLevel keeps alerts of this level or above ("high" keeps high and critical).
	MinLevel string
	RuleID   string
	// Status keeps alerts of this status, as triage left it.
	Status string
	// Entity keeps alerts whose host, user or IP entities include it.
	Entity string
	// From and To bound the alert's last time.
	From, To time.Time
	Limit    int
}

// Normalize checks the filter and fills defaults (the limit), so that
// every backend refuses the same filters with the same errors. It returns
// the rank of MinLevel (alert.LevelRank), -1 when there is none.
func (f *AlertFilter) Normalize() (minRank int, err error) {
	if !ValidTenant(f.Tenant) {
		return -1, fmt.Errorf("%w: tenant %q", ErrBadRequest, f.Tenant)
	}
	minRank = -1
	if f.MinLevel != "" {
		if minRank = alert.LevelRank(f.MinLevel); minRank < 0 {
			return -1, fmt.Errorf("%w: level %q: want informational, low, medium, high or critical", ErrBadRequest, f.MinLevel)
		}
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = DefaultLimit
	}
	return minRank, nil
}

// Limits of an alert change, so that a client cannot grow an alert
// without bound.
const (
	// MaxAlertNotes bounds the notes kept per alert (a change beyond it is refused).
	MaxAlertNotes = 1000
	// MaxAlertText bounds a comment or reason; MaxAlertName an assignee.
	MaxAlertText = 16 << 10
	MaxAlertName = 256
	// MaxAlertBulk bounds the alerts one bulk change names.
	MaxAlertBulk = 1000
)

// AlertChange is an analyst's change to alerts: any of a new status, a new
// assignee ("" unassigns) and a comment, by an actor.
type AlertChange struct {
	Status   *alert.Status
	Assignee *string
	Comment  string
	Actor    string
}

// Check validates a change.
func (c AlertChange) Check() error {
	if c.Status == nil && c.Assignee == nil && c.Comment == "" {
		return fmt.Errorf("%w: a change needs a status, an assignee or a comment", ErrBadRequest)
	}
	if c.Status != nil && !c.Status.Valid() {
		return fmt.Errorf("%w: status %q: want open, acknowledged or closed", ErrBadRequest, *c.Status)
	}
	if c.Assignee != nil && len(*c.Assignee) > MaxAlertName {
		return fmt.Errorf("%w: assignee of %d bytes: at most %d", ErrBadRequest, len(*c.Assignee), MaxAlertName)
	}
	if len(c.Comment) > MaxAlertText {
		return fmt.Errorf("%w: comment of %d bytes: at most %d", ErrBadRequest, len(c.Comment), MaxAlertText)
	}
	return nil
}

// ErrAlertNotFound is returned for an unknown alert id (or one of another
// tenant).
var ErrAlertNotFound = errors.New("alert not found")

// AlertRecords keeps the alerts detection raises, without their triage:
// what a backend that cannot yet apply triage changes atomically
// implements (ClickHouse). Every method that names a tenant reads only that
// tenant's alerts; a bad tenant name or filter is an error wrapping
// ErrBadRequest.
type AlertRecords interface {
	// WriteAlerts stores alerts (alert.Sink): new ones are inserted,
	// folded ones (an id seen before) replace their earlier version, all
	// or none. A folded update does not undo the alert's triage.
	WriteAlerts(ctx context.Context, as []alert.Alert) error
	// List returns the alerts matching f, the most recent (by last time)
	// first, and how many match in all.
	List(ctx context.Context, f AlertFilter) ([]alert.Alert, int64, error)
	// RuleStats returns, per rule (ordered by rule id), the alerts of
	// tenant last seen in [from, to); a zero time leaves that end open.
	// A folded alert counts once, as its newest update.
	RuleStats(ctx context.Context, tenant string, from, to time.Time) ([]RuleStat, error)
}

// RuleStat is what one rule raised in a period (AlertRecords.RuleStats).
type RuleStat struct {
	RuleID string
	Title  string
	// Alerts were raised (or updated) in the period; Events are the
	// matches they fold.
	Alerts, Events int64
	// Last is the latest last_seen of its alerts.
	Last time.Time
	// Tactics and Techniques are the ATT&CK mapping its alerts carry.
	Tactics, Techniques []string
}

// Alerts keeps the alerts detection raises and the analysts' triage of
// them.
type Alerts interface {
	AlertRecords
	// Get returns one alert with its triage and notes, or an error
	// wrapping ErrAlertNotFound.
	Get(ctx context.Context, tenant, id string) (*alert.Alert, error)
	// Update applies a change to the alerts ids, all or none, and returns
	// them updated. An unknown id fails the whole change with
	// ErrAlertNotFound; more than MaxAlertBulk ids, or a change that Check
	// refuses, with ErrBadRequest.
	Update(ctx context.Context, tenant string, ids []string, c AlertChange, now time.Time) ([]alert.Alert, error)
}
