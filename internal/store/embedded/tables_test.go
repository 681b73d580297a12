package embedded

import (
	"context"
	"testing"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// openTables opens the store on dir and one of its record stores.
func openTables[T any](t *testing.T, dir string, open func(*Store, context.Context) (T, error)) (T, func() error) {
	t.Helper()
	s := openTest(t, dir).(*Store)
	tb, err := open(s, context.Background())
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	return tb, s.Close
}

// The store's record stores pass the conformance suites, in the store's
// own database, closed and reopened with the store.
func TestAlertsConformance(t *testing.T) {
	storetest.RunAlerts(t, func(t *testing.T, dir string) (store.Alerts, func() error) {
		return openTables(t, dir, func(s *Store, ctx context.Context) (store.Alerts, error) { return s.OpenAlerts(ctx) })
	})
}

func TestIncidentsConformance(t *testing.T) {
	storetest.RunIncidents(t, func(t *testing.T, dir string) (store.Incidents, func() error) {
		return openTables(t, dir, func(s *Store, ctx context.Context) (store.Incidents, error) { return s.OpenIncidents(ctx) })
	})
}

func TestResponsesConformance(t *testing.T) {
	storetest.RunResponses(t, func(t *testing.T, dir string) (store.ResponseLog, func() error) {
		return openTables(t, dir, func(s *Store, ctx context.Context) (store.ResponseLog, error) { return s.OpenResponses(ctx) })
	})
}

func TestDashboardsConformance(t *testing.T) {
	storetest.RunDashboards(t, func(t *testing.T, dir string) (store.Dashboards, func() error) {
		return openTables(t, dir, func(s *Store, ctx context.Context) (store.Dashboards, error) { return s.OpenDashboards(ctx) })
	})
}
