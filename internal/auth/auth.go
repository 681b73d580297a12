package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
)

// Role orders what a principal may do.
type Role int

// Roles.
const (
	Viewer Role = iota + 1
	Analyst
	Admin
)

func parseRole(s string) Role {
	switch s {
	case "admin":
		return Admin
	case "analyst":
		return Analyst
	}
	return Viewer
}

func (r Role) String() string {
	switch r {
	case Admin:
		return "admin"
	case Analyst:
		return "analyst"
	}
	return "viewer"
}

// Principal is who made a request.
type Principal struct {
	Name    string
	Role    Role
	tenants []string
}

// CanSee reports whether p may read tenant's data.
func (p *Principal) CanSee(tenant string) bool {
	return slices.Contains(p.tenants, "*") || slices.Contains(p.tenants, tenant)
}

// Anonymous is the principal of an API without credentials configured
// (loopback only, or allow_anonymous): it may do everything.
var Anonymous = &Principal{Name: "anonymous", Role: Admin, tenants: []string{"*"}}

type ctxKey struct{}

// FromContext returns the request's principal (Anonymous when auth is off).
func FromContext(ctx context.Context) *Principal {
	if p, ok := ctx.Value(ctxKey{}).(*Principal); ok {
		return p
	}
	return Anonymous
}

// Authenticator checks credentials against the configuration.
type Authenticator struct {
	enabled bool
	users   map[string]config.User
	tokens  []config.APIToken

	// cache remembers recent successful password checks (by a digest of
	// user and password) so argon2id runs once per cacheTTL per client.
	mu    sync.Mutex
	cache map[[32]byte]time.Time

	sess sessions // console log-ins (session.go)
}

const cacheTTL = 5 * time.Minute

// New returns an authenticator for a validated configuration.
func New(cfg config.Auth) *Authenticator {
	a := &Authenticator{enabled: cfg.Enabled(), users: map[string]config.User{}, tokens: cfg.Tokens, cache: map[[32]byte]time.Time{}}
	for _, u := range cfg.Users {
		a.users[u.Name] = u
	}
	return a
}

// Errors of Authenticate.
var (
	ErrNoCredentials  = errors.New("authentication required")
	ErrBadCredentials = errors.New("wrong user name, password or token")
)

// Authenticate returns the principal of a request.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	if !a.enabled {
		return Anonymous, nil
	}
	if user, pw, ok := r.BasicAuth(); ok {
		return a.password(user, pw)
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return a.token(strings.TrimSpace(tok))
	}
	if HasSessionCookie(r) {
		return a.fromSession(r)
	}
	return nil, ErrNoCredentials
}

func (a *Authenticator) password(user, pw string) (*Principal, error) {
	u, ok := a.users[user]
	if !ok {
		return nil, ErrBadCredentials
	}
	key := sha256.Sum256([]byte(user + "\x00" + pw + "\x00" + u.PasswordHash))
	a.mu.Lock()
	t, hit := a.cache[key]
	a.mu.Unlock()
	if !hit || time.Since(t) > cacheTTL {
		ok, err := VerifyPassword(u.PasswordHash, pw)
		if err != nil || !ok {
			return nil, ErrBadCredentials
		}
		a.mu.Lock()
		if len(a.cache) > 10_000 {
			clear(a.cache)
		}
		a.cache[key] = time.Now()
		a.mu.Unlock()
	}
	return &Principal{Name: u.Name, Role: parseRole(u.Role), tenants: u.Tenants}, nil
}

func (a *Authenticator) token(tok string) (*Principal, error) {
	d := TokenDigest(tok)
	for _, t := range a.tokens {
		if subtle.ConstantTimeCompare([]byte(d), []byte(strings.ToLower(t.SHA256))) == 1 {
			return &Principal{Name: t.Name, Role: parseRole(t.Role), tenants: t.Tenants}, nil
		}
	}
	return nil, ErrBadCredentials
}
