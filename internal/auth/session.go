package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/audit"
)

// Console sessions: a user who logs in with name and password gets an
// opaque random session id in an HttpOnly, SameSite=Strict cookie, and a
// CSRF token the console sends back in the X-CSRF-Token header of every
// request that changes something. Sessions live in memory: a restart logs
// everyone out, which is what an air-gapped single binary can afford.
const (
	// SessionCookie is the cookie's name.
	SessionCookie = "vigil_session"
	// CSRFHeader carries the session's CSRF token on unsafe requests.
	CSRFHeader = "X-CSRF-Token"
	// ConsoleHeader marks the console's requests: their 401 carries no
	// WWW-Authenticate challenge, so the browser shows no dialog.
	ConsoleHeader = "X-Vigil-Console"
	// SessionTTL is how long a session lasts from login (an analyst's shift).
	SessionTTL = 12 * time.Hour
	// MaxSessions bounds the sessions kept; the oldest goes first.
	MaxSessions = 10_000
)

// ErrBadCSRF is a cookie-authenticated request that changes something
// without the session's CSRF token.
var ErrBadCSRF = errors.New("missing or wrong " + CSRFHeader + " header")

// Session is a logged-in user.
type Session struct {
	ID        string
	CSRF      string
	Principal *Principal
	Expires   time.Time
}

type sessions struct {
	mu   sync.Mutex
	byID map[[32]byte]*Session
}

func sessionKey(id string) [32]byte { return sha256.Sum256([]byte(id)) }

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Tenants returns the tenants p may see ("*": all).
func (p *Principal) Tenants() []string { return slices.Clone(p.tenants) }

// LoginRequest checks the user name and password a console's log-in
// request sent, under the same rate limits and hashing slots as Basic
// credentials, and starts a session. A refusal is audited as a failed
// login (a throttled one once per wait), as the middleware does for Basic.
func (a *Authenticator) LoginRequest(r *http.Request, user, password string) (*Session, error) {
	s, err := a.startSession(r.Context(), user, password, r.RemoteAddr, a.now())
	if err != nil {
		var te *ThrottledError
		status := http.StatusUnauthorized
		switch {
		case errors.As(err, &te):
			status = http.StatusTooManyRequests
		case errors.Is(err, ErrBusy):
			status = http.StatusServiceUnavailable
		}
		if te == nil || !te.Repeated {
			a.audit.Record(audit.Entry{Tenant: audit.SystemTenant, Action: "login", Category: "authentication", Outcome: audit.Failure,
				Reason: err.Error(), User: truncate(user, 256), SourceIP: ClientIP(r), Method: r.Method, Path: r.URL.Path, Status: status})
		}
	}
	return s, err
}

func (a *Authenticator) startSession(ctx context.Context, user, password, addr string, now time.Time) (*Session, error) {
	if !a.enabled {
		return nil, errors.New("no users are configured: the API is open, log in is not needed")
	}
	p, err := a.password(ctx, user, password, addr)
	if err != nil {
		return nil, err
	}
	s := &Session{ID: randomToken(), CSRF: randomToken(), Principal: p, Expires: now.Add(SessionTTL)}
	a.sess.mu.Lock()
	defer a.sess.mu.Unlock()
	if a.sess.byID == nil {
		a.sess.byID = map[[32]byte]*Session{}
	}
	if len(a.sess.byID) >= MaxSessions {
		a.sess.evict(now)
	}
	a.sess.byID[sessionKey(s.ID)] = s
	return s, nil
}

// evict drops expired sessions, and the oldest if none had expired.
func (ss *sessions) evict(now time.Time) {
	var oldest [32]byte
	var oldestExp time.Time
	n := len(ss.byID)
	for k, s := range ss.byID {
		if now.After(s.Expires) {
			delete(ss.byID, k)
			continue
		}
		if oldestExp.IsZero() || s.Expires.Before(oldestExp) {
			oldest, oldestExp = k, s.Expires
		}
	}
	if len(ss.byID) == n {
		delete(ss.byID, oldest)
	}
}

// Logout ends the session of r's cookie, if any.
func (a *Authenticator) Logout(r *http.Request) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return
	}
	a.sess.mu.Lock()
	delete(a.sess.byID, sessionKey(c.Value))
	a.sess.mu.Unlock()
}

// SessionOf returns the live session of r's cookie, or nil.
func (a *Authenticator) SessionOf(r *http.Request) *Session {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	k := sessionKey(c.Value)
	a.sess.mu.Lock()
	defer a.sess.mu.Unlock()
	s := a.sess.byID[k]
	if s == nil {
		return nil
	}
	if a.now().After(s.Expires) {
		delete(a.sess.byID, k)
		return nil
	}
	return s
}

// fromSession authenticates r by its session cookie; a request that is not
// GET, HEAD or OPTIONS must carry the session's CSRF token.
func (a *Authenticator) fromSession(r *http.Request) (*Principal, error) {
	s := a.SessionOf(r)
	if s == nil {
		// An unknown or expired session is no credentials (log in again),
		// not a failed login: guessing session ids costs nothing, so it
		// must not write to the audit log.
		return nil, ErrNoCredentials
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(s.CSRF)) != 1 {
			return nil, ErrBadCSRF
		}
	}
	return s.Principal, nil
}

// HasSessionCookie reports whether r carries a session cookie.
func HasSessionCookie(r *http.Request) bool {
	c, err := r.Cookie(SessionCookie)
	return err == nil && c.Value != ""
}
