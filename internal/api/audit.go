package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/vigilsiem/vigil/internal/audit"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/store"
)

// audited reports the requests the audit log records once a handler
// answered them: searches and live tails (recorded when the tail ends),
// and every request that changes something
// (not GET or HEAD) on the API, except ingest, whose volume is data, not
// actions. Refused logins and requests are recorded by the auth
// middleware before they reach a handler.
func audited(r *http.Request) bool {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/api/") || p == "/api/v1/ingest" {
		return false
	}
	return p == "/api/v1/search" || p == "/api/v1/tail" || (r.Method != http.MethodGet && r.Method != http.MethodHead)
}

// auditNote collects what a handler adds to its request's audit entry.
type auditNote struct {
	tenant string
	fields map[string]string
}

type auditNoteKey struct{}

// noteAudit adds a field to the request's audit entry; tenant, when not
// empty, names the tenant the request concerned (a search body can name
// one the query string does not).
func noteAudit(r *http.Request, tenant string, kv ...string) {
	n, ok := r.Context().Value(auditNoteKey{}).(*auditNote)
	if !ok {
		return
	}
	if tenant != "" {
		n.tenant = tenant
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			n.fields[kv[i]] = kv[i+1]
		}
	}
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// auditRequests records each audited request with its principal, client
// address and outcome (a 2xx or 3xx status is a success).
func (s *Server) auditRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !audited(r) {
			next.ServeHTTP(w, r)
			return
		}
		note := &auditNote{fields: map[string]string{}}
		r = r.WithContext(context.WithValue(r.Context(), auditNoteKey{}, note))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		p := auth.FromContext(r.Context())
		e := audit.Entry{User: p.Name, Role: p.Role.String(), SourceIP: auth.ClientIP(r), Action: actionOf(r),
			Category: categoryOf(r), Method: r.Method, Path: r.URL.Path, Status: sw.status, Outcome: audit.Success, Fields: note.fields}
		if e.Status == 0 {
			e.Status = http.StatusOK
		}
		if e.Status >= 400 {
			e.Outcome = audit.Failure
			e.Reason = http.StatusText(e.Status)
		}
		e.Tenant = auditTenant(r, note.tenant)
		s.deps.Audit.Record(e)
	})
}

// auditTenant is the tenant an entry belongs to: the one the request
// concerned (its tenant parameter, "default" when absent, as the auth
// middleware reads it), or audit.SystemTenant for requests on the whole
// node (/api/v1/admin/…, outputs) and tenant names that are not valid.
func auditTenant(r *http.Request, noted string) string {
	if strings.HasPrefix(r.URL.Path, "/api/v1/admin/") || strings.HasPrefix(r.URL.Path, "/api/v1/outputs") {
		return audit.SystemTenant
	}
	t := noted
	if t == "" {
		t = r.URL.Query().Get("tenant")
	}
	if t == "" {
		t = "default"
	}
	if !store.ValidTenant(t) {
		return audit.SystemTenant
	}
	return t
}

// actionOf names a request's action (event.action): "search", "freeze",
// or the route's resource and verb, e.g. "watchlists.entries.put" for
// PUT /api/v1/watchlists/{name}/entries/{key...}.
func actionOf(r *http.Request) string {
	switch r.URL.Path {
	case "/api/v1/search":
		return "search"
	case "/api/v1/admin/freeze":
		return "freeze"
	}
	route := r.URL.Path
	if _, pat, ok := strings.Cut(r.Pattern, " "); ok {
		route = pat
	}
	var parts []string
	for _, seg := range strings.Split(strings.TrimPrefix(route, "/api/v1/"), "/") {
		if seg != "" && !strings.HasPrefix(seg, "{") {
			parts = append(parts, seg)
		}
	}
	return strings.Join(append(parts, strings.ToLower(r.Method)), ".")
}

// categoryOf is the ECS event.category of a request.
func categoryOf(r *http.Request) string {
	switch {
	case r.URL.Path == "/api/v1/search":
		return "database"
	case strings.HasPrefix(r.URL.Path, "/api/v1/admin/"):
		return "configuration"
	}
	return "web"
}
