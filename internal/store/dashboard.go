package store

import "github.com/vigilsiem/vigil/internal/dashboard"

// Dashboards keeps the console's dashboards and saved searches. Its
// records and their validation are internal/dashboard's, a package below
// the store (it imports only the query language), so the interface is
// that package's, named here with the store's others.
type Dashboards = dashboard.Store
