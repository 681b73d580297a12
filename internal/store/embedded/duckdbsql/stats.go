package duckdbsql

import (
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
)

// aggregate turns s into a stats: one row per distinct combination of the
// by fields, after the columns in first (a timechart's bucket).
func (c *compiler) aggregate(s *stmt, first []frag, by []string, aggs []query.Agg) {
	cols := make([]string, 0, len(first)+len(by)+len(aggs))
	types := map[string]query.Type{}
	var selects []frag
	var group, keys []string
	if len(first) > 0 {
		selects = append(selects, first...)
		group = append(group, "1")
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
		if col != quoteIdent(f) {
			col += " AS " + quoteIdent(f) // a field of ExprCatalog
		}
		selects = append(selects, fragOf(col))
		group = append(group, strconv.Itoa(len(selects)))
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
		return "count(*)", query.TypeInt
	}
	col, typ, ok := c.lookup(s, a.Field)
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

// timechart turns s into a timechart: a stats by time bucket.
func (c *compiler) timechart(s *stmt, tc *query.Timechart) {
	span := tc.Span.Truncate(time.Second)
	if span <= 0 {
		span = query.AutoSpan(c.req.Start, c.req.End)
	}
	ts, _, _ := c.lookup(s, event.FieldTimestamp)
	// Buckets start at whole multiples of the span since the Unix epoch
	// (UTC), which every backend can compute the same way. Integer
	// arithmetic on the microseconds ran in half the time of time_bucket
	// with an origin; the double modulo rounds times before 1970 down too.
	us := "epoch_us(" + ts + ")"
	n := strconv.FormatInt(span.Microseconds(), 10)
	bucket := "make_timestamp(" + us + " - ((" + us + " % " + n + ") + " + n + ") % " + n + ") AS " + quoteIdent(query.TimeColumn)
	c.aggregate(s, []frag{fragOf(bucket)}, tc.By, tc.Aggs)
}
