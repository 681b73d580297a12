package incident

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// Service is what the HTTP handler serves; Manager implements it.
type Service interface {
	List(ctx context.Context, f Filter) ([]Incident, int64, error)
	Get(ctx context.Context, tenant, id string) (*Detail, error)
	Update(ctx context.Context, tenant, id string, p Patch) (*Detail, error)
}

// Handler serves the incidents API:
//
//	GET   /api/v1/incidents       {"incidents":[…],"total":N}
//	GET   /api/v1/incidents/{id}  the incident with "alerts" and "timeline"
//	PATCH /api/v1/incidents/{id}  {"status","assignee","comment","author"}
//
// Every request names its tenant with ?tenant= (default "default"); an
// incident of another tenant is answered 404. Errors are {"error":"…"}.
// Behind the auth middleware (which checks the tenant and the analyst role
// of a PATCH), a change's author is the authenticated user.
type Handler struct {
	Incidents Service
}

// Register mounts the handler's routes.
func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/incidents", h.list)
	mux.HandleFunc("GET /api/v1/incidents/{id}", h.get)
	mux.HandleFunc("PATCH /api/v1/incidents/{id}", h.patch)
}

// list parameters: tenant, status (one or a comma list), severity (the
// minimum), assignee (empty: unassigned), entity, from, to, limit, offset.
func (h Handler) list(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query(), time.Now())
	if err != nil {
		api.WriteError(w, http.StatusBadRequest, err)
		return
	}
	list, total, err := h.Incidents.List(r.Context(), f)
	if err != nil {
		api.WriteError(w, errorStatus(err), err)
		return
	}
	if list == nil {
		list = []Incident{}
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"incidents": list, "total": total})
}

func parseFilter(q map[string][]string, now time.Time) (Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f := Filter{Tenant: tenantOf(get("tenant")), MinSeverity: get("severity"), Entity: strings.TrimSpace(get("entity"))}
	if s := get("status"); s != "" {
		for _, p := range strings.Split(s, ",") {
			st := Status(strings.TrimSpace(p))
			if !st.Valid() {
				return f, fmt.Errorf("status %q: want new, in_progress or closed (or a comma list)", st)
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if v, ok := q["assignee"]; ok {
		f.Assignee = strings.TrimSpace(v[0])
		f.Unassigned = f.Assignee == ""
	}
	var err error
	if f.From, err = api.ParseTimeParam(get("from"), now); err != nil {
		return f, fmt.Errorf("from: %w", err)
	}
	if f.To, err = api.ParseTimeParam(get("to"), now); err != nil {
		return f, fmt.Errorf("to: %w", err)
	}
	if f.Limit, err = intParam(get("limit"), 1, store.MaxLimit); err != nil {
		return f, fmt.Errorf("limit: %w", err)
	}
	if f.Offset, err = intParam(get("offset"), 0, 1<<30); err != nil {
		return f, fmt.Errorf("offset: %w", err)
	}
	return f, nil
}

// intParam reads an optional number in [lo, hi]; "" is 0.
func intParam(s string, lo, hi int) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q: want a number from %d to %d", s, lo, hi)
	}
	return n, nil
}

func (h Handler) get(w http.ResponseWriter, r *http.Request) {
	d, err := h.Incidents.Get(r.Context(), tenantOf(r.URL.Query().Get("tenant")), r.PathValue("id"))
	if err != nil {
		api.WriteError(w, errorStatus(err), err)
		return
	}
	api.WriteJSON(w, http.StatusOK, d)
}

func (h Handler) patch(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPatchBytes))
	if err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		api.WriteError(w, status, fmt.Errorf("read patch body: %w", err))
		return
	}
	p, err := ParsePatch(body)
	if err != nil {
		api.WriteError(w, http.StatusBadRequest, err)
		return
	}
	// With API authentication on, the change is the authenticated user's,
	// whatever the body says; without it, the body's author is taken.
	if who := auth.FromContext(r.Context()); who != auth.Anonymous {
		p.Author = who.Name
	}
	d, err := h.Incidents.Update(r.Context(), tenantOf(r.URL.Query().Get("tenant")), r.PathValue("id"), p)
	if err != nil {
		api.WriteError(w, errorStatus(err), err)
		return
	}
	api.WriteJSON(w, http.StatusOK, d)
}

func tenantOf(s string) string {
	if s == "" {
		return event.DefaultTenant
	}
	return s
}

func errorStatus(err error) int {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrConflict):
		return http.StatusConflict
	case errors.Is(err, store.ErrBadRequest):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}
