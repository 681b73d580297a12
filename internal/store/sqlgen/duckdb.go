package sqlgen

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
)

// DuckDB is the dialect of the embedded store: values are bound ?
// arguments, IP addresses go through the macros of DuckDBSetup, and each
// form below was measured on 1M rows (the package doc has the figures).
var DuckDB Dialect = duckDB{}

type duckDB struct{}

func (duckDB) name() string { return "duckdb" }

// quoteIdent quotes a column name as a DuckDB identifier.
func (duckDB) quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// timeArg is a time as a query argument: Unix microseconds, which
// make_timestamp turns into a TIMESTAMP. A time.Time argument would bind as
// TIMESTAMP WITH TIME ZONE and convert through the session's time zone.
func (duckDB) timeArg(t time.Time) frag {
	return fragOf("make_timestamp(?)", t.UnixMicro())
}

func (duckDB) boolLit(v bool) string { return strconv.FormatBool(v) }

func (duckDB) notNullable(p frag) frag { return cat("NOT COALESCE(", p, ", false)") }

func (duckDB) toText(col string) string  { return "CAST(" + col + " AS VARCHAR)" }
func (duckDB) toFloat(col string) string { return "TRY_CAST(" + col + " AS DOUBLE)" }

func (duckDB) listNotEmpty(col string) pred { return rowPred(fragOf("len(" + col + ") > 0")) }

func (duckDB) listExists(col string, p frag) frag {
	return cat("list_bool_or(list_transform("+col+", lambda vigil_e: ", p, "))")
}

// listHasFold: list_contains over lower-cased items measured 67 ms per
// million rows, an ILIKE in a lambda 160 ms.
func (duckDB) listHasFold(col string) string {
	return "list_contains(list_transform(" + col + ", lambda vigil_e: lower(vigil_e)), lower(?))"
}

func (duckDB) listHas(col string) string { return "list_contains(" + col + ", ?)" }

func (duckDB) existsList(col string) pred { return colPred(fragOf("len("+col+") > 0"), col) }

func (duckDB) boolMatch(col string, want bool) pred {
	if want {
		return rowPred(fragOf(col))
	}
	return rowPred(fragOf("NOT " + col))
}

func (duckDB) startsWith(col string) string { return "starts_with(" + col + ", ?)" }
func (duckDB) regexMatch(col string) string { return "regexp_matches(" + col + ", ?)" }

func (duckDB) ip4Num(col string) string { return "vigil_ip4(" + col + ")" }
func (duckDB) ip6Num(col string) string { return "vigil_ip6(" + col + ")" }

// ip6Value is an IPv6 address as vigil_ip6 writes it.
func (duckDB) ip6Value(a netip.Addr) string { return ip6Hex(a) }

func (d duckDB) ip6FirstGroup(col, h string) pred {
	return rowPred(fragOf(d.regexMatch(col), "(?i)"+ip6FirstGroupRE(h)))
}

func (duckDB) foldedText(col string) (string, string, bool) { return col, "(?i)", false }

// containsExact and containsFold measured 45 and 100 ms per million rows.
func (duckDB) containsExact(col, term string) frag {
	return fragOf("contains("+col+", ?)", term)
}

func (duckDB) containsFold(col, term string) frag {
	return fragOf("contains(lower("+col+"), ?)", strings.ToLower(term))
}

func (d duckDB) equalFold(col, v string) pred {
	return d.like(col, []query.Segment{{Text: v}}, true)
}

// like compiles a LIKE (or, with fold, ILIKE) of segments. DuckDB runs
// ILIKE with a constant pattern at 15-25 ms per million rows, but with an
// ESCAPE clause at 120-130 ms; so the pattern goes without one, its literal
// % and _ left as wildcards, and only when there are such characters does
// the exact pattern, with ESCAPE, check the rows the loose one let through.
func (duckDB) like(col string, segs []query.Segment, fold bool) pred {
	op := " LIKE "
	if fold {
		op = " ILIKE "
	}
	var loose, exact strings.Builder
	escaped := false
	for _, seg := range segs {
		switch seg.Wild {
		case '*':
			loose.WriteByte('%')
			exact.WriteByte('%')
		case '?':
			loose.WriteByte('_')
			exact.WriteByte('_')
		default:
			loose.WriteString(seg.Text)
			e := likeEscape(seg.Text)
			exact.WriteString(e)
			escaped = escaped || strings.ContainsAny(seg.Text, "%_")
		}
	}
	p := colPred(fragOf(col+op+"?", loose.String()), col)
	if !escaped {
		return p
	}
	return andPreds(p, colPred(fragOf(col+op+"? ESCAPE '\\'", exact.String()), col))
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func likeEscape(s string) string { return likeEscaper.Replace(s) }

func (duckDB) countAll() string { return "count(*)" }

// agg returns the SQL of an aggregate and the type of its result. Over a
// field the rows lack, counts are 0 and the others null.
func (duckDB) agg(a query.Agg, col string, typ query.Type, ok bool) (string, query.Type) {
	if a.Func == query.Count && a.Field == "" {
		return "count(*)", query.TypeInt
	}
	switch a.Func {
	case query.Count:
		if !ok {
			return "CAST(0 AS BIGINT)", query.TypeInt
		}
		return "count(" + col + ")", query.TypeInt
	case query.DistinctCount:
		if !ok {
			return "CAST(0 AS BIGINT)", query.TypeInt
		}
		return "count(DISTINCT " + col + ")", query.TypeInt
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
			return "make_timestamp(CAST(avg(epoch_us(" + col + ")) AS BIGINT))", query.TypeTime
		case query.TypeString:
			return "avg(TRY_CAST(" + col + " AS DOUBLE))", query.TypeFloat
		}
	case query.Sum:
		switch typ {
		case query.TypeInt:
			// DuckDB sums BIGINT into HUGEINT; an overflow of BIGINT is an
			// error, not a wrong number.
			return "CAST(sum(" + col + ") AS BIGINT)", query.TypeInt
		case query.TypeBool:
			return "CAST(sum(CAST(" + col + " AS BIGINT)) AS BIGINT)", query.TypeInt
		case query.TypeFloat:
			return "sum(" + col + ")", query.TypeFloat
		case query.TypeString:
			return "sum(TRY_CAST(" + col + " AS DOUBLE))", query.TypeFloat
		}
	case query.Values:
		// Sorted in the field's own order, then as text like list columns.
		if typ == query.TypeList {
			return "list_sort(list_distinct(flatten(list(" + col + "))))", query.TypeList
		}
		// Nulls go after the aggregation: a FILTER clause on it cost 40%.
		return "list_transform(list_filter(list_sort(list(DISTINCT " + col + ")), lambda vigil_e: vigil_e IS NOT NULL), lambda vigil_e: CAST(vigil_e AS VARCHAR))", query.TypeList
	}
	return "NULL", 0
}

// bucket: integer arithmetic on the microseconds ran in half the time of
// time_bucket with an origin; the double modulo rounds times before 1970
// down too.
func (duckDB) bucket(ts string, span time.Duration) string {
	us := "epoch_us(" + ts + ")"
	n := strconv.FormatInt(span.Microseconds(), 10)
	return "make_timestamp(" + us + " - ((" + us + " % " + n + ") + " + n + ") % " + n + ")"
}

func (duckDB) groupByPosition() bool { return true }
func (duckDB) pageTimes() bool       { return true }
func (duckDB) keepColumns() bool     { return false }
func (duckDB) nullColumns() bool     { return false }
func (duckDB) inline() bool          { return false }

func (duckDB) literal(v any) string { panic("sqlgen: duckdb binds values as arguments") }

func (duckDB) limit(limit, offset int64) string {
	var s string
	if limit >= 0 {
		s = " LIMIT " + strconv.FormatInt(limit, 10)
	}
	if offset > 0 {
		s += " OFFSET " + strconv.FormatInt(offset, 10)
	}
	return s
}

// DuckDBSetup are the statements a store runs on every new DuckDB connection
// before it runs compiled queries (in the connector's init function): the
// macros the SQL uses. DuckDB's inet extension would do this work, but
// nothing may be downloaded, so IP addresses, which the store keeps as
// canonical text, are handled by these macros and by regular expressions.
// They are temporary (per connection) so that they never enter a database
// file.
//
//   - vigil_ip4(s): the IPv4 address in s as a BIGINT, or NULL.
//   - vigil_ip6(s): the IPv6 address in s as 32 lower-case hex digits
//     (which sort as the addresses do), or NULL.
var DuckDBSetup = []string{
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip4(s) AS CASE WHEN regexp_matches(s, '^` + ipv4Octet + `\.` + ipv4Octet + `\.` + ipv4Octet + `\.` + ipv4Octet + `$') ` +
		`THEN (CAST(split_part(s, '.', 1) AS BIGINT) << 24) + (CAST(split_part(s, '.', 2) AS BIGINT) << 16) + (CAST(split_part(s, '.', 3) AS BIGINT) << 8) + CAST(split_part(s, '.', 4) AS BIGINT) END`,
	// The steps of vigil_ip6: make a leading or trailing "::" inner,
	// replace "::" by the zero groups it stands for, pad every group to
	// four digits and drop the colons.
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip6_inner(s) AS ` +
		`CASE WHEN starts_with(s, '::') THEN '0' || s ELSE s END || CASE WHEN ends_with(s, '::') THEN '0' ELSE '' END`,
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip6_expand(s) AS ` +
		`replace(s, '::', ':' || repeat('0:', 8 - (length(s) - length(replace(s, ':', '')))))`,
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip6_pad(s) AS ` +
		`replace(regexp_replace(regexp_replace(regexp_replace(s, '\b([0-9a-f]{3})\b', '0\1', 'g'), '\b([0-9a-f]{2})\b', '00\1', 'g'), '\b([0-9a-f])\b', '000\1', 'g'), ':', '')`,
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip6(s) AS CASE WHEN contains(s, ':') AND regexp_full_match(s, '(?i)` + ipv6Pattern + `') ` +
		`THEN vigil_ip6_pad(vigil_ip6_expand(vigil_ip6_inner(lower(s)))) END`,
}
