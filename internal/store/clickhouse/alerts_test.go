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

var _ store.AlertRecords = (*Alerts)(nil)

// The alerts table passes the writes-and-lists part of the alerts suite
// (its triage is still the embedded store's), on one private server, a
// database per folder.
func TestAlertsConformance(t *testing.T) {
	srv := chtest.Start(t)
	storetest.RunAlertRecords(t, func(t *testing.T, dir string) (store.AlertRecords, func() error) {
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
