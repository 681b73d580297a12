package api

import (
	"fmt"
	"net/http"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/dashboard"
)

// The saved-search routes of DashboardHandler. The caller is the
// authenticated principal: a search is created as theirs, and the store
// lets them read their own and the tenant's shared ones, and change or
// delete only their own.

func (h DashboardHandler) listSearches(w http.ResponseWriter, r *http.Request) {
	l, err := h.Store.SavedSearches(r.Context(), tenantOf(r), auth.FromContext(r.Context()).Name)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"saved_searches": l})
}

func (h DashboardHandler) getSearch(w http.ResponseWriter, r *http.Request) {
	s, err := h.Store.SavedSearch(r.Context(), tenantOf(r), auth.FromContext(r.Context()).Name, r.PathValue("id"))
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, s)
}

func (h DashboardHandler) createSearch(w http.ResponseWriter, r *http.Request) {
	var s dashboard.SavedSearch
	if err := readDoc(w, r, &s); err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	s.ID = dashboard.NewID()
	h.saveSearch(w, r, s, http.StatusCreated)
}

func (h DashboardHandler) putSearch(w http.ResponseWriter, r *http.Request) {
	var s dashboard.SavedSearch
	if err := readDoc(w, r, &s); err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	id := r.PathValue("id")
	if s.ID != "" && s.ID != id {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("id %q in the body is not %q of the path", s.ID, id))
		return
	}
	s.ID = id
	h.saveSearch(w, r, s, http.StatusOK)
}

func (h DashboardHandler) saveSearch(w http.ResponseWriter, r *http.Request, s dashboard.SavedSearch, status int) {
	s.Owner = auth.FromContext(r.Context()).Name
	s.Updated = h.now()
	if err := dashboard.ValidateSearch(&s); err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	tenant := tenantOf(r)
	noteAudit(r, tenant, "vigil.saved_search.id", s.ID, "vigil.saved_search.name", truncate(s.Name, 256), "vigil.search.query", truncate(s.Query, 4096))
	if err := h.Store.PutSavedSearch(r.Context(), tenant, s); err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, status, s)
}

func (h DashboardHandler) deleteSearch(w http.ResponseWriter, r *http.Request) {
	tenant, id := tenantOf(r), r.PathValue("id")
	noteAudit(r, tenant, "vigil.saved_search.id", truncate(id, 64))
	if err := h.Store.DeleteSavedSearch(r.Context(), tenant, auth.FromContext(r.Context()).Name, id); err != nil {
		writeServiceError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
