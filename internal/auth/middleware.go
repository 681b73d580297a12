package auth

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/audit"
)

// exempt reports the paths outside the API (not /api/, /metrics or
// /debug/): with no route of their own, they are answered 404 without
// credentials. The API's routes say for themselves which are public.
func exempt(path string) bool {
	return !strings.HasPrefix(path, "/api/") && path != "/metrics" && !strings.HasPrefix(path, "/debug/")
}

// DefaultNeed is what a request needs when no route says: nothing for an
// exempt path, else MethodRole.
func DefaultNeed(r *http.Request) Role {
	if exempt(r.URL.Path) {
		return Public
	}
	return MethodRole(r)
}

// Middleware lets requests that need no role (Public) through, and
// authenticates every other, puts the principal in the request's context,
// and enforces the tenant and the role: the request's tenant (the "tenant"
// query parameter, "default" when absent) must be one the principal may
// see, and the principal needs the role need gives for the request (the
// API's route table says it per route; nil: DefaultNeed). Handlers read
// the principal with FromContext.
func (a *Authenticator) Middleware(next http.Handler, need func(*http.Request) Role) http.Handler {
	if need == nil {
		need = DefaultNeed
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		role := need(r)
		if role == Public {
			next.ServeHTTP(w, r)
			return
		}
		p, err := a.Authenticate(r)
		if errors.Is(err, ErrBadCSRF) {
			writeErr(w, http.StatusForbidden, err.Error())
			return
		}
		if err != nil {
			status := http.StatusUnauthorized
			var te *ThrottledError
			switch {
			case errors.As(err, &te):
				status = http.StatusTooManyRequests
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(te.RetryAfter.Seconds()))))
			case errors.Is(err, ErrBusy):
				status = http.StatusServiceUnavailable
				w.Header().Set("Retry-After", "1")
			case r.Header.Get(ConsoleHeader) != "":
				// No challenge: a browser's own dialog would hide the console's log-in.
			default:
				w.Header().Set("WWW-Authenticate", `Basic realm="vigil", charset="UTF-8"`)
			}
			// Requests without credentials (a browser's first try) and
			// further refusals within one wait are not audited: an
			// attacker must not flood the audit log at no cost.
			if !errors.Is(err, ErrNoCredentials) && (te == nil || !te.Repeated) {
				a.auditDenied(r, nil, "login", "authentication", status, err.Error())
			}
			writeErr(w, status, err.Error())
			return
		}
		tenant := r.URL.Query().Get("tenant")
		if tenant == "" {
			tenant = "default"
		}
		if !p.CanSee(tenant) {
			a.auditDenied(r, p, "authorize", "iam", http.StatusForbidden, "tenant "+tenant+" is not theirs")
			writeErr(w, http.StatusForbidden, "tenant "+tenant+" is not yours to see")
			return
		}
		if p.Role < role {
			a.auditDenied(r, p, "authorize", "iam", http.StatusForbidden, "needs the "+role.String()+" role")
			writeErr(w, http.StatusForbidden, "this needs the "+role.String()+" role")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
	})
}

// MethodRole is the role a request needs by its method alone: viewer to
// read (GET, HEAD), analyst to change anything.
func MethodRole(r *http.Request) Role {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return Viewer
	}
	return Analyst
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// auditDenied records a request refused before it reached a handler: a
// failed or throttled login, or a tenant or role the principal lacks. It
// goes to audit.SystemTenant: the request's tenant is the caller's choice
// and may not exist, and these are the node admins' concern. The tenant
// asked for is kept in vigil.requested_tenant.
func (a *Authenticator) auditDenied(r *http.Request, p *Principal, action, category string, status int, reason string) {
	e := audit.Entry{Tenant: audit.SystemTenant, Action: action, Category: category, Outcome: audit.Failure, Reason: reason,
		SourceIP: ClientIP(r), Method: r.Method, Path: r.URL.Path, Status: status}
	switch {
	case p != nil:
		e.User, e.Role = p.Name, p.Role.String()
	default:
		if u, _, ok := r.BasicAuth(); ok {
			e.User = truncate(u, 256)
		} else if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			e.User = "(token)"
		}
	}
	if t := r.URL.Query().Get("tenant"); t != "" {
		e.Fields = map[string]string{"vigil.requested_tenant": truncate(t, 64)}
	}
	a.audit.Record(e)
}

// ClientIP is the address a request came from (the TCP peer; proxy
// headers are not trusted).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// truncate cuts what a client chose to at most n bytes for the audit log.
func truncate(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}
