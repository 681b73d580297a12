package app

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse"
	"github.com/vigilsiem/vigil/internal/store/embedded"
)

// records are the tables of a store node beside the events: alerts with
// their triage, incidents, the response log, and the console's dashboards
// and saved searches. They live in the backend: ClickHouse with
// storage.backend: clickhouse (so that any query node reads the same
// ones), else the embedded store's DuckDB database.
type records struct {
	alerts     store.Alerts
	incidents  store.Incidents
	responses  store.ResponseLog
	dashboards store.Dashboards
}

// openRecords opens the record tables in the backend: m.events when it is
// open, else st.
func (m *storeRole) openRecords(ctx context.Context, st *embedded.Store) (records, error) {
	if m.events != nil {
		return openRecordsIn(ctx, m.events)
	}
	return openRecordsIn(ctx, st)
}

// recordOpener is what both backends offer; each Open returns its own
// concrete type, hence the type parameters.
type recordOpener[A store.Alerts, I store.Incidents, R store.ResponseLog, D store.Dashboards] interface {
	OpenAlerts(context.Context) (A, error)
	OpenIncidents(context.Context) (I, error)
	OpenResponses(context.Context) (R, error)
	OpenDashboards(context.Context) (D, error)
}

func openRecordsIn[A store.Alerts, I store.Incidents, R store.ResponseLog, D store.Dashboards](ctx context.Context, o recordOpener[A, I, R, D]) (records, error) {
	var r records
	var err error
	if r.alerts, err = o.OpenAlerts(ctx); err != nil {
		return r, err
	}
	if r.incidents, err = o.OpenIncidents(ctx); err != nil {
		return r, err
	}
	if r.responses, err = o.OpenResponses(ctx); err != nil {
		return r, err
	}
	if r.dashboards, err = o.OpenDashboards(ctx); err != nil {
		return r, err
	}
	return r, nil
}

// clickhouseRetentionInterval is how often retention drops ClickHouse
// partitions: they are whole days, so an hour late is at most 1/24 of a
// day kept too long.
const clickhouseRetentionInterval = time.Hour

// openClickHouse opens the clickhouse backend of storage.clickhouse.
func openClickHouse(ctx context.Context, a *App) (*clickhouse.Store, error) {
	ch := a.cfg.Storage.ClickHouse
	pw, err := ch.Password()
	if err != nil {
		return nil, err
	}
	s, err := clickhouse.Open(ctx, clickhouse.Options{URL: ch.URL, Database: ch.Database, User: ch.User, Password: pw,
		QueryTimeout: a.cfg.Storage.Query.Timeout.D(), Logger: a.log,
		Cluster: clickhouse.Cluster{Name: ch.Cluster, Replicated: ch.Replicated, ZooKeeperPath: ch.ZooKeeperPath,
			Replica: ch.Replica, ShardingKey: ch.ShardingKey, Nodes: ch.Nodes, InsertLocal: ch.InsertLocal}})
	if err != nil {
		return nil, fmt.Errorf("storage.clickhouse: %w", err)
	}
	return s, nil
}

// runClickHouseRetention drops the partitions (days) of each tenant older
// than its storage.retention.max_age, counted from the events' day, until
// ctx ends. max_bytes does not apply to this backend (docs/storage.md).
func (m *storeRole) runClickHouseRetention(ctx context.Context) {
	t := time.NewTicker(clickhouseRetentionInterval)
	defer t.Stop()
	for {
		m.clickhouseRetention(ctx, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *storeRole) clickhouseRetention(ctx context.Context, now time.Time) {
	cfg := m.cfg.Load() // retention may change while running (ApplyConfig)
	// Tenants with their own limits first, then every other tenant with
	// the global max_age.
	for tenant := range cfg.Storage.Tenants {
		if age := cfg.RetentionFor(tenant).MaxAge.D(); age > 0 {
			if _, err := m.events.DropBefore(ctx, tenant, now.Add(-age)); err != nil {
				m.log.Error("clickhouse retention", "tenant", tenant, "err", err)
			}
		}
	}
	if age := cfg.Storage.Retention.MaxAge.D(); age > 0 {
		overridden := func(t string) bool { _, ok := cfg.Storage.Tenants[t]; return ok }
		if _, err := m.events.DropBeforeFunc(ctx, now.Add(-age), func(t string) bool { return !overridden(t) }); err != nil {
			m.log.Error("clickhouse retention", "err", err)
		}
	}
}
