package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vigilsiem/vigil/internal/audit"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/store"
)

type nullSearcher struct{}

func (nullSearcher) Search(context.Context, store.Request) (*store.Result, error) {
	return &store.Result{Shape: "events"}, nil
}

type nullFreezer struct{}

func (nullFreezer) Freeze(context.Context) error { return nil }

type entries struct {
	mu sync.Mutex
	es []audit.Entry
}

func (r *entries) Record(e audit.Entry) { r.mu.Lock(); r.es = append(r.es, e); r.mu.Unlock() }

func (r *entries) last(t *testing.T) audit.Entry {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.es) == 0 {
		t.Fatal("no audit entry")
	}
	return r.es[len(r.es)-1]
}

// TestAuditedRequests: searches and changes are recorded with the
// principal, the tenant they concerned, the outcome and the query; the
// audit dataset is searched by admins only; node-wide actions belong to
// the system tenant.
func TestAuditedRequests(t *testing.T) {
	anaTok, anaDigest, _ := auth.NewToken()
	rootTok, rootDigest, _ := auth.NewToken()
	cfg := config.Auth{Tokens: []config.APIToken{
		{Name: "ana", SHA256: anaDigest, Role: "analyst", Tenants: []string{"acme"}},
		{Name: "root", SHA256: rootDigest, Role: "admin", Tenants: []string{"*"}},
	}}
	if err := cfg.Validate("127.0.0.1:1", false, auth.CheckHash); err != nil {
		t.Fatal(err)
	}
	rec := &entries{}
	srv := New(Deps{Store: nullSearcher{}, Auth: auth.New(cfg, auth.WithAudit(rec)), Audit: rec, Mounts: []Mounter{
		AdminHandler{Store: nullFreezer{}},
		Routes{
			{Method: "PUT", Path: "/api/v1/watchlists/{name}", Role: auth.Analyst, Summary: "test", Handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(201) }},
			{Method: "GET", Path: "/api/v1/watchlists", Role: auth.Viewer, Summary: "test", Handler: func(w http.ResponseWriter, _ *http.Request) {}},
		},
	}})
	h := srv.Handler()
	do := func(method, target, tok, body string) int {
		t.Helper()
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		r.RemoteAddr = "192.0.2.9:4000"
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}

	if c := do("POST", "/api/v1/search?tenant=acme", anaTok, `{"q":"needle","tenant":"acme"}`); c != 200 {
		t.Fatalf("search: %d", c)
	}
	e := rec.last(t)
	if e.Action != "search" || e.User != "ana" || e.Tenant != "acme" || e.Outcome != audit.Success || e.SourceIP != "192.0.2.9" ||
		e.Fields["vigil.search.query"] != "needle" || e.Status != 200 {
		t.Errorf("search entry %+v", e)
	}
	if c := do("GET", "/api/v1/search?tenant=acme&dataset=audit", anaTok, ""); c != 403 {
		t.Errorf("analyst searching the audit log: %d, want 403", c)
	}
	if e := rec.last(t); e.Outcome != audit.Failure || e.Status != 403 || e.Fields["vigil.search.dataset"] != "audit" {
		t.Errorf("refused audit search entry %+v", e)
	}
	if c := do("GET", "/api/v1/search?tenant=acme&dataset=audit", rootTok, ""); c != 200 {
		t.Errorf("admin searching the audit log: %d, want 200", c)
	}
	if c := do("PUT", "/api/v1/watchlists/bad-ips?tenant=acme", anaTok, `{}`); c != 201 {
		t.Fatalf("watch-list put: %d", c)
	}
	if e := rec.last(t); e.Action != "watchlists.put" || e.Tenant != "acme" || e.Method != "PUT" || e.Path != "/api/v1/watchlists/bad-ips" {
		t.Errorf("watch-list entry %+v", e)
	}
	n := len(rec.es)
	if c := do("GET", "/api/v1/watchlists?tenant=acme", anaTok, ""); c != 200 {
		t.Fatalf("watch-list get: %d", c)
	}
	if len(rec.es) != n {
		t.Errorf("a plain read was audited: %+v", rec.last(t))
	}
	if c := do("POST", "/api/v1/admin/freeze", rootTok, ""); c != 200 {
		t.Fatalf("freeze: %d", c)
	}
	if e := rec.last(t); e.Action != "freeze" || e.Tenant != audit.SystemTenant || e.User != "root" || e.Role != "admin" {
		t.Errorf("freeze entry %+v", e)
	}
	if c := do("GET", "/api/v1/search?tenant=beta", anaTok, ""); c != 403 {
		t.Fatalf("other tenant: %d", c)
	}
	if e := rec.last(t); e.Action != "authorize" || e.Tenant != audit.SystemTenant || e.Fields["vigil.requested_tenant"] != "beta" {
		t.Errorf("refused tenant entry %+v", e)
	}
	if c := do("GET", "/api/v1/search?tenant=acme", "wrong-token", ""); c != 401 {
		t.Fatalf("bad token: %d", c)
	}
	if e := rec.last(t); e.Action != "login" || e.Outcome != audit.Failure || e.User != "(token)" || e.Tenant != audit.SystemTenant {
		t.Errorf("failed login entry %+v", e)
	}
}
