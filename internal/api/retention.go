package api

import (
	"fmt"
	"net/http"

	"github.com/vigilsiem/vigil/internal/auth"

	"github.com/vigilsiem/vigil/internal/store"
)

// RetentionHandler serves GET /api/v1/admin/retention?tenant=T: per tenant
// and dataset, the cold data kept (receive times, bytes, files), the
// retention policy and the next deletion. Admins only (the admin path);
// without tenant, every tenant.
type RetentionHandler struct {
	Store store.RetentionReporter
}

// Routes implements Mounter.
func (h RetentionHandler) Routes() []Route {
	return []Route{{Method: "GET", Path: "/api/v1/admin/retention", Role: auth.Admin, Tag: "admin", Handler: h.get,
		Summary: "Per tenant and dataset, the cold data kept and the retention policy: {\"tenants\":[…]}",
		Query:   []Param{{Name: "tenant", Description: "one tenant; absent: every tenant"}}}}
}

func (h RetentionHandler) get(w http.ResponseWriter, r *http.Request) {
	tenant := r.URL.Query().Get("tenant")
	if tenant != "" && !store.ValidTenant(tenant) {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("tenant %q: not a valid tenant name", tenant))
		return
	}
	list, err := h.Store.RetentionOverview(tenant)
	if err != nil {
		WriteError(w, http.StatusInternalServerError, err)
		return
	}
	if list == nil {
		list = []store.RetentionStatus{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"tenants": list})
}
