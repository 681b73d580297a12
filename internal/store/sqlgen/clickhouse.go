package sqlgen

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
)

// ClickHouse is the dialect of the ClickHouse store, kept to what
// ClickHouse 18.16 (Debian's) understands:
//
//   - No server-side query parameters: values are literals in the text,
//     all written by CHLiteral and CHString (one function, fuzzed).
//     Names are backquoted identifiers.
//   - No ILIKE, and match() ignores (?i) when the pattern has a literal
//     part: case-insensitive equality is lowerUTF8(col) = lower(value),
//     patterns are anchored match() over lowerUTF8(col).
//   - Full-text terms: position()/positionCaseInsensitive() first, then a
//     match() with token boundaries.
//   - IPv4 CIDR: startsWith on the fixed octets and an anchored regular
//     expression; IPv6 CIDR: hex(IPv6StringToNum(col)) between the bounds,
//     guarded by a match() of the IPv6 text form (IPv6StringToNum reads
//     garbage as ::).
//   - No GROUP BY positions: stats group by the expressions, timechart by
//     its alias. count() is UInt64 and is cast to Int64. sum of Int64 wraps
//     on overflow.
//   - LIMIT offset, n rather than LIMIT … OFFSET.
//   - 18.16 drops a subquery's columns the outer query does not read,
//     aggregates included: an aggregating subquery gets HAVING NOT
//     ignore(…) of its columns (keepColumns).
//   - A bare integer literal takes the smallest type that holds it
//     (3600000000 is a UInt32): timechart spans are toInt64(…).
//
// Times are Int64 Unix microseconds (18.16 has no DateTime64).
var ClickHouse Dialect = clickHouse{}

type clickHouse struct{}

func (clickHouse) name() string { return "clickhouse" }

func (clickHouse) quoteIdent(name string) string { return CHIdent(name) }

// timeArg is a time as the store keeps it: Unix microseconds.
func (clickHouse) timeArg(t time.Time) frag {
	return frag{sql: strconv.FormatInt(t.UnixMicro(), 10)}
}

func (clickHouse) boolLit(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

func (clickHouse) notNullable(p frag) frag { return cat("NOT coalesce(", p, ", 0)") }

func (clickHouse) toText(col string) string  { return "toString(" + col + ")" }
func (clickHouse) toFloat(col string) string { return "toFloat64OrNull(" + col + ")" }

func (clickHouse) listNotEmpty(col string) pred { return rowPred(fragOf("notEmpty(" + col + ")")) }

func (clickHouse) listExists(col string, p frag) frag {
	return cat("arrayExists(vigil_e -> ", p, ", "+col+")")
}

func (clickHouse) listHasFold(col string) string {
	return "has(arrayMap(vigil_e -> lowerUTF8(vigil_e), " + col + "), lowerUTF8(?))"
}

func (clickHouse) listHas(col string) string { return "has(" + col + ", ?)" }

func (clickHouse) existsList(col string) pred { return rowPred(fragOf("notEmpty(" + col + ")")) }

func (clickHouse) boolMatch(col string, want bool) pred {
	if want {
		return colPred(fragOf(col+" = 1"), col)
	}
	return colPred(fragOf(col+" = 0"), col)
}

func (clickHouse) startsWith(col string) string { return "startsWith(" + col + ", ?)" }
func (clickHouse) regexMatch(col string) string { return "match(" + col + ", ?)" }

// ip4Num is the IPv4 address in a string column as a number, or NULL when
// the text is not one (IPv4StringToNum alone reads garbage as 0).
func (clickHouse) ip4Num(col string) string {
	re := CHString(`^` + ipv4Octet + `\.` + ipv4Octet + `\.` + ipv4Octet + `\.` + ipv4Octet + `$`)
	return "if(match(" + col + ", " + re + "), toNullable(toInt64(IPv4StringToNum(" + col + "))), NULL)"
}

// ip6Num is the IPv6 address in a string column as 32 upper-case hex
// digits (which sort as the addresses do), or NULL when the text is not
// one: IPv6StringToNum reads an IPv4 address or garbage as ::.
func (clickHouse) ip6Num(col string) string {
	re := CHString("^" + ipv6Pattern + "$")
	return "if(match(lowerUTF8(" + col + "), " + re + "), toNullable(hex(IPv6StringToNum(" + col + "))), NULL)"
}

// ip6Value is an IPv6 address as ip6Num writes it.
func (clickHouse) ip6Value(a netip.Addr) string { return strings.ToUpper(ip6Hex(a)) }

// ip6FirstGroup matches lower-cased text: (?i) does not work in 18.16's
// match().
func (clickHouse) ip6FirstGroup(col, h string) pred {
	return rowPred(fragOf("match(lowerUTF8("+col+"), ?)", ip6FirstGroupRE(h)))
}

func (clickHouse) foldedText(col string) (string, string, bool) {
	return "lowerUTF8(" + col + ")", "", true
}

func (clickHouse) containsExact(col, term string) frag {
	return fragOf("position("+col+", ?) > 0", term)
}

func (clickHouse) containsFold(col, term string) frag {
	return fragOf("positionCaseInsensitive("+col+", ?) > 0", term)
}

func (clickHouse) equalFold(col, v string) pred {
	return colPred(fragOf("lowerUTF8("+col+") = ?", strings.ToLower(v)), col)
}

// like compiles a pattern over the whole value: an anchored regular
// expression (match), over the lower-cased text when fold is set.
// ClickHouse 18.16 has no ILIKE, and its match() ignores (?i).
func (clickHouse) like(col string, segs []query.Segment, fold bool) pred {
	subject := col
	if fold {
		subject = "lowerUTF8(" + col + ")"
	}
	var re strings.Builder
	re.WriteString("(?s)^")
	for _, seg := range segs {
		switch seg.Wild {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			text := seg.Text
			if fold {
				text = strings.ToLower(text)
			}
			re.WriteString(regexp.QuoteMeta(text))
		}
	}
	re.WriteString("$")
	return colPred(fragOf("match("+subject+", ?)", re.String()), col)
}

func (clickHouse) countAll() string { return "count()" }

// agg returns the SQL of an aggregate and the type of its result. Over a
// field the rows lack, counts are 0 and the others null.
func (clickHouse) agg(a query.Agg, col string, typ query.Type, ok bool) (string, query.Type) {
	if a.Func == query.Count && a.Field == "" {
		return "toInt64(count())", query.TypeInt
	}
	switch a.Func {
	case query.Count:
		if !ok {
			return "toInt64(0)", query.TypeInt
		}
		if typ == query.TypeList {
			return "toInt64(countIf(notEmpty(" + col + ")))", query.TypeInt
		}
		return "toInt64(count(" + col + "))", query.TypeInt
	case query.DistinctCount:
		if !ok {
			return "toInt64(0)", query.TypeInt
		}
		if typ == query.TypeList {
			return "toInt64(uniqExactIf(" + col + ", notEmpty(" + col + ")))", query.TypeInt
		}
		return "toInt64(uniqExact(" + col + "))", query.TypeInt
	}
	if !ok {
		return "NULL", 0
	}
	switch a.Func {
	case query.Min, query.Max:
		return a.Func.String() + "(" + col + ")", typ
	case query.Avg:
		switch typ {
		case query.TypeInt, query.TypeFloat:
			return "avg(" + col + ")", query.TypeFloat
		case query.TypeTime:
			return "toInt64(avg(" + col + "))", query.TypeTime
		case query.TypeString:
			return "avg(toFloat64OrNull(" + col + "))", query.TypeFloat
		}
	case query.Sum:
		switch typ {
		case query.TypeInt:
			// ClickHouse sums Int64 into Int64: an overflow wraps (the
			// DuckDB store reports an error instead).
			return "sum(" + col + ")", query.TypeInt
		case query.TypeBool:
			return "toInt64(sum(" + col + "))", query.TypeInt
		case query.TypeFloat:
			return "sum(" + col + ")", query.TypeFloat
		case query.TypeString:
			return "sum(toFloat64OrNull(" + col + "))", query.TypeFloat
		}
	case query.Values:
		// Sorted in the field's own order, then as text like list columns.
		switch typ {
		case query.TypeList:
			return "arraySort(groupUniqArrayArray(" + col + "))", query.TypeList
		case query.TypeBool:
			return "arrayMap(vigil_e -> if(vigil_e = 1, 'true', 'false'), arraySort(groupUniqArray(" + col + ")))", query.TypeList
		case query.TypeTime:
			return "arrayMap(vigil_e -> concat(replaceOne(toString(toDateTime(intDiv(vigil_e, 1000000), 'UTC')), ' ', 'T'), 'Z'), arraySort(groupUniqArray(" + col + ")))", query.TypeList
		}
		return "arrayMap(vigil_e -> toString(vigil_e), arraySort(groupUniqArray(" + col + ")))", query.TypeList
	}
	return "NULL", 0
}

// bucket: integer arithmetic on the microseconds the store keeps; the
// double modulo rounds times before 1970 down too. toInt64: a bare
// 3600000000 is a UInt32, and the remainder of an Int64 by it has a
// narrower type that wraps.
func (clickHouse) bucket(ts string, span time.Duration) string {
	n := "toInt64(" + strconv.FormatInt(span.Microseconds(), 10) + ")"
	return "(" + ts + " - ((" + ts + " % " + n + ") + " + n + ") % " + n + ")"
}

func (clickHouse) groupByPosition() bool { return false }
func (clickHouse) pageTimes() bool       { return false }
func (clickHouse) keepColumns() bool     { return true }
func (clickHouse) nullColumns() bool     { return true }
func (clickHouse) inline() bool          { return true }

func (clickHouse) literal(v any) string { return CHLiteral(v) }

// limit writes LIMIT offset, n: the form every ClickHouse version reads.
func (clickHouse) limit(limit, offset int64) string {
	switch {
	case limit >= 0 && offset > 0:
		return " LIMIT " + strconv.FormatInt(offset, 10) + ", " + strconv.FormatInt(limit, 10)
	case limit >= 0:
		return " LIMIT " + strconv.FormatInt(limit, 10)
	case offset > 0:
		// ClickHouse needs a limit with an offset.
		return " LIMIT " + strconv.FormatInt(offset, 10) + ", 18446744073709551615"
	}
	return ""
}

// CHLiteral writes a value as a ClickHouse literal: a string (quoted by
// CHString), an int64, a float64 or a bool.
func CHLiteral(v any) string {
	switch x := v.(type) {
	case string:
		return CHString(x)
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
	panic(fmt.Sprintf("sqlgen: literal of a %T", v))
}

// CHString quotes s as a ClickHouse string literal: in single quotes,
// with backslash and quote escaped (\\, \') and every control byte and
// '?' as \xHH. Other bytes, invalid UTF-8 included, stand for themselves.
// No literal holds a '?', which inline reads as a placeholder. This is the
// only function that writes a value into SQL text (FuzzCHString).
func CHString(s string) string { return quote(s, '\'') }

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

// CHIdent quotes a column name as a ClickHouse identifier: in
// backquotes, escaped as QuoteString escapes literals (CHString).
func CHIdent(name string) string { return quote(name, '`') }
