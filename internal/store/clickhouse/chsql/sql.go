package chsql

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// frag is SQL text. ClickHouse 18.16 has no server-side query parameters,
// so every value is written into the text as a literal by fragOf, the one
// place that does it: the compiler's own text has a ? where a value goes.
type frag struct {
	sql string
}

// fragOf returns the text with each ? replaced by the literal of the next
// argument (Literal). The text is the compiler's own and has no other ?.
func fragOf(sql string, args ...any) frag {
	if len(args) == 0 {
		return frag{sql: sql}
	}
	var b strings.Builder
	i := 0
	for _, r := range sql {
		if r == '?' && i < len(args) {
			b.WriteString(Literal(args[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	if i != len(args) {
		panic(fmt.Sprintf("chsql: %d arguments for %d placeholders in %q", len(args), i, sql))
	}
	return frag{sql: b.String()}
}

// Literal writes a value as a ClickHouse literal: a string (quoted by
// QuoteString), an int64, a float64 or a bool.
func Literal(v any) string {
	switch x := v.(type) {
	case string:
		return QuoteString(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		switch {
		case math.IsNaN(x):
			return "nan"
		case math.IsInf(x, 1):
			return "inf"
		case math.IsInf(x, -1):
			return "-inf"
		}
		return "toFloat64(" + strconv.FormatFloat(x, 'g', -1, 64) + ")"
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	panic(fmt.Sprintf("chsql: literal of a %T", v))
}

// QuoteString quotes s as a ClickHouse string literal: in single quotes,
// with backslash and quote escaped (\\, \') and every control byte and
// '?' as \xHH. Other bytes, invalid UTF-8 included, stand for themselves.
// No literal holds a '?', which fragOf reads as a placeholder. This is the
// only function that writes a value into SQL text (FuzzQuoteString).
func QuoteString(s string) string { return quote(s, '\'') }

func quote(s string, q byte) string {
	const hexDigits = "0123456789abcdef"
	b := make([]byte, 0, len(s)+2)
	b = append(b, q)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == q:
			b = append(b, '\\', c)
		case c < 0x20 || c == 0x7f || c == '?':
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		default:
			b = append(b, c)
		}
	}
	return string(append(b, q))
}

// join joins fragments with a separator.
func join(fs []frag, sep string) frag {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(f.sql)
	}
	return frag{sql: b.String()}
}

// cat concatenates fragments and plain text: each part is a frag or a string.
func cat(parts ...any) frag {
	var b strings.Builder
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			b.WriteString(p)
		case frag:
			b.WriteString(p.sql)
		default:
			panic(fmt.Sprintf("chsql: cat of a %T", p))
		}
	}
	return frag{sql: b.String()}
}

// QuoteIdent quotes a column name as a ClickHouse identifier: in
// backquotes, escaped as QuoteString escapes literals.
func QuoteIdent(name string) string { return quote(name, '`') }

func quoteIdent(name string) string { return QuoteIdent(name) }

// timeArg is a time as the stores keeps it: Unix microseconds (Int64), since
// ClickHouse 18.16 has no DateTime64.
func timeArg(t time.Time) frag {
	return frag{sql: strconv.FormatInt(t.UnixMicro(), 10)}
}
