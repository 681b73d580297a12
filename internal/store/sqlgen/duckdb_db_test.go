package sqlgen

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/query"
)

// openDB opens an in-memory DuckDB the way the store does: no extension
// downloads, and DuckDBSetup run on every connection.
func openDB(tb testing.TB) *sql.DB {
	tb.Helper()
	conn, err := duckdb.NewConnector("?autoinstall_known_extensions=false&autoload_known_extensions=false",
		func(ex driver.ExecerContext) error {
			for _, s := range DuckDBSetup {
				if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
					return fmt.Errorf("setup %q: %w", s, err)
				}
			}
			return nil
		})
	if err != nil {
		tb.Fatal(err)
	}
	db := sql.OpenDB(conn)
	tb.Cleanup(func() { db.Close() })
	return db
}

// storeColumns are the columns of the test table, shaped like the store's:
// the envelope, then fields of every stored type.
var storeColumns = []struct {
	name, sqlType string
	typ           query.Type
}{
	{"@timestamp", "TIMESTAMP", query.TypeTime},
	{"event.ingested", "TIMESTAMP", query.TypeTime},
	{"event.id", "VARCHAR", query.TypeString},
	{"vigil.tenant", "VARCHAR", query.TypeString},
	{"vigil.source", "VARCHAR", query.TypeString},
	{"event.original", "VARCHAR", query.TypeString},
	{"message", "VARCHAR", query.TypeString},
	{"user.name", "VARCHAR", query.TypeString},
	{"source.ip", "VARCHAR", query.TypeString},
	{"destination.port", "BIGINT", query.TypeInt},
	{"event.code", "BIGINT", query.TypeInt},
	{"bytes", "BIGINT", query.TypeInt},
	{"score", "DOUBLE", query.TypeFloat},
	{"success", "BOOLEAN", query.TypeBool},
	{"tags", "VARCHAR[]", query.TypeList},
	{"host.name", "VARCHAR", query.TypeString},
	{"process.executable", "VARCHAR", query.TypeString},
	{"related.ip", "VARCHAR[]", query.TypeList},
	{"port.text", "VARCHAR", query.TypeString},
	{"login.time", "TIMESTAMP", query.TypeTime},
}

func storeCatalog() query.MapCatalog {
	cat := query.MapCatalog{}
	for _, c := range storeColumns {
		cat[c.name] = c.typ
	}
	return cat
}

// createTable creates the table ev with the store's columns.
func createTable(tb testing.TB, db *sql.DB) {
	tb.Helper()
	var cols []string
	for _, c := range storeColumns {
		cols = append(cols, DuckDB.quoteIdent(c.name)+" "+c.sqlType)
	}
	if _, err := db.Exec("CREATE TABLE ev (" + strings.Join(cols, ", ") + ")"); err != nil {
		tb.Fatal(err)
	}
}

// insert adds rows to ev; each row maps column names to values. Rows go
// in batches, one statement each: a statement per row costs milliseconds.
func insert(tb testing.TB, db *sql.DB, rows []map[string]any) {
	tb.Helper()
	var names, marks []string
	for _, c := range storeColumns {
		names = append(names, DuckDB.quoteIdent(c.name))
		// A typed placeholder, so that a batch of nulls has a type.
		marks = append(marks, "CAST(? AS "+c.sqlType+")")
	}
	row := "(" + strings.Join(marks, ", ") + ")"
	const batch = 200
	for start := 0; start < len(rows); start += batch {
		end := min(start+batch, len(rows))
		var args []any
		for _, r := range rows[start:end] {
			for _, c := range storeColumns {
				args = append(args, r[c.name])
			}
		}
		q := "INSERT INTO ev (" + strings.Join(names, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", end-start), ", ")
		if _, err := db.Exec(q, args...); err != nil {
			tb.Fatalf("insert rows %d to %d: %v", start, end, err)
		}
	}
}

// run compiles and runs a query and returns its rows, each cell written
// with cell, and the count its CountSQL gives.
func run(tb testing.TB, db *sql.DB, cat query.Catalog, text string, req Request) (rows [][]string, total int64, q *Query) {
	tb.Helper()
	p, err := query.Parse(text)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", text, err)
	}
	q, err = Compile(DuckDB, p, cat, req)
	if err != nil {
		tb.Fatalf("Compile(%q): %v", text, err)
	}
	rs, err := db.Query(q.SQL, q.Args...)
	if err != nil {
		tb.Fatalf("%q: run %s\nargs %#v: %v", text, q.SQL, q.Args, err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	if q.Columns != nil && !slices.Equal(cols, q.Columns) {
		tb.Errorf("%q: the SQL returns columns %q, Columns says %q", text, cols, q.Columns)
	}
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = cell(v)
		}
		rows = append(rows, row)
	}
	if err := rs.Err(); err != nil {
		tb.Fatalf("%q: %v", text, err)
	}
	if err := db.QueryRow(q.CountSQL, q.CountArgs...).Scan(&total); err != nil {
		tb.Fatalf("%q: count %s: %v", text, q.CountSQL, err)
	}
	if fromRows, ok := req.TotalFromRows(len(rows)); ok && fromRows != total {
		tb.Errorf("%q: TotalFromRows(%d) = %d, CountSQL says %d", text, len(rows), fromRows, total)
	}
	return rows, total, q
}

// cell writes a value as the tests compare it.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = cell(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case float64:
		return fmt.Sprintf("%g", v)
	}
	return fmt.Sprint(v)
}
