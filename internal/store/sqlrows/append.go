package sqlrows

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Tx is a transaction on one connection of a DuckDB database in which new
// rows can be appended with DuckDB's appender (Append) as well as written
// by statements. database/sql's Tx hides its connection, and an appender
// needs one: so the transaction is BEGIN and COMMIT run on a connection
// held for it.
//
// Appending is the cheapest way into a table: InsertColumns' list
// parameters cost the driver a DuckDB value per element and DuckDB an
// unnest; an appender writes the values into its vectors (BenchmarkInsert,
// 45,000 alert-shaped rows: 0.80 CPU-s against 1.28, medians of 3; the
// alert table's BenchmarkWriteAlerts went from 2.92 to 2.03 CPU-s for
// 100,000 alerts). An appended row that
// breaks a key fails the whole Append, so only rows known to be new are
// appended.
type Tx struct {
	conn *sql.Conn
	done bool
}

// Begin starts a transaction on a connection of db.
func Begin(ctx context.Context, db *sql.DB) (*Tx, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("take a connection: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{conn: conn}, nil
}

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.conn.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.conn.QueryContext(ctx, query, args...)
}

// Commit commits the transaction and gives the connection back.
func (t *Tx) Commit() error {
	if t.done {
		return errors.New("commit: the transaction is over")
	}
	t.done = true
	if _, err := t.conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		t.discard()
		return fmt.Errorf("commit: %w", err)
	}
	return t.conn.Close()
}

// Rollback rolls the transaction back unless it is over (a deferred
// Rollback after Commit does nothing) and gives the connection back.
func (t *Tx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	if _, err := t.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.discard()
		return fmt.Errorf("roll back: %w", err)
	}
	return t.conn.Close()
}

// discard closes the connection for good: a connection whose transaction
// did not end must not go back to the pool with it open.
func (t *Tx) discard() {
	_ = t.conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = t.conn.Close()
}

// Append appends n rows to table through DuckDB's appender: cols are the
// values of the named columns, each a slice of n ([]string, []int32,
// []int64 or []time.Time); the other columns take their defaults, which
// must be constants. A row that breaks a key of the table fails the
// Append (and leaves the transaction to roll back).
func (t *Tx) Append(ctx context.Context, table string, columns []string, n int, cols ...any) error {
	if n == 0 {
		return nil
	}
	if len(columns) != len(cols) {
		return fmt.Errorf("append to %s: %d columns named for %d given", table, len(columns), len(cols))
	}
	for i, c := range cols {
		l := colLen(c)
		if l < 0 {
			return fmt.Errorf("append to %s: column %s of type %T: want []string, []int32, []int64 or []time.Time", table, columns[i], c)
		}
		if l != n {
			return fmt.Errorf("append to %s: column %s has %d values, want %d", table, columns[i], l, n)
		}
	}
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("append to %s: connection of type %T", table, dc)
		}
		a, err := duckdb.NewAppenderWithColumns(c, "", "", table, columns)
		if err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
		row := make([]driver.Value, len(cols))
		for i := range n {
			if i%1024 == 0 && ctx.Err() != nil {
				_ = a.Close()
				return fmt.Errorf("append to %s: %w", table, ctx.Err())
			}
			for j, col := range cols {
				row[j] = colValue(col, i)
			}
			if err := a.AppendRow(row...); err != nil {
				_ = a.Close()
				return fmt.Errorf("append to %s: %w", table, err)
			}
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("append to %s: %w", table, err)
		}
		return nil
	})
}

func colLen(col any) int {
	switch v := col.(type) {
	case []string:
		return len(v)
	case []int32:
		return len(v)
	case []int64:
		return len(v)
	case []time.Time:
		return len(v)
	}
	return -1
}

func colValue(col any, i int) driver.Value {
	switch v := col.(type) {
	case []string:
		return v[i]
	case []int32:
		return v[i]
	case []int64:
		return v[i]
	case []time.Time:
		return v[i]
	}
	return nil
}
