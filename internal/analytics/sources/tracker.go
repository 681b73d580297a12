package sources

import (
	"context"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Override sets the silence threshold of the sources it matches. An empty
// Source or Host matches any; the most specific match wins (source and
// host, then host, then source).
type Override struct {
	Source       string
	Host         string
	SilenceAfter time.Duration
}

// Options configure a Tracker. Zero values take the defaults of limits.go.
type Options struct {
	// SilenceAfter, when set, replaces every source's learned silence
	// threshold (health.silence_after).
	SilenceAfter time.Duration
	// Overrides set the threshold of some sources.
	Overrides []Override
	// CheckInterval is how often Run checks the sources.
	CheckInterval time.Duration
	// MaxSourcesPerTenant caps the tracked sources of one tenant.
	MaxSourcesPerTenant int
	// Formats gives the parser format of a source listener by name, shown
	// as each source's parser.
	Formats map[string]string
	// Dir keeps the state across restarts (Open, Save); empty: memory only.
	Dir string
	// SaveInterval is how often Run saves the state.
	SaveInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now        func() time.Time
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

// key identifies a source.
type key struct{ tenant, source, host string }

// state is what the tracker keeps of one source.
type state struct {
	key
	peer      string
	first     time.Time
	lastSeen  time.Time
	lastError time.Time
	batches   int64
	sec       ring // events per second
	min       ring // events per minute
	hour      ring // events per hour
	errMin    ring // parse errors per minute
	errHour   ring // parse errors per hour
	gapHour   ring // longest gap between arrivals per hour, in seconds
	// Episodes: an alert is raised when one starts and not again until
	// the source is back to normal.
	silent, dropped, failing bool
}

// tenantState holds one tenant's sources and the map from a sender's
// address to the host it named, so parse errors (which have only the
// address) count against that host.
type tenantState struct {
	sources map[key]*state
	peers   map[[2]string]string // (source, peer IP) → host
}

// Tracker follows the health of every source. It implements pipeline.Sink.
type Tracker struct {
	opts Options
	now  func() time.Time
	log  *slog.Logger

	// started is when the tracker started: after a restart, quiet time
	// counts from here, so the time Vigil was down does not make every
	// source look silent at once.
	started time.Time

	mu      sync.Mutex
	tenants map[string]*tenantState

	overflow, untracked *prometheus.CounterVec
	tracked             *prometheus.GaugeVec
}

// New returns a Tracker.
func New(opts Options) *Tracker {
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = DefaultCheckInterval
	}
	if opts.MaxSourcesPerTenant <= 0 {
		opts.MaxSourcesPerTenant = DefaultMaxSourcesPerTenant
	}
	if opts.SaveInterval <= 0 {
		opts.SaveInterval = DefaultSaveInterval
	}
	t := &Tracker{opts: opts, now: opts.Now, log: opts.Logger, tenants: map[string]*tenantState{}}
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.Default()
	}
	t.started = t.now()
	t.overflow = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "source_health", Name: "overflow_events_total",
		Help: "Events of hosts past the per-tenant cap of tracked sources, counted under the host ~overflow."}, []string{"tenant"})
	t.untracked = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "source_health", Name: "untracked_events_total",
		Help: "Events of tenants past the cap of tracked tenants."}, []string{"source"})
	t.tracked = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "vigil", Subsystem: "source_health", Name: "sources",
		Help: "Sources (hosts within a source listener) tracked, by tenant and status."}, []string{"tenant", "status"})
	if opts.Registerer != nil {
		opts.Registerer.MustRegister(t.overflow, t.untracked, t.tracked)
	}
	return t
}

// Open returns a Tracker that goes on from the state saved in opts.Dir.
func Open(opts Options) (*Tracker, error) {
	t := New(opts)
	if opts.Dir == "" {
		return t, nil
	}
	if err := t.load(); err != nil {
		return nil, err
	}
	return t, nil
}

// Name implements pipeline.Sink.
func (t *Tracker) Name() string { return "source-health" }

// Write implements pipeline.Sink: it records the arrival of events the
// store has acknowledged. It never fails.
func (t *Tracker) Write(_ context.Context, events []*event.Event) error {
	if len(events) == 0 {
		return nil
	}
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var last *state
	var n uint32
	flush := func() {
		if last != nil && n > 0 {
			last.arrive(now, n)
		}
		n = 0
	}
	for _, e := range events {
		host := hostOf(e)
		if last == nil || last.tenant != e.Tenant || last.source != e.Source || last.host != host {
			flush()
			// The sender's address is read only for a source not seen
			// before: most events come from one already tracked.
			if last = t.known(e.Tenant, e.Source, host); last == nil {
				last = t.lookup(e.Tenant, e.Source, host, peerOf(e))
			}
		}
		if last != nil {
			n++
		}
	}
	flush()
	return nil
}

// known returns the state of a source already tracked, nil if none.
// Called with t.mu held.
func (t *Tracker) known(tenant, source, host string) *state {
	if ts := t.tenants[tenant]; ts != nil {
		return ts.sources[key{tenant, source, host}]
	}
	return nil
}

// lookup returns the state of a source, creating it within the caps; nil
// when the tenant is past MaxTenants. Called with t.mu held.
func (t *Tracker) lookup(tenant, source, host, peer string) *state {
	ts := t.tenants[tenant]
	if ts == nil {
		if len(t.tenants) >= MaxTenants {
			t.untracked.WithLabelValues(source).Inc()
			return nil
		}
		ts = &tenantState{sources: map[key]*state{}, peers: map[[2]string]string{}}
		t.tenants[strings.Clone(tenant)] = ts
	}
	k := key{tenant, source, host}
	if s, ok := ts.sources[k]; ok {
		return s
	}
	if len(ts.sources) >= t.opts.MaxSourcesPerTenant {
		t.overflow.WithLabelValues(tenant).Inc()
		k.host = OverflowHost
		if s, ok := ts.sources[k]; ok {
			return s
		}
	}
	k = key{strings.Clone(k.tenant), strings.Clone(k.source), strings.Clone(k.host)}
	s := &state{key: k}
	if k.host != OverflowHost {
		s.peer = strings.Clone(peer)
	}
	ts.sources[k] = s
	if peer != "" && host != peer && k.host != OverflowHost && len(ts.peers) < t.opts.MaxSourcesPerTenant {
		ts.peers[[2]string{k.source, strings.Clone(peer)}] = k.host
	}
	return s
}

// arrive records n events arriving at now.
func (s *state) arrive(now time.Time, n uint32) {
	if s.first.IsZero() {
		s.first = now
	} else if gap := now.Sub(s.lastSeen); gap > 0 {
		s.gapHour.max(now.Unix()/3600, uint32(min(gap/time.Second, 1<<31)))
	}
	if now.After(s.lastSeen) {
		s.lastSeen = now
	}
	s.batches++
	u := now.Unix()
	s.sec.add(u, n)
	s.min.add(u/60, n)
	s.hour.add(u/3600, n)
	s.silent = false
}

// DeadLetters wraps a dead-letter sink: once next has stored them, each
// dead letter counts as a parse error of the host that sent it (the host
// its address last named, else the address itself).
func (t *Tracker) DeadLetters(next pipeline.DeadLetterSink) pipeline.DeadLetterSink {
	return deadLetters{t: t, next: next}
}

type deadLetters struct {
	t    *Tracker
	next pipeline.DeadLetterSink
}

func (d deadLetters) WriteDeadLetters(ctx context.Context, letters []pipeline.DeadLetter) error {
	if err := d.next.WriteDeadLetters(ctx, letters); err != nil {
		return err
	}
	d.t.parseErrors(letters)
	return nil
}

func (t *Tracker) parseErrors(letters []pipeline.DeadLetter) {
	now := t.now()
	u := now.Unix()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, dl := range letters {
		peer := stripPort(dl.Peer)
		host := peer
		if ts := t.tenants[dl.Tenant]; ts != nil {
			if h, ok := ts.peers[[2]string{dl.Source, peer}]; ok {
				host = h
			}
		}
		s := t.lookup(dl.Tenant, dl.Source, host, "")
		if s == nil {
			continue
		}
		if s.first.IsZero() {
			s.first = now
		}
		s.lastError = now
		s.errMin.add(u/60, 1)
		s.errHour.add(u/3600, 1)
	}
}

// hostOf names the sending host of an event.
func hostOf(e *event.Event) string {
	if h := e.GetString("host.name"); h != "" {
		return h
	}
	if h := e.GetString("host.hostname"); h != "" {
		return h
	}
	return peerOf(e)
}

// peerOf is the sender's address without its port.
func peerOf(e *event.Event) string {
	return stripPort(e.GetString("log.source.address"))
}

func stripPort(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// Source is one source as /api/v1/sources shows it.
type Source struct {
	Tenant string `json:"tenant"`
	Source string `json:"source"`
	Host   string `json:"host"`
	// Parser is the format of the source listener's parser.
	Parser   string     `json:"parser,omitempty"`
	Peer     string     `json:"peer,omitempty"`
	LastSeen *time.Time `json:"last_seen"`
	// LastError is the time of the last parse error.
	LastError *time.Time `json:"last_error,omitempty"`
	EPS1m     float64    `json:"eps_1m"`
	EPS1h     float64    `json:"eps_1h"`
	EPS24h    float64    `json:"eps_24h"`
	Events24h uint64     `json:"events_24h"`
	// PerMinute counts the events of each of the last 60 minutes, oldest
	// first, the current minute last (the console's sparkline).
	PerMinute []uint32 `json:"per_minute"`
	// ParseErrors24h are the records of the host that failed to parse
	// and went to the dead-letter store.
	ParseErrors24h uint64 `json:"parse_errors_24h"`
	// ParseErrorRate is ParseErrors24h over all its records of the day.
	ParseErrorRate float64 `json:"parse_error_rate"`
	// SilenceAfter is the threshold in force, learned or configured.
	SilenceAfter string `json:"silence_after"`
	// Status is ok, silent, volume_drop or parse_errors.
	Status string `json:"status"`
}

// Sources lists the sources of a tenant, sorted by source and host.
func (t *Tracker) Sources(tenant string) []Source {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	ts := t.tenants[tenant]
	if ts == nil {
		return []Source{}
	}
	out := make([]Source, 0, len(ts.sources))
	for _, s := range ts.sources {
		out = append(out, t.describe(s, now))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Source != out[j].Source {
			return out[i].Source < out[j].Source
		}
		return out[i].Host < out[j].Host
	})
	return out
}

func (t *Tracker) describe(s *state, now time.Time) Source {
	u := now.Unix()
	ev24 := s.hour.sum(u/3600, 24)
	er24 := s.errHour.sum(u/3600, 24)
	src := Source{Tenant: s.tenant, Source: s.source, Host: s.host, Parser: t.opts.Formats[s.source], Peer: s.peer,
		EPS1m: float64(s.sec.sum(u, 60)) / 60, EPS1h: float64(s.min.sum(u/60, 60)) / 3600,
		EPS24h: float64(ev24) / 86400, Events24h: ev24, ParseErrors24h: er24, SilenceAfter: t.threshold(s).String(), Status: s.status()}
	src.PerMinute = s.min.series(u/60, ringSize)
	if src.Parser == "" {
		src.Parser = "auto"
	}
	if ev24+er24 > 0 {
		src.ParseErrorRate = float64(er24) / float64(ev24+er24)
	}
	if !s.lastSeen.IsZero() {
		ls := s.lastSeen.UTC()
		src.LastSeen = &ls
	}
	if !s.lastError.IsZero() {
		le := s.lastError.UTC()
		src.LastError = &le
	}
	return src
}

func (s *state) status() string {
	switch {
	case s.silent:
		return "silent"
	case s.dropped:
		return "volume_drop"
	case s.failing:
		return "parse_errors"
	}
	return "ok"
}
