package app

import (
	"context"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// queryRole serves searches and the analyst's API and console over the
// store of its node (ParseRoles refuses query without store).
type queryRole struct {
	searcher api.Searcher
	console  []api.Mounter
}

// Name implements Module.
func (*queryRole) Name() string { return string(RoleQuery) }

// Init picks the backend searches go to, with the viewers' shorter time
// limit.
func (m *queryRole) Init(a *App) error {
	st := a.storeRole
	m.searcher = viewerLimits{st.store, a.cfg.Storage.Query.ViewerTimeout.D()}
	if st.events != nil {
		m.searcher = viewerLimits{st.events, a.cfg.Storage.Query.ViewerTimeout.D()}
	}
	var err error
	m.console, err = a.consoleMounts()
	return err
}

// Sinks implements Module.
func (*queryRole) Sinks() []pipeline.Sink { return nil }

// Mount implements Module: alerts, administration, retention, incidents,
// responses, source health, live tail, and the console.
func (m *queryRole) Mount(a *App) []api.Mounter {
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

// Close implements Module.
func (*queryRole) Close(*App) {}

// ApplyConfig implements Module: the query limits are storage settings,
// which the store role checks.
func (*queryRole) ApplyConfig(*App, *config.Config) error { return nil }
