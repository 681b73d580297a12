package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// Exempt reports paths the middleware lets through without credentials:
// health, and the ingest endpoints, which authenticate with their own
// tokens (http.ingest.tokens).
func Exempt(path string) bool {
	switch {
	case path == "/api/v1/health", path == "/api/v1/ingest", path == "/api/v1/session":
		// /api/v1/session logs in and out, and authenticates itself.
		return true
	case strings.HasPrefix(path, "/services/collector"):
		return true
	case !strings.HasPrefix(path, "/api/") && path != "/metrics" && !strings.HasPrefix(path, "/debug/"):
		// The Elasticsearch-compatible endpoints (/_bulk, /{index}/_doc,
		// the probes) and the UI's static files.
		return true
	}
	return false
}

// Middleware authenticates every request that is not Exempt, puts the
// principal in the request's context, and enforces the tenant and the
// role: the request's tenant (the "tenant" query parameter, "default" when
// absent) must be one the principal may see, and a request that changes
// anything (not GET or HEAD) needs the analyst role, node-wide paths
// (adminOnly) the admin role. Handlers read the principal with FromContext.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Exempt(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		p, err := a.Authenticate(r)
		if errors.Is(err, ErrBadCSRF) {
			writeErr(w, http.StatusForbidden, err.Error())
			return
		}
		if err != nil {
			if r.Header.Get(ConsoleHeader) == "" { // a browser's own dialog would hide the console's log-in
				w.Header().Set("WWW-Authenticate", `Basic realm="vigil", charset="UTF-8"`)
			}
			writeErr(w, http.StatusUnauthorized, err.Error())
			return
		}
		tenant := r.URL.Query().Get("tenant")
		if tenant == "" {
			tenant = "default"
		}
		if !p.CanSee(tenant) {
			writeErr(w, http.StatusForbidden, "tenant "+tenant+" is not yours to see")
			return
		}
		need := Viewer
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !(r.Method == http.MethodPost && r.URL.Path == "/api/v1/search") {
			need = Analyst
		}
		if adminOnly(r.URL.Path) {
			need = Admin
		}
		if p.Role < need {
			writeErr(w, http.StatusForbidden, "this needs the "+need.String()+" role")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
	})
}

// adminOnly reports paths that show or change the whole node rather than
// one tenant's data: administration, the profiler, the metrics and the
// delivery status (both name every tenant).
func adminOnly(path string) bool {
	return strings.HasPrefix(path, "/api/v1/admin/") || strings.HasPrefix(path, "/debug/") ||
		path == "/metrics" || strings.HasPrefix(path, "/api/v1/outputs")
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
