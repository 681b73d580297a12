package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/alert/alertlog"
	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/audit"
	"github.com/vigilsiem/vigil/internal/bus"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/response"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse"
	"github.com/vigilsiem/vigil/internal/store/embedded"
	"github.com/vigilsiem/vigil/internal/tail"
)

// storeRole keeps events, dead letters, the audit log and alerts, and runs
// what alerts pass through on a store node: incidents and responses. It
// also tracks source health and meters usage, since both count what the
// store acknowledged.
type storeRole struct {
	// cfg is the configuration retention reads; ApplyConfig swaps it.
	cfg atomic.Pointer[config.Config]

	store *embedded.Store
	// events is the clickhouse backend (storage.backend: clickhouse): it
	// then keeps events, dead letters and audit entries and answers
	// searches, and keeps the record tables (records).
	events *clickhouse.Store
	// records are the alert, incident, response-log and dashboard tables
	// of the backend (clickhouse.go).
	records records
	alerts  store.Alerts
	// alertLog is the durable log detection writes alerts to; its applier
	// feeds alerts, incidents and responses.
	alertLog *alertlog.Log
	// incidents groups alerts; responses runs the configured actions.
	incidents    *incident.Manager
	responses    *response.Dispatcher
	responseLog  *response.Recorder
	sourceHealth *sourceHealth
	// tail feeds live tail with what was stored (query role only).
	tail  *tail.Hub
	sinks []pipeline.Sink
	// busSinks are the sinks the events of the bus go to, on a node with
	// a bus (sinks is empty then: the pipeline does not feed them).
	busSinks []pipeline.Sink
	log      *slog.Logger
}

// Name implements Module.
func (*storeRole) Name() string { return string(RoleStore) }

// Init opens the stores, the audit log on them, the alert log with its
// chain, and source health; it makes the alert log the node's alert sink
// and the store its dead-letter sink.
func (m *storeRole) Init(a *App) error {
	cfg := a.cfg
	m.cfg.Store(cfg)
	m.log = a.log
	ctx := context.Background()
	st, err := embedded.Open(embedded.Options{
		Dir:              cfg.DataDir,
		HotAge:           cfg.Storage.HotAge.D(),
		HotBytes:         int64(cfg.Storage.HotBytes),
		HotMaxBytes:      int64(cfg.Storage.HotMaxBytes),
		CompressionLevel: cfg.Storage.CompressionLevel,
		MemoryLimit:      fmt.Sprintf("%dMB", int64(cfg.Storage.MemoryLimit)>>20),
		IdleMemoryLimit:  int64(cfg.Storage.IdleMemoryLimit),
		Threads:          cfg.Storage.Query.Threads,
		QueryTimeout:     cfg.Storage.Query.Timeout.D(),
		Columns:          embedded.ColumnLimits{TenantColumns: cfg.Storage.MaxTenantColumns, DatasetColumns: cfg.Storage.MaxDatasetColumns},
		Retention:        m.retention,
		Logger:           a.log,
		Registerer:       a.reg,
	})
	if err != nil {
		return err
	}
	m.store = st
	var auditSink audit.Sink = st
	if cfg.Storage.Backend == config.BackendClickHouse {
		if m.events, err = openClickHouse(ctx, a); err != nil {
			return err
		}
		auditSink = m.events
	}
	a.audit = audit.New(auditSink, a.log, a.reg)
	// Alerts, incidents, the response log and dashboards live in the
	// backend's tables.
	if m.records, err = m.openRecords(ctx, st); err != nil {
		return err
	}
	m.alerts = m.records.alerts
	if a.alertOut, err = m.openTriage(ctx, a); err != nil {
		return err
	}
	var dead pipeline.DeadLetterSink = st
	var primary pipeline.Sink = st
	if m.events != nil {
		dead, primary = m.events, m.events
	}
	m.sinks = []pipeline.Sink{primary}
	if a.opts.Roles.Has(RoleQuery) {
		// Live tail learns of events once they are stored.
		if m.tail, err = tail.New(tail.Options{Registerer: a.reg}); err != nil {
			return fmt.Errorf("live tail: %w", err)
		}
		m.sinks = append(m.sinks, m.tail)
	}
	d, health, err := m.openSourceHealth(a, dead)
	if err != nil {
		return err
	}
	a.dead = d
	m.sinks = append(m.sinks, health...)
	if a.bus != nil {
		m.busSinks, m.sinks = m.sinks, nil
	}
	return nil
}

// retention is the embedded store's retention of a tenant, read from the
// configuration in force (ApplyConfig changes it while running).
func (m *storeRole) retention(tenant string) (time.Duration, int64) {
	r := m.cfg.Load().RetentionFor(tenant)
	return r.MaxAge.D(), int64(r.MaxBytes)
}

// Sinks implements Module: the store first, then live tail, source health
// and usage.
func (m *storeRole) Sinks() []pipeline.Sink { return m.sinks }

// Mount implements Module: the store's own API is the query role's.
func (*storeRole) Mount(*App) []api.Mounter { return nil }

// Start implements Module.
func (m *storeRole) Start(_ context.Context, a *App) error {
	m.responses.Start()
	m.alertLog.Start()
	if m.events != nil {
		a.run(m.runClickHouseRetention)
	}
	if m.sourceHealth != nil {
		out := a.alertOut
		a.run(func(ctx context.Context) { m.sourceHealth.run(ctx, out) })
	}
	if a.bus != nil {
		m.consumeBus(a)
	}
	return nil
}

// consumeBus reads the bus in group <prefix>.store: the events into the
// backend (and live tail, source health), the alerts into the alert log,
// whose applier feeds the alert table, incidents and responses. A batch is
// committed once the backend (or the durable alert log) has it.
func (m *storeRole) consumeBus(a *App) {
	group := a.bus.Group(string(RoleStore))
	a.consumeEvents(group, m.busSinks)
	alerts := m.alertLog
	a.run(func(ctx context.Context) {
		err := a.bus.ConsumeAlerts(ctx, bus.Consumer{Group: group, DeadLetters: a.dead, Logger: a.log}, alerts.WriteAlerts)
		if err != nil {
			a.errs <- fmt.Errorf("bus: %w", err)
		}
	})
}

// Stop applies what the alert log holds and lets the responses finish.
func (m *storeRole) Stop(a *App) {
	a.timed("alert log", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := m.alertLog.Close(ctx); err != nil {
			a.log.Error("apply the alert log", "err", err)
		}
		m.alertLog = nil
	})
	a.timed("responses", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.responses.Close(ctx); err != nil {
			a.log.Error("stop responses", "err", err)
		}
	})
}

// Close implements Module.
func (m *storeRole) Close(a *App) {
	if m.alertLog != nil { // New failed: the log keeps what is pending for the next start
		if err := m.alertLog.Close(context.Background()); err != nil {
			a.log.Error("close the alert log", "err", err)
		}
	}
	if m.sourceHealth != nil {
		if err := m.sourceHealth.close(); err != nil {
			a.log.Error("close usage metering", "err", err)
		}
	}
	if m.store != nil {
		if err := m.store.Close(); err != nil {
			a.log.Error("close store", "err", err)
		}
	}
	if m.events != nil {
		_ = m.events.Close()
	}
}

// ApplyConfig applies storage.retention and storage.tenants while running:
// the next retention pass uses them. Every other storage setting,
// incidents, responses, health and usage need a restart.
func (m *storeRole) ApplyConfig(_ *App, cfg *config.Config) error {
	old := m.cfg.Load()
	fixed := func(s config.Storage) config.Storage {
		s.Retention, s.Tenants = config.Retention{}, nil
		return s
	}
	err := restartNeeded("storage (other than retention and tenants)", fixed(old.Storage), fixed(cfg.Storage))
	if err == nil {
		next := *old
		next.Storage.Retention, next.Storage.Tenants = cfg.Storage.Retention, cfg.Storage.Tenants
		m.cfg.Store(&next)
	}
	return errors.Join(err,
		restartNeeded("incidents", old.Incidents, cfg.Incidents),
		restartNeeded("responses", old.Responses, cfg.Responses),
		restartNeeded("health", old.Health, cfg.Health),
		restartNeeded("usage", old.Usage, cfg.Usage))
}

// openTriage opens what alerts pass through on a store node, in order: the
// alert table, incident grouping, and the response actions. Grouping
// errors are logged, not returned: an incident that cannot be written must
// not make the pipeline refuse the events that raised the alert (the alert
// itself is stored, and grouping resumes from the tables at the next
// start). Responses never block: the dispatcher queues or drops, recorded.
func (m *storeRole) openTriage(ctx context.Context, a *App) (alert.Sink, error) {
	incStore, responseLog := m.records.incidents, m.records.responses
	var err error
	m.responseLog = response.NewRecorder(responseLog, a.log)
	if m.responses, err = response.New(ctx, response.Options{Responses: a.cfg.Responses, Recorder: m.responseLog, Registerer: a.reg, Logger: a.log, Dir: filepath.Join(a.cfg.DataDir, "state", "responses"),
		Audit: a.auditResponse}); err != nil {
		return nil, fmt.Errorf("responses: %w", err)
	}
	ic := incident.FromConfig(a.cfg.Incidents)
	ic.Notify, ic.Registerer, ic.Logger = m.responses, a.reg, a.log
	// The chain below stores each batch in the alert table before it
	// groups it: an incident member may refer to that row.
	ic.AlertsStored = true
	if m.incidents, err = incident.New(ctx, incStore, ic); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	chain := alert.SinkFunc(func(ctx context.Context, as []alert.Alert) error {
		if err := m.alerts.WriteAlerts(ctx, as); err != nil {
			return err // not applied: the log keeps the batch and retries it
		}
		if err := m.incidents.WriteAlerts(ctx, as); err != nil {
			a.log.Error("group alerts into incidents", "alerts", len(as), "err", err)
		}
		if err := m.responses.WriteAlerts(ctx, as); err != nil {
			a.log.Error("dispatch alert responses", "alerts", len(as), "err", err)
		}
		return nil
	})
	// Detection appends to the durable alert log and returns; the log's
	// applier moves alerts through the chain in large batches
	// (internal/alert/alertlog, docs/storage.md "Alerts").
	if m.alertLog, err = alertlog.Open(alertlog.Options{Dir: filepath.Join(a.cfg.DataDir, "alertlog"), Apply: chain,
		Interval: a.cfg.Storage.AlertApplyInterval.D(), Logger: a.log, Registerer: a.reg}); err != nil {
		return nil, err
	}
	return m.alertLog, nil
}
