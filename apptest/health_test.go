package apptest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/auth"
)

// TestHealthShowsNoTenants is issue 9 item 8: /api/v1/health needs no
// credentials, so it must not name tenants or show their counts, which
// /api/v1/outputs shows only to admins. The attack: an anonymous client
// reads health after a tenant's events were queued for an output.
func TestHealthShowsNoTenants(t *testing.T) {
	tok, digest, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	const tenant = "secretcorp"
	v := startVigil(t, fmt.Sprintf(`auth:
  tokens:
    - {name: admin, sha256: %s, role: admin, tenants: ["*"]}
http:
  ingest:
    tokens:
      - {token: ingest-secret-token, tenant: %s, source: app}
outputs:
  - {name: archive, type: folder, path: %q, max_file_age: 1s}
routes:
  - {name: all, outputs: [archive]}
`, digest, tenant, t.TempDir()))
	code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer ingest-secret-token", []byte(`{"message":"for health"}`+"\n"))
	if code != http.StatusOK {
		t.Fatalf("ingest: %d %s", code, out)
	}
	// The admin view names the tenant once the event is queued or delivered.
	waitFor(t, 10*time.Second, "tenant in /api/v1/outputs", func() bool {
		_, _, body := request(t, http.MethodGet, v.url("/api/v1/outputs"), "Bearer "+tok, nil)
		return strings.Contains(body, tenant)
	})
	if code, _, _ := request(t, http.MethodGet, v.url("/api/v1/outputs"), "", nil); code != http.StatusUnauthorized {
		t.Errorf("outputs without credentials: %d, want 401", code)
	}
	code, _, body := request(t, http.MethodGet, v.url("/api/v1/health"), "", nil)
	if code != http.StatusOK {
		t.Fatalf("health: %d %s", code, body)
	}
	if strings.Contains(body, tenant) || strings.Contains(body, "delivered") {
		t.Errorf("anonymous health shows tenant statistics: %s", body)
	}
	if !strings.Contains(body, `"archive"`) {
		t.Errorf("health no longer shows the output's state: %s", body)
	}
}
