package duckdbsql

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
)

// Request says what a plan runs against and which rows of its result to
// return.
type Request struct {
	// From is the FROM item the store gives: one relation with the store's
	// columns, already restricted to the tenant, with its alias, such as
	// `(SELECT … UNION ALL BY NAME SELECT … FROM read_parquet([…])) AS ev`.
	// It is written into the SQL as it is.
	From string
	// Tenant is the tenant whose events the query may see; the SQL checks
	// it again.
	Tenant string
	// Start and End bound @timestamp: Start inclusive, End exclusive. A zero
	// time leaves that end open.
	Start, End time.Time
	// Limit is the most rows to return (0: all of them); Offset skips rows
	// first. They page the result, after any head of the query.
	Limit, Offset int64
	// Unordered leaves events in whatever order the scan finds them
	// rather than newest first: a caller reading every row (a rule
	// backtest) spares the sort.
	Unordered bool
}

// TotalFromRows returns how many rows a query has in all when the n rows
// it returned for this request already say so (a page that is not full), so
// that the store need not run CountSQL; false when it must.
func (r Request) TotalFromRows(n int) (int64, bool) {
	switch {
	case n > 0 && (r.Limit == 0 || int64(n) < r.Limit):
		return r.Offset + int64(n), true
	case n == 0 && r.Offset == 0:
		return 0, true
	}
	return 0, false
}

// Query is a compiled plan: the SQL for the rows and the SQL for how many
// rows there are in all, each with its arguments, and what the rows are.
type Query struct {
	SQL  string
	Args []any
	// CountSQL returns one BIGINT: the number of rows the query has without
	// Limit and Offset (for events: the matching events, after any head).
	CountSQL  string
	CountArgs []any
	// PageTimesSQL, when the rows are events in the default order (no
	// sort or head) and Request.Limit is set, returns the @timestamp of
	// each row of the page, newest first, reading only @timestamp and the
	// columns the filters need. A store reads whole events from the times
	// it spans alone (see the package doc); "" otherwise.
	PageTimesSQL  string
	PageTimesArgs []any
	// Shape is events or table.
	Shape query.Shape
	// Columns are the columns of the rows in order, or nil for events with
	// all their fields (SELECT *: the columns of the FROM item).
	Columns []string
}

// Compile compiles a plan to DuckDB SQL over the request's FROM item. The
// catalog says which fields the FROM item has and their types.
func Compile(p *query.Plan, cat query.Catalog, req Request) (*Query, error) {
	switch {
	case p == nil:
		return nil, errors.New("compile query: no plan")
	case cat == nil:
		return nil, errors.New("compile query: no catalog")
	case strings.TrimSpace(req.From) == "":
		return nil, errors.New("compile query: no FROM item")
	case req.Tenant == "":
		return nil, errors.New("compile query: no tenant")
	case req.Limit < 0 || req.Offset < 0:
		return nil, fmt.Errorf("compile query: negative limit %d or offset %d", req.Limit, req.Offset)
	case !req.Start.IsZero() && !req.End.IsZero() && req.End.Before(req.Start):
		return nil, fmt.Errorf("compile query: the time range ends (%s) before it starts (%s)",
			req.End.UTC().Format(time.RFC3339Nano), req.Start.UTC().Format(time.RFC3339Nano))
	}
	c := &compiler{cat: cat, req: req}
	return c.compile(p), nil
}

type compiler struct {
	cat query.Catalog
	req Request
	n   int // subqueries so far, to name them
}

// stmt is a SELECT being built. Pipes add to it while they can and wrap it
// in a subquery when they cannot (a where after a head, for instance).
type stmt struct {
	from    frag
	where   []frag
	selects []frag // nil: *
	groupBy []string
	order   []string
	limit   int64 // -1: none
	offset  int64
	// grouped: selects and groupBy aggregate the rows, so a filter or
	// another aggregation must wrap the statement first.
	grouped bool
	// table: the rows are a stats or timechart result with the columns
	// cols (in order) of the types in types (0 for a column that is always
	// null: a group by a field no event has).
	table bool
	cols  []string
	types map[string]query.Type
	keys  []string // the columns that identify a row: _time and the by fields
	// proj is the fields pipe. It applies when the statement is finished;
	// the parser has made sure nothing after it reads other fields.
	proj []string
}

func (c *compiler) compile(p *query.Plan) *Query {
	s := &stmt{from: fragOf(c.req.From), limit: -1}
	s.where = append(s.where, fragOf(quoteIdent(event.FieldTenant)+" = ?", c.req.Tenant))
	ts := quoteIdent(event.FieldTimestamp)
	if !c.req.Start.IsZero() {
		s.where = append(s.where, cat(ts+" >= ", timeArg(c.req.Start)))
	}
	if !c.req.End.IsZero() {
		s.where = append(s.where, cat(ts+" < ", timeArg(c.req.End)))
	}
	c.addWhere(s, c.expr(p.Filter, s))
	for _, pipe := range p.Pipes {
		switch pp := pipe.(type) {
		case *query.Where:
			if s.limit >= 0 || s.grouped {
				s = c.wrap(s)
			}
			c.addWhere(s, c.expr(pp.Filter, s))
		case *query.Sort:
			if s.limit >= 0 {
				s = c.wrap(s)
			}
			s.order = c.sortKeys(s, pp.Keys)
		case *query.Head:
			n := max(0, pp.N)
			if s.limit >= 0 {
				s.limit = min(s.limit, n)
				break
			}
			if len(s.order) == 0 && !s.table {
				s.order = defaultOrder()
			}
			s.limit = n
		case *query.Fields:
			s.proj = pp.Names
		case *query.Stats:
			if s.limit >= 0 || s.grouped {
				s = c.wrap(s)
			}
			c.aggregate(s, nil, pp.By, pp.Aggs)
		case *query.Timechart:
			if s.limit >= 0 || s.grouped {
				s = c.wrap(s)
			}
			c.timechart(s, pp)
		}
	}
	return c.finish(s, p)
}

func (c *compiler) addWhere(s *stmt, p pred) {
	if p.konst > 0 {
		return
	}
	s.where = append(s.where, p.frag)
}

// wrap makes s a subquery of a new statement that selects all its rows and
// keeps its order.
func (c *compiler) wrap(s *stmt) *stmt {
	inner := *s
	inner.proj = nil
	if inner.limit < 0 {
		inner.order = nil // the order of a subquery without a limit means nothing
	}
	c.n++
	return &stmt{
		from:  cat("(", render(&inner), ") AS q"+strconv.Itoa(c.n)),
		order: s.order,
		limit: -1,
		table: s.table,
		cols:  s.cols,
		types: s.types,
		keys:  s.keys,
		proj:  s.proj,
	}
}

// lookup returns the SQL and the type of a field of the rows of s, and
// false when the rows do not have it (or it is always null).
func (c *compiler) lookup(s *stmt, name string) (string, query.Type, bool) {
	if s.table {
		t := s.types[name]
		return quoteIdent(name), t, t != 0
	}
	t, ok := query.EnvelopeTypes[name]
	if !ok {
		if ec, isExpr := c.cat.(ExprCatalog); isExpr {
			if expr, ok := ec.FieldExpr(name); ok {
				return expr, query.TypeString, true
			}
		}
		t, ok = c.cat.FieldType(name)
	}
	return quoteIdent(name), t, ok && t != 0
}

// ExprCatalog is a Catalog that keeps some fields inside another column
// (the embedded store's overflow column): FieldExpr returns the SQL of such
// a field's value as text, and false for a field with a column of its own.
type ExprCatalog interface {
	query.Catalog
	FieldExpr(name string) (string, bool)
}

// defaultOrder is the order of events: newest first, then by id so that
// pages do not overlap.
func defaultOrder() []string {
	return []string{quoteIdent(event.FieldTimestamp) + " DESC", quoteIdent(event.FieldID) + " DESC"}
}

// sortKeys returns the ORDER BY of a sort pipe. Fields the rows lack are
// left out (they would sort nothing); the default order breaks ties.
func (c *compiler) sortKeys(s *stmt, keys []query.SortKey) []string {
	var order []string
	used := map[string]bool{}
	for _, k := range keys {
		col, _, ok := c.lookup(s, k.Field)
		if !ok {
			continue
		}
		dir := " ASC NULLS LAST"
		if k.Desc {
			dir = " DESC NULLS LAST"
		}
		order = append(order, col+dir)
		used[k.Field] = true
	}
	if s.table {
		for _, g := range s.keys {
			if !used[g] && s.types[g] != 0 {
				order = append(order, quoteIdent(g)+" ASC NULLS LAST")
			}
		}
		return order
	}
	if !used[event.FieldTimestamp] {
		order = append(order, quoteIdent(event.FieldTimestamp)+" DESC")
	}
	if !used[event.FieldID] {
		order = append(order, quoteIdent(event.FieldID)+" DESC")
	}
	return order
}

func (c *compiler) finish(s *stmt, p *query.Plan) *Query {
	q := &Query{Shape: p.Shape()}
	if s.proj != nil {
		if s.grouped {
			s = c.wrap(s)
		}
		s.selects = nil
		for _, name := range s.proj {
			if col, _, ok := c.lookup(s, name); ok && col != quoteIdent(name) {
				s.selects = append(s.selects, fragOf(col+" AS "+quoteIdent(name)))
			} else if ok {
				s.selects = append(s.selects, fragOf(quoteIdent(name)))
			} else {
				s.selects = append(s.selects, fragOf("NULL AS "+quoteIdent(name)))
			}
		}
		q.Columns = append([]string(nil), s.proj...)
	} else if s.table {
		q.Columns = append([]string(nil), s.cols...)
	}
	if !s.table && len(s.order) == 0 {
		if s.limit < 0 && !s.grouped && c.req.Limit > 0 {
			ps := *s
			ps.selects = []frag{fragOf(quoteIdent(event.FieldTimestamp))}
			ps.order = []string{quoteIdent(event.FieldTimestamp) + " DESC"}
			ps.limit, ps.offset = c.req.Limit, c.req.Offset
			times := render(&ps)
			q.PageTimesSQL, q.PageTimesArgs = times.sql, times.args
		}
		if !c.req.Unordered {
			s.order = defaultOrder()
		}
	}

	cs := *s
	cs.order = nil
	if cs.limit < 0 && !cs.grouped {
		cs.selects = []frag{fragOf("count(*)")}
		count := render(&cs)
		q.CountSQL, q.CountArgs = count.sql, count.args
	} else {
		count := cat("SELECT count(*) FROM (", render(&cs), ") AS total")
		q.CountSQL, q.CountArgs = count.sql, count.args
	}

	if s.limit >= 0 {
		s.limit = max(0, s.limit-c.req.Offset)
	}
	if c.req.Limit > 0 && (s.limit < 0 || c.req.Limit < s.limit) {
		s.limit = c.req.Limit
	}
	s.offset = c.req.Offset
	rows := render(s)
	q.SQL, q.Args = rows.sql, rows.args
	return q
}

// render writes a statement as SQL.
func render(s *stmt) frag {
	parts := []any{"SELECT "}
	if s.selects == nil {
		parts = append(parts, "*")
	} else {
		parts = append(parts, join(s.selects, ", "))
	}
	parts = append(parts, " FROM ", s.from)
	if len(s.where) > 0 {
		parts = append(parts, " WHERE ", join(s.where, " AND "))
	}
	if len(s.groupBy) > 0 {
		parts = append(parts, " GROUP BY "+strings.Join(s.groupBy, ", "))
	}
	if len(s.order) > 0 {
		parts = append(parts, " ORDER BY "+strings.Join(s.order, ", "))
	}
	if s.limit >= 0 {
		parts = append(parts, " LIMIT "+strconv.FormatInt(s.limit, 10))
	}
	if s.offset > 0 {
		parts = append(parts, " OFFSET "+strconv.FormatInt(s.offset, 10))
	}
	return cat(parts...)
}
