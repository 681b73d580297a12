package responses

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// The response log passes the store's conformance suite, on a DuckDB
// database file.
func TestConformance(t *testing.T) {
	storetest.RunResponses(t, func(t *testing.T, dir string) (store.ResponseLog, func() error) {
		c, err := duckdb.NewConnector(filepath.Join(dir, "responses.duckdb")+"?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
		if err != nil {
			t.Fatal(err)
		}
		db := sql.OpenDB(c)
		l, err := Open(context.Background(), db)
		if err != nil {
			db.Close()
			t.Fatal(err)
		}
		return l, db.Close
	})
}
