package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/vigilsiem/vigil/internal/config"
)

func sessionAuth(t *testing.T) *Authenticator {
	t.Helper()
	h, _ := bcrypt.GenerateFromPassword([]byte("pw-of-alice"), bcrypt.MinCost)
	return New(config.Auth{Users: []config.User{{Name: "alice", PasswordHash: string(h), Role: "analyst", Tenants: []string{"acme", "demo"}}}})
}

func withCookie(method, id string) *http.Request {
	r := httptest.NewRequest(method, "/api/v1/alerts", nil)
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: id})
	return r
}

func TestSessionCSRFAndLogout(t *testing.T) {
	a := sessionAuth(t)
	if _, err := a.startSession(context.Background(), "alice", "wrong", "127.0.0.1:1", time.Now()); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	s, err := a.startSession(context.Background(), "alice", "pw-of-alice", "127.0.0.1:1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Authenticate(withCookie("GET", s.ID))
	if err != nil || p.Name != "alice" || len(p.Tenants()) != 2 {
		t.Fatalf("GET with the cookie: %v %v", p, err)
	}
	if _, err := a.Authenticate(withCookie("PATCH", s.ID)); !errors.Is(err, ErrBadCSRF) {
		t.Fatalf("PATCH without the token: %v", err)
	}
	r := withCookie("PATCH", s.ID)
	r.Header.Set(CSRFHeader, s.CSRF+"x")
	if _, err := a.Authenticate(r); !errors.Is(err, ErrBadCSRF) {
		t.Fatalf("PATCH with a wrong token: %v", err)
	}
	r.Header.Set(CSRFHeader, s.CSRF)
	if _, err := a.Authenticate(r); err != nil {
		t.Fatalf("PATCH with the token: %v", err)
	}
	if _, err := a.Authenticate(withCookie("GET", "forged")); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("unknown session: %v", err)
	}
	a.Logout(withCookie("GET", s.ID))
	if _, err := a.Authenticate(withCookie("GET", s.ID)); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("after log out: %v", err)
	}
}

func TestSessionsExpireAndAreBounded(t *testing.T) {
	a := sessionAuth(t)
	old, err := a.startSession(context.Background(), "alice", "pw-of-alice", "127.0.0.1:1", time.Now().Add(-SessionTTL-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if a.SessionOf(withCookie("GET", old.ID)) != nil {
		t.Fatal("an expired session is live")
	}
	first, _ := a.startSession(context.Background(), "alice", "pw-of-alice", "127.0.0.1:1", time.Now().Add(-time.Hour))
	for range MaxSessions + 5 {
		if _, err := a.startSession(context.Background(), "alice", "pw-of-alice", "127.0.0.1:1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(a.sess.byID); n > MaxSessions {
		t.Fatalf("%d sessions kept, bound %d", n, MaxSessions)
	}
	if a.SessionOf(withCookie("GET", first.ID)) != nil {
		t.Fatal("the oldest session survived eviction")
	}
}

func TestConsoleRequestsGetNoBasicChallenge(t *testing.T) {
	a := sessionAuth(t)
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), nil)
	for _, console := range []bool{false, true} {
		r := httptest.NewRequest("GET", "/api/v1/alerts", nil)
		if console {
			r.Header.Set(ConsoleHeader, "1")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 401 || (w.Header().Get("WWW-Authenticate") != "") != !console {
			t.Fatalf("console %v: %d %q", console, w.Code, w.Header().Get("WWW-Authenticate"))
		}
	}
}
