package alerts

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// openDB opens a DuckDB database: in memory for dir "", else in a file
// under dir.
func openDB(t testing.TB, dir string) *sql.DB {
	t.Helper()
	path := ""
	if dir != "" {
		path = filepath.Join(dir, "alerts.duckdb")
	}
	c, err := duckdb.NewConnector(path+"?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		t.Fatal(err)
	}
	return sql.OpenDB(c)
}

func openTest(t testing.TB) *Store {
	t.Helper()
	db := openDB(t, "")
	t.Cleanup(func() { db.Close() })
	s, err := Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The alert tables pass the store's conformance suite.
func TestConformance(t *testing.T) {
	storetest.RunAlerts(t, func(t *testing.T, dir string) (store.Alerts, func() error) {
		db := openDB(t, dir)
		s, err := Open(context.Background(), db)
		if err != nil {
			db.Close()
			t.Fatal(err)
		}
		return s, db.Close
	})
}

// TestWriteMixesNewAndStored: a batch of new alerts and updates of stored
// ones inserts the first and replaces the second (a plain insert of a
// stored id would fail the batch on its primary key).
func TestWriteMixesNewAndStored(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	base := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	mk := func(id string, count int) alert.Alert {
		return alert.Alert{ID: id, Tenant: "acme", RuleID: "r1", Level: "high", First: base, Last: base, Count: count}
	}
	if err := s.WriteAlerts(ctx, []alert.Alert{mk("a1", 1), mk("a2", 1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteAlerts(ctx, []alert.Alert{mk("a3", 1), mk("a2", 5), mk("a4", 1), mk("a1", 2)}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int{"a1": 2, "a2": 5, "a3": 1, "a4": 1} {
		got, err := s.Get(ctx, "acme", id)
		if err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
		if got.Count != want {
			t.Errorf("%s count = %d, want %d", id, got.Count, want)
		}
	}
}
