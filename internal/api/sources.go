package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/vigilsiem/vigil/internal/analytics/sources"
	"github.com/vigilsiem/vigil/internal/analytics/usage"
	"github.com/vigilsiem/vigil/internal/auth"
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

// Routes implements Mounter.
func (h SourcesHandler) Routes() []Route {
	var rs []Route
	if h.Sources != nil {
		rs = append(rs, Route{Method: "GET", Path: "/api/v1/sources", Role: auth.Viewer, Tag: "sources", Tenanted: true, Handler: h.list,
			Summary: "The tenant's sources with last-seen time, rates and status: {\"sources\":[…]}"})
	}
	if h.Usage != nil {
		rs = append(rs, Route{Method: "GET", Path: "/api/v1/usage", Role: auth.Viewer, Tag: "sources", Tenanted: true, Handler: h.usage,
			Summary: "The tenant's ingest and storage usage", Query: listParamDocs[:2]})
	}
	return rs
}

// list answers {"sources":[…]}: every source of the tenant (default
// "default") with its last-seen time, rates and status.
func (h SourcesHandler) list(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]any{"sources": h.Sources.Sources(tenantOf(r))})
}

// usage answers {tenant, events, bytes, eps_avg, eps_peak, by_day, …} for
// the range from–to (default: the last 30 days up to now).
func (h SourcesHandler) usage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tenant := tenantOf(r)
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
