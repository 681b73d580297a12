package sqlgen

import (
	"net/netip"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
)

// Dialect is the SQL a backend speaks: DuckDB (the embedded store) or
// ClickHouse. The compiler is one; a dialect supplies the spellings and
// the forms that differ, each chosen by measuring on its engine (the
// dialect's file says why).
type Dialect interface {
	// name names the dialect in panics.
	name() string
	// quoteIdent quotes a column name.
	quoteIdent(name string) string
	// timeArg is a time as the store keeps @timestamp.
	timeArg(t time.Time) frag
	// boolLit is the literal of a constant condition.
	boolLit(v bool) string
	// notNullable is NOT of a condition that may be NULL, as two-valued.
	notNullable(p frag) frag
	// toText and toFloat read a column as text and, leniently (NULL when
	// it is not a number), as a float.
	toText(col string) string
	toFloat(col string) string
	// listNotEmpty is true when a list column has items; listExists when
	// the condition p holds for an item (p reads the item as vigil_e).
	listNotEmpty(col string) pred
	listExists(col string, p frag) frag
	// listHas and listHasFold are `some item = ?`, the latter
	// case-insensitively.
	listHas(col string) string
	listHasFold(col string) string
	// existsList is `field:*` on a list column.
	existsList(col string) pred
	// boolMatch is `field:true` or `field:false` on a bool column.
	boolMatch(col string, want bool) pred
	// startsWith and regexMatch test a string column against one ?
	// argument.
	startsWith(col string) string
	regexMatch(col string) string
	// ip4Num is the IPv4 address in a string column as a number (NULL when
	// the text is not one); ip6Num the IPv6 address as a value that sorts
	// as the addresses do, and ip6Value an address as ip6Num writes it.
	ip4Num(col string) string
	ip6Num(col string) string
	ip6Value(a netip.Addr) string
	// ip6FirstGroup checks that an IPv6 address in text starts with the
	// group h (hex, no leading zeros).
	ip6FirstGroup(col, h string) pred
	// foldedText returns what a case-insensitive regular expression over
	// col matches (the column or an expression of it), the flag the
	// expression starts with, and whether the literal text of the
	// expression is lower-cased.
	foldedText(col string) (subject, flag string, lower bool)
	// containsExact and containsFold are substring tests of a full-text
	// term: exact, and case-insensitive for an ASCII term.
	containsExact(col, term string) frag
	containsFold(col, term string) frag
	// equalFold is `col = v` case-insensitively, for a v with letters.
	equalFold(col, v string) pred
	// like matches a whole value against a pattern, case-insensitively
	// when fold is set.
	like(col string, segs []query.Segment, fold bool) pred
	// countAll counts rows; agg is an aggregate over a column of the type
	// typ (ok false: a field the rows lack) and the type of its result.
	countAll() string
	agg(a query.Agg, col string, typ query.Type, ok bool) (string, query.Type)
	// bucket is the start of the timechart bucket of span of the time
	// column ts.
	bucket(ts string, span time.Duration) string
	// groupByPosition: GROUP BY names select positions, not expressions.
	groupByPosition() bool
	// pageTimes: the dialect compiles Query.PageTimesSQL.
	pageTimes() bool
	// keepColumns: an aggregating subquery must read all its columns
	// (see keepColumns), and a count over one selects something.
	keepColumns() bool
	// nullColumns: a table column of no type (a group by a field no event
	// has) is read as a column, not replaced by NULL.
	nullColumns() bool
	// limit writes LIMIT and OFFSET (limit -1: none).
	limit(limit, offset int64) string
	// inline: values are literals in the SQL text, not arguments.
	inline() bool
	// literal writes a value as a literal (when inline).
	literal(v any) string
}
