package watchlist

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// MaxBodyBytes bounds a request body (a CSV import of a million short
// entries fits).
const MaxBodyBytes = 64 << 20

// Handler serves the watch-list API; every request names its tenant with
// the `tenant` parameter (default "default") and sees only that tenant's
// lists:
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
// Errors are {"error":"…"} with 400 (bad input), 404 (no such list or
// entry) or 409 (the list is full).
type Handler struct {
	Store *Store
}

// Register adds the routes to mux.
func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/watchlists", h.lists)
	mux.HandleFunc("GET /api/v1/watchlists/{name}", h.getList)
	mux.HandleFunc("PUT /api/v1/watchlists/{name}", h.putList)
	mux.HandleFunc("DELETE /api/v1/watchlists/{name}", h.deleteList)
	mux.HandleFunc("GET /api/v1/watchlists/{name}/entries", h.entries)
	mux.HandleFunc("POST /api/v1/watchlists/{name}/entries", h.importEntries)
	mux.HandleFunc("GET /api/v1/watchlists/{name}/entries/{key...}", h.getEntry)
	mux.HandleFunc("PUT /api/v1/watchlists/{name}/entries/{key...}", h.putEntry)
	mux.HandleFunc("DELETE /api/v1/watchlists/{name}/entries/{key...}", h.deleteEntry)
}

func tenantParam(r *http.Request) string {
	if t := r.URL.Query().Get("tenant"); t != "" {
		return t
	}
	return event.DefaultTenant
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, ErrFull):
		status = http.StatusConflict
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func badRequest(w http.ResponseWriter, format string, args ...any) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf(format, args...)})
}

func (h Handler) lists(w http.ResponseWriter, r *http.Request) {
	l := h.Store.Lists(tenantParam(r))
	if l == nil {
		l = []Info{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"watchlists": l})
}

func (h Handler) getList(w http.ResponseWriter, r *http.Request) {
	in, err := h.Store.Get(tenantParam(r), r.PathValue("name"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

// decodeBody decodes a JSON body strictly; an empty body leaves v alone.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
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

func (h Handler) putList(w http.ResponseWriter, r *http.Request) {
	var set Settings
	if !decodeBody(w, r, &set) {
		return
	}
	in, created, err := h.Store.PutList(tenantParam(r), r.PathValue("name"), set)
	if err != nil {
		writeError(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, in)
}

func (h Handler) deleteList(w http.ResponseWriter, r *http.Request) {
	if err := h.Store.DeleteList(tenantParam(r), r.PathValue("name")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h Handler) entries(w http.ResponseWriter, r *http.Request) {
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
	es, total, err := h.Store.Entries(tenantParam(r), r.PathValue("name"), q.Get("prefix"), limit)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es, "total": total})
}

func (h Handler) importEntries(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var in []EntryInput
	switch ct {
	case "text/csv", "application/csv":
		var err error
		if in, err = ParseCSV(http.MaxBytesReader(w, r.Body, MaxBodyBytes)); err != nil {
			badRequest(w, "%v", err)
			return
		}
	case "", "application/json":
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			badRequest(w, "read body: %v", err)
			return
		}
		trimmed := strings.TrimSpace(string(b))
		if strings.HasPrefix(trimmed, "{") {
			var wrap struct {
				Entries []EntryInput `json:"entries"`
			}
			d := json.NewDecoder(strings.NewReader(trimmed))
			d.DisallowUnknownFields()
			if err := d.Decode(&wrap); err != nil {
				badRequest(w, "body: %v", err)
				return
			}
			in = wrap.Entries
		} else {
			d := json.NewDecoder(strings.NewReader(trimmed))
			d.DisallowUnknownFields()
			if err := d.Decode(&in); err != nil {
				badRequest(w, "body: want a JSON array of entries, {\"entries\":[…]} or text/csv: %v", err)
				return
			}
		}
	default:
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "send application/json or text/csv"})
		return
	}
	if len(in) > MaxImportEntries {
		badRequest(w, "%d entries in one import, over %d", len(in), MaxImportEntries)
		return
	}
	if err := h.Store.PutEntries(tenantParam(r), r.PathValue("name"), in); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"imported": len(in)})
}

func (h Handler) getEntry(w http.ResponseWriter, r *http.Request) {
	e, err := h.Store.GetEntry(tenantParam(r), r.PathValue("name"), r.PathValue("key"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (h Handler) putEntry(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Value string   `json:"value"`
		Count *int64   `json:"count"`
		TTL   Duration `json:"ttl"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	tenant, name, key := tenantParam(r), r.PathValue("name"), r.PathValue("key")
	in := EntryInput{Key: key, Value: body.Value, Count: body.Count, TTL: body.TTL}
	if err := h.Store.PutEntries(tenant, name, []EntryInput{in}); err != nil {
		writeError(w, err)
		return
	}
	e, err := h.Store.GetEntry(tenant, name, key)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (h Handler) deleteEntry(w http.ResponseWriter, r *http.Request) {
	if err := h.Store.DeleteEntry(tenantParam(r), r.PathValue("name"), r.PathValue("key")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
