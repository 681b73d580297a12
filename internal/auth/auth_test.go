package auth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/vigilsiem/vigil/internal/config"
)

func TestPasswordHashes(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") || CheckHash(h) != nil {
		t.Fatalf("hash %q", h)
	}
	if ok, err := VerifyPassword(h, "correct horse battery"); !ok || err != nil {
		t.Errorf("right password rejected: %v", err)
	}
	if ok, _ := VerifyPassword(h, "correct horse batterx"); ok {
		t.Error("wrong password accepted")
	}
	b, _ := bcrypt.GenerateFromPassword([]byte("s3cret-password"), bcrypt.MinCost)
	if ok, err := VerifyPassword(string(b), "s3cret-password"); !ok || err != nil {
		t.Errorf("bcrypt hash rejected: %v", err)
	}
	for _, bad := range []string{"", "plaintext", "$argon2id$v=19$m=0,t=0,p=0$x$y", "$argon2i$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$2a$99$x"} {
		if CheckHash(bad) == nil {
			t.Errorf("CheckHash(%q): no error", bad)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, digest, err := NewToken()
	if err != nil || len(tok) < 40 || TokenDigest(tok) != digest || len(digest) != 64 {
		t.Fatalf("token %q digest %q err %v", tok, digest, err)
	}
}

func TestMiddleware(t *testing.T) {
	pwHash, _ := HashPassword("analyst-password")
	tok, digest, _ := NewToken()
	cfg := config.Auth{
		Users:  []config.User{{Name: "ana", PasswordHash: pwHash, Role: "analyst", Tenants: []string{"acme"}}},
		Tokens: []config.APIToken{{Name: "ci", SHA256: digest, Role: "viewer", Tenants: []string{"*"}}},
	}
	if err := cfg.Validate("0.0.0.0:8080", true, CheckHash); err != nil {
		t.Fatal(err)
	}
	a := New(cfg)
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(FromContext(r.Context()).Name))
	}), func(r *http.Request) Role {
		// The API's route table gives the role; here, a stand-in for it.
		switch p := r.URL.Path; {
		case p == "/api/v1/health", p == "/api/v1/ingest", strings.HasPrefix(p, "/services/collector"):
			return Public
		case strings.HasPrefix(p, "/api/v1/admin/"), p == "/metrics", p == "/api/v1/outputs":
			return Admin
		case p == "/api/v1/search":
			return Viewer // a search is a read, whatever its method
		}
		return DefaultNeed(r)
	})
	f := func(method, target string, set func(*http.Request), wantStatus int) {
		t.Helper()
		r := httptest.NewRequest(method, target, nil)
		if set != nil {
			set(r)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != wantStatus {
			t.Errorf("%s %s: status %d (%s), want %d", method, target, w.Code, w.Body.String(), wantStatus)
		}
	}
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	bearer := func(tk string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tk) }
	}
	f("GET", "/api/v1/search?tenant=acme", nil, 401)
	f("GET", "/api/v1/search?tenant=acme", basic("ana", "wrong"), 401)
	f("GET", "/api/v1/search?tenant=acme", basic("nobody", "analyst-password"), 401)
	f("GET", "/api/v1/search?tenant=acme", basic("ana", "analyst-password"), 200)
	f("GET", "/api/v1/search?tenant=acme", basic("ana", "analyst-password"), 200) // cached
	f("GET", "/api/v1/search?tenant=other", basic("ana", "analyst-password"), 403)
	f("GET", "/api/v1/search", basic("ana", "analyst-password"), 403) // the default tenant is not hers
	f("PATCH", "/api/v1/incidents/x?tenant=acme", basic("ana", "analyst-password"), 200)
	f("POST", "/api/v1/admin/freeze?tenant=acme", basic("ana", "analyst-password"), 403)
	f("GET", "/api/v1/search?tenant=anything", bearer(tok), 200)
	f("POST", "/api/v1/search?tenant=anything", bearer(tok), 200)
	f("PATCH", "/api/v1/incidents/x?tenant=acme", bearer(tok), 403)
	f("GET", "/api/v1/search", bearer(tok+"x"), 401)
	f("GET", "/metrics", nil, 401)
	f("GET", "/metrics", bearer(tok), 403)
	f("GET", "/api/v1/outputs", basic("ana", "analyst-password"), 403)
	f("GET", "/api/v1/health", nil, 200)
	f("POST", "/api/v1/ingest", nil, 200)
	f("POST", "/services/collector/event", nil, 200)
	f("POST", "/_bulk", nil, 200)
}

func TestAnonymousOnlyOnLoopback(t *testing.T) {
	var cfg config.Auth
	if err := cfg.Validate("127.0.0.1:8080", false, CheckHash); err != nil {
		t.Errorf("loopback without auth refused: %v", err)
	}
	if err := cfg.Validate("[::1]:8080", false, CheckHash); err != nil {
		t.Errorf("IPv6 loopback without auth refused: %v", err)
	}
	if err := cfg.Validate("0.0.0.0:8080", true, CheckHash); err == nil {
		t.Error("a public listener without auth was accepted")
	}
	withAPIUser := config.Auth{Tokens: []config.APIToken{{Name: "t", SHA256: TokenDigest("x")}}}
	if err := withAPIUser.Validate("0.0.0.0:8080", false, CheckHash); err == nil {
		t.Error("a public listener without ingest tokens was accepted")
	}
	cfg.AllowAnonymous = true
	if err := cfg.Validate("0.0.0.0:8080", false, CheckHash); err != nil {
		t.Errorf("allow_anonymous refused: %v", err)
	}
	bad := config.Auth{Users: []config.User{{Name: "x", PasswordHash: "hunter2"}}}
	if err := bad.Validate("127.0.0.1:1", false, CheckHash); err == nil {
		t.Error("a plaintext password was accepted as a hash")
	}
}
