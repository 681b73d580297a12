package apptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/auth"
)

// TestOpenAPIDocumentIsServed: the real binary serves its OpenAPI 3
// document to authenticated readers only, and every operation the document
// lists is routed by the server to a handler: none is answered by the
// mux's own "404 page not found" or 405. (That every route is in the
// document is TestOpenAPICoversEveryRoute in internal/api.)
func TestOpenAPIDocumentIsServed(t *testing.T) {
	tok, digest, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, fmt.Sprintf(`auth:
  tokens:
    - {name: admin, sha256: %s, role: admin, tenants: ["*"]}
http:
  ingest:
    tokens:
      - {token: ingest-secret-token, tenant: default, source: app}
analytics:
  risk:
    threshold: 20
outputs:
  - {name: archive, type: folder, path: %q}
routes:
  - {name: all, outputs: [archive]}
`, digest, t.TempDir()))
	if code, _, _ := request(t, http.MethodGet, v.url("/api/v1/openapi.json"), "", nil); code != http.StatusUnauthorized {
		t.Errorf("the document without credentials: %d, want 401", code)
	}
	code, hdr, body := request(t, http.MethodGet, v.url("/api/v1/openapi.json"), "Bearer "+tok, nil)
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json = %d %s", code, hdr.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("not an OpenAPI 3 document (%v): %.200s", err, body)
	}
	for _, want := range []string{"/api/v1/search", "/api/v1/alerts", "/api/v1/incidents/{id}", "/api/v1/responses",
		"/api/v1/watchlists/{name}/entries/{key}", "/api/v1/outputs", "/api/v1/entities", "/api/v1/ingest", "/api/v1/openapi.json"} {
		if doc.Paths[want] == nil {
			t.Errorf("%s is not in the document", want)
		}
	}
	param := regexp.MustCompile(`\{[^}]*\}`)
	n := 0
	for path, item := range doc.Paths {
		for method := range item {
			n++
			target := param.ReplaceAllString(path, "probe")
			if path == "/api/v1/tail" {
				// A tail streams until its age limit; a filter with a pipe
				// is answered 400 at once, by the handler.
				target += "?q=x+|+head+1"
			}
			code, hdr, body := request(t, strings.ToUpper(method), v.url(target), "Bearer "+tok, nil)
			if code == http.StatusMethodNotAllowed || code == http.StatusNotFound && strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
				t.Errorf("the document lists %s %s, but %s answers %d %q", method, path, target, code, body)
			}
		}
	}
	if n < 40 {
		t.Errorf("the document lists %d operations; a node of these roles has more", n)
	}
}
