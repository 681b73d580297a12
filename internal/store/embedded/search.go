package embedded

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"strings"
	"sync"
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
	defer s.mem.busy()()
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
	// Pages are read by place for filters with full-text terms (those
	// whose matches may be few), on the first page of whole events; the
	// place columns cost the others a little (`*` sorts 200k places).
	// So are the first pages of every event (`*`): their first step reads
	// only the newest blocks (newestBound).
	byPlace := !d.cfg.noPlaceRead && len(plan.Pipes) == 0 && req.Offset == 0 && q.Shape == query.ShapeEvents && q.Columns == nil && (len(plan.Terms()) > 0 || matchesAll(plan) && !d.cfg.noNewestBound)
	if byPlace && !d.cfg.noTermScan {
		// Full-text terms alone: matched in Go (termscan.go) when the
		// page holds every match.
		if rows, ok := s.termPage(ctx, d, snap, plan, cat, creq, req, colOf); ok {
			res.Rows, res.Total = rows, int64(len(rows))
			return res, nil
		}
	}
	times, places, paged, err := s.pageTimes(ctx, d, snap, plan, req, creq, byPlace)
	if err == nil && places != nil {
		var ok bool
		if res.Rows, ok = s.rowsByPlace(ctx, d, snap, plan, cat, creq, req, places, colOf); ok {
			times = nil // read
		}
	}
	switch {
	case err != nil:
		return nil, err
	case paged && res.Rows != nil:
		rowsSQL = "" // read by place
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
	if total, ok := s.countAll(ctx, d, snap, plan, req); ok {
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
//
// With byPlace (a plan without pipes, on the first page), the first step
// also returns where each cold row was read (placeColumns); when the page
// is not full, so that it holds every match, and some are cold, places
// lists them all (file "" for a hot one), for rowsByPlace.
func (s *Store) pageTimes(ctx context.Context, d *dataset, snap *catalogSnapshot, plan *query.Plan, req store.Request, creq sqlgen.Request, byPlace bool) (times []time.Time, places []rowPlace, paged bool, err error) {
	if req.Limit <= 0 || plan.Shape() != query.ShapeEvents {
		return nil, nil, false, nil
	}
	byPlace = byPlace && !placeClash(snap, req.Tenant)
	thin := &query.Plan{Filter: plan.Filter}
	for _, pipe := range plan.Pipes {
		if _, isFields := pipe.(*query.Fields); !isFields {
			thin.Pipes = append(thin.Pipes, pipe)
		}
	}
	thin.Pipes = append(thin.Pipes, &query.Fields{Names: []string{event.FieldTimestamp}})
	treq := creq
	if byPlace {
		treq.PageColumns = []string{placeFileColumn, placeRowColumn}
		// One row more than the page: a full page is read by place when
		// the row after it is older than its last (no tie at its end
		// that the order on event.id would settle otherwise).
		treq.Limit++
	}
	if matchesAll(plan) && !d.cfg.noNewestBound {
		// Every event matches: the cold blocks whose rows are all in the
		// time range say from when on it holds enough of them.
		if t, ok := d.cold.newestBound(req.Tenant, req.From, req.To, treq.Offset+treq.Limit); ok {
			req.From, treq.Start = t, t
		}
	}
	rel, _ := d.relationWith(snap, thin, req, nil, byPlace, false)
	treq.From = "(" + rel + ") AS ev"
	tq, err := sqlgen.Compile(sqlgen.DuckDB, thin, snap.queryCatalog(req.Tenant), treq)
	if err != nil {
		return nil, nil, false, fmt.Errorf("%w: %w", store.ErrBadRequest, err)
	}
	if tq.PageTimesSQL == "" {
		return nil, nil, false, nil
	}
	rs, err := s.db.QueryContext(ctx, tq.PageTimesSQL, tq.PageTimesArgs...)
	if err != nil {
		return nil, nil, false, fmt.Errorf("find the page's time range: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var ts time.Time
		var file sql.NullString
		var row sql.NullInt64
		dest := []any{&ts}
		if byPlace {
			dest = append(dest, &file, &row)
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, nil, false, fmt.Errorf("find the page's time range: %w", err)
		}
		times = append(times, ts.UTC())
		if byPlace {
			// file is "" for a hot row, null for a cold one of unknown
			// place.
			places = append(places, rowPlace{ts: ts.UTC(), file: file.String, row: row.Int64, placed: file.Valid && (file.String == "" || row.Valid)})
		}
	}
	if err := rs.Err(); err != nil {
		return nil, nil, false, fmt.Errorf("find the page's time range: %w", err)
	}
	if byPlace && int64(len(times)) == treq.Limit {
		// The row after the page: read by place if older than its last.
		n := len(times) - 1
		tie := n == 0 || times[n].Equal(times[n-1])
		times, places = times[:n], places[:n]
		if tie {
			places = nil
		}
	}
	cold, unplaced := 0, false
	for _, p := range places {
		switch {
		case !p.placed:
			unplaced = true
		case p.file != "":
			cold++
		}
	}
	if cold == 0 || unplaced {
		places = nil
	}
	return times, places, true, nil
}

// placeClash reports whether the tenant has a column named as a place
// column.
func placeClash(snap *catalogSnapshot, tenant string) bool {
	for _, c := range snap.tenantColumnsOf(tenant) {
		if strings.EqualFold(c.Column, placeFileColumn) || strings.EqualFold(c.Column, placeRowColumn) {
			return true
		}
	}
	return false
}

// rowsByPlace reads the whole events at places (the page's every match)
// newest first, as the search's SQL orders them: the cold ones from their
// files in Go (coldrows.go), converted as rows converts DuckDB's, the hot
// ones by the search's SQL over the hot tier alone, in the time range
// they span. ok is false when a file cannot be read so (a column of a
// type that reader does not give as DuckDB does) or the hot read fails:
// the caller reads the page through DuckDB.
func (s *Store) rowsByPlace(ctx context.Context, d *dataset, snap *catalogSnapshot, plan *query.Plan, cat query.Catalog, creq sqlgen.Request, req store.Request, places []rowPlace, colOf map[string]string) (_ []store.Row, ok bool) {
	cols := pageColumns(snap, req.Tenant)
	byFile := map[string][]int64{}
	var hotFrom, hotTo time.Time
	for _, p := range places {
		if p.file == "" {
			if hotFrom.IsZero() || p.ts.Before(hotFrom) {
				hotFrom = p.ts
			}
			if hotTo.IsZero() || p.ts.After(hotTo) {
				hotTo = p.ts
			}
			continue
		}
		byFile[p.file] = append(byFile[p.file], p.row)
	}
	var hotRows []store.Row
	if !hotFrom.IsZero() {
		narrow := req
		narrow.From, narrow.To = hotFrom, hotTo.Add(time.Microsecond)
		hrel, _ := d.relationWith(snap, plan, narrow, nil, false, true)
		hreq := creq
		hreq.From = "(" + hrel + ") AS ev"
		hreq.Start, hreq.End = narrow.From, narrow.To
		hq, err := sqlgen.Compile(sqlgen.DuckDB, plan, cat, hreq)
		if err == nil {
			hotRows, err = s.rows(ctx, hq.SQL, hq.Args, false, colOf)
		}
		if err != nil {
			return nil, false
		}
	}
	// The files are read in parallel, GOMAXPROCS at a time.
	read := make(map[string]map[int64][]any, len(byFile))
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		readErr error
		slots   = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	for file, rows := range byFile {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			vals, err := readColdRows(d.cold.opened, file, rows, cols)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				readErr = cmp.Or(readErr, err)
				return
			}
			read[file] = vals
		}()
	}
	wg.Wait()
	if readErr != nil {
		if !errors.Is(readErr, errNotByPlace) {
			d.log.Warn("read a page's events by place; reading them through DuckDB", "err", readErr)
		}
		return nil, false
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	all := make([]placedRow, 0, len(places))
	for _, p := range places {
		if p.file == "" {
			continue
		}
		vals := read[p.file][p.row]
		ts, _ := vals[0].(time.Time)
		id, _ := vals[2].(string)
		all = append(all, placedRow{ts, id, convertRow(names, vals, false, colOf)})
	}
	all = append(all, placedFromRows(hotRows)...)
	sortPlaced(all)
	if int64(len(all)) > creq.Limit {
		all = all[:creq.Limit] // hot events that came after the first step
	}
	rows := make([]store.Row, len(all))
	for i, p := range all {
		rows[i] = p.row
	}
	d.placeReads.Add(1)
	return rows, true
}

// relation builds the FROM item of a search: a typed empty row set that
// gives every column the query may name, the tenant's hot segments, and
// the tenant's cold files that the time range and the token index do not
// rule out. Only the tenant's own columns are read (ColumnLimits), and of
// them only those the query needs, unless it returns whole events. It
// returns it with a map from column name to field name for the columns
// whose names differ.
func (d *dataset) relation(snap *catalogSnapshot, plan *query.Plan, req store.Request) (string, map[string]string) {
	return d.relationWith(snap, plan, req, nil, false, false)
}

// relationCounting is relation, leaving out the rows of the cold blocks
// whose counts counts takes (blockstats.go).
func (d *dataset) relationCounting(snap *catalogSnapshot, plan *query.Plan, req store.Request, counts *blockCounts) (string, map[string]string) {
	return d.relationWith(snap, plan, req, counts, false, false)
}

// relationWith is relationCounting; with place, its rows also say where
// each cold row was read (placeFileColumn, placeRowColumn: the file's path
// and row number; null for files whose own columns clash with
// read_parquet's filename or file_row_number), hot rows a file of "". With hotOnly it
// reads the hot tier alone.
func (d *dataset) relationWith(snap *catalogSnapshot, plan *query.Plan, req store.Request, counts *blockCounts, place, hotOnly bool) (string, map[string]string) {
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
	if place {
		typed.WriteString(", NULL::VARCHAR AS " + sqlIdent(placeFileColumn) + ", NULL::BIGINT AS " + sqlIdent(placeRowColumn))
	}
	typed.WriteString(" WHERE false")
	parts := []string{typed.String()}

	segs := d.hotSegmentsIn(snap, req)
	if hot := d.hotSource(segs, req.Tenant, cols); hot != "" {
		sel := selectList(wanted)
		if place {
			sel += ", '' AS " + sqlIdent(placeFileColumn) // hot
		}
		parts = append(parts, "SELECT "+sel+" FROM ("+hot+")")
	}
	var picks []coldPick
	if !hotOnly {
		picks, _ = d.cold.filesCounting(req.Tenant, req.From, req.To, plan.Terms(), counts)
	}
	return coldParts(parts, picks, wanted, req, place), colOf
}

// hotSegmentsIn lists the hot segments a search with the catalog snap
// reads for the time range of req.
func (d *dataset) hotSegmentsIn(snap *catalogSnapshot, req store.Request) []segment {
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
	return segs
}

// coldParts appends to parts the SQL of the cold picks' rows (relationWith).
func coldParts(parts []string, picks []coldPick, wanted []string, req store.Request, place bool) string {
	// Files read whole share one read_parquet; a file of which only some
	// blocks may match is read on its own, with the row numbers of those
	// blocks, which DuckDB turns into skipped row groups.
	// With place, whole files are read with their names and row numbers,
	// but for those having a column of either name.
	var whole, wholePlaced []*coldFile
	for _, p := range picks {
		if p.ranges == nil || hasColumn(p.coldFile, "file_row_number") {
			if place && !hasColumn(p.coldFile, "file_row_number") && !hasColumn(p.coldFile, "filename") {
				wholePlaced = append(wholePlaced, p.coldFile)
			} else {
				whole = append(whole, p.coldFile)
			}
			continue
		}
		var where []string
		for _, r := range p.ranges {
			where = append(where, fmt.Sprintf("file_row_number BETWEEN %d AND %d", r[0], r[1]))
		}
		extra := ""
		if place {
			extra = sqlString(p.Path) + " AS " + sqlIdent(placeFileColumn) + ", file_row_number AS " + sqlIdent(placeRowColumn)
		}
		parts = append(parts, coldPart([]*coldFile{p.coldFile}, wanted, req.Tenant, "file_row_number = true",
			"("+strings.Join(where, " OR ")+")", extra))
	}
	if len(whole) > 0 {
		parts = append(parts, coldPart(whole, wanted, req.Tenant, "union_by_name = true", "", ""))
	}
	if len(wholePlaced) > 0 {
		parts = append(parts, coldPart(wholePlaced, wanted, req.Tenant, "union_by_name = true, filename = true, file_row_number = true", "",
			"filename AS "+sqlIdent(placeFileColumn)+", file_row_number AS "+sqlIdent(placeRowColumn)))
	}
	return strings.Join(parts, "\nUNION ALL BY NAME\n")
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
// options opts, an extra condition where and extra select items extra (""
// for none).
func coldPart(files []*coldFile, wanted []string, tenant, opts, where, extra string) string {
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
	sel := selectList(have)
	if extra != "" {
		sel += ", " + extra
	}
	return "SELECT " + sel + " FROM read_parquet(" + sqlList(paths) + ", " + opts + ") WHERE " + cond
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
		if err := fn(convertRow(cols, vals, table, colOf)); err != nil {
			return err
		}
	}
	return rs.Err()
}

// convertRow converts the values of one row of columns cols as DuckDB's
// driver returned them (rows).
func convertRow(cols []string, vals []any, table bool, colOf map[string]string) store.Row {
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
	return row
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
