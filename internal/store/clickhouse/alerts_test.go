package clickhouse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

var _ store.Alerts = (*Alerts)(nil)

// The alerts and their triage pass the alerts suite, on one private
// server, a database per folder.
func TestAlertsConformance(t *testing.T) {
	srv := chtest.Start(t)
	storetest.RunAlerts(t, func(t *testing.T, dir string) (store.Alerts, func() error) {
		sum := sha256.Sum256([]byte(dir))
		s, err := Open(context.Background(), Options{URL: srv.URL, Database: "a_" + hex.EncodeToString(sum[:8])})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.OpenAlerts(context.Background())
		if err != nil {
			s.Close()
			t.Fatal(err)
		}
		return a, s.Close
	})
}
