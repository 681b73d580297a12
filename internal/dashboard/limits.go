package dashboard

import "github.com/vigilsiem/vigil/internal/store"

// Limits on what a client may store. Dashboards and saved searches are
// small JSON documents kept in the store's database and read whole: the
// limits keep one tenant from filling it and keep every list cheap.
const (
	// MaxPanels per dashboard: a screenful of charts, each running one
	// query when the dashboard opens; more would run that many searches.
	MaxPanels = 24
	// MaxTitle bytes of a dashboard's, a panel's or a saved search's name.
	MaxTitle = 200
	// MaxDescription bytes of a dashboard's description.
	MaxDescription = 2000
	// MaxQuery bytes of a panel's or a saved search's query (the search
	// API audits the first 4 KiB of a query; a saved one is no longer).
	MaxQuery = 4096
	// MaxDashboards and MaxSavedSearches per tenant (the store enforces them).
	MaxDashboards    = store.MaxDashboards
	MaxSavedSearches = store.MaxSavedSearches
	// MaxDocBytes bounds a request body (an imported dashboard).
	MaxDocBytes = 256 << 10
)
