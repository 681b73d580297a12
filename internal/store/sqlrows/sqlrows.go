// Package sqlrows owns the batched INSERTs that the store's side tables in
// DuckDB (alerts, incidents) write with. DuckDB spends about as long on a
// statement of one row as on one of a hundred, so Insert sends rows a
// hundred to a statement: one row at a time capped the alerts table at a
// few hundred rows per second (internal/store/alerts' BenchmarkWriteAlerts).
// Preparing a statement still costs in proportion to its parameters, so
// InsertColumns (columns.go) sends a whole batch as one list per column,
// and Tx.Append (append.go) appends new rows with DuckDB's appender, the
// cheapest of the three.
package sqlrows

import (
	"context"
	"database/sql"
	"strings"
)

// PerStatement bounds the rows of one INSERT.
const PerStatement = 100

// Placeholders returns n comma-separated ? placeholders.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// Insert runs head VALUES (...), (...) over rows, PerStatement at a time,
// in tx. head is the statement before VALUES, such as
// "INSERT OR REPLACE INTO t (a, b)". Every row has the same number of
// values; the rows of one call must not share a key of the table: within
// one statement, DuckDB's INSERT OR REPLACE keeps the first row of a key.
func Insert(ctx context.Context, tx *sql.Tx, head string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), PerStatement)
		tuple := "(" + Placeholders(len(rows[0])) + ")"
		var q strings.Builder
		q.WriteString(head)
		q.WriteString(" VALUES ")
		args := make([]any, 0, n*len(rows[0]))
		for i, r := range rows[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(tuple)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
