package dashboard

import "github.com/vigilsiem/vigil/internal/store"

// The records and the interface of the store (internal/store/dashboard.go),
// by alias: internal/store/dashboards keeps them in the embedded store.
type (
	Chart       = store.Chart
	Panel       = store.DashboardPanel
	Dashboard   = store.Dashboard
	SavedSearch = store.SavedSearch
	Store       = store.Dashboards
)

// ErrNotFound and ErrLimit are the store's errors.
var (
	ErrNotFound = store.ErrDashboardNotFound
	ErrLimit    = store.ErrDashboardLimit
)
