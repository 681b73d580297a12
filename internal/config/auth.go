package config

import (
	"encoding/hex"
	"fmt"
	"net"
)

// Auth configures who may use the HTTP API (the ingest endpoints have their
// own tokens, http.ingest.tokens). With no users and no tokens the API is
// open, which Vigil allows only on a loopback listener unless
// allow_anonymous is set.
type Auth struct {
	// Users log in with HTTP Basic authentication.
	Users []User `yaml:"users"`
	// Tokens are API tokens, sent as "Authorization: Bearer <token>".
	Tokens []APIToken `yaml:"tokens"`
	// AllowAnonymous lets an API without users or tokens listen on a
	// non-loopback address. Default false: Vigil refuses to start so.
	AllowAnonymous bool `yaml:"allow_anonymous"`
	// Login bounds password checks: hashes at once, and attempts per user
	// and per address before backoff.
	Login LoginLimits `yaml:"login"`
}

// User is one API user.
type User struct {
	Name string `yaml:"name"`
	// PasswordHash is an argon2id PHC string (`vigil passwd` makes one) or
	// a bcrypt hash. Never the password.
	PasswordHash string `yaml:"password_hash"`
	// Role is viewer (read), analyst (read, and change incidents,
	// watch-lists…) or admin (everything). Default viewer.
	Role string `yaml:"role"`
	// Tenants the user may see; ["*"] means all. Default ["default"].
	Tenants []string `yaml:"tenants"`
}

// APIToken is one API token.
type APIToken struct {
	Name string `yaml:"name"`
	// SHA256 is the hex SHA-256 of the token (`vigil token` makes a token
	// and prints both). Never the token.
	SHA256  string   `yaml:"sha256"`
	Role    string   `yaml:"role"`
	Tenants []string `yaml:"tenants"`
}

// Enabled reports whether any credential is configured.
func (a Auth) Enabled() bool { return len(a.Users) > 0 || len(a.Tokens) > 0 }

func validRole(r *string) error {
	switch *r {
	case "":
		*r = "viewer"
	case "viewer", "analyst", "admin":
	default:
		return fmt.Errorf("role %q: want viewer, analyst or admin", *r)
	}
	return nil
}

func validTenants(ts *[]string) error {
	if len(*ts) == 0 {
		*ts = []string{"default"}
	}
	for _, t := range *ts {
		if t != "*" && !nameRE.MatchString(t) {
			return fmt.Errorf("tenant %q: want a tenant name or *", t)
		}
	}
	return nil
}

// Validate checks the settings and fills defaults. On a non-loopback
// listener it requires credentials for the API and tokens for HTTP ingest
// (ingestTokens), unless AllowAnonymous. checkHash is given by the caller
// (internal/auth) so that this package needs no crypto.
func (a *Auth) Validate(listen string, ingestTokens bool, checkHash func(string) error) error {
	if err := a.Login.Validate(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i := range a.Users {
		u := &a.Users[i]
		if u.Name == "" || seen["u:"+u.Name] {
			return fmt.Errorf("auth.users[%d]: a unique name is required", i)
		}
		seen["u:"+u.Name] = true
		if checkHash != nil {
			if err := checkHash(u.PasswordHash); err != nil {
				return fmt.Errorf("auth.users %s: password_hash: %w", u.Name, err)
			}
		}
		if err := validRole(&u.Role); err != nil {
			return fmt.Errorf("auth.users %s: %w", u.Name, err)
		}
		if err := validTenants(&u.Tenants); err != nil {
			return fmt.Errorf("auth.users %s: %w", u.Name, err)
		}
	}
	for i := range a.Tokens {
		t := &a.Tokens[i]
		if t.Name == "" || seen["t:"+t.Name] {
			return fmt.Errorf("auth.tokens[%d]: a unique name is required", i)
		}
		seen["t:"+t.Name] = true
		if b, err := hex.DecodeString(t.SHA256); err != nil || len(b) != 32 {
			return fmt.Errorf("auth.tokens %s: sha256: want 64 hex digits (the digest, not the token)", t.Name)
		}
		if err := validRole(&t.Role); err != nil {
			return fmt.Errorf("auth.tokens %s: %w", t.Name, err)
		}
		if err := validTenants(&t.Tenants); err != nil {
			return fmt.Errorf("auth.tokens %s: %w", t.Name, err)
		}
	}
	if !a.AllowAnonymous && !IsLoopback(listen) && !ingestTokens {
		return fmt.Errorf("http.listen %s is not a loopback address but http.ingest.tokens is empty: anyone could send events; "+
			"add ingest tokens, or set auth.allow_anonymous: true", listen)
	}
	if !a.Enabled() && !a.AllowAnonymous && !IsLoopback(listen) {
		return fmt.Errorf("http.listen %s is not a loopback address but auth has no users or tokens: "+
			"add auth.users (see `vigil passwd`) or auth.tokens (see `vigil token`), or set auth.allow_anonymous: true", listen)
	}
	return nil
}

// IsLoopback reports whether a listen address binds only loopback.
func IsLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckPasswordHash validates password hashes in Validate; internal/auth
// sets it (config needs no crypto of its own). Nil skips the check.
var CheckPasswordHash func(string) error
