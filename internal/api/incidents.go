package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/incident"
)

// IncidentsHandler serves the incidents (docs/incidents.md):
//
//	GET   /api/v1/incidents       {"incidents":[…],"total":N}
//	GET   /api/v1/incidents/{id}  the incident with "alerts" and "timeline"
//	PATCH /api/v1/incidents/{id}  {"status","assignee","comment","author"}
//
// An incident of another tenant is answered 404. Behind the auth
// middleware, a change's author is the authenticated user.
type IncidentsHandler struct {
	Incidents incident.Service
}

// Routes implements Mounter.
func (h IncidentsHandler) Routes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/incidents", Role: auth.Viewer, Tag: "incidents", Tenanted: true, Handler: h.list,
			Summary: "List incidents, newest first: {\"incidents\":[…],\"total\":N}",
			Query: append([]Param{
				{Name: "status", Description: "new, in_progress or closed, or a comma list"},
				{Name: "severity", Description: "the least severity: informational, low, medium, high, critical"},
				{Name: "assignee", Description: "the assignee; present and empty: unassigned"},
				{Name: "entity", Description: "a host, user or IP the incident involves"},
			}, listParamDocs...)},
		{Method: "GET", Path: "/api/v1/incidents/{id}", Role: auth.Viewer, Tag: "incidents", Tenanted: true, Handler: h.get,
			Summary: "One incident with its alerts and timeline"},
		{Method: "PATCH", Path: "/api/v1/incidents/{id}", Role: auth.Analyst, Tag: "incidents", Tenanted: true, Handler: h.patch,
			Body: []string{"application/json"}, Summary: "Change an incident's status or assignee, or comment on it"},
	}
}

func (h IncidentsHandler) list(w http.ResponseWriter, r *http.Request) {
	f, err := incidentFilter(r.URL.Query(), time.Now())
	if err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	list, total, err := h.Incidents.List(r.Context(), f)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	if list == nil {
		list = []incident.Incident{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"incidents": list, "total": total})
}

// incidentFilter reads the list parameters (parseList) and status (one or
// a comma list), severity (the minimum), assignee (empty: unassigned) and
// entity.
func incidentFilter(q url.Values, now time.Time) (incident.Filter, error) {
	lp, err := parseList(q, now)
	if err != nil {
		return incident.Filter{}, err
	}
	f := incident.Filter{Tenant: lp.Tenant, From: lp.From, To: lp.To, Limit: lp.Limit, Offset: lp.Offset,
		MinSeverity: q.Get("severity"), Entity: strings.TrimSpace(q.Get("entity"))}
	if s := q.Get("status"); s != "" {
		for p := range strings.SplitSeq(s, ",") {
			st := incident.Status(strings.TrimSpace(p))
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
	return f, nil
}

func (h IncidentsHandler) get(w http.ResponseWriter, r *http.Request) {
	d, err := h.Incidents.Get(r.Context(), tenantOf(r), r.PathValue("id"))
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, d)
}

func (h IncidentsHandler) patch(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, incident.MaxPatchBytes))
	if err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		WriteError(w, status, fmt.Errorf("read patch body: %w", err))
		return
	}
	p, err := incident.ParsePatch(body)
	if err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	// With API authentication on, the change is the authenticated user's,
	// whatever the body says; without it, the body's author is taken.
	if who := auth.FromContext(r.Context()); who != auth.Anonymous {
		p.Author = who.Name
	}
	d, err := h.Incidents.Update(r.Context(), tenantOf(r), r.PathValue("id"), p)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, d)
}
