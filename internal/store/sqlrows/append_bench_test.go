package sqlrows

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// alertRows are n rows shaped as the alert table's: ten short columns
// and a document of about 700 bytes.
type alertRows struct {
	ids, tenants, rules, titles, levels, statuses, docs []string
	ranks                                               []int32
	firsts, lasts                                       []time.Time
	counts                                              []int64
}

func makeAlertRows(lo, n int) []any {
	var r alertRows
	doc := strings.Repeat("x", 700)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for i := lo; i < lo+n; i++ {
		r.ids = append(r.ids, fmt.Sprintf("%032x", uint64(i)*0x9e3779b97f4a7c15))
		r.tenants, r.rules, r.titles = append(r.tenants, "default"), append(r.rules, "5c84856b-55a5-45f1-826f-13f37250cf4e"), append(r.titles, "Malware User Agent")
		r.levels, r.statuses, r.docs = append(r.levels, "high"), append(r.statuses, "open"), append(r.docs, fmt.Sprint(i, doc))
		r.ranks, r.firsts, r.lasts, r.counts = append(r.ranks, 3), append(r.firsts, now), append(r.lasts, now), append(r.counts, 1)
	}
	return []any{r.ids, r.tenants, r.rules, r.titles, r.levels, r.ranks, r.statuses, r.firsts, r.lasts, r.counts, r.docs}
}

var (
	alertColumns = []string{"id", "tenant", "rule_id", "rule_title", "level", "level_rank", "status", "first_seen", "last_seen", "count", "doc"}
	alertTypes   = []string{"VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "VARCHAR", "TIMESTAMP", "TIMESTAMP", "BIGINT", "VARCHAR"}
)

// BenchmarkInsert writes alert-shaped rows to a table with a primary key
// in a database file, 1,500 rows a transaction (what the alert log's
// applier gives per 200 ms in the bench mix's storm), through
// InsertColumns and through Tx.Append. One op is one row; compare the
// CPU time of the two (the process's, DuckDB's threads included).
func BenchmarkInsert(b *testing.B) {
	const batch = 1500
	for _, how := range []string{"InsertColumns", "Append"} {
		b.Run(how, func(b *testing.B) {
			db, err := sql.Open("duckdb", filepath.Join(b.TempDir(), "b.duckdb"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`CREATE TABLE alerts (id VARCHAR PRIMARY KEY, tenant VARCHAR NOT NULL, rule_id VARCHAR NOT NULL,
				rule_title VARCHAR, level VARCHAR, level_rank INTEGER, status VARCHAR, first_seen TIMESTAMP, last_seen TIMESTAMP,
				count BIGINT, doc VARCHAR NOT NULL)`); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; i < b.N; i += batch {
				n := min(batch, b.N-i)
				cols := makeAlertRows(i, n)
				tx, err := Begin(ctx, db)
				if err != nil {
					b.Fatal(err)
				}
				if how == "Append" {
					err = tx.Append(ctx, "alerts", alertColumns, n, cols...)
				} else {
					err = InsertColumns(ctx, tx, "INSERT INTO alerts", n, alertTypes, cols...)
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
