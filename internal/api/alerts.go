package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
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

// Register implements Mounter.
func (h AlertsHandler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/alerts", h.list)
}

// list answers {"alerts":[…],"total":N}. Parameters: tenant, level (the
// minimum), rule_id, status, entity (a host, user or IP), from, to, limit.
func (h AlertsHandler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := alerts.Filter{Tenant: q.Get("tenant"), MinLevel: q.Get("level"), RuleID: q.Get("rule_id"), Status: q.Get("status"), Entity: q.Get("entity")}
	if f.Tenant == "" {
		f.Tenant = event.DefaultTenant
	}
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
	if l := q.Get("limit"); l != "" {
		if f.Limit, err = strconv.Atoi(l); err != nil || f.Limit < 1 || f.Limit > store.MaxLimit {
			WriteError(w, http.StatusBadRequest, errors.New("limit: want 1 to 10000"))
			return
		}
	}
	list, total, err := h.Alerts.List(r.Context(), f)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrBadRequest) {
			status = http.StatusBadRequest
		}
		WriteError(w, status, err)
		return
	}
	if list == nil {
		list = []alert.Alert{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"alerts": list, "total": total})
}
