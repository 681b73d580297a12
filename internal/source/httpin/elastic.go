package httpin

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// elasticVersion is the Elasticsearch version Vigil reports. Shippers pick
// their request format from it: 8.x makes Filebeat, Logstash and Vector
// send typeless bulk requests, and is what current Beats require.
const elasticVersion = "8.17.0"

// elasticHeaders marks a response as coming from Elasticsearch: the
// official clients (Go, Java, Python, Logstash's) refuse a server whose
// responses lack X-Elastic-Product since 7.14.
func elasticHeaders(w http.ResponseWriter) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
}

func writeElastic(w http.ResponseWriter, status int, v any) {
	elasticHeaders(w)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeElasticError answers in Elasticsearch's error shape.
func writeElasticError(w http.ResponseWriter, status int, typ, reason string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="vigil", ApiKey, Bearer`)
	}
	cause := map[string]string{"type": typ, "reason": reason}
	writeElastic(w, status, map[string]any{
		"error":  map[string]any{"root_cause": []any{cause}, "type": typ, "reason": reason},
		"status": status,
	})
}

// registerElasticProbes answers the requests shippers make before they
// send: the cluster information (version), the license and X-Pack
// features (Beats and Logstash check them before using ILM), cluster
// health (Vector's health check), and index templates and ILM policies,
// which are acknowledged and ignored: Vigil has no mappings to install, so
// a shipper's default setup works without turning these off.
func (h *Handler) registerElasticProbes(mux Mux) {
	mux.HandleFunc("GET /{$}", h.serveRoot)
	mux.HandleFunc("GET /_license", func(w http.ResponseWriter, _ *http.Request) {
		writeElastic(w, http.StatusOK, map[string]any{"license": license()})
	})
	mux.HandleFunc("GET /_xpack", func(w http.ResponseWriter, _ *http.Request) {
		writeElastic(w, http.StatusOK, map[string]any{
			"build":   map[string]any{"hash": "vigil", "date": "2026-01-01T00:00:00Z"},
			"license": license(),
			"features": map[string]any{
				"ilm":      map[string]any{"available": true, "enabled": true},
				"security": map[string]any{"available": true, "enabled": len(h.cfg.Tokens) > 0},
			},
			"tagline": "You know, for X",
		})
	})
	mux.HandleFunc("GET /_cluster/health", func(w http.ResponseWriter, _ *http.Request) {
		writeElastic(w, http.StatusOK, map[string]any{"cluster_name": "vigil", "status": "green", "timed_out": false,
			"number_of_nodes": 1, "number_of_data_nodes": 1, "active_primary_shards": 1, "active_shards": 1,
			"relocating_shards": 0, "initializing_shards": 0, "unassigned_shards": 0, "active_shards_percent_as_number": 100.0})
	})
	ack := func(w http.ResponseWriter, _ *http.Request) {
		writeElastic(w, http.StatusOK, map[string]any{"acknowledged": true})
	}
	for _, p := range []string{"/_index_template/{name}", "/_template/{name}", "/_ilm/policy/{name}", "/_component_template/{name}"} {
		mux.HandleFunc("PUT "+p, ack)
	}
	mux.HandleFunc("GET /_index_template/{name}", func(w http.ResponseWriter, r *http.Request) {
		writeElastic(w, http.StatusOK, map[string]any{"index_templates": []any{map[string]any{"name": r.PathValue("name"),
			"index_template": map[string]any{"index_patterns": []string{r.PathValue("name") + "*"}, "data_stream": map[string]any{}}}}})
	})
	mux.HandleFunc("GET /_template/{name}", func(w http.ResponseWriter, r *http.Request) {
		writeElastic(w, http.StatusOK, map[string]any{r.PathValue("name"): map[string]any{"index_patterns": []string{r.PathValue("name") + "*"}}})
	})
	mux.HandleFunc("GET /_ilm/policy/{name}", func(w http.ResponseWriter, r *http.Request) {
		writeElastic(w, http.StatusOK, map[string]any{r.PathValue("name"): map[string]any{"version": 1,
			"policy": map[string]any{"phases": map[string]any{}}}})
	})
}

// serveRoot answers GET and HEAD / with the cluster information, or hands a
// browser's request to the root fallback (the web UI).
func (h *Handler) serveRoot(w http.ResponseWriter, r *http.Request) {
	if h.root != nil && strings.Contains(r.Header.Get("Accept"), "text/html") {
		h.root.ServeHTTP(w, r)
		return
	}
	writeElastic(w, http.StatusOK, map[string]any{
		"name":         "vigil",
		"cluster_name": "vigil",
		"cluster_uuid": "vigil-0000000000000000000",
		"version": map[string]any{
			"number":                              elasticVersion,
			"build_flavor":                        "default",
			"build_type":                          "vigil",
			"build_hash":                          "vigil",
			"build_date":                          "2026-01-01T00:00:00.000Z",
			"build_snapshot":                      false,
			"lucene_version":                      "9.12.0",
			"minimum_wire_compatibility_version":  "7.17.0",
			"minimum_index_compatibility_version": "7.0.0",
		},
		"tagline": "You Know, for Search",
	})
}

func license() map[string]any {
	return map[string]any{"status": "active", "uid": "vigil", "type": "basic", "issue_date": "2026-01-01T00:00:00.000Z",
		"issue_date_in_millis": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), "max_nodes": 1000,
		"issued_to": "vigil", "issuer": "vigil", "start_date_in_millis": -1}
}
