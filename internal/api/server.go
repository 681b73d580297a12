package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigilsiem/vigil/internal/audit"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// Searcher runs searches; the store implements it.
type Searcher interface {
	Search(ctx context.Context, req store.Request) (*store.Result, error)
}

// Deps are what the API serves.
type Deps struct {
	Store    Searcher
	Gatherer prometheus.Gatherer
	// Mounts add further routes (ingest, alerts, incidents, the console).
	Mounts  []Mounter
	Logger  *slog.Logger
	Version string
	// Health returns component states for /api/v1/health; nil: just "ok".
	Health func() map[string]any
	// Auth authenticates requests; nil: the API is open.
	Auth *auth.Authenticator
	// Audit records searches and changes; nil: audit.Discard.
	Audit audit.Recorder
}

// Server is the API.
type Server struct {
	deps Deps
	rt   *router
	log  *slog.Logger
	// openapi is the OpenAPI document of the routes mounted, built once.
	openapi []byte
}

// New builds the API's handler tree from its own routes and the mounts'.
func New(deps Deps) *Server {
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Audit == nil {
		deps.Audit = audit.Discard
	}
	s := &Server{deps: deps, rt: newRouter(), log: deps.Logger.With("component", "api")}
	for _, r := range s.Routes() {
		s.rt.add(r)
	}
	for _, m := range deps.Mounts {
		for _, r := range m.Routes() {
			s.rt.add(r)
		}
	}
	doc, err := json.Marshal(openAPIDocument(s.rt.routes, deps.Version))
	if err != nil {
		panic(fmt.Sprintf("api: encode the OpenAPI document: %v", err)) // only plain maps and strings: cannot fail
	}
	s.openapi = doc
	return s
}

// Routes are the API's own routes: health, search, the OpenAPI document
// and the metrics.
func (s *Server) Routes() []Route {
	search := s.search
	if s.deps.Store == nil {
		search = func(w http.ResponseWriter, _ *http.Request) {
			WriteError(w, http.StatusNotImplemented, errors.New("this node does not run the query and store roles"))
		}
	}
	searchQuery := []Param{
		{Name: "q", Description: "the query (docs/search.md)"},
		listParamDocs[0], listParamDocs[1], listParamDocs[2], listParamDocs[3],
		{Name: "dataset", Description: "events (the default), alerts or audit (admins)"},
	}
	rs := []Route{
		{Method: "GET", Path: "/api/v1/health", Role: Public, Tag: "meta", Handler: s.health,
			Summary: "Health: {\"status\":\"ok\"|\"degraded\",\"version\",…} and the components' state"},
		{Method: "GET", Path: "/api/v1/search", Role: auth.Viewer, Tag: "search", Tenanted: true, Handler: search, Query: searchQuery,
			Summary: "Search events: {\"events\":[…],\"total\",\"took_ms\",\"shape\",\"columns\"}"},
		// A search is a read, whatever its method: a viewer may POST one.
		{Method: "POST", Path: "/api/v1/search", Role: auth.Viewer, Tag: "search", Tenanted: true, Handler: search, Query: searchQuery,
			Body: []string{"application/json", "application/x-www-form-urlencoded"}, Summary: "Search events, the parameters in the body"},
		{Method: "GET", Path: "/api/v1/openapi.json", Role: auth.Viewer, Tag: "meta", Handler: s.serveOpenAPI,
			Summary: "This document: the OpenAPI 3 description of the routes this node serves"},
	}
	if s.deps.Gatherer != nil {
		rs = append(rs, Route{Method: "GET", Path: "/metrics", Role: auth.Admin, Tag: "admin",
			Handler: promhttp.HandlerFor(s.deps.Gatherer, promhttp.HandlerOpts{}).ServeHTTP,
			Summary: "Prometheus metrics (text exposition format); admins only, as they name every tenant"})
	}
	return rs
}

// Handler returns the root handler: the mux behind the authentication
// middleware, which enforces each route's role.
func (s *Server) Handler() http.Handler {
	h := s.auditRequests(s.rt.mux)
	if s.deps.Auth == nil {
		return h
	}
	return s.deps.Auth.Middleware(h, s.rt.need)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{"status": "ok", "version": s.deps.Version}
	if s.deps.Health != nil {
		for k, v := range s.deps.Health() {
			body[k] = v
		}
	}
	WriteJSON(w, http.StatusOK, body)
}

// searchResponse is the body of /api/v1/search.
type searchResponse struct {
	Events  []store.Row `json:"events"`
	Total   int64       `json:"total"`
	TookMS  int64       `json:"took_ms"`
	Shape   string      `json:"shape"`
	Columns []string    `json:"columns,omitempty"`
}

// searchParams are the parameters of a search, from the query string or a
// JSON or form body.
type searchParams struct {
	Q       string `json:"q"`
	From    string `json:"from"`
	To      string `json:"to"`
	Limit   string `json:"limit"`
	Offset  string `json:"offset"`
	Tenant  string `json:"tenant"`
	Dataset string `json:"dataset"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	p := searchParams{}
	if r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/json" {
		var body map[string]any
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			WriteError(w, http.StatusBadRequest, fmt.Errorf("read search body: %w", err))
			return
		}
		get := func(k string) string {
			if v, ok := body[k]; ok && v != nil {
				return fmt.Sprint(v)
			}
			return ""
		}
		p = searchParams{get("q"), get("from"), get("to"), get("limit"), get("offset"), get("tenant"), get("dataset")}
	} else {
		if err := r.ParseForm(); err != nil {
			WriteError(w, http.StatusBadRequest, err)
			return
		}
		f := r.Form
		p = searchParams{f.Get("q"), f.Get("from"), f.Get("to"), f.Get("limit"), f.Get("offset"), f.Get("tenant"), f.Get("dataset")}
	}
	req, err := p.request(time.Now())
	if err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	noteAudit(r, req.Tenant, "vigil.search.query", truncate(req.Query, 4096), "vigil.search.dataset", string(req.Dataset))
	// The middleware checked the tenant of the query string; a body can
	// name another.
	who := auth.FromContext(r.Context())
	if !who.CanSee(req.Tenant) {
		WriteError(w, http.StatusForbidden, fmt.Errorf("tenant %s is not yours to see", req.Tenant))
		return
	}
	// The audit log shows every user's actions: admins only.
	if req.Dataset == store.Audit && who.Role < auth.Admin {
		WriteError(w, http.StatusForbidden, errors.New("dataset audit needs the admin role"))
		return
	}
	res, err := s.deps.Store.Search(r.Context(), req)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrBadRequest) {
			status = http.StatusBadRequest
		} else {
			s.log.Error("search failed", "q", req.Query, "err", err)
		}
		writeSearchError(w, status, err)
		return
	}
	rows := res.Rows
	if rows == nil {
		rows = []store.Row{}
	}
	WriteJSON(w, http.StatusOK, searchResponse{Events: rows, Total: res.Total, TookMS: res.Took.Milliseconds(), Shape: res.Shape, Columns: res.Columns})
}

func (p searchParams) request(now time.Time) (store.Request, error) {
	req := store.Request{Query: p.Q, Tenant: p.Tenant, Dataset: store.Dataset(p.Dataset)}
	if req.Tenant == "" {
		req.Tenant = event.DefaultTenant
	}
	var err error
	if req.From, err = ParseTimeParam(p.From, now); err != nil {
		return req, fmt.Errorf("from: %w", err)
	}
	if req.To, err = ParseTimeParam(p.To, now); err != nil {
		return req, fmt.Errorf("to: %w", err)
	}
	if p.Limit != "" {
		if req.Limit, err = strconv.Atoi(p.Limit); err != nil {
			return req, fmt.Errorf("limit %q: not a number", p.Limit)
		}
	}
	if p.Offset != "" {
		if req.Offset, err = strconv.Atoi(p.Offset); err != nil {
			return req, fmt.Errorf("offset %q: not a number", p.Offset)
		}
	}
	return req, nil
}

// WriteJSON writes v as a JSON response.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// WriteError writes {"error": "..."}.
func WriteError(w http.ResponseWriter, status int, err error) {
	WriteJSON(w, status, map[string]string{"error": err.Error()})
}

// Freezer moves hot data to cold storage; the embedded store implements it.
type Freezer interface {
	Freeze(ctx context.Context) error
}

// AdminHandler serves POST /api/v1/admin/freeze: move all hot data to cold
// storage now (the benchmark measures bytes on disk once data is cold; an
// operator may use it before a backup).
type AdminHandler struct {
	Store Freezer
}

// Routes implements Mounter.
func (h AdminHandler) Routes() []Route {
	return []Route{{Method: "POST", Path: "/api/v1/admin/freeze", Role: auth.Admin, Tag: "admin", Handler: h.freeze,
		Summary: "Move all hot data to cold storage now: {\"frozen\":true,\"took_ms\"}"}}
}

func (h AdminHandler) freeze(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if err := h.Store.Freeze(r.Context()); err != nil {
		WriteError(w, http.StatusInternalServerError, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"frozen": true, "took_ms": time.Since(start).Milliseconds()})
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
