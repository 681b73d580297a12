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

var (
	_ store.ResponseLog = (*Responses)(nil)
	_ store.Dashboards  = (*Dashboards)(nil)
	_ store.Incidents   = (*Incidents)(nil)
)

// openDir opens a store on srv with a database of its own per folder, so
// that a suite's reopen finds its tables again.
func openDir(t *testing.T, srv *chtest.Server, prefix, dir string) *Store {
	t.Helper()
	sum := sha256.Sum256([]byte(dir))
	s, err := Open(context.Background(), Options{URL: srv.URL, Database: prefix + hex.EncodeToString(sum[:8])})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tableOpener opens one record store of a Store for a storetest suite.
func tableOpener[T any](srv *chtest.Server, prefix string, open func(*Store) (T, error)) storetest.TableOpener[T] {
	return func(t *testing.T, dir string) (T, func() error) {
		s := openDir(t, srv, prefix, dir)
		v, err := open(s)
		if err != nil {
			s.Close()
			t.Fatal(err)
		}
		return v, s.Close
	}
}

func TestResponsesConformance(t *testing.T) {
	srv := chtest.Start(t)
	storetest.RunResponses(t, tableOpener(srv, "r_", func(s *Store) (store.ResponseLog, error) {
		return s.OpenResponses(context.Background())
	}))
}

func TestDashboardsConformance(t *testing.T) {
	srv := chtest.Start(t)
	storetest.RunDashboards(t, tableOpener(srv, "d_", func(s *Store) (store.Dashboards, error) {
		return s.OpenDashboards(context.Background())
	}))
}

func TestIncidentsConformance(t *testing.T) {
	srv := chtest.Start(t)
	storetest.RunIncidents(t, tableOpener(srv, "i_", func(s *Store) (store.Incidents, error) {
		return s.OpenIncidents(context.Background())
	}))
}
