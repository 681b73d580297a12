package embedded

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// Scan calls fn with every event of req's tenant, dataset and time range
// that req.Query (a filter: no stats, sort or head) matches, in no
// particular order and without a search's row limit — a rule backtest
// reads them all; req.Limit and req.Offset are ignored. With opt.Fields
// the other columns are not read (the envelope's times, id and tenant
// always are), which spares DuckDB most of the work over wide events;
// opt.AnyOf becomes a WHERE clause where every field it names has a text
// column (scanFilter), so DuckDB drops most events before they reach Go.
// Rows stream from DuckDB:
// memory does not grow with the range. It runs at most req.Timeout
// (default Options.QueryTimeout); an error of fn stops it and is returned.
func (s *Store) Scan(ctx context.Context, req store.Request, opt store.ScanOptions, fn func(store.Row) error) (store.ScanStats, error) {
	s.m.queries.Inc()
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = s.opts.QueryTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer s.mem.busy()()
	st, err := s.scan(ctx, req, opt, fn)
	if err != nil {
		s.m.queryErrors.Inc()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			s.m.queryTimeouts.Inc()
			return st, fmt.Errorf("%w: the scan ran longer than its limit of %v; narrow the time range", store.ErrQueryLimit, timeout)
		}
	}
	return st, err
}

func (s *Store) scan(ctx context.Context, req store.Request, opt store.ScanOptions, fn func(store.Row) error) (store.ScanStats, error) {
	var st store.ScanStats
	req.Limit, req.Offset = 1, 0 // Normalize checks them; a scan has none
	if err := req.Normalize(); err != nil {
		return st, err
	}
	plan, err := query.Parse(req.Query)
	if err != nil {
		return st, fmt.Errorf("%w: %w", store.ErrBadRequest, err)
	}
	if plan.Shape() != query.ShapeEvents {
		return st, fmt.Errorf("%w: a scan reads events: the query must not end in stats or timechart", store.ErrBadRequest)
	}
	d := s.datasets[req.Dataset]
	d.filesMu.RLock()
	defer d.filesMu.RUnlock()
	snap := d.cat.load()
	if d.afterSnapshot != nil {
		d.afterSnapshot()
	}
	rel, colOf := d.relation(snap, plan, req)
	q, err := sqlgen.Compile(sqlgen.DuckDB, plan, snap.queryCatalog(req.Tenant), sqlgen.Request{
		From: "(" + rel + ") AS ev", Tenant: req.Tenant, Start: req.From, End: req.To, Unordered: true,
	})
	if err != nil {
		return st, fmt.Errorf("%w: %w", store.ErrBadRequest, err)
	}
	cols := "*"
	if opt.Fields != nil {
		cols = scanColumns(snap, req.Tenant, opt.Fields)
	}
	sqlText, args := "SELECT "+cols+" FROM ("+q.SQL+") AS scan", q.Args
	filtered := false
	if where, wargs, ok := scanFilter(snap, req.Tenant, opt.AnyOf); ok {
		sqlText += " WHERE " + where
		args = append(append([]any(nil), args...), wargs...)
		filtered = true
	}
	count := func(r store.Row) error { st.Read++; return fn(r) }
	if err := s.eachRow(ctx, sqlText, args, false, colOf, count); err != nil {
		return st, fmt.Errorf("scan events: %w", err)
	}
	st.InRange = st.Read
	if filtered {
		if err := s.db.QueryRowContext(ctx, q.CountSQL, q.CountArgs...).Scan(&st.InRange); err != nil {
			return st, fmt.Errorf("count scanned events: %w", err)
		}
	}
	return st, nil
}

// scanColumns lists, quoted for SQL, the columns of the given fields of
// tenant's events: the envelope's (less the original record and the
// message, unless asked for), the fields' own columns, and the overflow
// column, where fields without a column of their own are.
func scanColumns(snap *catalogSnapshot, tenant string, fields []string) string {
	want := make(map[string]bool, len(fields))
	for _, f := range fields {
		want[strings.ToLower(f)] = true
	}
	var cols []string
	for _, e := range envelopeColumns {
		if (e.name == event.FieldOriginal || e.name == event.FieldMessage) && !want[e.name] {
			continue
		}
		cols = append(cols, sqlIdent(e.name))
	}
	for _, c := range snap.tenantColumnsOf(tenant) {
		if want[strings.ToLower(c.Field)] || want[strings.ToLower(c.Column)] {
			cols = append(cols, sqlIdent(c.Column))
		}
	}
	cols = append(cols, sqlIdent(overflowColumn))
	return strings.Join(cols, ", ")
}

// scanFilter is the WHERE clause of ScanOptions.AnyOf: some literal within
// the lower-cased text column of one of its fields, or the event has an
// overflow object (where fields without a column are: those events all
// pass). ok is false — no filter — when a literal names a field whose
// column is not text (its text in SQL may differ from the event's), or a
// literal is not ASCII (Go's and DuckDB's lower-casing could differ).
func scanFilter(snap *catalogSnapshot, tenant string, lits []store.Literal) (string, []any, bool) {
	if len(lits) == 0 {
		return "", nil, false
	}
	kind := map[string]string{} // lower-case field or column → column, "" when not text
	for _, e := range envelopeColumns {
		col := ""
		if e.sqlType == "VARCHAR" {
			col = e.name
		}
		kind[strings.ToLower(e.name)] = col
	}
	for _, c := range snap.tenantColumnsOf(tenant) {
		col := ""
		if c.Kinds.sqlType() == "VARCHAR" {
			col = c.Column
		}
		kind[strings.ToLower(c.Field)] = col
		kind[strings.ToLower(c.Column)] = col
	}
	var ors []string
	var args []any
	for _, l := range lits {
		for i := 0; i < len(l.Text); i++ {
			if l.Text[i] >= 0x80 {
				return "", nil, false
			}
		}
		for _, f := range l.Fields {
			col, known := kind[strings.ToLower(f)]
			if !known {
				continue // no column: in the overflow object, or absent
			}
			if col == "" {
				return "", nil, false
			}
			ors = append(ors, "contains(lower("+sqlIdent(col)+"), ?)")
			args = append(args, l.Text)
		}
	}
	ors = append(ors, sqlIdent(overflowColumn)+" IS NOT NULL")
	return "(" + strings.Join(ors, " OR ") + ")", args, true
}
