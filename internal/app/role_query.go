package app

import (
	"context"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/response"
	"github.com/vigilsiem/vigil/internal/store/clickhouse"
)

// queryRole serves searches and the analyst's API and console over the
// store of its node, or, on a node without the store role, over ClickHouse
// (storage.backend: clickhouse; Roles.Check refuses query without store on
// the embedded backend).
type queryRole struct {
	searcher api.Searcher
	console  []api.Mounter
	// backend is what a query node without the store role reads (nil on
	// a node with it).
	backend *queryBackend
}

// queryBackend is ClickHouse as a query node without the store role sees
// it: the events and the record tables the store nodes write. It groups no
// alerts and runs no responses: the store nodes do.
type queryBackend struct {
	events      *clickhouse.Store
	records     records
	incidents   *incident.Manager
	responseLog *response.Recorder
}

// Name implements Module.
func (*queryRole) Name() string { return string(RoleQuery) }

// openBackend opens ClickHouse and its record tables for a query node
// without the store role; New calls it before the audit log is made, since
// the audit log is written there.
func (m *queryRole) openBackend(a *App) error {
	ctx := context.Background()
	ch, err := openClickHouse(ctx, a)
	if err != nil {
		return err
	}
	b := &queryBackend{events: ch}
	m.backend = b
	if b.records, err = openRecordsIn(ctx, ch); err != nil {
		return err
	}
	b.responseLog = response.NewRecorder(b.records.responses, a.log)
	ic := incident.FromConfig(a.cfg.Incidents)
	ic.Registerer, ic.Logger = a.reg, a.log
	b.incidents, err = incident.New(ctx, b.records.incidents, ic)
	return err
}

// Init picks the backend searches go to, with the viewers' shorter time
// limit.
func (m *queryRole) Init(a *App) error {
	vt := a.cfg.Storage.Query.ViewerTimeout.D()
	switch st := a.storeRole; {
	case m.backend != nil:
		m.searcher = viewerLimits{m.backend.events, vt}
	case st.events != nil:
		m.searcher = viewerLimits{st.events, vt}
	default:
		m.searcher = viewerLimits{st.store, vt}
	}
	var err error
	m.console, err = a.consoleMounts()
	return err
}

// Sinks implements Module.
func (*queryRole) Sinks() []pipeline.Sink { return nil }

// Mount implements Module: alerts, administration, retention, incidents,
// responses, source health, live tail, and the console. A query node
// without the store role serves alerts, incidents and the response log
// from ClickHouse; administration, retention, source health, live tail
// and running a response are the store nodes' (not mounted).
func (m *queryRole) Mount(a *App) []api.Mounter {
	if b := m.backend; b != nil {
		ms := []api.Mounter{api.AlertsHandler{Alerts: flushedAlerts{b.records.alerts, nil}},
			api.IncidentsHandler{Incidents: flushedIncidents{b.incidents, nil}}, api.ResponsesHandler{Records: b.responseLog}}
		return append(ms, m.console...)
	}
	st := a.storeRole
	ms := []api.Mounter{api.AlertsHandler{Alerts: flushedAlerts{st.alerts, st.alertLog}}, api.AdminHandler{Store: st.store}, api.RetentionHandler{Store: st.store},
		api.IncidentsHandler{Incidents: flushedIncidents{st.incidents, st.alertLog}}, api.ResponsesHandler{Records: st.responseLog},
		api.ResponseRunHandler{Dispatcher: st.responses, Alerts: flushedAlerts{st.alerts, st.alertLog}}}
	if st.sourceHealth != nil {
		ms = append(ms, st.sourceHealth.mount())
	}
	if st.tail != nil {
		ms = append(ms, api.TailHandler{Hub: st.tail, Store: m.searcher})
	}
	return append(ms, m.console...)
}

// Start implements Module.
func (*queryRole) Start(context.Context, *App) error { return nil }

// Stop implements Module.
func (*queryRole) Stop(*App) {}

// Close closes the backend a query node without the store role opened.
func (m *queryRole) Close(*App) {
	if m.backend != nil && m.backend.events != nil {
		_ = m.backend.events.Close()
		m.backend.events = nil
	}
}

// ApplyConfig implements Module: the query limits are storage settings,
// which the store role checks; on a node without it, storage needs a
// restart.
func (m *queryRole) ApplyConfig(a *App, cfg *config.Config) error {
	if m.backend == nil {
		return nil
	}
	return restartNeeded("storage", a.cfg.Storage, cfg.Storage)
}
