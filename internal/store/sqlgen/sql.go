package sqlgen

import (
	"fmt"
	"strings"
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
			panic(fmt.Sprintf("sqlgen: cat of a %T", p))
		}
	}
	return frag{sql: b.String(), args: args}
}

// inline returns the text of f with each ? replaced by the literal of the
// next argument (for a dialect without query parameters). The text is the
// compiler's own, its names quoted so that they hold no '?': every ? is a
// placeholder.
func inline(d Dialect, f frag) string {
	if len(f.args) == 0 {
		return f.sql
	}
	var b strings.Builder
	i := 0
	for _, r := range f.sql {
		if r == '?' && i < len(f.args) {
			b.WriteString(d.literal(f.args[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	if i != len(f.args) {
		panic(fmt.Sprintf("sqlgen: %d arguments for %d placeholders in %q", len(f.args), i, f.sql))
	}
	return b.String()
}
