package dashboard

import (
	"context"
	"errors"
)

// ErrNotFound: no such dashboard or saved search for this tenant (and,
// for a saved search, none this user may see).
var ErrNotFound = errors.New("not found")

// ErrLimit: the tenant has as many dashboards or saved searches as it
// may keep.
var ErrLimit = errors.New("limit reached")

// Store keeps dashboards and saved searches. Every method names the
// tenant; implementations must scope every read and write to it.
type Store interface {
	Dashboards(ctx context.Context, tenant string) ([]Dashboard, error)
	Dashboard(ctx context.Context, tenant, id string) (*Dashboard, error)
	// PutDashboard creates or replaces d (by d.ID).
	PutDashboard(ctx context.Context, tenant string, d Dashboard) error
	DeleteDashboard(ctx context.Context, tenant, id string) error

	// SavedSearches lists the searches user owns and those shared in the tenant.
	SavedSearches(ctx context.Context, tenant, user string) ([]SavedSearch, error)
	SavedSearch(ctx context.Context, tenant, user, id string) (*SavedSearch, error)
	// PutSavedSearch creates s, or replaces it when s.Owner owns it; a
	// search of another owner with the same id is ErrNotFound.
	PutSavedSearch(ctx context.Context, tenant string, s SavedSearch) error
	// DeleteSavedSearch deletes a search user owns.
	DeleteSavedSearch(ctx context.Context, tenant, user, id string) error
}
