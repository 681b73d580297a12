package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// Search implements store.Store. A search runs at most req.Timeout
// (default Options.QueryTimeout); DuckDB is interrupted when it is up.
func (s *Store) Search(ctx context.Context, req store.Request) (*store.Result, error) {
	start := time.Now()
	s.m.queries.Inc()
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = s.opts.QueryTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := s.search(ctx, req)
	if err != nil {
		s.m.queryErrors.Inc()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			s.m.queryTimeouts.Inc()
			return nil, fmt.Errorf("%w: the search ran longer than its limit of %v; narrow the time range or the query", store.ErrQueryLimit, timeout)
		}
		return nil, err
	}
	res.Took = time.Since(start)
	return res, nil
}

func (s *Store) search(ctx context.Context, req store.Request) (*store.Result, error) {
	if err := req.Normalize(); err != nil {
		return nil, err
	}
	plan, err := query.Parse(req.Query)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", store.ErrBadRequest, err)
	}
	d := s.datasets[req.Dataset]
	d.filesMu.RLock()
	defer d.filesMu.RUnlock()

	// The search reads the hot lines that this catalog snapshot knows
	// every key of (relation): lines written with a newer one are left
	// for the next search.
	snap := d.cat.load()
	if d.afterSnapshot != nil {
		d.afterSnapshot()
	}
	return s.searchOn(ctx, d, snap, plan, req)
}

// searchOn runs one search with the catalog snap.
func (s *Store) searchOn(ctx context.Context, d *dataset, snap *catalogSnapshot, plan *query.Plan, req store.Request) (*store.Result, error) {
	qc := snap.queryCatalog(req.Tenant)
	var cat query.Catalog = qc
	var rel string
	var colOf map[string]string
	if cplan, by, ok := countsQuery(plan, qc); ok && !d.cfg.noBlockCounts {
		// A count by a column reads the counts of whole cold blocks from
		// their meta, and the rows of the rest.
		counts := &blockCounts{column: by}
		crel, ccolOf := d.relationCounting(snap, plan, req, counts)
		if counts.blocks > 0 {
			rel = "SELECT *, CAST(1 AS BIGINT) AS " + sqlIdent(weightField) + " FROM (" + crel + ")\nUNION ALL BY NAME\n" + counts.sql(req.Tenant)
			colOf, plan, cat = ccolOf, cplan, weightCatalog{qc}
		} else {
			rel, colOf = crel, ccolOf
		}
	}
	if rel == "" {
		rel, colOf = d.relation(snap, plan, req)
	}
	creq := sqlgen.Request{
		From:   "(" + rel + ") AS ev",
		Tenant: req.Tenant,
		Start:  req.From,
		End:    req.To,
		Limit:  int64(req.Limit),
		Offset: int64(req.Offset),
	}
	q, err := sqlgen.Compile(sqlgen.DuckDB, plan, cat, creq)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", store.ErrBadRequest, err)
	}
	res := &store.Result{Shape: q.Shape.String(), Columns: q.Columns}
	rowsSQL, rowsArgs := q.SQL, q.Args
	times, paged, err := s.pageTimes(ctx, d, snap, plan, req, creq)
	switch {
	case err != nil:
		return nil, err
	case paged && len(times) == 0:
		rowsSQL = "" // nothing on the page
	case paged:
		// Every event before or on the page is at or after the page's
		// oldest time; on the first page, none is after its newest.
		narrow := req
		narrow.From = times[len(times)-1]
		if req.Offset == 0 {
			narrow.To = times[0].Add(time.Microsecond)
		}
		nrel, _ := d.relation(snap, plan, narrow)
		nreq := creq
		nreq.From = "(" + nrel + ") AS ev"
		nreq.Start, nreq.End = narrow.From, narrow.To
		nq, err := sqlgen.Compile(sqlgen.DuckDB, plan, cat, nreq)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", store.ErrBadRequest, err)
		}
		rowsSQL, rowsArgs = nq.SQL, nq.Args
	}
	if rowsSQL != "" {
		if res.Rows, err = s.rows(ctx, rowsSQL, rowsArgs, q.Shape == query.ShapeTable, colOf); err != nil {
			return nil, fmt.Errorf("run search: %w", err)
		}
	}
	if total, known := creq.TotalFromRows(len(res.Rows)); known {
		res.Total = total
		return res, nil
	}
	if err := s.db.QueryRowContext(ctx, q.CountSQL, q.CountArgs...).Scan(&res.Total); err != nil {
		return nil, fmt.Errorf("count search results: %w", err)
	}
	return res, nil
}

// pageTimes returns the @timestamp of each event on the requested page of
// an events query in the default order, newest first, read on @timestamp
// and the filter's columns alone; paged is false for other queries. The
// store then reads whole events from the time range they span only: a
// filter matching many events otherwise sorts every column of all of them
// to keep a page. Over the 10M events of `vigil bench`: the CIDR query
// 5.1 s before, 0.9 s after; the newest 100 events 4.9 s, 0.5 s.
func (s *Store) pageTimes(ctx context.Context, d *dataset, snap *catalogSnapshot, plan *query.Plan, req store.Request, creq sqlgen.Request) (times []time.Time, paged bool, err error) {
	if req.Limit <= 0 || plan.Shape() != query.ShapeEvents {
		return nil, false, nil
	}
	thin := &query.Plan{Filter: plan.Filter}
	for _, pipe := range plan.Pipes {
		if _, isFields := pipe.(*query.Fields); !isFields {
			thin.Pipes = append(thin.Pipes, pipe)
		}
	}
	thin.Pipes = append(thin.Pipes, &query.Fields{Names: []string{event.FieldTimestamp}})
	rel, _ := d.relation(snap, thin, req)
	treq := creq
	treq.From = "(" + rel + ") AS ev"
	tq, err := sqlgen.Compile(sqlgen.DuckDB, thin, snap.queryCatalog(req.Tenant), treq)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", store.ErrBadRequest, err)
	}
	if tq.PageTimesSQL == "" {
		return nil, false, nil
	}
	rs, err := s.db.QueryContext(ctx, tq.PageTimesSQL, tq.PageTimesArgs...)
	if err != nil {
		return nil, false, fmt.Errorf("find the page's time range: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var ts time.Time
		if err := rs.Scan(&ts); err != nil {
			return nil, false, fmt.Errorf("find the page's time range: %w", err)
		}
		times = append(times, ts.UTC())
	}
	if err := rs.Err(); err != nil {
		return nil, false, fmt.Errorf("find the page's time range: %w", err)
	}
	return times, true, nil
}

// relation builds the FROM item of a search: a typed empty row set that
// gives every column the query may name, the tenant's hot segments, and
// the tenant's cold files that the time range and the token index do not
// rule out. Only the tenant's own columns are read (ColumnLimits), and of
// them only those the query needs, unless it returns whole events. It
// returns it with a map from column name to field name for the columns
// whose names differ.
func (d *dataset) relation(snap *catalogSnapshot, plan *query.Plan, req store.Request) (string, map[string]string) {
	return d.relationCounting(snap, plan, req, nil)
}

// relationCounting is relation, leaving out the rows of the cold blocks
// whose counts counts takes (blockstats.go).
func (d *dataset) relationCounting(snap *catalogSnapshot, plan *query.Plan, req store.Request, counts *blockCounts) (string, map[string]string) {
	qc := snap.queryCatalog(req.Tenant)
	all := plan.NeedsAllFields()
	need := map[string]bool{}
	overflow := all
	if !all {
		for _, f := range plan.Fields() {
			need[strings.ToLower(f)] = true
			if _, ok := qc.FieldExpr(f); ok {
				overflow = true
			}
		}
	}
	colOf := map[string]string{}
	var cols []*column
	var wanted []string
	var typed strings.Builder
	typed.WriteString("SELECT ")
	for i, e := range envelopeColumns {
		if i > 0 {
			typed.WriteString(", ")
		}
		typed.WriteString("NULL::" + e.sqlType + " AS " + sqlIdent(e.name))
	}
	for _, c := range snap.tenantColumnsOf(req.Tenant) {
		if c.Column != c.Field {
			colOf[c.Column] = c.Field
		}
		if !all && !need[strings.ToLower(c.Column)] {
			continue
		}
		cols = append(cols, c)
		wanted = append(wanted, c.Column)
		typed.WriteString(", NULL::" + c.Kinds.sqlType() + " AS " + sqlIdent(c.Column))
	}
	if overflow {
		wanted = append(wanted, overflowColumn)
		typed.WriteString(", NULL::VARCHAR AS " + sqlIdent(overflowColumn))
	}
	typed.WriteString(" WHERE false")
	parts := []string{typed.String()}

	var segs []segment
	for _, sg := range d.hot.allSegments() {
		if sg.info.rows == 0 && sg.size == 0 {
			continue
		}
		// A write that brings a new field (or a field new to its tenant)
		// adds the column to the catalog, then appends its lines, to a
		// segment of a newer catalog generation (hotLog.commit). Read
		// with this snapshot's columns, they would lose that field: they
		// were written after the snapshot was taken, so they are left out.
		if sg.gen > snap.gen {
			continue
		}
		// Recovered segments of an unknown range have rows == 0 only when
		// empty; live ones carry their range.
		if sg.info.rows > 0 && (!req.From.IsZero() && sg.info.max.Before(req.From) || !req.To.IsZero() && !sg.info.min.Before(req.To)) {
			continue
		}
		segs = append(segs, sg)
	}
	if hot := d.hotSource(segs, req.Tenant, cols); hot != "" {
		parts = append(parts, "SELECT "+selectList(wanted)+" FROM ("+hot+")")
	}
	picks, _ := d.cold.filesCounting(req.Tenant, req.From, req.To, plan.Terms(), counts)
	// Files read whole share one read_parquet; a file of which only some
	// blocks may match is read on its own, with the row numbers of those
	// blocks, which DuckDB turns into skipped row groups.
	var whole []*coldFile
	for _, p := range picks {
		if p.ranges == nil || hasColumn(p.coldFile, "file_row_number") {
			whole = append(whole, p.coldFile)
			continue
		}
		var where []string
		for _, r := range p.ranges {
			where = append(where, fmt.Sprintf("file_row_number BETWEEN %d AND %d", r[0], r[1]))
		}
		parts = append(parts, coldPart([]*coldFile{p.coldFile}, wanted, req.Tenant, "file_row_number = true",
			"("+strings.Join(where, " OR ")+")"))
	}
	if len(whole) > 0 {
		parts = append(parts, coldPart(whole, wanted, req.Tenant, "union_by_name = true", ""))
	}
	return strings.Join(parts, "\nUNION ALL BY NAME\n"), colOf
}

// hasColumn reports whether f has a column of that name, in any case: a
// field named file_row_number would clash with read_parquet's.
func hasColumn(f *coldFile, name string) bool {
	for c := range f.Columns {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// coldPart is the SQL of the cold files' part of a relation for one tenant,
// reading those of the wanted columns that the files have, with read_parquet
// options opts and an extra condition where ("" for none).
func coldPart(files []*coldFile, wanted []string, tenant, opts, where string) string {
	paths := make([]string, len(files))
	present := map[string]bool{}
	for i, f := range files {
		paths[i] = f.Path
		for c := range f.Columns {
			present[strings.ToLower(c)] = true
		}
	}
	// Never *: a cold file holds the columns of every tenant frozen
	// with it.
	var have []string
	for _, c := range wanted {
		if present[strings.ToLower(c)] {
			have = append(have, c)
		}
	}
	cond := sqlIdent(event.FieldTenant) + " = " + sqlString(tenant)
	if where != "" {
		cond += " AND " + where
	}
	return "SELECT " + selectList(have) + " FROM read_parquet(" + sqlList(paths) + ", " + opts + ") WHERE " + cond
}

// selectList lists the envelope columns and cols, quoted.
func selectList(cols []string) string {
	var b strings.Builder
	for i, e := range envelopeColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(sqlIdent(e.name))
	}
	for _, c := range cols {
		b.WriteString(", " + sqlIdent(c))
	}
	return b.String()
}

// rows runs a query and converts its rows. Events leave out null cells and
// expand the overflow column; tables keep every column.
func (s *Store) rows(ctx context.Context, q string, args []any, table bool, colOf map[string]string) ([]store.Row, error) {
	var out []store.Row
	err := s.eachRow(ctx, q, args, table, colOf, func(r store.Row) error { out = append(out, r); return nil })
	return out, err
}

// eachRow runs a query and calls fn with each converted row (rows).
func (s *Store) eachRow(ctx context.Context, q string, args []any, table bool, colOf map[string]string, fn func(store.Row) error) error {
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return err
		}
		row := make(store.Row, 0, len(cols))
		for i, c := range cols {
			v := cellValue(vals[i])
			if !table {
				if v == nil {
					continue
				}
				if c == overflowColumn {
					row = appendOverflow(row, v)
					continue
				}
				if f, ok := colOf[c]; ok {
					c = f
				}
			}
			row = append(row, store.Cell{Name: c, Value: v})
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return rs.Err()
}

// cellValue converts a value DuckDB returned to a cell value.
func cellValue(v any) any {
	switch x := v.(type) {
	case nil, string, int64, float64, bool:
		return x
	case time.Time:
		return x.UTC()
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint64:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case *big.Int:
		return x.Int64()
	case []byte:
		return string(x)
	case []any:
		out := make([]string, 0, len(x))
		for _, it := range x {
			if it != nil {
				out = append(out, store.CellText(cellValue(it)))
			}
		}
		return out
	}
	return fmt.Sprint(v)
}

func appendOverflow(row store.Row, v any) store.Row {
	s, ok := v.(string)
	if !ok {
		return row
	}
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return append(row, store.Cell{Name: overflowColumn, Value: s})
	}
	for k, x := range m {
		ev := event.FromAny(x)
		var cell any
		switch ev.Kind() {
		case event.KindInt:
			cell = ev.Int()
		case event.KindFloat:
			cell = ev.Float()
		case event.KindBool:
			cell = ev.Bool()
		case event.KindList:
			cell = ev.List()
		default:
			cell = ev.Text()
		}
		row = append(row, store.Cell{Name: k, Value: cell})
	}
	return row
}
