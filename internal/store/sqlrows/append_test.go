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

func openAppendDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TABLE t (id VARCHAR PRIMARY KEY, n INTEGER, big BIGINT, ts TIMESTAMP, note VARCHAR DEFAULT 'none')"); err != nil {
		t.Fatal(err)
	}
	return db
}

func countRows(t *testing.T, db *sql.DB) (n int) {
	t.Helper()
	if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func appendRows(ctx context.Context, tx *Tx, lo, n int) error {
	ids, ns, bigs, ts := make([]string, n), make([]int32, n), make([]int64, n), make([]time.Time, n)
	base := time.Date(2026, 12, 7, 10, 0, 0, 123_456_000, time.UTC)
	for i := range n {
		ids[i], ns[i], bigs[i], ts[i] = fmt.Sprintf("row-%05d", lo+i), int32(lo+i), int64(lo+i)<<33, base.Add(time.Duration(lo+i)*time.Second)
	}
	return tx.Append(ctx, "t", []string{"id", "n", "big", "ts"}, n, ids, ns, bigs, ts)
}

// TestTxAppendCommitsWithStatements: appended rows and rows written by a
// statement in the same transaction are committed together, each value in
// its column, the missing column at its default, and the transaction sees
// its own appended rows before the commit.
func TestTxAppendCommitsWithStatements(t *testing.T) {
	db := openAppendDB(t)
	ctx := context.Background()
	tx, err := Begin(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := appendRows(ctx, tx, 0, 3000); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO t VALUES ('row-00007', -7, 0, NULL, 'replaced')"); err != nil {
		t.Fatal(err)
	}
	var inTx int
	rows, err := tx.QueryContext(ctx, "SELECT count(*) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		if err := rows.Scan(&inTx); err != nil {
			t.Fatal(err)
		}
	}
	rows.Close()
	if inTx != 3000 {
		t.Fatalf("the transaction sees %d rows, want 3000", inTx)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db); n != 3000 {
		t.Fatalf("%d rows committed, want 3000", n)
	}
	var (
		n    int32
		big  int64
		ts   time.Time
		note string
	)
	if err := db.QueryRow("SELECT n, big, ts, note FROM t WHERE id = 'row-02999'").Scan(&n, &big, &ts, &note); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 7, 10, 0, 0, 123_456_000, time.UTC).Add(2999 * time.Second)
	if n != 2999 || big != 2999<<33 || !ts.Equal(want) || note != "none" {
		t.Fatalf("row-02999 = %d %d %v %q", n, big, ts, note)
	}
	if err := db.QueryRow("SELECT note FROM t WHERE id = 'row-00007'").Scan(&note); err != nil || note != "replaced" {
		t.Fatalf("row-00007 note %q, %v", note, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatalf("a rollback after the commit: %v", err)
	}
}

// TestTxRollbackDropsAppendedRows: what was appended in a transaction
// that rolls back is gone, and the connection goes back usable.
func TestTxRollbackDropsAppendedRows(t *testing.T) {
	db := openAppendDB(t)
	db.SetMaxOpenConns(1) // the next transaction takes the same connection
	ctx := context.Background()
	tx, err := Begin(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := appendRows(ctx, tx, 0, 100); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db); n != 0 {
		t.Fatalf("%d rows after the rollback, want 0", n)
	}
	commitRows(t, db, 0, 10)
	if n := countRows(t, db); n != 10 {
		t.Fatalf("%d rows, want 10", n)
	}
}

// TestTxAppendRefusesAKeyTwice: appending a row whose key is stored fails,
// and the transaction rolls back whole.
func TestTxAppendRefusesAKeyTwice(t *testing.T) {
	db := openAppendDB(t)
	ctx := context.Background()
	commitRows(t, db, 0, 10)
	tx, err := Begin(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := appendRows(ctx, tx, 10, 5); err != nil {
		t.Fatal(err)
	}
	err = appendRows(ctx, tx, 9, 1)
	if err == nil || !strings.Contains(err.Error(), "append to t") {
		t.Fatalf("appending a stored key: %v", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db); n != 10 {
		t.Fatalf("%d rows, want the 10 committed before", n)
	}
}

// TestTxAppendChecksColumns: columns of different lengths or an unknown
// type are refused before anything is written.
func TestTxAppendChecksColumns(t *testing.T) {
	db := openAppendDB(t)
	ctx := context.Background()
	tx, err := Begin(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.Append(ctx, "t", []string{"id", "n"}, 2, []string{"a", "b"}, []int32{1}); err == nil {
		t.Fatal("columns of different lengths were taken")
	}
	if err := tx.Append(ctx, "t", []string{"id", "n"}, 1, []string{"a"}, []float64{1}); err == nil {
		t.Fatal("a column of float64 was taken")
	}
	if err := tx.Append(ctx, "t", []string{"id"}, 1, []string{"a"}, []int32{1}); err == nil {
		t.Fatal("more columns than names were taken")
	}
}

// commitRows appends rows from..from+n to t in a transaction of their own
// and commits it.
func commitRows(t *testing.T, db *sql.DB, from, n int) {
	t.Helper()
	ctx := context.Background()
	tx, err := Begin(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := appendRows(ctx, tx, from, n); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
