package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
)

// WatchlistsHandler serves the watch-lists (docs/watchlists.md); each
// request sees only its tenant's lists:
//
//	GET    /api/v1/watchlists                      {"watchlists":[Info…]}
//	GET    /api/v1/watchlists/{name}               Info
//	PUT    /api/v1/watchlists/{name}               Settings → Info (201 when created)
//	DELETE /api/v1/watchlists/{name}               204
//	GET    /api/v1/watchlists/{name}/entries       {"entries":[Entry…],"total":N}; prefix, limit
//	POST   /api/v1/watchlists/{name}/entries       [EntryInput…], {"entries":[…]} or text/csv → {"imported":N}
//	GET    /api/v1/watchlists/{name}/entries/{key} Entry
//	PUT    /api/v1/watchlists/{name}/entries/{key} {"value","count","ttl"} → Entry
//	DELETE /api/v1/watchlists/{name}/entries/{key} 204
//
// Errors are 400 (bad input), 404 (no such list or entry) or 409 (the
// list is full).
type WatchlistsHandler struct {
	Store *watchlist.Store
}

// Routes implements Mounter.
func (h WatchlistsHandler) Routes() []Route {
	const tag = "watch-lists"
	return []Route{
		{Method: "GET", Path: "/api/v1/watchlists", Role: auth.Viewer, Tag: tag, Tenanted: true, Handler: h.lists,
			Summary: "List the tenant's watch-lists: {\"watchlists\":[…]}"},
		{Method: "GET", Path: "/api/v1/watchlists/{name}", Role: auth.Viewer, Tag: tag, Tenanted: true, Handler: h.getList,
			Summary: "One watch-list's settings and size"},
		{Method: "PUT", Path: "/api/v1/watchlists/{name}", Role: auth.Analyst, Tag: tag, Tenanted: true, Handler: h.putList,
			Body: []string{"application/json"}, Summary: "Create a watch-list (201) or change its settings"},
		{Method: "DELETE", Path: "/api/v1/watchlists/{name}", Role: auth.Analyst, Tag: tag, Tenanted: true, Handler: h.deleteList,
			OK: http.StatusNoContent, Summary: "Delete a watch-list and its entries"},
		{Method: "GET", Path: "/api/v1/watchlists/{name}/entries", Role: auth.Viewer, Tag: tag, Tenanted: true, Handler: h.entries,
			Summary: "List a watch-list's entries: {\"entries\":[…],\"total\":N}",
			Query:   []Param{{Name: "prefix", Description: "keys starting with this"}, {Name: "limit", Type: "integer", Description: "at most this many"}}},
		{Method: "POST", Path: "/api/v1/watchlists/{name}/entries", Role: auth.Analyst, Tag: tag, Tenanted: true, Handler: h.importEntries,
			Body: []string{"application/json", "text/csv"}, Summary: "Import entries (a JSON array, {\"entries\":[…]} or CSV): {\"imported\":N}"},
		{Method: "GET", Path: "/api/v1/watchlists/{name}/entries/{key...}", Role: auth.Viewer, Tag: tag, Tenanted: true, Handler: h.getEntry,
			Summary: "One entry"},
		{Method: "PUT", Path: "/api/v1/watchlists/{name}/entries/{key...}", Role: auth.Analyst, Tag: tag, Tenanted: true, Handler: h.putEntry,
			Body: []string{"application/json"}, Summary: "Write one entry: {\"value\",\"count\",\"ttl\"}"},
		{Method: "DELETE", Path: "/api/v1/watchlists/{name}/entries/{key...}", Role: auth.Analyst, Tag: tag, Tenanted: true, Handler: h.deleteEntry,
			OK: http.StatusNoContent, Summary: "Delete one entry"},
	}
}

func badRequest(w http.ResponseWriter, format string, args ...any) {
	WriteError(w, http.StatusBadRequest, fmt.Errorf(format, args...))
}

func (h WatchlistsHandler) lists(w http.ResponseWriter, r *http.Request) {
	l := h.Store.Lists(tenantOf(r))
	if l == nil {
		l = []watchlist.Info{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"watchlists": l})
}

func (h WatchlistsHandler) getList(w http.ResponseWriter, r *http.Request) {
	in, err := h.Store.Get(tenantOf(r), r.PathValue("name"))
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, in)
}

// decodeBody decodes a JSON body strictly; an empty body leaves v alone.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, watchlist.MaxImportBytes))
	if err != nil {
		badRequest(w, "read body: %v", err)
		return false
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return true
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		badRequest(w, "body: %v", err)
		return false
	}
	return true
}

func (h WatchlistsHandler) putList(w http.ResponseWriter, r *http.Request) {
	var set watchlist.Settings
	if !decodeBody(w, r, &set) {
		return
	}
	in, created, err := h.Store.PutList(tenantOf(r), r.PathValue("name"), set)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	WriteJSON(w, status, in)
}

func (h WatchlistsHandler) deleteList(w http.ResponseWriter, r *http.Request) {
	if err := h.Store.DeleteList(tenantOf(r), r.PathValue("name")); err != nil {
		writeServiceError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h WatchlistsHandler) entries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			badRequest(w, "limit %q: want a positive whole number", l)
			return
		}
		limit = n
	}
	es, total, err := h.Store.Entries(tenantOf(r), r.PathValue("name"), q.Get("prefix"), limit)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"entries": es, "total": total})
}

func (h WatchlistsHandler) importEntries(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var in []watchlist.EntryInput
	switch ct {
	case "text/csv", "application/csv":
		var err error
		if in, err = watchlist.ParseCSV(http.MaxBytesReader(w, r.Body, watchlist.MaxImportBytes)); err != nil {
			badRequest(w, "%v", err)
			return
		}
	case "", "application/json":
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, watchlist.MaxImportBytes))
		if err != nil {
			badRequest(w, "read body: %v", err)
			return
		}
		trimmed := strings.TrimSpace(string(b))
		d := json.NewDecoder(strings.NewReader(trimmed))
		d.DisallowUnknownFields()
		if strings.HasPrefix(trimmed, "{") {
			var wrap struct {
				Entries []watchlist.EntryInput `json:"entries"`
			}
			if err := d.Decode(&wrap); err != nil {
				badRequest(w, "body: %v", err)
				return
			}
			in = wrap.Entries
		} else if err := d.Decode(&in); err != nil {
			badRequest(w, "body: want a JSON array of entries, {\"entries\":[…]} or text/csv: %v", err)
			return
		}
	default:
		WriteError(w, http.StatusUnsupportedMediaType, errors.New("send application/json or text/csv"))
		return
	}
	if len(in) > watchlist.MaxImportEntries {
		badRequest(w, "%d entries in one import, over %d", len(in), watchlist.MaxImportEntries)
		return
	}
	if err := h.Store.PutEntries(tenantOf(r), r.PathValue("name"), in); err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]int{"imported": len(in)})
}

func (h WatchlistsHandler) getEntry(w http.ResponseWriter, r *http.Request) {
	e, err := h.Store.GetEntry(tenantOf(r), r.PathValue("name"), r.PathValue("key"))
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, e)
}

func (h WatchlistsHandler) putEntry(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Value string             `json:"value"`
		Count *int64             `json:"count"`
		TTL   watchlist.Duration `json:"ttl"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	tenant, name, key := tenantOf(r), r.PathValue("name"), r.PathValue("key")
	in := watchlist.EntryInput{Key: key, Value: body.Value, Count: body.Count, TTL: body.TTL}
	if err := h.Store.PutEntries(tenant, name, []watchlist.EntryInput{in}); err != nil {
		writeServiceError(w, err)
		return
	}
	e, err := h.Store.GetEntry(tenant, name, key)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, e)
}

func (h WatchlistsHandler) deleteEntry(w http.ResponseWriter, r *http.Request) {
	if err := h.Store.DeleteEntry(tenantOf(r), r.PathValue("name"), r.PathValue("key")); err != nil {
		writeServiceError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
