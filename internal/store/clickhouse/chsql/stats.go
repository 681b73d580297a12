package chsql

import (
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
)

// aggregate turns s into a stats: one row per distinct combination of the
// by fields, after the columns in first (a timechart's bucket).
func (c *compiler) aggregate(s *stmt, first []frag, bucketExpr string, by []string, aggs []query.Agg) {
	cols := make([]string, 0, len(first)+len(by)+len(aggs))
	types := map[string]query.Type{}
	var selects []frag
	var group, keys []string
	if len(first) > 0 {
		selects = append(selects, first...)
		// ClickHouse 18.16 has no GROUP BY positions, and an outer query
		// that does not read the alias would drop it: group by the
		// expression.
		group = append(group, bucketExpr)
		cols = append(cols, query.TimeColumn)
		keys = append(keys, query.TimeColumn)
		types[query.TimeColumn] = query.TypeTime
	}
	for _, f := range by {
		col, typ, ok := c.lookup(s, f)
		cols = append(cols, f)
		keys = append(keys, f)
		if !ok {
			// A field no event has groups by null.
			selects = append(selects, fragOf("NULL AS "+quoteIdent(f)))
			types[f] = 0
			continue
		}
		selects = append(selects, fragOf(col))
		group = append(group, col)
		types[f] = typ
	}
	for _, a := range aggs {
		sql, typ := c.agg(s, a)
		selects = append(selects, fragOf(sql+" AS "+quoteIdent(a.Name())))
		cols = append(cols, a.Name())
		types[a.Name()] = typ
	}
	s.selects, s.groupBy = selects, group
	s.grouped, s.table = true, true
	s.cols, s.types, s.keys = cols, types, keys
	s.proj = nil
	s.order = nil
	for _, k := range keys {
		if types[k] != 0 {
			s.order = append(s.order, quoteIdent(k)+" ASC NULLS LAST")
		}
	}
}

// agg returns the SQL of an aggregate and the type of its result. Over a
// field the rows lack, counts are 0 and the others null.
func (c *compiler) agg(s *stmt, a query.Agg) (string, query.Type) {
	if a.Func == query.Count && a.Field == "" {
		return "toInt64(count())", query.TypeInt
	}
	col, typ, ok := c.lookup(s, a.Field)
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

// timechart turns s into a timechart: a stats by time bucket.
func (c *compiler) timechart(s *stmt, tc *query.Timechart) {
	span := tc.Span.Truncate(time.Second)
	if span <= 0 {
		span = query.AutoSpan(c.req.Start, c.req.End)
	}
	ts, _, _ := c.lookup(s, event.FieldTimestamp)
	// Buckets start at whole multiples of the span since the Unix epoch
	// (UTC), which every backend can compute the same way: integer
	// arithmetic on the microseconds the store keeps; the double modulo
	// rounds times before 1970 down too.
	// toInt64: a bare 3600000000 is a UInt32, and the remainder of an
	// Int64 by it has a narrower type that wraps.
	n := "toInt64(" + strconv.FormatInt(span.Microseconds(), 10) + ")"
	bucket := "(" + ts + " - ((" + ts + " % " + n + ") + " + n + ") % " + n + ")"
	c.aggregate(s, []frag{fragOf(bucket + " AS " + quoteIdent(query.TimeColumn))}, bucket, tc.By, tc.Aggs)
}
