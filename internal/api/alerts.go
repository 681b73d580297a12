package api

import (
	"context"
	"net/http"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/alerts"
)

// AlertLister lists stored alerts; alerts.Store implements it.
type AlertLister interface {
	List(ctx context.Context, f alerts.Filter) ([]alert.Alert, int64, error)
}

// AlertsHandler serves GET /api/v1/alerts.
type AlertsHandler struct {
	Alerts AlertLister
}

// Routes implements Mounter.
func (h AlertsHandler) Routes() []Route {
	return []Route{{Method: "GET", Path: "/api/v1/alerts", Role: auth.Viewer, Tag: "alerts", Tenanted: true, Handler: h.list,
		Summary: "List alerts, newest first: {\"alerts\":[…],\"total\":N}",
		Query: []Param{
			{Name: "level", Description: "the least level: informational, low, medium, high, critical"},
			{Name: "rule_id", Description: "the rule that raised the alert"},
			{Name: "status", Description: "open, acknowledged or closed"},
			{Name: "entity", Description: "a host, user or IP the alert involves"},
			listParamDocs[0], listParamDocs[1], listParamDocs[2],
		}}}
}

// list answers {"alerts":[…],"total":N}. Parameters: tenant, level (the
// minimum), rule_id, status, entity (a host, user or IP), from, to, limit.
func (h AlertsHandler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := alerts.Filter{Tenant: tenantOf(r), MinLevel: q.Get("level"), RuleID: q.Get("rule_id"), Status: q.Get("status"), Entity: q.Get("entity")}
	now := time.Now()
	var err error
	if f.From, err = ParseTimeParam(q.Get("from"), now); err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	if f.To, err = ParseTimeParam(q.Get("to"), now); err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	if f.Limit, err = limitParam(q, "limit", 0, store.MaxLimit); err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	list, total, err := h.Alerts.List(r.Context(), f)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	if list == nil {
		list = []alert.Alert{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"alerts": list, "total": total})
}
