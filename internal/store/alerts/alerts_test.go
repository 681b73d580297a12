package alerts

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"

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
