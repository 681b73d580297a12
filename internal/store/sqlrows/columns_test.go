package sqlrows

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestInsertColumnsKeepsOrderAndValues: a large batch arrives whole, each
// value in its column, and rows take a sequence's values in the order
// given (the incident timeline relies on it).
func TestInsertColumnsKeepsOrderAndValues(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, q := range []string{"CREATE SEQUENCE s", "CREATE TABLE t (seq BIGINT DEFAULT nextval('s'), name VARCHAR, n INTEGER, ts TIMESTAMP)"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	const rows = 20_000
	base := time.Date(2026, 12, 7, 10, 0, 0, 123_456_000, time.UTC)
	names, ns, ats := make([]string, rows), make([]int32, rows), make([]time.Time, rows)
	for i := range names {
		names[i], ns[i], ats[i] = fmt.Sprintf("row-%05d", i), int32(rows-i), base.Add(time.Duration(i)*time.Second)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := InsertColumns(ctx, tx, "INSERT INTO t (name, n, ts)", rows, []string{"VARCHAR", "INTEGER", "TIMESTAMP"}, names, ns, ats); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r, err := db.QueryContext(ctx, "SELECT seq, name, n, ts FROM t ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	i := 0
	for r.Next() {
		var seq int64
		var name string
		var n int32
		var at time.Time
		if err := r.Scan(&seq, &name, &n, &at); err != nil {
			t.Fatal(err)
		}
		if seq != int64(i+1) || name != names[i] || n != ns[i] || !at.Equal(ats[i]) {
			t.Fatalf("row %d: seq %d %q %d %v, want seq %d %q %d %v", i, seq, name, n, at, i+1, names[i], ns[i], ats[i])
		}
		i++
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if i != rows {
		t.Fatalf("%d rows, want %d", i, rows)
	}
}
