package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/analytics/sources"
	"github.com/vigilsiem/vigil/internal/analytics/usage"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/source/httpin"
)

type nullSources struct{}

func (nullSources) Sources(string) []sources.Source { return nil }

type nullUsage struct{}

func (nullUsage) Usage(string, time.Time, time.Time) usage.Report { return usage.Report{} }

// fullServer mounts every Mounter the app mounts on a node of every role
// (internal/app), with the profiler on: the handlers are not called.
func fullServer(t *testing.T, authn *auth.Authenticator) *Server {
	t.Helper()
	console, err := NewConsole(fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}, "favicon.svg": {Data: []byte("<svg/>")}})
	if err != nil {
		t.Fatal(err)
	}
	ingest := httpin.New(config.HTTPIngest{Tenant: "default", Source: "http", MaxBodyBytes: 1 << 20}, nil, nil, nil)
	return New(Deps{Store: nullSearcher{}, Gatherer: prometheus.NewRegistry(), Auth: authn, Mounts: []Mounter{
		Ingest{Handler: ingest},
		AlertsHandler{}, AdminHandler{}, RetentionHandler{}, IncidentsHandler{}, ResponsesHandler{},
		SourcesHandler{Sources: nullSources{}, Usage: nullUsage{}}, OutputsHandler{}, WatchlistsHandler{},
		EntitiesHandler{}, PatternsHandler{}, PprofHandler{}, console, SessionHandler{}, AlertTriageHandler{}, RuleHandler{},
		DashboardHandler{}, TailHandler{},
	}})
}

// openAPIDoc is the part of the document the tests read.
type openAPIDoc struct {
	OpenAPI string                                 `json:"openapi"`
	Paths   map[string]map[string]openAPIOperation `json:"paths"`
}

type openAPIOperation struct {
	OperationID string         `json:"operationId"`
	Summary     string         `json:"summary"`
	Tags        []string       `json:"tags"`
	Role        string         `json:"x-vigil-role"`
	Parameters  []openAPIParam `json:"parameters"`
}

type openAPIParam struct {
	Name string `json:"name"`
	In   string `json:"in"`
}

func fetchOpenAPI(t *testing.T, h http.Handler, set func(*http.Request)) (int, openAPIDoc) {
	t.Helper()
	r := httptest.NewRequest("GET", "/api/v1/openapi.json", nil)
	if set != nil {
		set(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var doc openAPIDoc
	if w.Code == http.StatusOK {
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("content type %q", ct)
		}
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
			t.Fatalf("the document is not JSON: %v", err)
		}
	}
	return w.Code, doc
}

var docParam = regexp.MustCompile(`\{[^}]*\}`)

// openAPIProblems compares the routes the API's mux was built from
// (router.add is the only way onto it) with the document: every route is
// in the document unless it says why not (only the console's files and the
// profiler may), with a summary, a tag and a role; every operation of the
// document is answered by the mux with the route it describes.
func openAPIProblems(s *Server, doc openAPIDoc) []string {
	var bad []string
	documented := 0
	for _, r := range s.rt.routes {
		if r.Undocumented != "" {
			if !strings.HasPrefix(r.Path, "/debug/pprof/") && r.Undocumented != consoleUndocumented {
				bad = append(bad, r.Pattern()+" is left out of the document: only the console's files and the profiler may be")
			}
			continue
		}
		documented++
		op, ok := doc.Paths[docPath(r.Path)][strings.ToLower(r.Method)]
		if !ok {
			bad = append(bad, r.Pattern()+" is mounted but not in the document")
			continue
		}
		if strings.TrimSpace(op.Summary) == "" || len(op.Tags) != 1 || op.Tags[0] == "" || op.Role == "" {
			bad = append(bad, fmt.Sprintf("%s: summary %q, tags %q, role %q: want all three", r.Pattern(), op.Summary, op.Tags, op.Role))
		}
	}
	ops, ids := 0, map[string]string{}
	for path, item := range doc.Paths {
		for method, op := range item {
			ops++
			if prev, dup := ids[op.OperationID]; dup {
				bad = append(bad, fmt.Sprintf("operationId %q of %s %s is also %s's", op.OperationID, method, path, prev))
			}
			ids[op.OperationID] = method + " " + path
			for _, p := range docParam.FindAllString(path, -1) {
				name := strings.Trim(p, "{}")
				if !slices.ContainsFunc(op.Parameters, func(q openAPIParam) bool { return q.Name == name && q.In == "path" }) {
					bad = append(bad, fmt.Sprintf("%s %s: path parameter %s is not described", method, path, name))
				}
			}
			target := docParam.ReplaceAllString(path, "x")
			req := httptest.NewRequest(strings.ToUpper(method), target, nil)
			_, pattern := s.rt.mux.Handler(req)
			m, p, _ := strings.Cut(pattern, " ")
			if pattern == "" || !strings.EqualFold(m, method) || docPath(p) != path {
				bad = append(bad, fmt.Sprintf("the document lists %s %s, but the mux routes %s %s to %q", method, path, strings.ToUpper(method), target, pattern))
			}
		}
	}
	if ops != documented {
		bad = append(bad, fmt.Sprintf("the document has %d operations, the mux %d documented routes", ops, documented))
	}
	return bad
}

// TestOpenAPICoversEveryRoute: the document served at /api/v1/openapi.json
// and the routes of a node of every role agree.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	s := fullServer(t, nil)
	code, doc := fetchOpenAPI(t, s.Handler(), nil)
	if code != http.StatusOK || doc.OpenAPI != OpenAPIVersion {
		t.Fatalf("GET /api/v1/openapi.json = %d, openapi %q", code, doc.OpenAPI)
	}
	for _, p := range openAPIProblems(s, doc) {
		t.Error(p)
	}
	// The routes this test knows the API has; a lost mount fails here.
	for _, want := range []string{"GET /api/v1/incidents", "PATCH /api/v1/incidents/{id}", "GET /api/v1/responses",
		"PUT /api/v1/watchlists/{name}/entries/{key}", "GET /api/v1/outputs", "POST /api/v1/search", "GET /api/v1/openapi.json",
		"POST /api/v1/ingest", "POST /_bulk", "GET /metrics", "POST /api/v1/session", "GET /api/v1/alerts/{id}",
		"GET /api/v1/tail", "PUT /api/v1/dashboards/{id}", "DELETE /api/v1/saved-searches/{id}"} {
		m, p, _ := strings.Cut(want, " ")
		if _, ok := doc.Paths[p][strings.ToLower(m)]; !ok {
			t.Errorf("%s is not in the document", want)
		}
	}
}

// TestOpenAPIProblemsFound: the comparison fails on a route without a
// summary, a route missing from the document, a route left out without
// cause, and an operation no route serves.
func TestOpenAPIProblemsFound(t *testing.T) {
	noop := func(http.ResponseWriter, *http.Request) {}
	s := New(Deps{Mounts: []Mounter{Routes{
		{Method: "GET", Path: "/api/v1/x", Role: auth.Viewer, Tag: "x", Handler: noop},
		{Method: "GET", Path: "/api/v1/y/{id}", Role: auth.Viewer, Tag: "y", Summary: "y", Handler: noop},
		{Method: "GET", Path: "/api/v1/z", Role: auth.Viewer, Summary: "z", Undocumented: "just because", Handler: noop},
	}}})
	_, doc := fetchOpenAPI(t, s.Handler(), nil)
	delete(doc.Paths, "/api/v1/y/{id}")
	doc.Paths["/api/v1/ghost"] = map[string]openAPIOperation{"get": {OperationID: "ghost", Summary: "g", Tags: []string{"g"}, Role: "viewer"}}
	got := strings.Join(openAPIProblems(s, doc), "\n")
	for _, want := range []string{"GET /api/v1/x: summary", "GET /api/v1/y/{id} is mounted but not in the document",
		"GET /api/v1/z is left out", "lists get /api/v1/ghost"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not say %q:\n%s", want, got)
		}
	}
}

func TestDocPath(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/incidents/{id}":                     "/api/v1/incidents/{id}",
		"/api/v1/watchlists/{name}/entries/{key...}": "/api/v1/watchlists/{name}/entries/{key}",
		"/{$}":              "/",
		"/assets/{file...}": "/assets/{file}",
		"/{index}/_bulk":    "/{index}/_bulk",
	} {
		if got := docPath(in); got != want {
			t.Errorf("docPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPublicRoutes: only health, the console's log-in and files, and the
// ingest endpoints (which check their own tokens) need no credentials.
func TestPublicRoutes(t *testing.T) {
	for _, r := range fullServer(t, nil).rt.routes {
		if r.Role != Public {
			continue
		}
		if r.Pattern() != "GET /api/v1/health" && r.Tag != "session" && r.Tag != "ingest" && r.Undocumented != consoleUndocumented {
			t.Errorf("%s is public", r.Pattern())
		}
	}
}

// TestRolesFromRouteTable: the auth middleware enforces each route's role
// from the route table, and the document is read like any other endpoint.
func TestRolesFromRouteTable(t *testing.T) {
	tokens := map[string]string{}
	cfg := config.Auth{}
	for _, role := range []string{"viewer", "analyst", "admin"} {
		tok, digest, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		tokens[role] = tok
		cfg.Tokens = append(cfg.Tokens, config.APIToken{Name: role, SHA256: digest, Role: role, Tenants: []string{"*"}})
	}
	h := fullServer(t, auth.New(cfg)).Handler()
	f := func(method, target, role string, want int) {
		t.Helper()
		r := httptest.NewRequest(method, target, strings.NewReader("{}"))
		r.Header.Set("Content-Type", "application/json")
		if role != "" {
			r.Header.Set("Authorization", "Bearer "+tokens[role])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("%s %s as %q = %d %s, want %d", method, target, role, w.Code, w.Body, want)
		}
	}
	f("GET", "/api/v1/openapi.json", "", http.StatusUnauthorized)
	f("GET", "/api/v1/openapi.json", "viewer", http.StatusOK)
	f("POST", "/api/v1/search", "viewer", http.StatusOK) // a search is a read
	f("PATCH", "/api/v1/incidents/x", "viewer", http.StatusForbidden)
	f("PUT", "/api/v1/watchlists/x", "viewer", http.StatusForbidden)
	f("GET", "/api/v1/outputs", "analyst", http.StatusForbidden)
	f("GET", "/metrics", "analyst", http.StatusForbidden)
	f("GET", "/metrics", "admin", http.StatusOK)
	f("GET", "/debug/pprof/cmdline", "analyst", http.StatusForbidden)
	f("GET", "/debug/pprof/cmdline", "admin", http.StatusOK)
	f("GET", "/api/v1/admin/retention", "analyst", http.StatusForbidden)
	f("POST", "/api/v1/admin/freeze", "analyst", http.StatusForbidden)
	f("GET", "/api/v1/health", "", http.StatusOK)
	f("GET", "/api/v1/nothing", "", http.StatusUnauthorized)
	f("GET", "/api/v1/nothing", "viewer", http.StatusNotFound)
	f("DELETE", "/api/v1/nothing", "viewer", http.StatusForbidden) // no route: the method's role
	f("GET", "/nothing", "", http.StatusNotFound)                  // outside the API: 404 without credentials
	f("GET", "/api/v1/ingest", "", http.StatusMethodNotAllowed)    // a public path's 405 is public too
	f("GET", "/_license", "", http.StatusOK)                       // an Elasticsearch probe
}

// TestOpenAPIDocumentIsValid: the document of a node of every role
// validates as OpenAPI 3 (kin-openapi's loader and validator).
func TestOpenAPIDocumentIsValid(t *testing.T) {
	w := httptest.NewRecorder()
	fullServer(t, nil).Handler().ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	doc, err := openapi3.NewLoader().LoadFromData(w.Body.Bytes())
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	if len(doc.Paths.Map()) < 40 {
		t.Errorf("%d paths", len(doc.Paths.Map()))
	}
}
