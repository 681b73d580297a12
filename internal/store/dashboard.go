package store

import (
	"context"
	"errors"
	"time"
)

// The console's dashboards and saved searches (internal/dashboard defines
// their rules and the built-in dashboards, and keeps these types by
// alias). They live in the facade so that a backend implements Dashboards
// without importing the packages above it. docs/format/dashboards.md
// describes the stored form.

// Chart is how a dashboard panel draws its query's table: line, bar,
// table, single, map or heatmap.
type Chart string

// DashboardPanel is one chart of a dashboard.
type DashboardPanel struct {
	Title string `json:"title"`
	// Query is a search-language query ending in stats or timechart.
	Query string `json:"query"`
	Chart Chart  `json:"chart"`
	// Width is 1 (a third of the row), 2 or 3 (the whole row); 0 reads as 1.
	Width int `json:"width,omitempty"`
}

// Dashboard is a titled list of panels, in display order.
type Dashboard struct {
	ID          string           `json:"id"`
	Title       string           `json:"title"`
	Description string           `json:"description,omitempty"`
	Panels      []DashboardPanel `json:"panels"`
	// From is the default time range's start (-24h when empty).
	From string `json:"from,omitempty"`
	// Builtin dashboards ship with Vigil and cannot be changed; a copy can.
	Builtin   bool      `json:"builtin,omitempty"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	Updated   time.Time `json:"updated,omitzero"`
}

// SavedSearch is a query with its time range and columns, owned by a user
// of a tenant; Shared makes it visible to the tenant's other users.
type SavedSearch struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Query   string    `json:"query"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	Cols    []string  `json:"cols,omitempty"`
	Shared  bool      `json:"shared"`
	Owner   string    `json:"owner"`
	Updated time.Time `json:"updated,omitzero"`
}

// ErrDashboardNotFound: no such dashboard or saved search in the tenant
// (for a saved search: none the caller may see or change).
var ErrDashboardNotFound = errors.New("not found")

// ErrDashboardLimit: the tenant keeps as many dashboards or saved
// searches as it may.
var ErrDashboardLimit = errors.New("limit reached")

// Per-tenant bounds a Dashboards backend enforces: every list is read
// whole, and one tenant must not fill the database.
const (
	MaxDashboards    = 500
	MaxSavedSearches = 2000
)

// Dashboards keeps dashboards and saved searches. Every method names the
// tenant and reads or writes only that tenant's rows; a bad tenant name
// is an error wrapping ErrBadRequest.
type Dashboards interface {
	Dashboards(ctx context.Context, tenant string) ([]Dashboard, error)
	Dashboard(ctx context.Context, tenant, id string) (*Dashboard, error)
	// PutDashboard creates or replaces d (by d.ID); a new one past
	// MaxDashboards is ErrDashboardLimit.
	PutDashboard(ctx context.Context, tenant string, d Dashboard) error
	DeleteDashboard(ctx context.Context, tenant, id string) error

	// SavedSearches lists the searches user owns and those shared in the tenant.
	SavedSearches(ctx context.Context, tenant, user string) ([]SavedSearch, error)
	SavedSearch(ctx context.Context, tenant, user, id string) (*SavedSearch, error)
	// PutSavedSearch creates s, or replaces it where s.Owner owns it; an
	// id another user owns is ErrDashboardNotFound.
	PutSavedSearch(ctx context.Context, tenant string, s SavedSearch) error
	// DeleteSavedSearch deletes a search user owns.
	DeleteSavedSearch(ctx context.Context, tenant, user, id string) error
}
