package incident

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// DefaultMaxActive bounds the incidents indexed in memory. An indexed
// incident costs about 1–2 KB (its summary and a few index entries), so
// 100,000 of them stay under ~200 MB; a deployment with more incidents open
// at once than that has a triage problem no grouping fixes.
const DefaultMaxActive = 100_000

// evictEvery: the index is swept for incidents past the horizon at most this
// often (a sweep walks every indexed incident).
const evictEvery = 10 * time.Second

// Config configures a Manager.
type Config struct {
	// Window and MaxSpan: see config.Incidents. Zero: the defaults.
	Window, MaxSpan time.Duration
	// LinkBy are the entity kinds that link (config.LinkHosts...); nil: all.
	LinkBy []string
	// Ignore are entity values that never link; nil: config.DefaultIncidentIgnore.
	Ignore []string
	// MaxActive bounds the incidents indexed in memory; zero: DefaultMaxActive.
	MaxActive int
	// MaxMembers bounds the memberships held in memory; zero:
	// DefaultMaxMembers.
	MaxMembers int
	// MaxFilterKeys bounds the filter of memberships kept past
	// MaxMembers; zero: DefaultMaxFilterKeys. Past it each batch asks the
	// store.
	MaxFilterKeys int
	// AlertsStored says the alert store took each batch before
	// WriteAlerts is called (the alert log's applier chain): the members
	// of alerts grouping leaves unchanged are marked InAlertTable, and a
	// store may keep a reference instead of a copy.
	AlertsStored bool
	// Notify, when set, is told of incidents opened and escalated.
	Notify Notifier
	// Registerer, when set, receives the incident metrics.
	Registerer prometheus.Registerer
	// Logger; nil: slog.Default().
	Logger *slog.Logger
	// Now is the wall clock (tests); nil: time.Now.
	Now func() time.Time
}

// FromConfig maps the incidents section of vigil.yaml to a Config.
func FromConfig(c config.Incidents) Config {
	return Config{Window: c.Window.D(), MaxSpan: c.MaxSpan.D(), LinkBy: c.LinkBy, Ignore: c.Ignore}
}

// Manager groups alerts into incidents and applies analysts' changes. It is
// safe for concurrent use.
type Manager struct {
	cfg Config
	st  Store
	log *slog.Logger
	met *metrics

	mu        sync.Mutex // serialises writes and guards idx
	idx       *index
	lastEvict time.Time
	// mem holds every stored membership when the store can list them and
	// they are at most MaxMembers; nil: each batch asks the store.
	mem *members
}

// New returns a Manager over st, with the incidents new alerts can join
// loaded from it.
func New(ctx context.Context, st Store, cfg Config) (*Manager, error) {
	if st == nil {
		return nil, errors.New("new incident manager: a store is required")
	}
	if cfg.Window <= 0 {
		cfg.Window = config.DefaultIncidentWindow.D()
	}
	if cfg.MaxSpan <= 0 {
		cfg.MaxSpan = config.DefaultIncidentMaxSpan.D()
	}
	if cfg.LinkBy == nil {
		cfg.LinkBy = []string{config.LinkHosts, config.LinkUsers, config.LinkIPs}
	}
	if cfg.Ignore == nil {
		cfg.Ignore = config.DefaultIncidentIgnore
	}
	if cfg.MaxActive <= 0 {
		cfg.MaxActive = DefaultMaxActive
	}
	if cfg.MaxFilterKeys <= 0 {
		cfg.MaxFilterKeys = DefaultMaxFilterKeys
	}
	if cfg.MaxMembers <= 0 {
		cfg.MaxMembers = DefaultMaxMembers
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Manager{cfg: cfg, st: st, log: cfg.Logger.With("component", "incidents"), met: newMetrics(cfg.Registerer)}
	if err := m.rebuild(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// horizon is how far behind its tenant's newest alert an incident stays
// indexed: an alert up to one window late (correlations fire after their
// window, hunts replay old files) still finds the incidents it belongs to.
func (m *Manager) horizon() time.Duration { return 2 * m.cfg.Window }

// rebuild reloads the index and the memberships from the store. Called
// with mu held (or before the Manager is shared).
func (m *Manager) rebuild(ctx context.Context) error {
	mem, err := loadMembers(ctx, m.st, m.cfg.MaxMembers, m.cfg.MaxFilterKeys)
	if err != nil {
		return err
	}
	m.mem = mem
	incs, err := m.st.Active(ctx, m.cfg.MaxActive)
	if err != nil {
		return fmt.Errorf("load open incidents: %w", err)
	}
	m.idx = newIndex(newLinker(m.cfg.LinkBy, m.cfg.Ignore))
	for _, inc := range incs {
		if inc.MergedInto == "" {
			m.idx.put(track(inc))
		}
	}
	m.met.evicted.Add(float64(m.idx.evict(m.horizon(), m.cfg.MaxActive)))
	m.met.active.Set(float64(m.idx.n))
	return nil
}

// batch is the state of one WriteAlerts call.
type batch struct {
	now     time.Time
	members map[string]map[string]string // tenant → alert id → incident id
	loaded  map[string]*tracked          // tenant+id → incidents read from the store
	touched []*tracked
	sevWas  map[*tracked]int
	created map[*tracked]bool
	merged  map[string]string // absorbed incident id → survivor id
	// changed holds the tenant+id of the alerts prepare changed (filled
	// defaults): the alert store holds another form of them.
	changed map[string]bool
	ch      Changes
}

func (b *batch) touch(inc *tracked) {
	if _, ok := b.sevWas[inc]; !ok {
		b.sevWas[inc] = alert.LevelRank(inc.Severity)
		b.touched = append(b.touched, inc)
	}
}

// WriteAlerts implements alert.Sink: it groups the alerts into incidents
// and stores them before returning. Alerts without an id or with a bad
// tenant are rejected (an error names them); the others are grouped.
func (m *Manager) WriteAlerts(ctx context.Context, as []alert.Alert) error {
	as, changed, rejected := prepare(as, m.cfg.Now())
	if len(as) == 0 {
		return rejected
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	b := &batch{now: m.cfg.Now().UTC(), members: map[string]map[string]string{}, loaded: map[string]*tracked{},
		sevWas: map[*tracked]int{}, created: map[*tracked]bool{}, merged: map[string]string{}, changed: changed}
	for i := 0; i < len(as); {
		j := i
		var ids []string
		for ; j < len(as) && as[j].Tenant == as[i].Tenant; j++ {
			ids = append(ids, as[j].ID)
		}
		tenant := as[i].Tenant
		i = j
		// The memberships held in memory answer; the store answers for the
		// ids they cannot tell (all of them when none are held).
		var held map[string]string
		if m.mem != nil {
			held, ids = m.mem.lookup(tenant, ids)
		}
		if len(ids) > 0 {
			mem, err := m.st.Memberships(ctx, tenant, ids)
			if err != nil {
				return errors.Join(fmt.Errorf("group %d alerts: %w", len(as), err), rejected)
			}
			if held == nil {
				held = mem
			} else {
				for a, inc := range mem {
					held[a] = inc
				}
			}
		}
		b.members[tenant] = held
	}
	for i := range as {
		if err := m.place(ctx, b, &as[i]); err != nil {
			m.recover(ctx)
			return errors.Join(fmt.Errorf("group %d alerts: %w", len(as), err), rejected)
		}
	}
	for _, inc := range b.touched {
		b.ch.Incidents = append(b.ch.Incidents, cloneIncident(&inc.Incident))
	}
	for i := range b.ch.Alerts {
		b.ch.Alerts[i].IncidentID = b.resolve(b.ch.Alerts[i].IncidentID)
	}
	if err := m.st.Apply(ctx, &b.ch); err != nil {
		m.met.errors.Inc()
		m.recover(ctx)
		return errors.Join(fmt.Errorf("store %d incidents: %w", len(b.ch.Incidents), err), rejected)
	}
	if m.mem != nil {
		m.mem.applied(&b.ch)
		m.boundMembers(ctx)
	}
	// Incidents read from the store that can take alerts again are indexed.
	for _, inc := range b.loaded {
		if inc.Status != StatusClosed && inc.MergedInto == "" && m.idx.get(inc.Tenant, inc.ID) == nil {
			m.idx.put(inc)
		}
	}
	m.met.alerts.Add(float64(len(as)))
	m.met.opened.Add(float64(len(b.created)))
	m.met.merged.Add(float64(len(b.merged)))
	if now := m.cfg.Now(); now.Sub(m.lastEvict) > evictEvery || m.idx.n > m.cfg.MaxActive {
		m.lastEvict = now
		m.met.evicted.Add(float64(m.idx.evict(m.horizon(), m.cfg.MaxActive)))
	}
	m.met.active.Set(float64(m.idx.n))
	if m.cfg.Notify != nil {
		if ns := b.notices(); len(ns) > 0 {
			m.cfg.Notify.NotifyIncidents(ctx, ns)
		}
	}
	return rejected
}

// boundMembers keeps the memberships held in memory within their bound
// once they pass it: a filter of them all when the store can list their
// keys (rebuilt from the store when it fills), otherwise none (each batch
// asks the store).
func (m *Manager) boundMembers(ctx context.Context) {
	kl, ok := m.st.(KeyLister)
	switch {
	case m.mem.filter == nil && m.mem.n <= m.cfg.MaxMembers:
		return
	case m.mem.filter == nil && !ok:
		m.mem = nil
		m.log.Info("incident memberships past the bound held in memory: read from the store from now on", "max", m.cfg.MaxMembers)
	case m.mem.filter == nil:
		if err := m.mem.bound(); err != nil {
			m.mem = nil
			m.log.Info("incident memberships past the bound held in memory, too many for a filter: read from the store from now on", "max", m.cfg.MaxMembers, "max_filter_keys", m.cfg.MaxFilterKeys)
			return
		}
		m.log.Info("incident memberships past the bound held in memory: the recent ones held, and a filter of all", "max", m.cfg.MaxMembers)
	case m.mem.filter.full():
		err := m.mem.refilter(ctx, kl, m.mem.filter.n)
		switch {
		case errors.Is(err, errFilterBound):
			m.mem = nil
			m.log.Info("incident memberships past the filter's bound: read from the store from now on", "max_filter_keys", m.cfg.MaxFilterKeys)
		case err != nil:
			m.mem = nil
			m.log.Error("incident memberships: read from the store from now on", "err", err)
		}
	}
}

// recover rebuilds the index after a failed batch: the store still holds
// the state before it.
func (m *Manager) recover(ctx context.Context) {
	if err := m.rebuild(ctx); err != nil {
		m.log.Error("rebuild the incident index", "err", err)
	}
}

func (b *batch) resolve(id string) string {
	for i := 0; i < 64; i++ { // merges chain at most once per alert of a batch
		to, ok := b.merged[id]
		if !ok {
			break
		}
		id = to
	}
	return id
}

func (b *batch) notices() []Notice {
	var ns []Notice
	for _, inc := range b.touched {
		if inc.MergedInto != "" || inc.Status == StatusClosed {
			continue
		}
		switch {
		case b.created[inc]:
			ns = append(ns, Notice{Reason: ReasonOpened, Incident: cloneIncident(&inc.Incident)})
		case alert.LevelRank(inc.Severity) > b.sevWas[inc]:
			ns = append(ns, Notice{Reason: ReasonEscalated, Incident: cloneIncident(&inc.Incident)})
		}
	}
	return ns
}

// prepare copies the alerts, fills defaults, drops duplicates within the
// batch (the last copy of an id wins: it is the latest fold) and sorts them
// by tenant, time and id, so a batch groups the same whatever its order.
// changed holds the tenant+id of the alerts whose copy differs from what
// was given (a default filled, a time moved to UTC); nil when none.
func prepare(in []alert.Alert, now time.Time) (out []alert.Alert, changed map[string]bool, err error) {
	var bad []string
	pos := map[string]int{}
	out = make([]alert.Alert, 0, len(in))
	for _, a := range in {
		same := asStored(&a)
		if a.Tenant == "" {
			a.Tenant = event.DefaultTenant
		}
		if a.ID == "" || !store.ValidTenant(a.Tenant) {
			bad = append(bad, fmt.Sprintf("%q (tenant %q)", a.ID, a.Tenant))
			continue
		}
		if a.First.IsZero() {
			a.First = a.Last
		}
		if a.First.IsZero() {
			a.First = now
		}
		if a.Last.Before(a.First) {
			a.Last = a.First
		}
		a.First, a.Last = a.First.UTC(), a.Last.UTC()
		k := a.Tenant + "\x00" + a.ID
		switch {
		case !same:
			if changed == nil {
				changed = map[string]bool{}
			}
			changed[k] = true
		case changed[k]: // an earlier copy was changed, this last one is not
			delete(changed, k)
		}
		if i, ok := pos[k]; ok {
			out[i] = a
			continue
		}
		pos[k] = len(out)
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b alert.Alert) int {
		return cmp.Or(strings.Compare(a.Tenant, b.Tenant), a.First.Compare(b.First), strings.Compare(a.ID, b.ID))
	})
	if len(bad) > 0 {
		err = fmt.Errorf("%w: %d alerts rejected (an alert needs an id and a valid tenant): %s",
			store.ErrBadRequest, len(bad), strings.Join(bad[:min(len(bad), 5)], ", "))
	}
	return out, changed, err
}

// asStored reports whether prepare leaves a's encoding as it is, and the
// alert store keeps it so too: a tenant, a status, a first time not after
// the last, both in UTC (another zone encodes differently).
func asStored(a *alert.Alert) bool {
	return a.Tenant != "" && a.Status != "" && !a.First.IsZero() && !a.Last.Before(a.First) &&
		a.First.Location() == time.UTC && a.Last.Location() == time.UTC
}

// lookup returns an incident from the index, the batch or the store,
// following merges; nil when it does not exist.
func (m *Manager) lookup(ctx context.Context, b *batch, tenant, id string) (*tracked, error) {
	for range 64 {
		// Merged earlier in this batch: the index no longer has it and
		// the store still has it unmerged, so it would load a stale copy
		// that takes the alert's update away from the survivor.
		if to, ok := b.merged[id]; ok {
			id = to
			continue
		}
		inc := m.idx.get(tenant, id)
		if inc == nil {
			inc = b.loaded[tenant+"\x00"+id]
		}
		if inc == nil {
			got, err := m.st.Load(ctx, tenant, []string{id})
			if err != nil {
				return nil, fmt.Errorf("load incident %s: %w", id, err)
			}
			if len(got) == 0 {
				return nil, nil
			}
			inc = track(got[0])
			b.loaded[tenant+"\x00"+id] = inc
		}
		if inc.MergedInto == "" {
			return inc, nil
		}
		id = inc.MergedInto
	}
	return nil, fmt.Errorf("incident %s: a chain of merges too long (a bug)", id)
}

// place puts one alert into its incident.
func (m *Manager) place(ctx context.Context, b *batch, a *alert.Alert) error {
	m.idx.observe(a.Tenant, a.Last)
	id, member := b.members[a.Tenant][a.ID]
	if member {
		inc, err := m.lookup(ctx, b, a.Tenant, id)
		if err != nil {
			return err
		}
		if inc != nil {
			if inc.Status != StatusClosed {
				b.touch(inc)
				m.idx.addKeys(inc, updateAlert(inc, a, b.now))
			}
			b.ch.Alerts = append(b.ch.Alerts, Member{IncidentID: inc.ID, Alert: *a, InAlertTable: b.inAlertTable(m, a)})
			return nil
		}
		m.log.Warn("alert belongs to an incident that is gone; it opens a new one", "alert", a.ID, "incident", id)
	}
	keys := m.idx.link.keys(a.Entities, nil)
	cands := m.idx.candidates(a.Tenant, keys, a.First, a.Last, m.cfg.Window, m.cfg.MaxSpan)
	var inc *tracked
	if len(cands) == 0 {
		inc = track(Incident{ID: event.NewID(a.Tenant, "incident", "", 0, []byte(a.ID)), Tenant: a.Tenant, Status: StatusNew,
			First: a.First, Last: a.Last, Created: b.now, Updated: b.now, Severity: severityOf(a.Level)})
		b.touch(inc)
		b.created[inc] = true
		addAlert(inc, a, b.now)
		m.idx.put(inc)
	} else {
		inc = cands[0]
		b.touch(inc)
		for _, o := range cands[1:] {
			m.merge(b, inc, o)
		}
		m.idx.addKeys(inc, addAlert(inc, a, b.now))
	}
	if b.members[a.Tenant] == nil {
		b.members[a.Tenant] = map[string]string{}
	}
	b.members[a.Tenant][a.ID] = inc.ID
	// Not a member when the batch began: the store has no row for it.
	b.ch.Alerts = append(b.ch.Alerts, Member{IncidentID: inc.ID, Alert: *a, New: !member, InAlertTable: b.inAlertTable(m, a)})
	return nil
}

// inAlertTable reports whether the alert store holds a as the member
// carries it (Config.AlertsStored, and prepare changed nothing).
func (b *batch) inAlertTable(m *Manager, a *alert.Alert) bool {
	return m.cfg.AlertsStored && !b.changed[a.Tenant+"\x00"+a.ID]
}

// merge folds o into s: o is closed, marked merged into s, and its alerts
// move to s.
func (m *Manager) merge(b *batch, s, o *tracked) {
	b.touch(o)
	s.AlertCount += o.AlertCount
	for _, id := range o.AlertIDs {
		if len(s.AlertIDs) >= MaxAlertIDs {
			break
		}
		s.AlertIDs = append(s.AlertIDs, id)
	}
	for _, r := range o.Rules {
		addRule(&s.Incident, r.ID, r.Title, r.Level, r.Alerts)
	}
	addTags(&s.Incident, o.Tags)
	m.idx.remove(o.Tenant, o.ID)
	m.idx.addKeys(s, s.addEntities(o.Entities))
	extend(&s.Incident, o.First, o.Last)
	if alert.LevelRank(o.Severity) > alert.LevelRank(s.Severity) {
		s.Severity = o.Severity
	}
	if statusRank(o.Status) > statusRank(s.Status) {
		s.Status = o.Status
	}
	if s.Assignee == "" {
		s.Assignee = o.Assignee
	}
	s.Title = title(&s.Incident)
	s.Updated = b.now
	o.Status, o.MergedInto, o.AlertIDs, o.AlertCount, o.Updated = StatusClosed, s.ID, nil, 0, b.now
	b.merged[o.ID] = s.ID
	b.ch.Moves = append(b.ch.Moves, Move{Tenant: s.Tenant, From: o.ID, To: s.ID})
	b.ch.Entries = append(b.ch.Entries,
		Stamped{Tenant: s.Tenant, IncidentID: s.ID, Entry: Entry{Time: b.now, Kind: EntryMergedFrom, Actor: "vigil", Incident: o.ID}},
		Stamped{Tenant: o.Tenant, IncidentID: o.ID, Entry: Entry{Time: b.now, Kind: EntryMergedInto, Actor: "vigil", Incident: s.ID}})
}

func severityOf(level string) string {
	if alert.LevelRank(level) < 0 {
		return alert.Levels[0]
	}
	return level
}

func extend(inc *Incident, first, last time.Time) {
	if first.Before(inc.First) {
		inc.First = first
	}
	if last.After(inc.Last) {
		inc.Last = last
	}
}

// addAlert adds a new alert to an incident and returns the entity keys it
// added.
func addAlert(inc *tracked, a *alert.Alert, now time.Time) []string {
	inc.AlertCount++
	if len(inc.AlertIDs) < MaxAlertIDs {
		inc.AlertIDs = append(inc.AlertIDs, a.ID)
	}
	addRule(&inc.Incident, a.RuleID, a.Title, a.Level, 1)
	return updateAlert(inc, a, now)
}

// updateAlert applies an alert's current state (times, level, entities,
// tags) to its incident and returns the entity keys it added.
func updateAlert(inc *tracked, a *alert.Alert, now time.Time) []string {
	extend(&inc.Incident, a.First, a.Last)
	addRule(&inc.Incident, a.RuleID, a.Title, a.Level, 0)
	if lv := severityOf(a.Level); alert.LevelRank(lv) > alert.LevelRank(inc.Severity) {
		inc.Severity = lv
	}
	addTags(&inc.Incident, a.Tags)
	added := inc.addEntities(a.Entities)
	inc.Title = title(&inc.Incident)
	inc.Updated = now
	return added
}

func addRule(inc *Incident, id, ttl, level string, n int) {
	for i := range inc.Rules {
		r := &inc.Rules[i]
		if r.ID == id {
			r.Alerts += n
			if alert.LevelRank(level) > alert.LevelRank(r.Level) {
				r.Level = level
			}
			if r.Title == "" {
				r.Title = ttl
			}
			return
		}
	}
	if len(inc.Rules) < MaxRules {
		inc.Rules = append(inc.Rules, Rule{ID: id, Title: ttl, Level: level, Alerts: n})
	}
}

func addTags(inc *Incident, tags []string) {
	for _, t := range tags {
		if len(inc.Tags) >= MaxTags {
			return
		}
		if !slices.Contains(inc.Tags, t) {
			inc.Tags = append(inc.Tags, t)
		}
	}
}

// title is the title of the incident's most severe rule (the first of
// equals), and how many other rules it holds.
func title(inc *Incident) string {
	if len(inc.Rules) == 0 {
		return ""
	}
	top := inc.Rules[0]
	for _, r := range inc.Rules[1:] {
		if alert.LevelRank(r.Level) > alert.LevelRank(top.Level) {
			top = r
		}
	}
	t := cmp.Or(top.Title, top.ID)
	switch n := len(inc.Rules) - 1; n {
	case 0:
		return t
	case 1:
		return t + " (+1 more rule)"
	default:
		return fmt.Sprintf("%s (+%d more rules)", t, n)
	}
}

// cloneIncident deep-copies the slices an incident holds.
func cloneIncident(inc *Incident) Incident {
	c := *inc
	c.AlertIDs = slices.Clone(inc.AlertIDs)
	c.Rules = slices.Clone(inc.Rules)
	c.Tags = slices.Clone(inc.Tags)
	c.Comments = slices.Clone(inc.Comments)
	c.Entities = alert.Entities{Hosts: slices.Clone(inc.Entities.Hosts), Users: slices.Clone(inc.Entities.Users),
		SourceIPs: slices.Clone(inc.Entities.SourceIPs), DestinationIPs: slices.Clone(inc.Entities.DestinationIPs)}
	return c
}
