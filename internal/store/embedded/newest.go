package embedded

import (
	"context"
	"slices"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
)

// Pages of every event. The newest 100 of all events (`*`, the first page
// a search shows) sorted the @timestamp of every row of the time range,
// read the whole events of the blocks the page spans through DuckDB (every
// column of 32,768 rows a block, to keep 100) and counted every row of the
// range: 35.8 ms over the 200k events of `vigil bench`, against 28.4 ms for
// VictoriaLogs. Each cold block's meta has its rows and time range; when
// every event matches, the newest blocks wholly inside the range whose
// rows add up to the page say from when on the range holds it
// (newestBound), so the first step reads those blocks alone; the page's
// rows are read by place (coldrows.go) and the total is the blocks' rows
// (countAll, through blockstats.go's counts) plus a count of the rest.

// matchesAll reports whether every event matches the plan's filter (`*`
// or none) and it has no pipes.
func matchesAll(plan *query.Plan) bool {
	if len(plan.Pipes) > 0 {
		return false
	}
	switch plan.Filter.(type) {
	case nil, *query.All:
		return true
	}
	return false
}

// newestBound returns a time t such that the tenant's cold files hold at
// least n rows in [t, to) (zero bounds open) within [from, to): the
// newest n events of the range are all at or after t. ok is false when
// the blocks wholly inside the range hold fewer than n rows.
func (idx *coldIndex) newestBound(tenant string, from, to time.Time, n int64) (t time.Time, ok bool) {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	type span struct {
		min  time.Time
		rows int64
	}
	var spans []span
	add := func(lo, hi time.Time, rows int64) {
		if rows > 0 && (from.IsZero() || !lo.Before(from)) && (to.IsZero() || hi.Before(to)) {
			spans = append(spans, span{lo, rows})
		}
	}
	for _, f := range idx.byTenant[tenant] {
		if len(f.Blocks) == 0 {
			add(f.Min, f.Max, f.Rows)
			continue
		}
		for _, b := range f.Blocks {
			add(b.Min, b.Max, b.Rows)
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return b.min.Compare(a.min) })
	var sum int64
	for _, s := range spans {
		if sum += s.rows; sum >= n {
			return s.min, true
		}
	}
	return time.Time{}, false
}

// countAll returns how many events the time range of req holds when every
// event matches the plan (matchesAll), as `* | stats count()` counts them:
// from the meta of the cold blocks wholly inside the range, and the rows
// of the rest. ok is false for other plans or when that count fails (the
// caller counts rows).
func (s *Store) countAll(ctx context.Context, d *dataset, snap *catalogSnapshot, plan *query.Plan, req store.Request) (int64, bool) {
	if !matchesAll(plan) || d.cfg.noNewestBound || d.cfg.noBlockCounts {
		return 0, false
	}
	count := &query.Plan{Filter: plan.Filter, Pipes: []query.Pipe{&query.Stats{Aggs: []query.Agg{{Func: query.Count}}}}}
	creq := req
	creq.Offset, creq.Limit = 0, 1
	res, err := s.searchOn(ctx, d, snap, count, creq)
	if err != nil || len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		return 0, false
	}
	switch n := res.Rows[0][0].Value.(type) {
	case int64:
		return n, true
	case float64:
		return int64(n), true
	case nil:
		return 0, true
	}
	return 0, false
}
