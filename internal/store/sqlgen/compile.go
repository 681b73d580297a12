package sqlgen

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
	// `(SELECT … UNION ALL BY NAME SELECT … FROM read_parquet([…])) AS ev`
	// or `(SELECT … FROM vigil.events FINAL WHERE tenant = 'acme') AS ev`.
	// It is written into the SQL as it is.
	From string
	// EventColumns is the select list of rows that are whole events ("":
	// *), such as the one column that holds the stored event.
	EventColumns string
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
	// PageColumns are further columns of From that PageTimesSQL returns
	// after @timestamp, such as where the store keeps each row, so that
	// it can read the page's events by place rather than by time range.
	PageColumns []string
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
// rows there are in all, each with its arguments (none in a dialect that
// writes values as literals), and what the rows are.
type Query struct {
	SQL  string
	Args []any
	// CountSQL returns one integer: the number of rows the query has without
	// Limit and Offset (for events: the matching events, after any head).
	CountSQL  string
	CountArgs []any
	// PageTimesSQL, when the rows are events in the default order (no
	// sort or head) and Request.Limit is set, returns the @timestamp of
	// each row of the page, newest first, reading only @timestamp and the
	// columns the filters need (and Request.PageColumns after it). A store reads whole events from the times
	// it spans alone (see the package doc); "" otherwise, and always in a
	// dialect without it.
	PageTimesSQL  string
	PageTimesArgs []any
	// Shape is events or table.
	Shape query.Shape
	// Columns are the columns of the rows in order, or nil for events with
	// all their fields (SELECT * or Request.EventColumns).
	Columns []string
	// Types are the types of Columns, in order: 0 for a column that is
	// always null (a field no event has).
	Types []query.Type
}

// Compile compiles a plan to the SQL of a dialect over the request's FROM
// item. The catalog says which fields the FROM item has and their types.
func Compile(d Dialect, p *query.Plan, cat query.Catalog, req Request) (*Query, error) {
	switch {
	case d == nil:
		return nil, errors.New("compile query: no dialect")
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
	c := &compiler{d: d, cat: cat, req: req}
	return c.compile(p), nil
}

type compiler struct {
	d   Dialect
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
	// having is the HAVING of a grouped statement (keepColumns).
	having []frag
	// proj is the fields pipe. It applies when the statement is finished;
	// the parser has made sure nothing after it reads other fields.
	proj []string
}

func (c *compiler) compile(p *query.Plan) *Query {
	s := &stmt{from: fragOf(c.req.From), limit: -1}
	// The tenant again, whatever the FROM item does.
	s.where = append(s.where, fragOf(c.d.quoteIdent(event.FieldTenant)+" = ?", c.req.Tenant))
	ts := c.d.quoteIdent(event.FieldTimestamp)
	if !c.req.Start.IsZero() {
		s.where = append(s.where, cat(ts+" >= ", c.d.timeArg(c.req.Start)))
	}
	if !c.req.End.IsZero() {
		s.where = append(s.where, cat(ts+" < ", c.d.timeArg(c.req.End)))
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
				s.order = c.defaultOrder()
			}
			s.limit = n
		case *query.Fields:
			s.proj = pp.Names
		case *query.Stats:
			if s.limit >= 0 || s.grouped {
				s = c.wrap(s)
			}
			c.aggregate(s, nil, "", pp.By, pp.Aggs)
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
	switch {
	case p.konst > 0:
		return
	case p.konst < 0:
		s.where = append(s.where, fragOf(c.d.boolLit(false)))
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
	if c.d.keepColumns() {
		keepColumns(c.d, &inner)
	}
	return &stmt{
		from:  cat("(", c.render(&inner), ") AS q"+strconv.Itoa(c.n)),
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
		return c.d.quoteIdent(name), t, t != 0
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
	return c.d.quoteIdent(name), t, ok && t != 0
}

// has reports whether the rows of s have the field name: lookup's answer,
// or, in a dialect with nullColumns, a table column of no type too.
func (c *compiler) has(s *stmt, name string) bool {
	if _, _, ok := c.lookup(s, name); ok {
		return true
	}
	if s.table && c.d.nullColumns() {
		_, ok := s.types[name]
		return ok
	}
	return false
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
func (c *compiler) defaultOrder() []string {
	return []string{c.d.quoteIdent(event.FieldTimestamp) + " DESC", c.d.quoteIdent(event.FieldID) + " DESC"}
}

// sortKeys returns the ORDER BY of a sort pipe. Fields the rows lack are
// left out (they would sort nothing); the default order breaks ties.
func (c *compiler) sortKeys(s *stmt, keys []query.SortKey) []string {
	var order []string
	used := map[string]bool{}
	for _, k := range keys {
		col, _, _ := c.lookup(s, k.Field)
		if !c.has(s, k.Field) {
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
				order = append(order, c.d.quoteIdent(g)+" ASC NULLS LAST")
			}
		}
		return order
	}
	if !used[event.FieldTimestamp] {
		order = append(order, c.d.quoteIdent(event.FieldTimestamp)+" DESC")
	}
	if !used[event.FieldID] {
		order = append(order, c.d.quoteIdent(event.FieldID)+" DESC")
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
			col, t, ok := c.lookup(s, name)
			switch {
			case ok && col != c.d.quoteIdent(name):
				s.selects = append(s.selects, fragOf(col+" AS "+c.d.quoteIdent(name)))
			case c.has(s, name):
				s.selects = append(s.selects, fragOf(c.d.quoteIdent(name)))
			default:
				s.selects = append(s.selects, fragOf("NULL AS "+c.d.quoteIdent(name)))
				t = 0
			}
			q.Types = append(q.Types, t)
		}
		q.Columns = append([]string(nil), s.proj...)
	} else if s.table {
		q.Columns = append([]string(nil), s.cols...)
		for _, col := range s.cols {
			q.Types = append(q.Types, s.types[col])
		}
	}
	if !s.table && len(s.order) == 0 {
		if c.d.pageTimes() && s.limit < 0 && !s.grouped && c.req.Limit > 0 {
			ps := *s
			ps.selects = []frag{fragOf(c.d.quoteIdent(event.FieldTimestamp))}
			for _, col := range c.req.PageColumns {
				ps.selects = append(ps.selects, fragOf(c.d.quoteIdent(col)))
			}
			ps.order = []string{c.d.quoteIdent(event.FieldTimestamp) + " DESC"}
			ps.limit, ps.offset = c.req.Limit, c.req.Offset
			q.PageTimesSQL, q.PageTimesArgs = c.out(c.render(&ps))
		}
		if !c.req.Unordered {
			s.order = c.defaultOrder()
		}
	}

	cs := *s
	cs.order = nil
	if cs.limit < 0 && !cs.grouped {
		cs.selects = []frag{fragOf(c.d.countAll())}
		q.CountSQL, q.CountArgs = c.out(c.render(&cs))
	} else {
		if c.d.keepColumns() {
			if cs.selects == nil {
				cs.selects = []frag{fragOf("1")}
			}
			keepColumns(c.d, &cs)
		}
		q.CountSQL, q.CountArgs = c.out(cat("SELECT "+c.d.countAll()+" FROM (", c.render(&cs), ") AS total"))
	}

	if s.limit >= 0 {
		s.limit = max(0, s.limit-c.req.Offset)
	}
	if c.req.Limit > 0 && (s.limit < 0 || c.req.Limit < s.limit) {
		s.limit = c.req.Limit
	}
	s.offset = c.req.Offset
	if s.selects == nil && !s.table && c.req.EventColumns != "" {
		s.selects = []frag{fragOf(c.req.EventColumns)}
	}
	q.SQL, q.Args = c.out(c.render(s))
	return q
}

// out is a finished statement's text and arguments: in a dialect without
// query parameters, the text with the values written in and no arguments.
func (c *compiler) out(f frag) (string, []any) {
	if c.d.inline() {
		return inline(c.d, f), nil
	}
	return f.sql, f.args
}

// render writes a statement as SQL.
func (c *compiler) render(s *stmt) frag {
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
	if len(s.having) > 0 {
		parts = append(parts, " HAVING ", join(s.having, " AND "))
	}
	if len(s.order) > 0 {
		parts = append(parts, " ORDER BY "+strings.Join(s.order, ", "))
	}
	parts = append(parts, c.d.limit(s.limit, s.offset))
	return cat(parts...)
}

// keepColumns makes an aggregating statement that becomes a subquery keep
// its aggregates. ClickHouse 18.16 drops the columns of a subquery that the
// outer query does not read, aggregates included: an outer count() over
// `SELECT NULL AS x, count() FROM …` would count the events, not the one
// row. A HAVING that reads every column (ignore() reads its arguments and
// returns 0) keeps them, and, being inside the subquery, reads its own
// aliases: a condition in the outer query would read the outer query's
// aliases of the same names (ClickHouse's aliases shadow columns).
func keepColumns(d Dialect, s *stmt) {
	if !s.grouped || len(s.cols) == 0 {
		return
	}
	names := make([]string, len(s.cols))
	for i, c := range s.cols {
		names[i] = d.quoteIdent(c)
	}
	s.having = []frag{fragOf("NOT ignore(" + strings.Join(names, ", ") + ")")}
}
