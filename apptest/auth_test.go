package apptest

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/auth"
)

// TestAPIAuth runs vigil serve with an API token and a tenant-scoped
// viewer: the API answers 401 without credentials, `vigil search` works
// with VIGIL_TOKEN, and the token cannot read another tenant.
func TestAPIAuth(t *testing.T) {
	tok, digest, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, fmt.Sprintf("auth:\n  tokens:\n    - {name: ci, sha256: %s, role: viewer, tenants: [default]}\n", digest))
	resp, err := http.Get(v.url("/api/v1/search?q=x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("search without credentials: %d, want 401", resp.StatusCode)
	}
	search := func(extra ...string) (string, error) {
		args := append([]string{"search", "--server", "http://" + v.http}, extra...)
		cmd := exec.Command(vigilBin, append(args, "*")...)
		cmd.Env = append(os.Environ(), "VIGIL_TOKEN="+tok)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := search(); err != nil {
		t.Fatalf("vigil search with VIGIL_TOKEN: %v: %s", err, out)
	}
	if out, err := search("--tenant", "other"); err == nil || !strings.Contains(out, "not yours") {
		t.Fatalf("another tenant: err %v, output %q; want a refusal", err, out)
	}
}
