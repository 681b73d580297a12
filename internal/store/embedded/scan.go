package embedded

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/query/duckdbsql"
	"github.com/vigilsiem/vigil/internal/store"
)

// Scan calls fn with every event of req's tenant, dataset and time range
// that req.Query (a filter: no stats, sort or head) matches, in no
// particular order and without a search's row limit — a rule backtest
// reads them all; req.Limit and req.Offset are ignored. Rows stream from
// DuckDB: memory does not grow with the range. It runs at most
// req.Timeout (default Options.QueryTimeout); an error of fn stops it and
// is returned.
func (s *Store) Scan(ctx context.Context, req store.Request, fn func(store.Row) error) error {
	s.m.queries.Inc()
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = s.opts.QueryTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := s.scan(ctx, req, fn)
	if err != nil {
		s.m.queryErrors.Inc()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			s.m.queryTimeouts.Inc()
			return fmt.Errorf("%w: the scan ran longer than its limit of %v; narrow the time range", store.ErrQueryLimit, timeout)
		}
	}
	return err
}

func (s *Store) scan(ctx context.Context, req store.Request, fn func(store.Row) error) error {
	req.Limit, req.Offset = 1, 0 // Normalize checks them; a scan has none
	if err := req.Normalize(); err != nil {
		return err
	}
	plan, err := query.Parse(req.Query)
	if err != nil {
		return fmt.Errorf("%w: %w", store.ErrBadRequest, err)
	}
	if plan.Shape() != query.ShapeEvents {
		return fmt.Errorf("%w: a scan reads events: the query must not end in stats or timechart", store.ErrBadRequest)
	}
	d := s.datasets[req.Dataset]
	d.filesMu.RLock()
	defer d.filesMu.RUnlock()
	snap := d.cat.load()
	rel, colOf := d.relation(snap, plan, req)
	q, err := duckdbsql.Compile(plan, snap.queryCatalog(req.Tenant), duckdbsql.Request{
		From: "(" + rel + ") AS ev", Tenant: req.Tenant, Start: req.From, End: req.To, Unordered: true,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", store.ErrBadRequest, err)
	}
	if err := s.eachRow(ctx, q.SQL, q.Args, false, colOf, fn); err != nil {
		return fmt.Errorf("scan events: %w", err)
	}
	return nil
}
