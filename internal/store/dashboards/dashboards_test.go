package dashboards

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// The dashboard tables pass the store's conformance suite, on a DuckDB
// database file; each open also opens the tables a second time over the
// existing ones, as a restart does.
func TestConformance(t *testing.T) {
	storetest.RunDashboards(t, func(t *testing.T, dir string) (store.Dashboards, func() error) {
		c, err := duckdb.NewConnector(filepath.Join(dir, "dashboards.duckdb")+"?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
		if err != nil {
			t.Fatal(err)
		}
		db := sql.OpenDB(c)
		s, err := Open(context.Background(), db)
		if err == nil {
			_, err = Open(context.Background(), db)
		}
		if err != nil {
			db.Close()
			t.Fatal(err)
		}
		return s, db.Close
	})
}
