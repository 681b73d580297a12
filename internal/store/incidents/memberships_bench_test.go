package incidents

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// BenchmarkMemberships looks up one applied batch of alert ids (1,000,
// half of them stored) in a membership table of 100k and 1M rows: the
// incident manager asks this for every alert batch once its in-memory
// map is past incident.DefaultMaxMembers, so its cost must not grow with
// the table.
func BenchmarkMemberships(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			ctx := context.Background()
			c, err := duckdb.NewConnector(filepath.Join(b.TempDir(), "m.duckdb"), nil)
			if err != nil {
				b.Fatal(err)
			}
			db := sql.OpenDB(c)
			defer db.Close()
			s, err := Open(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO incident_alerts SELECT 'acme', 'al' || i::VARCHAR, 'inc' || (i // 10)::VARCHAR, TIMESTAMP '2026-01-01' + to_seconds(i), '' FROM range(?) t(i)`, rows); err != nil {
				b.Fatal(err)
			}
			ids := make([]string, 1000)
			for i := range ids {
				if i%2 == 0 {
					ids[i] = fmt.Sprintf("al%d", i*(rows/len(ids))) // stored
				} else {
					ids[i] = fmt.Sprintf("new%d", i)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				m, err := s.Memberships(ctx, "acme", ids)
				if err != nil || len(m) != len(ids)/2 {
					b.Fatalf("memberships = %d, %v", len(m), err)
				}
			}
		})
	}
}
