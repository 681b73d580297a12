package forward

import (
	"context"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query/filter"
	"github.com/vigilsiem/vigil/internal/queue"
)

// Appender is the part of a queue.Set the router writes to.
type Appender interface {
	Append(tenant string, records [][]byte) (uint64, error)
}

// route is one compiled route.
type route struct {
	name             string
	events, alerts   bool
	tenants, sources map[string]bool
	pred             filter.Predicate
	sel              *selector
	outputs          []int
	matched          prometheus.Counter
}

func compileRoute(rc config.Route, outputIndex map[string]int) (*route, error) {
	pred, err := filter.Parse(rc.Filter)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", rc.Name, err)
	}
	r := &route{name: rc.Name, events: rc.TakesEvents(), alerts: rc.Alerts, pred: pred,
		tenants: set(rc.Tenants), sources: set(rc.Sources), sel: newSelector(rc.Fields)}
	for _, o := range rc.Outputs {
		i, ok := outputIndex[o]
		if !ok {
			return nil, fmt.Errorf("route %s: output %q is not configured", rc.Name, o)
		}
		r.outputs = append(r.outputs, i)
	}
	return r, nil
}

func set(items []string) map[string]bool {
	if len(items) == 0 {
		return nil
	}
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

func (r *route) takes(e *event.Event, alerts bool) bool {
	if alerts && !r.alerts || !alerts && !r.events {
		return false
	}
	if r.tenants != nil && !r.tenants[tenantOf(e)] {
		return false
	}
	if r.sources != nil && !r.sources[e.Source] {
		return false
	}
	return r.pred(e)
}

func tenantOf(e *event.Event) string {
	if e.Tenant == "" {
		return event.DefaultTenant
	}
	return e.Tenant
}

// Router appends the events (and alerts) that routes take to their
// outputs' durable queues. It is the pipeline.Sink of delivery; see the
// package doc for where it runs and what its Write promises.
type Router struct {
	routes  []*route
	outputs []Appender
	names   []string
	queued  []prometheus.Counter
	refused []prometheus.Counter
	pool    sync.Pool
}

// takesAlerts says whether any route takes alerts: when none does, the
// alert sink builds no alert events (in an alert storm, an event per alert
// that no route reads cost ~2% of the server's CPU).
func (rt *Router) takesAlerts() bool {
	for _, r := range rt.routes {
		if r.alerts {
			return true
		}
	}
	return false
}

// NewRouter compiles routes over the outputs, named in the same order as
// appenders. A Manager builds its own; this one's metrics are not
// registered.
func NewRouter(routes []config.Route, names []string, appenders []Appender) (*Router, error) {
	return newRouter(routes, names, appenders, newMetrics(nil))
}

func newRouter(routes []config.Route, names []string, appenders []Appender, m *metrics) (*Router, error) {
	idx := map[string]int{}
	for i, n := range names {
		idx[n] = i
	}
	rt := &Router{outputs: appenders, names: names}
	for _, n := range names {
		rt.queued = append(rt.queued, m.queued.WithLabelValues(n))
		rt.refused = append(rt.refused, m.refused.WithLabelValues(n))
	}
	for _, rc := range routes {
		r, err := compileRoute(rc, idx)
		if err != nil {
			return nil, err
		}
		r.matched = m.routed.WithLabelValues(r.name)
		rt.routes = append(rt.routes, r)
	}
	rt.pool.New = func() any { return &routeState{} }
	return rt, nil
}

// Name implements pipeline.Sink.
func (rt *Router) Name() string { return "forward" }

// Write implements pipeline.Sink: it returns once every event a route
// takes is durable in the queue of each of its outputs.
func (rt *Router) Write(ctx context.Context, events []*event.Event) error {
	return rt.route(ctx, events, false)
}

// routeState is the scratch space of one Write.
type routeState struct {
	groups map[groupKey]*group
	taken  []bool
	sel    event.Event
	buf    []byte
}

type groupKey struct {
	output int
	tenant string
}

type group struct {
	records [][]byte
	err     error
	// refused: the tenant is not a valid name (event.ValidTenant), so it
	// cannot name a queue; its events are counted, not queued.
	refused bool
}

func (rt *Router) route(_ context.Context, events []*event.Event, alerts bool) error {
	if len(rt.routes) == 0 || len(events) == 0 {
		return nil
	}
	st := rt.pool.Get().(*routeState)
	defer rt.release(st)
	if st.groups == nil {
		st.groups = map[groupKey]*group{}
	}
	if cap(st.taken) < len(rt.outputs) {
		st.taken = make([]bool, len(rt.outputs))
	}
	taken := st.taken[:len(rt.outputs)]
	buf := st.buf[:0]
	for _, e := range events {
		clear(taken)
		var whole []byte // e encoded without selection, shared by its routes
		for _, r := range rt.routes {
			if !r.takes(e, alerts) {
				continue
			}
			r.matched.Inc()
			var rec []byte
			for _, o := range r.outputs {
				if taken[o] {
					continue
				}
				taken[o] = true
				if rec == nil {
					var err error
					switch {
					case r.sel == nil && whole != nil:
						rec = whole
					case r.sel == nil:
						if buf, rec, err = appendRecord(buf, e); err != nil {
							return err
						}
						whole = rec
					default:
						r.sel.apply(&st.sel, e)
						if buf, rec, err = appendRecord(buf, &st.sel); err != nil {
							return err
						}
					}
				}
				k := groupKey{o, tenantOf(e)}
				g := st.groups[k]
				if g == nil {
					g = &group{refused: event.ValidTenant(k.tenant) != nil}
					st.groups[k] = g
				}
				g.records = append(g.records, rec)
			}
		}
	}
	st.buf = buf
	return rt.appendGroups(st.groups)
}

// appendRecord appends e's binary form to buf and returns the record, a
// slice of buf that later appends never overwrite.
func appendRecord(buf []byte, e *event.Event) ([]byte, []byte, error) {
	start := len(buf)
	buf, err := e.AppendBinary(buf)
	if err != nil {
		return buf[:start], nil, fmt.Errorf("encode event %s: %w", e.ID, err)
	}
	return buf, buf[start:len(buf):len(buf)], nil
}

// appendGroups appends every group to its queue, concurrently: each Append
// waits for an fsync, and fsyncs of different files overlap.
func (rt *Router) appendGroups(groups map[groupKey]*group) error {
	if len(groups) == 1 {
		for k, g := range groups {
			return rt.appendGroup(k, g)
		}
	}
	var wg sync.WaitGroup
	for k, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.err = rt.appendGroup(k, g)
		}()
	}
	wg.Wait()
	for _, g := range groups {
		if g.err != nil {
			return g.err
		}
	}
	return nil
}

func (rt *Router) appendGroup(k groupKey, g *group) error {
	if g.refused {
		// Every entry point checks tenants, so this is a bug or data from
		// before they did; the events are stored, and the other tenants'
		// delivery must not fail with them.
		rt.refused[k.output].Add(float64(len(g.records)))
		return nil
	}
	if _, err := rt.outputs[k.output].Append(k.tenant, g.records); err != nil {
		return fmt.Errorf("queue %d events for output %s, tenant %s: %w", len(g.records), rt.names[k.output], k.tenant, err)
	}
	rt.queued[k.output].Add(float64(len(g.records)))
	return nil
}

func (rt *Router) release(st *routeState) {
	for k, g := range st.groups {
		clear(g.records)
		delete(st.groups, k)
	}
	st.sel.Reset()
	if cap(st.buf) > 8<<20 {
		st.buf = nil
	}
	rt.pool.Put(st)
}

var _ Appender = (*queue.Set)(nil)
