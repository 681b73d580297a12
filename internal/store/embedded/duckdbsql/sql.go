package duckdbsql

import (
	"fmt"
	"strings"
	"time"
)

// frag is SQL text and the arguments of its ? placeholders, in the order
// they appear. Fragments join by concatenation, so the arguments of a
// statement are always in the order of its text.
type frag struct {
	sql  string
	args []any
}

// fragOf returns a fragment of text with arguments.
func fragOf(sql string, args ...any) frag { return frag{sql: sql, args: args} }

// join joins fragments with a separator.
func join(fs []frag, sep string) frag {
	var b strings.Builder
	var args []any
	for i, f := range fs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(f.sql)
		args = append(args, f.args...)
	}
	return frag{sql: b.String(), args: args}
}

// cat concatenates fragments and plain text: each part is a frag or a string.
func cat(parts ...any) frag {
	var b strings.Builder
	var args []any
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			b.WriteString(p)
		case frag:
			b.WriteString(p.sql)
			args = append(args, p.args...)
		default:
			panic(fmt.Sprintf("duckdbsql: cat of a %T", p))
		}
	}
	return frag{sql: b.String(), args: args}
}

// quoteIdent quotes a column name as a DuckDB identifier.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// timeArg is a time as a query argument: Unix microseconds, which
// make_timestamp turns into a TIMESTAMP. A time.Time argument would bind as
// TIMESTAMP WITH TIME ZONE and convert through the session's time zone.
func timeArg(t time.Time) frag {
	return fragOf("make_timestamp(?)", t.UnixMicro())
}
