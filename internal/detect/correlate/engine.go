package correlate

import (
	"container/heap"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Limits and defaults. The memory figures are measured by
// BenchmarkMillionKeys (docs/correlation.md): a group holding one hit
// costs about 345 bytes.
const (
	// DefaultLateness covers shippers that batch for a minute or so
	// (Winlogbeat and NXLog flush every few seconds to a minute, a syslog
	// TCP reconnect replays what it held), at the price of keeping
	// windows 5 minutes longer than their timespan.
	DefaultLateness = 5 * time.Minute
	// DefaultMaxKeysPerRule bounds the groups of one correlation: a port
	// scan rule grouping by source address under a scan of a /16 holds
	// 65,536; four times that leaves room, at ≈85 MB.
	DefaultMaxKeysPerRule = 250_000
	// DefaultMaxKeys bounds all groups: 1,000,000 groups ≈ 345 MB, which a
	// laptop affords.
	DefaultMaxKeys = 1_000_000
	// DefaultSnapshotInterval is how often the state is written to disk.
	// Hits in between are in the hit log, which survives a killed process.
	DefaultSnapshotInterval = 30 * time.Second
	// DefaultMaxLeaseGroups bounds the groups of one correlation and
	// tenant that the wall-clock lease alone keeps (see expire): groups
	// whose event-time deadline has passed, kept for a host whose events
	// arrive late. Late hosts are a handful of shippers with a backlog, so
	// 10,000 (≈4 MB) leaves room; without the bound a replay, whose event
	// time runs far ahead of the wall clock (a backfill, `vigil bench`
	// sending a day in minutes), kept every group it made for up to
	// timespan plus lateness of wall time: 447,000 groups (≈195 MB) after
	// 2M events of `vigil bench`, growing with the run up to MaxKeys.
	DefaultMaxLeaseGroups = 10_000
	// DefaultMaxFuture is how far past its receipt (or now) an event's
	// time is believed: a host with a clock in the future must not push
	// its tenant's event time on and close everyone else's windows early.
	DefaultMaxFuture = 5 * time.Minute
)

// Options configure an Engine. Zero values mean the defaults.
type Options struct {
	// Lateness is how far behind the newest hit of its group (the group's
	// watermark) a hit may be and still count; older hits are counted as
	// late and left out. Negative means zero.
	Lateness time.Duration
	// MaxKeysPerRule and MaxKeys bound the groups kept; past them the
	// groups with the oldest windows are evicted, counted and logged.
	MaxKeysPerRule, MaxKeys int
	// MaxLeaseGroups bounds the groups of a correlation and tenant kept
	// by the wall-clock lease alone (DefaultMaxLeaseGroups).
	MaxLeaseGroups int
	// Dir holds the snapshot and the hit log; "" keeps state in memory.
	Dir string
	// SnapshotInterval is how often Run writes a snapshot.
	SnapshotInterval time.Duration
	// Registerer takes the engine's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Now is the wall clock (tests); nil means time.Now.
	Now func() time.Time
	// Offline: the hits come sorted by event time and much faster than
	// real time (a hunt), so windows expire on event time alone; live,
	// a window is also kept for its timespan plus the lateness of wall
	// time after its last hit (see expire).
	Offline bool
	// RouteChains: the firings of a correlation that others chain on are
	// not fed to them in this engine; the caller routes them (ChainHit,
	// Set.Route) to the engine that owns the outer group (correlation
	// sharded by key).
	RouteChains bool
}

// tenant is the state of one tenant: its event time and its groups per
// correlation. Tenants never share state.
type tenant struct {
	name string
	// wm is the newest hit time seen, which expires the groups; wall is
	// the wall clock when a hit was last seen.
	wm    int64
	wall  time.Time
	corrs map[string]*corrState
	// byIdx caches corrs by Corr.idx of the current set.
	byIdx []*corrState
}

// corrState holds the groups of one correlation in one tenant, and the
// same groups least recently hit first.
type corrState struct {
	key    string
	groups map[string]*group
	order  touchList
}

// Engine evaluates correlation rules over hits. It is safe for concurrent
// use; one mutex guards the state (the costly part, matching events, happens
// before, in parallel).
type Engine struct {
	opts     Options
	lateness int64
	log      *slog.Logger
	m        *metrics

	mu      sync.Mutex
	set     *Set
	tenants map[string]*tenant
	keys    int
	perRule map[string]int
	seq     uint64
	wal     *hitLog
	keyBuf  []byte
	evicted evictLog
}

type evictLog struct {
	last  time.Time
	since int
}

// Stats are the engine's counters.
type Stats struct {
	Groups    int    `json:"groups"`
	Hits      uint64 `json:"hits"`
	Late      uint64 `json:"late_hits"`
	Missing   uint64 `json:"missing_field_hits"`
	Firings   uint64 `json:"firings"`
	Evictions uint64 `json:"evictions"`
}

// New returns an engine for the correlations of set. With Options.Dir it
// restores the state a previous engine saved there and replays the hits it
// logged after its last snapshot; the firings of the replay are returned
// (their alerts have the ids the first run gave them, so writing them again
// updates rather than duplicates).
func New(opts Options, set *Set) (*Engine, []Firing, error) {
	if opts.Lateness < 0 {
		opts.Lateness = 0
	} else if opts.Lateness == 0 {
		opts.Lateness = DefaultLateness
	}
	if opts.MaxKeysPerRule <= 0 {
		opts.MaxKeysPerRule = DefaultMaxKeysPerRule
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.MaxLeaseGroups <= 0 {
		opts.MaxLeaseGroups = DefaultMaxLeaseGroups
	}
	if opts.SnapshotInterval <= 0 {
		opts.SnapshotInterval = DefaultSnapshotInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if set == nil {
		set = &Set{byKey: map[string]*Corr{}, inputs: map[string][]input{}}
	}
	e := &Engine{opts: opts, lateness: int64(opts.Lateness), log: opts.Logger.With("component", "correlate"),
		set: set, tenants: map[string]*tenant{}, perRule: map[string]int{}}
	e.m = newMetrics(opts.Registerer, e)
	if opts.Dir == "" {
		return e, nil, nil
	}
	fs, err := e.restore()
	if err != nil {
		return nil, nil, err
	}
	return e, fs, nil
}

// Lateness returns the allowed lateness in use.
func (e *Engine) Lateness() time.Duration { return time.Duration(e.lateness) }

// SetRules swaps in a new generation of correlations. The groups of
// correlations whose definition is unchanged (same Corr.Key) are kept; the
// others are dropped and logged.
func (e *Engine) SetRules(set *Set) {
	if set == nil {
		set = &Set{byKey: map[string]*Corr{}, inputs: map[string][]input{}}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.set = set
	dropped := 0
	for _, tn := range e.tenants {
		tn.byIdx = nil
		for key, cs := range tn.corrs {
			if set.byKey[key] != nil {
				continue
			}
			dropped += len(cs.groups)
			e.keys -= len(cs.groups)
			e.perRule[key] -= len(cs.groups)
			delete(tn.corrs, key)
		}
	}
	for key, n := range e.perRule {
		if n <= 0 {
			delete(e.perRule, key)
		}
	}
	if dropped > 0 {
		e.log.Info("correlation state dropped for removed or changed rules", "groups", dropped)
	}
}

// Process feeds hits (in the order given) and returns the firings they
// cause, chained correlations included.
func (e *Engine) Process(hits []Hit) []Firing {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.wal != nil {
		e.logHits(hits)
	}
	return e.process(hits, nil)
}

func (e *Engine) process(hits []Hit, out []Firing) []Firing {
	return e.processOnly(hits, "", out)
}

// processOnly feeds hits to the correlations of their rules; with only
// set, to correlation only alone.
func (e *Engine) processOnly(hits []Hit, only string, out []Firing) []Firing {
	var touched []*tenant
	now := e.opts.Now()
	for i := range hits {
		h := &hits[i]
		ins := e.set.inputsOf(h)
		if len(ins) == 0 || only != "" && !feeds(ins, only) {
			continue
		}
		tn := e.tenant(h.Tenant)
		e.m.hits.Inc()
		if h.Time > tn.wm {
			tn.wm = h.Time
		}
		tn.wall = now
		if len(touched) == 0 || touched[len(touched)-1] != tn {
			touched = append(touched, tn)
		}
		for _, in := range ins {
			if only != "" && in.c.Key != only {
				continue
			}
			out = e.feed(tn, in, h, now, out)
		}
	}
	for i, tn := range touched {
		if !containsTenant(touched[:i], tn) {
			out = e.expire(tn, tn.wm, now, !e.opts.Offline, out)
		}
	}
	return out
}

func feeds(ins []input, key string) bool {
	for _, in := range ins {
		if in.c.Key == key {
			return true
		}
	}
	return false
}

func containsTenant(list []*tenant, tn *tenant) bool {
	for _, x := range list {
		if x == tn {
			return true
		}
	}
	return false
}

// feed gives a hit to one input and, for every firing, to the correlations
// that chain on it. A hit older than its group's newest hit minus the
// lateness is late: counted and left out.
func (e *Engine) feed(tn *tenant, in input, h *Hit, now time.Time, out []Firing) []Firing {
	c := in.c
	var ok bool
	e.keyBuf, ok = groupKey(e.keyBuf, c, in.idx, h)
	if !ok {
		e.m.missing.Inc()
		return out
	}
	var vh uint64
	if c.typ == ValueCount {
		v, ok := h.get(c.refs[in.idx].value)
		if !ok {
			e.m.missing.Inc()
			return out
		}
		vh = valueHash(v)
	}
	if len(tn.byIdx) != len(e.set.corrs) {
		tn.byIdx = make([]*corrState, len(e.set.corrs))
		for _, c := range e.set.corrs {
			tn.byIdx[c.idx] = tn.corrs[c.Key]
		}
	}
	cs := tn.byIdx[c.idx]
	if cs == nil {
		cs = &corrState{key: c.Key, groups: map[string]*group{}}
		tn.corrs[c.Key] = cs
		tn.byIdx[c.idx] = cs
	}
	g := cs.groups[string(e.keyBuf)]
	if g == nil {
		e.makeRoom(cs)
		g = &group{key: string(e.keyBuf), latest: h.Time}
		cs.groups[g.key] = g
		cs.order.pushBack(g)
		e.keys++
		e.perRule[c.Key]++
	} else {
		if !h.chained && h.Time < g.latest-e.lateness {
			e.m.late.Inc()
			return out
		}
		cs.order.touch(g)
	}
	g.latest = max(g.latest, h.Time)
	g.touched = now.UnixNano()
	f, fired := e.observe(tn, c, g, in.idx, h, vh)
	if fired {
		out = e.emit(tn, f, out)
	}
	return out
}

// emit records a firing and passes a new one on to chained correlations.
func (e *Engine) emit(tn *tenant, f Firing, out []Firing) []Firing {
	out = append(out, f)
	if f.Update {
		return out
	}
	e.m.firings.Inc()
	if len(f.Corr.parents) == 0 || e.opts.RouteChains {
		return out
	}
	h := Hit{Rule: f.Corr.ref, Tenant: tn.name, Time: f.Last.UnixNano(), ID: f.ID, Fields: f.Group,
		eventIDs: f.EventIDs, chained: true}
	now := e.opts.Now()
	for _, in := range f.Corr.parents {
		out = e.feed(tn, in, &h, now, out)
	}
	return out
}

func (e *Engine) tenant(name string) *tenant {
	tn := e.tenants[name]
	if tn == nil {
		tn = &tenant{name: name, wm: math.MinInt64, corrs: map[string]*corrState{}}
		e.tenants[name] = tn
	}
	return tn
}

// expire drops the groups whose deadline (their last hit, or their
// window's end, plus timespan and lateness) is before wm, closing (and
// evaluating) their anchored windows. With wall, a group also waits for
// its timespan plus the lateness of wall time after its last hit: a host
// whose events arrive late (a shipper's backlog, a laptop back on the VPN)
// keeps its windows although other hosts pushed the tenant's event time
// on. The lease holds while the correlation has at most MaxLeaseGroups
// groups; past that, groups past their deadline go whatever the wall
// clock says, so a replay cannot hold every group it made. Groups are
// taken least recently hit first, while they qualify.
func (e *Engine) expire(tn *tenant, wm int64, now time.Time, wall bool, out []Firing) []Firing {
	nowNS := now.UnixNano()
	for _, cs := range tn.corrs {
		c := e.set.byKey[cs.key]
		if c == nil {
			continue
		}
		lease := c.timespan + e.lateness
		for g := cs.order.head; g != nil && g.deadline < wm && (!wall || g.touched+lease <= nowNS || len(cs.groups) > e.opts.MaxLeaseGroups); g = cs.order.head {
			cs.order.remove(g)
			delete(cs.groups, g.key)
			e.keys--
			e.perRule[cs.key]--
			if g.open {
				if f, ok := e.closeWindow(tn, c, g); ok {
					out = e.emit(tn, f, out)
				}
			}
		}
	}
	return out
}

// Tick closes windows of tenants that have been quiet: when no hit of a
// tenant arrived for longer than the lateness, its event time is taken to
// have moved on with the wall clock, so a window whose condition has an
// upper bound (lt, eq) is evaluated even if no later event comes. The
// watermark itself, and so what counts as late, is left alone.
func (e *Engine) Tick() []Firing {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.opts.Now()
	var out []Firing
	for _, tn := range e.tenants {
		if tn.wall.IsZero() || tn.wm == math.MinInt64 {
			continue
		}
		idle := now.Sub(tn.wall)
		if idle <= time.Duration(e.lateness) || idle < time.Second {
			continue
		}
		out = e.expire(tn, tn.wm+int64(idle), now, true, out)
	}
	return out
}

// Flush closes every window and returns what fires: the end of an offline
// run, when no more events will come.
func (e *Engine) Flush() []Firing {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Firing
	names := make([]string, 0, len(e.tenants))
	for n := range e.tenants {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = e.expire(e.tenants[n], math.MaxInt64, e.opts.Now(), false, out)
	}
	return out
}

// makeRoom evicts groups so one more fits under the caps: the least
// recently hit (the oldest windows) of the correlation over its cap, then
// of all over the total cap. Evictions go in batches of 1% of the
// cap, so the search for the oldest is paid once per batch.
func (e *Engine) makeRoom(cs *corrState) {
	if n := e.perRule[cs.key]; n >= e.opts.MaxKeysPerRule {
		e.evict(cs.key, n-e.opts.MaxKeysPerRule+max(1, e.opts.MaxKeysPerRule/100), "rule_cap")
	}
	if e.keys >= e.opts.MaxKeys {
		e.evict("", e.keys-e.opts.MaxKeys+max(1, e.opts.MaxKeys/100), "total_cap")
	}
}

// evict evicts the n least recently hit groups, of correlation key or ("")
// of any, merging the lists of the candidates.
func (e *Engine) evict(key string, n int, reason string) {
	var cands stateHeap
	for _, tn := range e.tenants {
		if key != "" {
			if cs := tn.corrs[key]; cs != nil && cs.order.head != nil {
				cands = append(cands, cs)
			}
			continue
		}
		for _, cs := range tn.corrs {
			if cs.order.head != nil {
				cands = append(cands, cs)
			}
		}
	}
	heap.Init(&cands)
	evicted := 0
	for ; evicted < n && len(cands) > 0; evicted++ {
		cs := cands[0]
		g := cs.order.head
		cs.order.remove(g)
		delete(cs.groups, g.key)
		e.keys--
		e.perRule[cs.key]--
		if cs.order.head == nil {
			heap.Pop(&cands)
		} else {
			heap.Fix(&cands, 0)
		}
	}
	if evicted == 0 {
		return
	}
	c := e.m.evict(reason)
	c.Add(uint64(evicted))
	e.evicted.since += evicted
	if now := e.opts.Now(); now.Sub(e.evicted.last) >= 10*time.Second {
		e.log.Warn("correlation state full: evicted the oldest windows", "reason", reason,
			"evicted", e.evicted.since, "groups", e.keys, "max_keys", e.opts.MaxKeys, "max_keys_per_rule", e.opts.MaxKeysPerRule)
		e.evicted = evictLog{last: now}
	}
}

// stateHeap orders correlation states by their least recently hit group.
type stateHeap []*corrState

func (h stateHeap) Len() int { return len(h) }
func (h stateHeap) Less(i, j int) bool {
	a, b := h[i].order.head, h[j].order.head
	return a.touched < b.touched || a.touched == b.touched && a.latest < b.latest
}
func (h stateHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *stateHeap) Push(x any)   { *h = append(*h, x.(*corrState)) }
func (h *stateHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	groups := e.keys
	e.mu.Unlock()
	return Stats{Groups: groups, Hits: e.m.read(&e.m.hits), Late: e.m.read(&e.m.late), Missing: e.m.read(&e.m.missing),
		Firings: e.m.read(&e.m.firings), Evictions: e.m.evictionsTotal()}
}

// Close writes a final snapshot and closes the hit log.
func (e *Engine) Close() error {
	if e.opts.Dir == "" {
		return nil
	}
	err := e.Snapshot()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.wal != nil {
		err = errors.Join(err, e.wal.close())
		e.wal = nil
	}
	if err != nil {
		return fmt.Errorf("close correlation state: %w", err)
	}
	return nil
}
