package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/vigilsiem/vigil/internal/analytics/sources"
	"github.com/vigilsiem/vigil/internal/analytics/usage"
	"github.com/vigilsiem/vigil/internal/event"
)

// SourceLister lists a tenant's sources; sources.Tracker implements it.
type SourceLister interface {
	Sources(tenant string) []sources.Source
}

// UsageReporter reports a tenant's usage; usage.Meter implements it.
type UsageReporter interface {
	Usage(tenant string, from, to time.Time) usage.Report
}

// SourcesHandler serves GET /api/v1/sources and GET /api/v1/usage. The
// authentication middleware has checked the tenant parameter.
type SourcesHandler struct {
	Sources SourceLister
	Usage   UsageReporter
}

// Register implements Mounter.
func (h SourcesHandler) Register(mux *http.ServeMux) {
	if h.Sources != nil {
		mux.HandleFunc("GET /api/v1/sources", h.list)
	}
	if h.Usage != nil {
		mux.HandleFunc("GET /api/v1/usage", h.usage)
	}
}

// list answers {"sources":[…]}: every source of the tenant (default
// "default") with its last-seen time, rates and status.
func (h SourcesHandler) list(w http.ResponseWriter, r *http.Request) {
	tenant := r.URL.Query().Get("tenant")
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	WriteJSON(w, http.StatusOK, map[string]any{"sources": h.Sources.Sources(tenant)})
}

// usage answers {tenant, events, bytes, eps_avg, eps_peak, by_day, …} for
// the range from–to (default: the last 30 days up to now).
func (h SourcesHandler) usage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tenant := q.Get("tenant")
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	now := time.Now()
	from, err := ParseTimeParam(q.Get("from"), now)
	if err != nil {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("from: %w", err))
		return
	}
	to, err := ParseTimeParam(q.Get("to"), now)
	if err != nil {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("to: %w", err))
		return
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("to %s is before from %s", to.Format(time.RFC3339), from.Format(time.RFC3339)))
		return
	}
	WriteJSON(w, http.StatusOK, h.Usage.Usage(tenant, from, to))
}
