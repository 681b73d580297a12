package entity

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/enrich/assets"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query/filter"
)

// Options configure an Engine.
type Options struct {
	// Config is the analytics configuration, validated (config.Analytics.Validate).
	Config config.Analytics
	// Dir holds the baselines snapshot; "" keeps them in memory only.
	Dir string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Now is the wall clock that bounds event times (MaxFuture); nil
	// means time.Now.
	Now func() time.Time
	// Counters, when set, is shared with other engines (the partitions a
	// detect node owns, Group); nil gives the engine its own.
	Counters *Counters
	// PeersRouted, set by analytics sharded by entity, leaves the rarity
	// analytics with min_peers out of Write and WriteFor: their events
	// reach the entity through WritePeersFor, with the peer count the
	// owner of the value counted (CountPeerFor).
	PeersRouted bool
}

// Counters count what engines did: events evaluated, anomalies, risk
// alerts, entities evicted.
type Counters struct {
	evaluated, anomalies, riskAlerts, evicted atomic.Int64
}

// Engine learns the baselines and risk of entities from the events it is
// given (it is a pipeline.Sink) and writes the alerts they raise.
type Engine struct {
	opts      Options
	log       *slog.Logger
	out       alert.Sink
	analytics []*analytic
	// filters are the distinct filters of the analytics (analytic.filter
	// indexes them): most analytics share one, evaluated once per event.
	filters   []filter.Predicate
	risk      riskModel
	maxValues int
	perShard  int
	seed      maphash.Seed

	shards [shards]shard

	peersMu sync.Mutex
	peers   map[string]map[string]*peerStat // tenant\x00analytic → value → peers

	clockMu sync.Mutex
	clocks  map[string]int64 // tenant → newest event time (Unix seconds)

	snapMu sync.Mutex
	// ready is closed once the snapshot is read (in the background: a
	// million entities take tens of seconds); Write, AddAlerts, the views
	// and Snapshot wait for it.
	ready chan struct{}
	// changes counts Write and AddAlerts calls; saved is its value at the
	// last snapshot (under snapMu), so an idle engine writes nothing.
	changes atomic.Int64
	saved   int64

	// n counts what the engine did (shared with other engines: Options.Counters).
	n *Counters
}

type shard struct {
	mu sync.Mutex
	m  map[string]*entity
}

// entity is what the engine knows of one (tenant, type, name).
type entity struct {
	key    string // tenant \x00 type \x00 name
	first  int64  // event time first and last seen, Unix seconds
	seen   int64
	states []slot
	risk   *riskState
}

// name is the entity's name, the last part of its key: read only for
// the text of a finding, not for every event.
func (en *entity) name() string {
	_, _, name := splitKey(en.key)
	return name
}

// slot is the state of one analytic for the entity: *valuesState,
// *rateState or *travelState.
type slot struct {
	a  uint16
	st any
}

// New compiles the analytics of cfg, reads the snapshot in Dir, and
// returns an engine writing alerts to out.
func New(opts Options, out alert.Sink) (*Engine, error) {
	if out == nil {
		return nil, errors.New("new entity analytics: an alert sink is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := opts.Config
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("new entity analytics: %w", err)
	}
	opts.Config = c
	if opts.Counters == nil {
		opts.Counters = &Counters{}
	}
	e := &Engine{opts: opts, log: opts.Logger, out: out, risk: newRiskModel(c.Risk), maxValues: c.MaxValues,
		perShard: max(1, c.MaxEntities/shards), seed: maphash.MakeSeed(),
		peers: map[string]map[string]*peerStat{}, clocks: map[string]int64{}, ready: make(chan struct{}), n: opts.Counters}
	for i := range e.shards {
		e.shards[i].m = map[string]*entity{}
	}
	byText := map[string]int{}
	for i, r := range Rules(c) {
		a, err := compile(i, r)
		if err != nil {
			return nil, err
		}
		f, ok := byText[r.Filter]
		if !ok {
			f = len(e.filters)
			byText[r.Filter] = f
			e.filters = append(e.filters, a.match)
		}
		a.filter = f
		e.analytics = append(e.analytics, a)
	}
	if len(e.analytics) > 1<<16 {
		return nil, fmt.Errorf("new entity analytics: %d analytics: at most 65536", len(e.analytics))
	}
	if opts.Dir == "" {
		close(e.ready)
		return e, nil
	}
	go func() {
		defer close(e.ready)
		start := time.Now()
		n, err := e.load()
		if err != nil {
			e.log.Error("read baselines; starting with what was read", "err", err)
			return
		}
		if n > 0 {
			e.log.Info("baselines read", "entities", n, "path", e.snapshotPath(), "took", time.Since(start).Round(time.Millisecond))
		}
	}()
	return e, nil
}

// Ready is closed once the baselines saved by the last run are read.
func (e *Engine) Ready() <-chan struct{} { return e.ready }

// Name implements pipeline.Sink.
func (e *Engine) Name() string { return "analytics" }

// eventTime is the event's time in Unix seconds: @timestamp (event.ingested
// without one), no later than MaxFuture past now.
func (e *Engine) eventTime(ev *event.Event, now time.Time) time.Time {
	t := ev.Timestamp
	if t.IsZero() {
		t = ev.Ingested
	}
	if t.IsZero() {
		t = now
	}
	if lim := now.Add(e.opts.Config.MaxFuture.D()); t.After(lim) {
		t = lim
	}
	return t.UTC()
}

func tenantOf(t string) string {
	if t == "" {
		return event.DefaultTenant
	}
	return t
}

func appendKey(b []byte, tenant, typ, name string) []byte {
	b = append(b, tenant...)
	b = append(b, 0)
	b = append(b, typ...)
	b = append(b, 0)
	return append(b, name...)
}

// splitKey returns the tenant, type and name of an entity key.
func splitKey(k string) (tenant, typ, name string) {
	tenant, rest, _ := strings.Cut(k, "\x00")
	typ, name, _ = strings.Cut(rest, "\x00")
	return tenant, typ, name
}

func (e *Engine) shardOf(key []byte) *shard {
	return &e.shards[maphash.Bytes(e.seed, key)&(shards-1)]
}

// get returns the entity of key, making it (and forgetting the least
// recently seen of a sample when the shard is full). sh is locked.
func (e *Engine) get(sh *shard, key []byte, t int64) *entity {
	if en := sh.m[string(key)]; en != nil {
		if t > en.seen {
			en.seen = t
		}
		if t < en.first {
			en.first = t
		}
		return en
	}
	if len(sh.m) >= e.perShard {
		var oldest *entity
		n := 0
		for _, o := range sh.m {
			if oldest == nil || o.seen < oldest.seen {
				oldest = o
			}
			if n++; n >= evictSample {
				break
			}
		}
		delete(sh.m, oldest.key)
		e.n.evicted.Add(1)
	}
	en := &entity{key: string(key), first: t, seen: t}
	sh.m[en.key] = en
	return en
}

func (en *entity) state(a int) any {
	for _, s := range en.states {
		if int(s.a) == a {
			return s.st
		}
	}
	return nil
}

func (e *Engine) tick(tenant string, t int64) {
	e.clockMu.Lock()
	if t > e.clocks[tenant] {
		e.clocks[tenant] = t
	}
	e.clockMu.Unlock()
}

// Clock is the newest event time of a tenant (zero before any event): the
// time risk is decayed to in views.
func (e *Engine) Clock(tenant string) time.Time {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	if t, ok := e.clocks[tenant]; ok {
		return time.Unix(t, 0).UTC()
	}
	return time.Time{}
}

// Write implements pipeline.Sink: every event feeds the analytics whose
// filter it matches; the alerts the anomalies raise, and the risk alerts
// of entities they push over the threshold, are written before Write
// returns.
func (e *Engine) Write(ctx context.Context, events []*event.Event) error {
	return e.write(ctx, events, Ref{}, nil)
}

// write is Write; only, when set, restricts it to the analytics of that
// entity (WriteFor); peer, when set, to one rarity analytic with the peer
// count given (WritePeersFor).
func (e *Engine) write(ctx context.Context, events []*event.Event, only Ref, peer *peerCount) error {
	select {
	case <-e.ready:
	case <-ctx.Done():
		return fmt.Errorf("entity analytics: wait for the baselines: %w", ctx.Err())
	}
	now := e.opts.Now()
	e.changes.Add(1)
	var alerts []alert.Alert
	var key, buf []byte
	matched := make([]int8, len(e.filters)) // 0 not evaluated, 1 true, -1 false
	// The tenants' clocks move once per run of a tenant's events, not
	// once per event (a lock and a map look-up each).
	var clockTenant string
	var clockT int64
	for i, ev := range events {
		tt := e.eventTime(ev, now)
		t := tt.Unix()
		tenant := tenantOf(ev.Tenant)
		if i == 0 || tenant != clockTenant {
			if i > 0 {
				e.tick(clockTenant, clockT)
			}
			clockTenant, clockT = tenant, t
		} else {
			clockT = max(clockT, t)
		}
		clear(matched)
		for _, a := range e.analytics {
			if only.Type != "" && a.cfg.Entity != only.Type {
				continue
			}
			if peer != nil && a != peer.a {
				continue
			}
			// sharded, the event of a rarity analytic with min_peers only
			// starts its learning here; it comes back with its peer count
			sinceOnly := peer == nil && e.opts.PeersRouted && a.routedPeers()
			if !e.matches(a, ev, matched) {
				continue
			}
			name := a.name(ev)
			if name == "" || only.Type != "" && name != only.Name {
				continue
			}
			key = appendKey(key[:0], tenant, a.cfg.Entity, name)
			sh := e.shardOf(key)
			sh.mu.Lock()
			en := e.get(sh, key, t)
			if sinceOnly {
				buf = e.startLearning(a, en, ev, tt, buf[:0])
				sh.mu.Unlock()
				continue
			}
			var f *finding
			f, buf = e.observe(a, en, ev, tt, buf[:0], peer)
			if f != nil {
				al := e.anomalyAlert(a, en, ev, tt, f)
				alerts = append(alerts, al)
				// the analytic's own level, weighed by the event's asset and
				// identity (the alert's level is already raised for the asset)
				c := Contribution{At: t, Points: e.risk.points[a.cfg.Level] * eventWeight(ev), AlertID: al.ID, RuleID: al.RuleID,
					Title: al.Title, Level: al.Level, EventIDs: al.EventIDs}
				if en.risk == nil {
					en.risk = &riskState{}
				}
				if e.risk.add(en.risk, c) {
					alerts = append(alerts, e.riskAlert(en, t))
				}
			}
			sh.mu.Unlock()
		}
	}
	if len(events) > 0 {
		e.tick(clockTenant, clockT)
	}
	if peer == nil { // the event was counted when its entities learned from it
		e.n.evaluated.Add(int64(len(events)))
	}
	if len(alerts) == 0 {
		return nil
	}
	if err := e.out.WriteAlerts(ctx, alerts); err != nil {
		return fmt.Errorf("write %d analytics alerts: %w", len(alerts), err)
	}
	return nil
}

// matches evaluates the filter of a on ev once per event: matched (one
// per filter, cleared per event) remembers 1 true, -1 false.
func (e *Engine) matches(a *analytic, ev *event.Event, matched []int8) bool {
	m := matched[a.filter]
	if m == 0 {
		m = -1
		if e.filters[a.filter](ev) {
			m = 1
		}
		matched[a.filter] = m
	}
	return m > 0
}

// finding is a broken baseline.
type finding struct {
	value    string
	baseline []string
	reason   string
	score    float64
}

// observe updates the analytic's state of the entity with one event and
// returns what the event broke, if anything and the state has learned;
// buf is scratch space, returned for reuse.
func (e *Engine) observe(a *analytic, en *entity, ev *event.Event, tt time.Time, buf []byte, peer *peerCount) (*finding, []byte) {
	f := e.observeWith(a, en, ev, tt, &buf, peer)
	return f, buf
}

func (e *Engine) observeWith(a *analytic, en *entity, ev *event.Event, tt time.Time, buf *[]byte, peer *peerCount) *finding {
	t := tt.Unix()
	st := en.state(a.idx)
	switch a.kind {
	case kindFirstSeen, kindRarity:
		vb, ok := a.appendValue((*buf)[:0], ev, tt)
		*buf = vb
		if !ok {
			return nil
		}
		s, _ := st.(*valuesState)
		if s == nil {
			s = &valuesState{Since: t}
			en.states = append(en.states, slot{a: uint16(a.idx), st: s})
		}
		if t < s.Since {
			s.Since = t
		}
		learned := t-s.Since >= a.learn
		hadAny := len(s.Vals) > 0
		i, daysBefore, isNew := s.observe(vb, t, e.maxValues)
		if a.kind == kindFirstSeen {
			if !isNew || !learned || (!hadAny && a.learn > 0) {
				return nil
			}
			v := s.Vals[i].V
			seen := s.others(v, 10)
			return &finding{value: v, baseline: seen,
				reason: fmt.Sprintf("first %s %s for %s; seen before: %s", a.phrase, v, en.name(), listOrNone(seen))}
		}
		v := s.Vals[i].V
		peers := -1
		if peer != nil {
			peers = peer.others
		} else if a.cfg.MinPeers > 0 {
			peers = e.countPeer(en.key, a, v, isNew, dayOf(t))
		}
		if !learned {
			return nil
		}
		sv := &s.Vals[i]
		rareDays := a.cfg.MinDays <= 0 || daysBefore < a.cfg.MinDays
		rarePeers := a.cfg.MinPeers <= 0 || peers < a.cfg.MinPeers
		if !rareDays || !rarePeers || sv.AlertDay == dayOf(t) {
			return nil
		}
		sv.AlertDay = dayOf(t)
		var why []string
		if a.cfg.MinDays > 0 {
			why = append(why, fmt.Sprintf("seen by %s on %d earlier day(s)", en.name(), daysBefore))
		}
		if a.cfg.MinPeers > 0 {
			why = append(why, fmt.Sprintf("by %d other %s(s)", peers, a.cfg.Entity))
		}
		return &finding{value: v, baseline: why, score: float64(daysBefore),
			reason: fmt.Sprintf("rare %s %s for %s: %s", a.phrase, v, en.name(), strings.Join(why, ", "))}
	case kindRate:
		s, _ := st.(*rateState)
		h := floorDiv(t, 3600)
		if s == nil {
			s = &rateState{Since: t, Hour: h}
			en.states = append(en.states, slot{a: uint16(a.idx), st: s})
		}
		if h < s.Hour {
			return nil // older than the hour being counted: too late for the rate
		}
		s.advance(h)
		var x float64
		var d []byte
		switch a.cfg.Measure {
		case "sum":
			x, _ = number(ev, a.cfg.Field)
		case "distinct":
			var ok bool
			if d, ok = appendField((*buf)[:0], ev, a.cfg.Field, tt); !ok {
				return nil
			}
			*buf = d
		}
		s.add(a.cfg.Measure, x, d, e.seed)
		if s.Alerted || t-s.Since < a.learn || s.Cur < a.cfg.MinValue {
			return nil
		}
		z, b := s.score()
		if z < a.cfg.Threshold {
			return nil
		}
		s.Alerted = true
		hs := time.Unix(h*3600, 0).UTC()
		return &finding{value: strconv.FormatFloat(s.Cur, 'f', -1, 64), baseline: b.describe(), score: z,
			reason: fmt.Sprintf("%s %s of %s in the hour from %s %s: %.0f, %.1f MADs above the median %.0f of that hour in past weeks",
				a.phrase, a.cfg.Measure, en.name(), hs.Weekday().String()[:3], hs.Format("15:04"), s.Cur, z, dequantize(b.med))}
	case kindTravel:
		lat, lon, where, ok := location(ev)
		if !ok {
			return nil
		}
		s, _ := st.(*travelState)
		if s == nil {
			s = &travelState{Lat: lat, Lon: lon, At: t, Where: where, Event: ev.ID}
			en.states = append(en.states, slot{a: uint16(a.idx), st: s})
			return nil
		}
		prev := *s
		if t >= s.At {
			*s = travelState{Lat: lat, Lon: lon, At: t, Where: where, Event: ev.ID}
		}
		dt := t - prev.At
		if dt < 0 {
			dt = -dt
		}
		km := distanceKm(prev.Lat, prev.Lon, lat, lon)
		if km < a.cfg.MinDistance {
			return nil
		}
		hours := max(float64(dt), 60) / 3600 // a minute at least: clocks disagree
		speed := km / hours
		if speed <= a.cfg.MaxSpeed {
			return nil
		}
		base := []string{prev.Where, time.Unix(prev.At, 0).UTC().Format(time.RFC3339)}
		if prev.Event != "" {
			base = append(base, prev.Event)
		}
		return &finding{value: where, baseline: base, score: speed,
			reason: fmt.Sprintf("%s logged in from %s %v after %s: %.0f km apart, %.0f km/h (at most %.0f)",
				en.name(), where, time.Duration(dt)*time.Second, prev.Where, km, speed, a.cfg.MaxSpeed)}
	}
	return nil
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// countPeer counts entity key as a peer of value v when it is new to the
// entity, and returns the number of other entities that showed v.
func (e *Engine) countPeer(key string, a *analytic, v string, isNew bool, d int32) int {
	tenant, _, _ := splitKey(key)
	e.peersMu.Lock()
	defer e.peersMu.Unlock()
	p := e.peerStat(tenant, a, v, d)
	others := int(p.Peers)
	if isNew {
		p.Peers++
	} else if others > 0 {
		others--
	}
	return others
}

// peerStat returns the peer count of value v of tenant's analytic a seen
// on day d, making it (and forgetting the least recently seen of a sample
// when the analytic counts maxPeerValues). peersMu is held.
func (e *Engine) peerStat(tenant string, a *analytic, v string, d int32) *peerStat {
	tk := tenant + "\x00" + a.cfg.Name
	m := e.peers[tk]
	if m == nil {
		m = map[string]*peerStat{}
		e.peers[tk] = m
	}
	p := m[v]
	if p == nil {
		if len(m) >= maxPeerValues {
			var oldK string
			var old *peerStat
			n := 0
			for k, o := range m {
				if old == nil || o.LastDay < old.LastDay {
					oldK, old = k, o
				}
				if n++; n >= evictSample {
					break
				}
			}
			delete(m, oldK)
		}
		p = &peerStat{}
		m[strings.Clone(v)] = p
	}
	if d > p.LastDay {
		p.LastDay = d
	}
	return p
}

// anomalyAlert makes the alert of a finding.
func (e *Engine) anomalyAlert(a *analytic, en *entity, ev *event.Event, tt time.Time, f *finding) alert.Alert {
	tenant, typ, name := splitKey(en.key)
	e.n.anomalies.Add(1)
	ents := alert.EntitiesOf(ev)
	alertEntities(&ents, typ, name)
	id := event.NewID(tenant, "analytics", a.ruleID, 0, []byte(en.key+"\x00"+f.value+"\x00"+ev.ID+"\x00"+tt.Format(time.RFC3339Nano)))
	var ids []string
	if ev.ID != "" {
		ids = []string{ev.ID}
	}
	return alert.Alert{ID: id, Tenant: tenant, RuleID: a.ruleID, Title: a.title, Level: assets.AlertLevel(a.cfg.Level, ev),
		Tags: []string{"vigil.analytics." + a.kind.String()}, First: tt, Last: tt, Count: 1, EventIDs: ids,
		Entities: ents, Status: alert.StatusOpen,
		Analytic: &alert.Analytic{Name: a.cfg.Name, Kind: a.kind.String(), EntityType: typ, Entity: name, Value: f.value,
			Baseline: f.baseline, Reason: f.reason, Score: f.score}}
}

// riskAlert makes the risk alert of an entity that crossed the threshold
// at t, citing its contributions.
func (e *Engine) riskAlert(en *entity, t int64) alert.Alert {
	tenant, typ, name := splitKey(en.key)
	e.n.riskAlerts.Add(1)
	r := en.risk
	var ents alert.Entities
	alertEntities(&ents, typ, name)
	var ids, evs, titles []string
	first := t
	seenEv := map[string]bool{}
	for _, c := range r.Contrib {
		ids = append(ids, c.AlertID)
		titles = append(titles, fmt.Sprintf("%s (%s, %.0f)", c.Title, c.Level, c.Points))
		first = min(first, c.At)
		for _, id := range c.EventIDs {
			if !seenEv[id] && len(evs) < alert.MaxEventIDs {
				seenEv[id] = true
				evs = append(evs, id)
			}
		}
	}
	at := time.Unix(t, 0).UTC()
	return alert.Alert{ID: event.NewID(tenant, "analytics", RuleIDPrefix+"risk", 0, []byte(en.key+"\x00"+at.Format(time.RFC3339))),
		Tenant: tenant, RuleID: RuleIDPrefix + "risk", Title: "Entity risk above threshold", Level: e.risk.level,
		Tags: []string{"vigil.analytics.risk"}, First: time.Unix(first, 0).UTC(), Last: at, Count: len(r.Contrib),
		EventIDs: evs, Entities: ents, Status: alert.StatusOpen,
		Analytic: &alert.Analytic{Name: "risk", Kind: "risk", EntityType: typ, Entity: name,
			Value: strconv.FormatFloat(r.Score, 'f', 0, 64), Baseline: titles, Score: r.Score, AlertIDs: ids,
			Reason: fmt.Sprintf("risk of %s %s reached %.0f (threshold %.0f) from %d alerts: %s", typ, name, r.Score,
				e.risk.threshold, len(r.Contrib), strings.Join(titles, "; "))}}
}

// AlertSink returns a sink that writes alerts to next and then adds their
// risk to their users, hosts and source addresses, writing the risk
// alerts that raises to next as well. Wrap the sink of the other
// detectors (rules, correlations, intel) with it.
func (e *Engine) AlertSink(next alert.Sink) alert.Sink {
	return alert.SinkFunc(func(ctx context.Context, alerts []alert.Alert) error {
		if err := next.WriteAlerts(ctx, alerts); err != nil {
			return err
		}
		if risk := e.AddAlerts(alerts); len(risk) > 0 {
			if err := next.WriteAlerts(ctx, risk); err != nil {
				return fmt.Errorf("write %d risk alerts: %w", len(risk), err)
			}
		}
		return nil
	})
}

// AddAlerts adds the risk of alerts raised elsewhere to their entities
// and returns the risk alerts of entities that crossed the threshold. An
// alert counts once however often it is updated.
func (e *Engine) AddAlerts(alerts []alert.Alert) []alert.Alert {
	return e.addAlerts(alerts, Ref{})
}

// addAlerts is AddAlerts; only, when set, restricts it to that entity
// (AddAlertsFor).
func (e *Engine) addAlerts(alerts []alert.Alert, only Ref) []alert.Alert {
	<-e.ready
	e.changes.Add(1)
	var out []alert.Alert
	var key []byte
	for _, al := range alerts {
		at := al.First
		if at.IsZero() {
			at = al.Last
		}
		if at.IsZero() {
			continue // an alert without a time cannot be placed in event time
		}
		t := at.Unix()
		c := Contribution{At: t, Points: e.risk.points[al.Level], AlertID: al.ID, RuleID: al.RuleID, Title: al.Title, Level: al.Level}
		if len(al.EventIDs) > 0 {
			c.EventIDs = append([]string(nil), al.EventIDs[:min(len(al.EventIDs), maxContributionEvents)]...)
		}
		tenant := tenantOf(al.Tenant)
		eachRiskEntity(&al, func(r Ref) {
			if only.Type != "" && r != only {
				return
			}
			key = appendKey(key[:0], tenant, r.Type, r.Name)
			sh := e.shardOf(key)
			sh.mu.Lock()
			en := e.get(sh, key, t)
			if en.risk == nil {
				en.risk = &riskState{}
			}
			if e.risk.add(en.risk, c) {
				out = append(out, e.riskAlert(en, t))
			}
			sh.mu.Unlock()
		})
	}
	return out
}

// eachRiskEntity calls fn with each entity an alert raised elsewhere adds
// risk to: its users, hosts and source addresses (none for the alerts of
// analytics, whose risk is added where they are raised).
func eachRiskEntity(al *alert.Alert, fn func(Ref)) {
	if strings.HasPrefix(al.RuleID, RuleIDPrefix) {
		return
	}
	for _, grp := range []struct {
		typ   string
		names []string
	}{{"user", al.Entities.Users}, {"host", al.Entities.Hosts}, {"source_ip", al.Entities.SourceIPs}} {
		for _, n := range grp.names {
			n = strings.ToLower(strings.TrimSpace(n))
			if n == "" || n == "-" || len(n) > maxNameLen {
				continue
			}
			fn(Ref{Type: grp.typ, Name: n})
		}
	}
}

// Stats are the engine's counters.
type Stats struct {
	Analytics  int   `json:"analytics"`
	Entities   int   `json:"entities"`
	Evaluated  int64 `json:"events_evaluated"`
	Anomalies  int64 `json:"anomalies"`
	RiskAlerts int64 `json:"risk_alerts"`
	Evicted    int64 `json:"entities_evicted"`
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	n := 0
	for i := range e.shards {
		sh := &e.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return Stats{Analytics: len(e.analytics), Entities: n, Evaluated: e.n.evaluated.Load(), Anomalies: e.n.anomalies.Load(),
		RiskAlerts: e.n.riskAlerts.Load(), Evicted: e.n.evicted.Load()}
}
