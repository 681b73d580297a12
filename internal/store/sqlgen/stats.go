package sqlgen

import (
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
)

// aggregate turns s into a stats: one row per distinct combination of the
// by fields, after the columns in first (a timechart's bucket, whose
// expression is bucketExpr).
func (c *compiler) aggregate(s *stmt, first []frag, bucketExpr string, by []string, aggs []query.Agg) {
	cols := make([]string, 0, len(first)+len(by)+len(aggs))
	types := map[string]query.Type{}
	var selects []frag
	var group, keys []string
	if len(first) > 0 {
		selects = append(selects, first...)
		if c.d.groupByPosition() {
			group = append(group, "1")
		} else {
			// ClickHouse 18.16 has no GROUP BY positions, and an outer
			// query that does not read the alias would drop it: group by
			// the expression.
			group = append(group, bucketExpr)
		}
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
			selects = append(selects, fragOf("NULL AS "+c.d.quoteIdent(f)))
			types[f] = 0
			continue
		}
		sel := col
		if col != c.d.quoteIdent(f) {
			sel += " AS " + c.d.quoteIdent(f) // a field of ExprCatalog
		}
		selects = append(selects, fragOf(sel))
		if c.d.groupByPosition() {
			group = append(group, strconv.Itoa(len(selects)))
		} else {
			group = append(group, col)
		}
		types[f] = typ
	}
	for _, a := range aggs {
		sql, typ := c.agg(s, a)
		selects = append(selects, fragOf(sql+" AS "+c.d.quoteIdent(a.Name())))
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
			s.order = append(s.order, c.d.quoteIdent(k)+" ASC NULLS LAST")
		}
	}
}

// agg returns the SQL of an aggregate and the type of its result. Over a
// field the rows lack, counts are 0 and the others null.
func (c *compiler) agg(s *stmt, a query.Agg) (string, query.Type) {
	var (
		col string
		typ query.Type
		ok  bool
	)
	if a.Field != "" {
		col, typ, ok = c.lookup(s, a.Field)
	}
	return c.d.agg(a, col, typ, ok)
}

// timechart turns s into a timechart: a stats by time bucket.
func (c *compiler) timechart(s *stmt, tc *query.Timechart) {
	span := tc.Span.Truncate(time.Second)
	if span <= 0 {
		span = query.AutoSpan(c.req.Start, c.req.End)
	}
	ts, _, _ := c.lookup(s, event.FieldTimestamp)
	// Buckets start at whole multiples of the span since the Unix epoch
	// (UTC), which every backend can compute the same way (Dialect.bucket).
	bucket := c.d.bucket(ts, span)
	c.aggregate(s, []frag{fragOf(bucket + " AS " + c.d.quoteIdent(query.TimeColumn))}, bucket, tc.By, tc.Aggs)
}
