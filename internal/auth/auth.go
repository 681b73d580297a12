package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/vigilsiem/vigil/internal/audit"
	"github.com/vigilsiem/vigil/internal/config"
)

// Role orders what a principal may do.
type Role int

// Roles. Public is below them all: what a request needs when it needs no
// credentials. The zero Role is none of these: a route that forgets to
// name its role is refused at start (package api), not made public.
const (
	Public  Role = -1
	Viewer  Role = 1
	Analyst Role = 2
	Admin   Role = 3
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
	case Public:
		return "public"
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
	// user, password and hash) so argon2id runs once per cacheTTL per
	// client.
	mu    sync.Mutex
	cache map[[32]byte]time.Time

	login config.LoginLimits
	now   func() time.Time
	limit *limiter
	// kdf holds a token per password hash being computed: at most
	// login.MaxConcurrent at once.
	kdf chan struct{}
	// dummyHash is checked for unknown users, so that a wrong user name
	// costs the same as a wrong password and names cannot be told apart.
	dummyHash string
	audit     audit.Recorder
	m         *metrics

	sess sessions // console log-ins (session.go)
}

const cacheTTL = 5 * time.Minute

// Option sets an optional part of an Authenticator.
type Option func(*Authenticator)

// WithClock sets the clock of the login rate limit (tests).
func WithClock(now func() time.Time) Option { return func(a *Authenticator) { a.now = now } }

// WithAudit records failed and refused requests to r.
func WithAudit(r audit.Recorder) Option { return func(a *Authenticator) { a.audit = r } }

// New returns an authenticator for a validated configuration.
func New(cfg config.Auth, opts ...Option) *Authenticator {
	login := cfg.Login
	_ = login.Validate() // fills defaults; cfg was validated by config
	a := &Authenticator{enabled: cfg.Enabled(), users: map[string]config.User{}, tokens: cfg.Tokens, cache: map[[32]byte]time.Time{},
		login: login, now: time.Now, kdf: make(chan struct{}, login.MaxConcurrent), audit: audit.Discard, m: newMetrics()}
	for _, o := range opts {
		o(a)
	}
	a.limit = newLimiter(login, a.now)
	for _, u := range cfg.Users {
		a.users[u.Name] = u
	}
	a.dummyHash = dummyHash()
	return a
}

// dummyHash is an argon2id hash with the parameters of new hashes, a
// random salt and a random key: checking a password against it costs what
// checking a real one does and never matches. Making it costs nothing.
func dummyHash() string {
	b := make([]byte, argonSaltLen+argonKeyLen)
	_, _ = rand.Read(b)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(b[:argonSaltLen]), enc.EncodeToString(b[argonSaltLen:]))
}

// Errors of Authenticate.
var (
	ErrNoCredentials  = errors.New("authentication required")
	ErrBadCredentials = errors.New("wrong user name, password or token")
	// ErrBusy: every password-hashing slot stayed taken for
	// auth.login.max_wait.
	ErrBusy = errors.New("too many logins at once: retry later")
)

// ThrottledError refuses a login attempt of a user name or an address
// that failed too often; it comes before any password is checked.
type ThrottledError struct {
	// RetryAfter is how long to wait.
	RetryAfter time.Duration
	// Repeated is true when this wait was already refused before (the
	// audit log records a wait's first refusal only).
	Repeated bool
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many login attempts: retry in %s", e.RetryAfter.Round(time.Second))
}

// Authenticate returns the principal of a request.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	if !a.enabled {
		return Anonymous, nil
	}
	if user, pw, ok := r.BasicAuth(); ok {
		return a.password(r.Context(), user, pw, r.RemoteAddr)
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return a.token(strings.TrimSpace(tok))
	}
	if HasSessionCookie(r) {
		return a.fromSession(r)
	}
	return nil, ErrNoCredentials
}

// password checks a user name and password from addr. Every check that
// is not a recent success (cached) first passes the rate limit, then
// waits for a hashing slot; an unknown user is checked against the dummy
// hash, so every failure costs one hash.
func (a *Authenticator) password(ctx context.Context, user, pw, addr string) (*Principal, error) {
	u, known := a.users[user]
	hash := a.dummyHash
	if known {
		hash = u.PasswordHash
	}
	key := sha256.Sum256([]byte(user + "\x00" + pw + "\x00" + hash))
	a.mu.Lock()
	t, hit := a.cache[key]
	a.mu.Unlock()
	if known && hit && a.now().Sub(t) <= cacheTTL {
		return &Principal{Name: u.Name, Role: parseRole(u.Role), tenants: u.Tenants}, nil
	}
	if wait, ok, repeated := a.limit.allow(user, addr); !ok {
		a.m.failures.WithLabelValues("throttled").Inc()
		return nil, &ThrottledError{RetryAfter: wait, Repeated: repeated}
	}
	ok, err := a.verify(ctx, hash, pw)
	if errors.Is(err, ErrBusy) {
		a.m.failures.WithLabelValues("busy").Inc()
		return nil, err
	}
	if err != nil || !ok || !known {
		a.m.failures.WithLabelValues("bad_credentials").Inc()
		return nil, ErrBadCredentials
	}
	a.limit.succeeded(user)
	a.mu.Lock()
	if len(a.cache) > 10_000 {
		clear(a.cache)
	}
	a.cache[key] = a.now()
	a.mu.Unlock()
	return &Principal{Name: u.Name, Role: parseRole(u.Role), tenants: u.Tenants}, nil
}

// verify checks pw against hash in one of the login.MaxConcurrent
// hashing slots, waiting at most login.MaxWait for one.
func (a *Authenticator) verify(ctx context.Context, hash, pw string) (bool, error) {
	timer := time.NewTimer(time.Duration(a.login.MaxWait))
	defer timer.Stop()
	select {
	case a.kdf <- struct{}{}:
	case <-timer.C:
		return false, ErrBusy
	case <-ctx.Done():
		return false, ErrBusy
	}
	defer func() { <-a.kdf }()
	a.m.enter()
	defer a.m.leave()
	return VerifyPassword(hash, pw)
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
