package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/patterns"
)

// maxPatternName bounds a pattern's name (bytes).
const maxPatternName = 200

// PatternsHandler serves the pattern tables (docs/patterns.md):
//
//	GET   /api/v1/patterns?tenant=&source=&q=&limit=   {"patterns":[…],"total":N}
//	GET   /api/v1/patterns/{id}?tenant=&source=
//	PATCH /api/v1/patterns/{id}?tenant=&source=        {"name":"…"}
//	GET   /api/v1/patterns/{id}/skeleton?tenant=&source=   the pipeline skeleton (YAML)
type PatternsHandler struct {
	Patterns *patterns.Set
}

// Routes implements Mounter.
func (h PatternsHandler) Routes() []Route {
	source := Param{Name: "source", Description: "the source whose table to read; absent: every source"}
	return []Route{
		{Method: "GET", Path: "/api/v1/patterns", Role: auth.Viewer, Tag: "patterns", Tenanted: true, Handler: h.list,
			Summary: "List log patterns, most recently seen first: {\"patterns\":[…],\"total\":N}",
			Query: []Param{source, {Name: "q", Description: "template or name contains this"},
				{Name: "limit", Type: "integer", Description: "1 to 10000, default 100"}}},
		{Method: "GET", Path: "/api/v1/patterns/{id}", Role: auth.Viewer, Tag: "patterns", Tenanted: true, Handler: h.get,
			Summary: "One pattern", Query: []Param{source}},
		{Method: "PATCH", Path: "/api/v1/patterns/{id}", Role: auth.Analyst, Tag: "patterns", Tenanted: true, Handler: h.patch,
			Body: []string{"application/json"}, Summary: "Name a pattern: {\"name\":\"…\"}", Query: []Param{source}},
		{Method: "GET", Path: "/api/v1/patterns/{id}/skeleton", Role: auth.Viewer, Tag: "patterns", Tenanted: true, Handler: h.skeleton,
			Summary: "The pipeline skeleton (YAML) the pattern is promoted to", Query: []Param{source}},
	}
}

// list answers the patterns of a tenant, of one source when source is
// given, whose template or name contains q, most recently seen first per
// source; limit (default 100, at most 10000) caps the answer, total counts
// all that matched.
func (h PatternsHandler) list(w http.ResponseWriter, r *http.Request) {
	tenant := tenantOf(r)
	q := r.URL.Query()
	limit, err := limitParam(q, "limit", 100, 10000)
	if err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	out := []patterns.Info{}
	total := 0
	for _, t := range h.Patterns.Tables(tenant) {
		if s := q.Get("source"); s != "" && t.Source != s {
			continue
		}
		for _, p := range t.List(q.Get("q")) {
			total++
			if len(out) < limit {
				out = append(out, p)
			}
		}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"patterns": out, "total": total})
}

// find returns the pattern of the request's path, answering 404 if none.
func (h PatternsHandler) find(w http.ResponseWriter, r *http.Request) (*patterns.Table, patterns.Info, bool) {
	tenant := tenantOf(r)
	id, source := r.PathValue("id"), r.URL.Query().Get("source")
	for _, t := range h.Patterns.Tables(tenant) {
		if source != "" && t.Source != source {
			continue
		}
		if p, ok := t.Get(id); ok {
			return t, p, true
		}
	}
	WriteError(w, http.StatusNotFound, fmt.Errorf("pattern %s: not found in tenant %s", id, tenant))
	return nil, patterns.Info{}, false
}

func (h PatternsHandler) get(w http.ResponseWriter, r *http.Request) {
	if _, p, ok := h.find(w, r); ok {
		WriteJSON(w, http.StatusOK, p)
	}
}

// patch names a pattern: {"name":"…"} ("" removes the name).
func (h PatternsHandler) patch(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name *string `json:"name"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("decode pattern change: %w", err))
		return
	}
	if body.Name == nil {
		WriteError(w, http.StatusBadRequest, errors.New("decode pattern change: want {\"name\": …}"))
		return
	}
	if len(*body.Name) > maxPatternName || !utf8.ValidString(*body.Name) {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("name: want valid UTF-8 of at most %d bytes", maxPatternName))
		return
	}
	t, p, ok := h.find(w, r)
	if !ok {
		return
	}
	if p, ok = t.Rename(p.ID, *body.Name); !ok {
		WriteError(w, http.StatusNotFound, fmt.Errorf("pattern %s: gone", r.PathValue("id")))
		return
	}
	WriteJSON(w, http.StatusOK, p)
}

// skeleton answers the pipeline skeleton the pattern is promoted to.
func (h PatternsHandler) skeleton(w http.ResponseWriter, r *http.Request) {
	_, p, ok := h.find(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", p.ID+".yaml"))
	_, _ = w.Write(patterns.Skeleton(p))
}
