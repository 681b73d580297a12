package usage

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/event"
)

// Quota is what a tenant may send before Vigil warns. Zero means no limit.
// Events over a quota are stored all the same: a quota warns, it never
// drops.
type Quota struct {
	// EPS is the events per second of any one second.
	EPS int64
	// EventsPerDay is the events of one UTC day.
	EventsPerDay int64
}

// Options configure a Meter.
type Options struct {
	// Dir holds the snapshot and the journal (DataDir/state/usage).
	Dir string
	// Quotas by tenant.
	Quotas map[string]Quota
	// SnapshotInterval and CheckInterval: zero takes the defaults.
	SnapshotInterval time.Duration
	CheckInterval    time.Duration
	// Now is the clock; nil means time.Now.
	Now        func() time.Time
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

// bucket holds one hour of one tenant.
type bucket struct {
	Events, Bytes, Peak int64
}

// tenant is the usage of one tenant.
type tenant struct {
	hours map[int64]*bucket // by Unix hour
	// sec is the current second and secCount its events so far, for the
	// peak; day and dayCount likewise for the daily quota.
	sec, secCount int64
	day, dayCount int64
	// quota episodes: the Unix day on which each quota was last passed,
	// and the day its alert was raised.
	overEPS, overDay, alertedEPS, alertedDay int64
	// overCount counts the current day's events past a quota.
	overCount int64
	// peakEPS is the largest secCount of the current day.
	peakEPS int64

	eventsC, bytesC prometheus.Counter
	peak            prometheus.Gauge
}

// Meter counts the events and bytes of every tenant. It implements
// pipeline.Sink.
type Meter struct {
	opts Options
	now  func() time.Time
	log  *slog.Logger

	mu      sync.Mutex
	tenants map[string]*tenant
	journal *journal

	snapMu sync.Mutex

	m metrics
}

// Open loads the saved counters from opts.Dir, replays the journal, and
// returns a Meter that goes on from there.
func Open(opts Options) (*Meter, error) {
	if opts.SnapshotInterval <= 0 {
		opts.SnapshotInterval = DefaultSnapshotInterval
	}
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = DefaultCheckInterval
	}
	m := &Meter{opts: opts, now: opts.Now, log: opts.Logger, tenants: map[string]*tenant{}}
	if m.now == nil {
		m.now = time.Now
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	m.m = newMetrics(opts.Registerer)
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("create usage directory: %w", err)
	}
	if err := m.load(); err != nil {
		return nil, err
	}
	// Start a fresh journal behind a fresh snapshot, so what was replayed
	// is never replayed twice.
	if err := m.Snapshot(); err != nil {
		return nil, err
	}
	return m, nil
}

// Name implements pipeline.Sink.
func (m *Meter) Name() string { return "usage" }

// Write implements pipeline.Sink: it counts events the store has
// acknowledged. It never fails: a journal that cannot be written is logged
// and counted (vigil_usage_journal_errors_total), and the counters in
// memory stay exact until the process ends.
func (m *Meter) Write(_ context.Context, events []*event.Event) error {
	for i := 0; i < len(events); {
		t := events[i].Tenant
		var n, b int64
		for ; i < len(events) && events[i].Tenant == t; i++ {
			n++
			b += int64(len(events[i].Original))
		}
		m.record(t, n, b)
	}
	return nil
}

// record counts n events of b bytes of tenant now, and journals them.
func (m *Meter) record(name string, n, b int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sec := m.now().Unix()
	t := m.tenant(name)
	if t == nil {
		m.m.unmetered.Add(float64(n))
		return
	}
	m.apply(name, t, sec, n, b)
	if m.journal != nil {
		if err := m.journal.append(sec, name, n, b); err != nil {
			m.m.journalErrors.Inc()
			m.log.Error("write usage journal", "err", err)
		}
	}
}

// tenant returns the counters of a tenant, creating them within
// MaxTenants; nil past it. Called with m.mu held.
func (m *Meter) tenant(name string) *tenant {
	if t, ok := m.tenants[name]; ok {
		return t
	}
	if len(m.tenants) >= MaxTenants {
		return nil
	}
	name = strings.Clone(name)
	t := &tenant{hours: map[int64]*bucket{}, eventsC: m.m.events.WithLabelValues(name), bytesC: m.m.bytes.WithLabelValues(name),
		peak: m.m.peak.WithLabelValues(name)}
	m.tenants[name] = t
	return t
}

// apply adds n events of b bytes at second sec; the same code counts live
// and replays the journal, so both give the same peaks.
func (m *Meter) apply(name string, t *tenant, sec, n, b int64) {
	hour := sec / 3600
	bk := t.hours[hour]
	if bk == nil {
		bk = &bucket{}
		t.hours[hour] = bk
		for h := range t.hours {
			if h <= hour-KeepHours {
				delete(t.hours, h)
			}
		}
	}
	bk.Events += n
	bk.Bytes += b
	if sec != t.sec {
		t.sec, t.secCount = sec, 0
	}
	t.secCount += n
	bk.Peak = max(bk.Peak, t.secCount)
	day := sec / 86400
	if day != t.day {
		t.day, t.dayCount, t.peakEPS, t.overCount = day, 0, 0, 0
	}
	t.dayCount += n
	t.peakEPS = max(t.peakEPS, t.secCount)
	t.eventsC.Add(float64(n))
	t.bytesC.Add(float64(b))
	t.peak.Set(float64(t.peakEPS))
	q, ok := m.opts.Quotas[name]
	if !ok {
		return
	}
	var over int64
	if q.EPS > 0 && t.secCount > q.EPS {
		t.overEPS = day
		o := min(n, t.secCount-q.EPS)
		m.m.over.WithLabelValues(name, "eps").Add(float64(o))
		over = o
	}
	if q.EventsPerDay > 0 && t.dayCount > q.EventsPerDay {
		t.overDay = day
		o := min(n, t.dayCount-q.EventsPerDay)
		m.m.over.WithLabelValues(name, "events_per_day").Add(float64(o))
		over = max(over, o)
	}
	t.overCount += over
}

// Close writes a last snapshot and closes the journal.
func (m *Meter) Close() error {
	m.mu.Lock()
	closed := m.journal == nil
	m.mu.Unlock()
	if closed {
		return nil
	}
	err := m.Snapshot()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.journal != nil {
		if cerr := m.journal.close(); err == nil {
			err = cerr
		}
		m.journal = nil
	}
	return err
}
