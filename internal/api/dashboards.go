package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/dashboard"
)

// DashboardHandler serves the console's dashboards and saved searches:
//
//	GET    /api/v1/dashboards            {"dashboards":[…]}: the built-in ones, then the tenant's
//	GET    /api/v1/dashboards/{id}       one dashboard (its JSON is the export format)
//	POST   /api/v1/dashboards            create (or import) one: a new id is given → 201
//	PUT    /api/v1/dashboards/{id}       replace one (built-in ones cannot change: 409)
//	DELETE /api/v1/dashboards/{id}       → 204
//	GET    /api/v1/saved-searches        {"saved_searches":[…]}: the caller's and the shared ones
//	GET    /api/v1/saved-searches/{id}
//	POST   /api/v1/saved-searches        create one, owned by the caller → 201
//	PUT    /api/v1/saved-searches/{id}   replace one the caller owns
//	DELETE /api/v1/saved-searches/{id}   delete one the caller owns → 204
//
// ?tenant= names the tenant (default "default"), which the auth
// middleware has checked; the store scopes every read and write to it, so
// another tenant's are answered 404. Changes need the analyst role (the
// middleware) and are audited with their id.
type DashboardHandler struct {
	Store dashboard.Store
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Routes implements Mounter.
func (h DashboardHandler) Routes() []Route {
	js := []string{"application/json"}
	return []Route{
		{Method: "GET", Path: "/api/v1/dashboards", Role: auth.Viewer, Tag: "dashboards", Tenanted: true, Handler: h.list,
			Summary: "The built-in and the tenant's dashboards: {\"dashboards\":[…]}"},
		{Method: "GET", Path: "/api/v1/dashboards/{id}", Role: auth.Viewer, Tag: "dashboards", Tenanted: true, Handler: h.get,
			Summary: "One dashboard (its JSON is the export format)"},
		{Method: "POST", Path: "/api/v1/dashboards", Role: auth.Analyst, Tag: "dashboards", Tenanted: true, Handler: h.create,
			Body: js, OK: http.StatusCreated, Summary: "Create or import a dashboard; the server gives its id"},
		{Method: "PUT", Path: "/api/v1/dashboards/{id}", Role: auth.Analyst, Tag: "dashboards", Tenanted: true, Handler: h.put,
			Body: js, Summary: "Replace a dashboard (built-in ones cannot change: 409)"},
		{Method: "DELETE", Path: "/api/v1/dashboards/{id}", Role: auth.Analyst, Tag: "dashboards", Tenanted: true, Handler: h.delete,
			OK: http.StatusNoContent, Summary: "Delete a dashboard"},
		{Method: "GET", Path: "/api/v1/saved-searches", Role: auth.Viewer, Tag: "saved searches", Tenanted: true, Handler: h.listSearches,
			Summary: "The caller's saved searches and the tenant's shared ones: {\"saved_searches\":[…]}"},
		{Method: "GET", Path: "/api/v1/saved-searches/{id}", Role: auth.Viewer, Tag: "saved searches", Tenanted: true, Handler: h.getSearch,
			Summary: "One saved search the caller owns or that is shared"},
		{Method: "POST", Path: "/api/v1/saved-searches", Role: auth.Analyst, Tag: "saved searches", Tenanted: true, Handler: h.createSearch,
			Body: js, OK: http.StatusCreated, Summary: "Save a search as the caller's"},
		{Method: "PUT", Path: "/api/v1/saved-searches/{id}", Role: auth.Analyst, Tag: "saved searches", Tenanted: true, Handler: h.putSearch,
			Body: js, Summary: "Replace a saved search the caller owns"},
		{Method: "DELETE", Path: "/api/v1/saved-searches/{id}", Role: auth.Analyst, Tag: "saved searches", Tenanted: true, Handler: h.deleteSearch,
			OK: http.StatusNoContent, Summary: "Delete a saved search the caller owns"},
	}
}

func (h DashboardHandler) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

// readDoc decodes a JSON body of at most dashboard.MaxDocBytes into v,
// refusing unknown fields and anything but application/json (a
// cross-site form cannot send JSON without a preflight).
func readDoc(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return errNotJSON
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, dashboard.MaxDocBytes))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if d.More() {
		return errors.New("read body: want one JSON object")
	}
	return nil
}

func (h DashboardHandler) list(w http.ResponseWriter, r *http.Request) {
	stored, err := h.Store.Dashboards(r.Context(), tenantOf(r))
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"dashboards": append(dashboard.Builtins(), stored...)})
}

func (h DashboardHandler) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if d, ok := dashboard.Builtin(id); ok {
		WriteJSON(w, http.StatusOK, d)
		return
	}
	d, err := h.Store.Dashboard(r.Context(), tenantOf(r), id)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, d)
}

func (h DashboardHandler) create(w http.ResponseWriter, r *http.Request) {
	var d dashboard.Dashboard
	if err := readDoc(w, r, &d); err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	// An import keeps everything but the id, the built-in flag and the stamp.
	d.ID = dashboard.NewID()
	h.save(w, r, d, http.StatusCreated)
}

func (h DashboardHandler) put(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if strings.HasPrefix(id, dashboard.BuiltinPrefix) {
		WriteError(w, http.StatusConflict, errors.New("built-in dashboards cannot change: save a copy"))
		return
	}
	var d dashboard.Dashboard
	if err := readDoc(w, r, &d); err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	if d.ID != "" && d.ID != id {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("id %q in the body is not %q of the path", d.ID, id))
		return
	}
	d.ID = id
	h.save(w, r, d, http.StatusOK)
}

func (h DashboardHandler) save(w http.ResponseWriter, r *http.Request, d dashboard.Dashboard, status int) {
	d.Builtin = false
	d.UpdatedBy = auth.FromContext(r.Context()).Name
	d.Updated = h.now()
	if err := dashboard.Validate(&d); err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	tenant := tenantOf(r)
	noteAudit(r, tenant, "vigil.dashboard.id", d.ID, "vigil.dashboard.title", truncate(d.Title, 256))
	if err := h.Store.PutDashboard(r.Context(), tenant, d); err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, status, d)
}

func (h DashboardHandler) delete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	tenant := tenantOf(r)
	noteAudit(r, tenant, "vigil.dashboard.id", truncate(id, 64))
	if strings.HasPrefix(id, dashboard.BuiltinPrefix) {
		WriteError(w, http.StatusConflict, errors.New("built-in dashboards cannot be deleted"))
		return
	}
	if err := h.Store.DeleteDashboard(r.Context(), tenant, id); err != nil {
		writeServiceError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
