package sqlrows

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Execer runs a statement: a *sql.Tx or a *Tx.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// InsertColumns runs head followed by one SELECT that unnests one list
// parameter per column into rows, in tx: "head SELECT c0, c1, … FROM
// (SELECT unnest(?::T0[]) c0, … , unnest(range(n)) o) ORDER BY o". types
// are the columns' DuckDB types and cols their values, each a slice of
// the same length n. A statement's preparation costs DuckDB time in
// proportion to its parameters, so Insert's 100 rows of 10 values pay for
// 1,000 of them, about 0.25 ms per row; here a batch of any size pays for
// one per column (about 0.03 ms per row at 10,000 rows). The ORDER BY keeps
// the rows in the order given, for columns that take a sequence's values.
// As with Insert, the rows of one call must not share a key of the table.
func InsertColumns(ctx context.Context, tx Execer, head string, n int, types []string, cols ...any) error {
	if n == 0 {
		return nil
	}
	if len(types) != len(cols) {
		return fmt.Errorf("insert columns: %d types for %d columns", len(types), len(cols))
	}
	var sel, from strings.Builder
	for i, t := range types {
		if i > 0 {
			sel.WriteString(", ")
		}
		fmt.Fprintf(&sel, "c%d", i)
		fmt.Fprintf(&from, "unnest(?::%s[]) c%d, ", t, i)
	}
	q := head + " SELECT " + sel.String() + " FROM (SELECT " + from.String() + "unnest(range(?)) o) ORDER BY o"
	_, err := tx.ExecContext(ctx, q, append(cols, int64(n))...)
	return err
}
