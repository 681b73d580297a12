package embedded

import (
	"context"

	"github.com/vigilsiem/vigil/internal/store/alerts"
	"github.com/vigilsiem/vigil/internal/store/dashboards"
	"github.com/vigilsiem/vigil/internal/store/incidents"
	"github.com/vigilsiem/vigil/internal/store/responses"
)

// The alert side keeps its records in tables of the store's DuckDB
// database, beside the events: alerts and their triage (store/alerts),
// incidents (store/incidents), the response log (store/responses), and the
// console's dashboards and saved searches (store/dashboards). Each
// Open creates its tables if needed; the store owns the database and
// closes it.

// OpenAlerts opens the alert tables (store.Alerts).
func (s *Store) OpenAlerts(ctx context.Context) (*alerts.Store, error) {
	return alerts.Open(ctx, s.db)
}

// OpenIncidents opens the incident tables (store.Incidents). Their
// members keep no second copy of an alert the alerts table holds
// (incidents.Store.ShareAlertDocs), so the alert tables are opened too.
func (s *Store) OpenIncidents(ctx context.Context) (*incidents.Store, error) {
	if _, err := alerts.Open(ctx, s.db); err != nil {
		return nil, err
	}
	st, err := incidents.Open(ctx, s.db)
	if err != nil {
		return nil, err
	}
	st.ShareAlertDocs()
	return st, nil
}

// OpenResponses opens the response log (store.ResponseLog).
func (s *Store) OpenResponses(ctx context.Context) (*responses.Log, error) {
	return responses.Open(ctx, s.db)
}

// OpenDashboards opens the console's dashboard and saved-search tables
// (store.Dashboards).
func (s *Store) OpenDashboards(ctx context.Context) (*dashboards.Store, error) {
	return dashboards.Open(ctx, s.db)
}
