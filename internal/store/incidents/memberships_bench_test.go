package incidents

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// BenchmarkMemberships looks up one applied batch of alert ids (1,000,
// half of them stored) in a membership table of 100k and 1M rows: the
// incident manager asks this for every alert batch once its in-memory
// map is past incident.DefaultMaxMembers, so its cost must not grow with
// the table. The ids are hashes, as alert ids are; the stored ones are either the newest rows (an alert's
// update follows it within the fold window) or spread over the table.
func BenchmarkMemberships(b *testing.B) {
	for _, bc := range []struct {
		rows   int
		spread bool
	}{{100_000, false}, {1_000_000, false}, {100_000, true}, {1_000_000, true}} {
		rows := bc.rows
		b.Run(fmt.Sprintf("rows=%d/spread=%v", rows, bc.spread), func(b *testing.B) {
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
			if _, err := db.ExecContext(ctx, `INSERT INTO incident_alerts SELECT 'acme', md5('al' || i::VARCHAR), 'inc' || (i // 10)::VARCHAR, TIMESTAMP '2026-01-01' + to_seconds(i), '' FROM range(?) t(i)`, rows); err != nil {
				b.Fatal(err)
			}
			ids := make([]string, 1000)
			for i := range ids {
				switch {
				case i%2 == 1:
					ids[i] = md5ID(rows + i)
				case bc.spread:
					ids[i] = md5ID(i * (rows / len(ids)))
				default:
					ids[i] = md5ID(rows - len(ids) + i)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime(b)
			defer func() { b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op") }()
			for range b.N {
				m, err := s.Memberships(ctx, "acme", ids)
				if err != nil || len(m) != len(ids)/2 {
					b.Fatalf("memberships = %d, %v", len(m), err)
				}
			}
		})
	}
}

// md5ID is the id of the i'th stored row: hex like the alert ids
// (event.NewID), which sort in no order of time.
func md5ID(i int) string {
	h := md5.Sum([]byte(fmt.Sprintf("al%d", i)))
	return hex.EncodeToString(h[:])
}

// cpuTime is the process's user and system CPU time: DuckDB runs a
// query on several threads, so ns/op alone understates a scan.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
