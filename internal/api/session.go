package api

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"

	"github.com/vigilsiem/vigil/internal/auth"
)

// SessionHandler serves the console's log-in:
//
//	POST   /api/v1/session  {"user","password"} → sets the session cookie; {"user","role","tenants","csrf"}
//	GET    /api/v1/session  who the request is (cookie, token or password); {"user","role","tenants","csrf","auth"}
//	DELETE /api/v1/session  logs out (needs the CSRF token)
//
// The path is exempt from the auth middleware: it authenticates itself.
type SessionHandler struct {
	Auth *auth.Authenticator
	// Open is true when no users or tokens are configured (the API is open
	// to its loopback clients): the console then needs no log-in.
	Open bool
}

// Routes implements Mounter. They are Public: the handler authenticates.
func (h SessionHandler) Routes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/session", Role: Public, Tag: "session", Handler: h.login, Body: []string{"application/json"},
			Summary: "Log in: {\"user\",\"password\"} sets the session cookie; answers {\"user\",\"role\",\"tenants\",\"csrf\"}"},
		{Method: "GET", Path: "/api/v1/session", Role: Public, Tag: "session", Handler: h.whoami,
			Summary: "Who the request is (cookie, token or password): {\"user\",\"role\",\"tenants\",\"csrf\",\"auth\"}"},
		{Method: "DELETE", Path: "/api/v1/session", Role: Public, Tag: "session", Handler: h.logout,
			Summary: "Log out (needs the CSRF token)"},
	}
}

type sessionInfo struct {
	User    string   `json:"user"`
	Role    string   `json:"role"`
	Tenants []string `json:"tenants"`
	CSRF    string   `json:"csrf,omitempty"`
	// Auth is "session", "open" (no users configured) or "credentials".
	Auth string `json:"auth"`
}

func info(p *auth.Principal, csrf, how string) sessionInfo {
	return sessionInfo{User: p.Name, Role: p.Role.String(), Tenants: p.Tenants(), CSRF: csrf, Auth: how}
}

func (h SessionHandler) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.Open {
		WriteJSON(w, http.StatusOK, info(auth.Anonymous, "", "open"))
		return
	}
	// JSON only: a cross-site form cannot send it, so no other site can
	// log a browser in to an account of its choosing.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		WriteError(w, http.StatusUnsupportedMediaType, errors.New("log-in: want Content-Type: application/json"))
		return
	}
	var body struct {
		User     string `json:"user"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&body); err != nil {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("read log-in: %w", err))
		return
	}
	s, err := h.Auth.LoginRequest(r, body.User, body.Password)
	var te *auth.ThrottledError
	switch {
	case errors.As(err, &te):
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(te.RetryAfter.Seconds()))))
		WriteError(w, http.StatusTooManyRequests, err)
		return
	case errors.Is(err, auth.ErrBusy):
		w.Header().Set("Retry-After", "1")
		WriteError(w, http.StatusServiceUnavailable, err)
		return
	case err != nil:
		WriteError(w, http.StatusUnauthorized, auth.ErrBadCredentials)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: s.ID, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, Expires: s.Expires})
	WriteJSON(w, http.StatusOK, info(s.Principal, s.CSRF, "session"))
}

func (h SessionHandler) whoami(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.Open {
		WriteJSON(w, http.StatusOK, info(auth.Anonymous, "", "open"))
		return
	}
	if s := h.Auth.SessionOf(r); s != nil {
		WriteJSON(w, http.StatusOK, info(s.Principal, s.CSRF, "session"))
		return
	}
	if !auth.HasSessionCookie(r) {
		if p, err := h.Auth.Authenticate(r); err == nil {
			WriteJSON(w, http.StatusOK, info(p, "", "credentials"))
			return
		}
	}
	WriteError(w, http.StatusUnauthorized, auth.ErrNoCredentials)
}

func (h SessionHandler) logout(w http.ResponseWriter, r *http.Request) {
	if s := h.Auth.SessionOf(r); s != nil {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get(auth.CSRFHeader)), []byte(s.CSRF)) != 1 {
			WriteError(w, http.StatusForbidden, errors.New("log out needs the "+auth.CSRFHeader+" header"))
			return
		}
		h.Auth.Logout(r)
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}
