package config

import (
	"errors"
	"fmt"
	"time"
)

// The limits that keep one client from exhausting the node's memory, file
// descriptors or CPU, with their defaults and the reason for each
// (docs/security.md lists them all).
const (
	// DefaultHTTPReadHeaderTimeout bounds the request line and headers: a
	// client that sends them slowly (slowloris) is cut after 10 s.
	DefaultHTTPReadHeaderTimeout = 10 * time.Second
	// DefaultHTTPReadTimeout bounds reading a whole request, body included.
	// A 64 MiB ingest body over a 10 Mbit/s link takes ~55 s; slower
	// senders should send smaller batches. A slow-body client is cut here.
	DefaultHTTPReadTimeout = 2 * time.Minute
	// DefaultHTTPIdleTimeout closes a keep-alive connection that waits for
	// its next request this long (shippers reconnect at once).
	DefaultHTTPIdleTimeout = 2 * time.Minute
	// DefaultHTTPMaxConnections bounds the open connections of the HTTP
	// listener. Each costs a file descriptor and ~10 KiB; 1,024 leaves most
	// of a default 4,096–1M descriptor limit to syslog, queues and the store.
	DefaultHTTPMaxConnections = 1024
	// DefaultHTTPMaxConnectionsPerPeer bounds the connections of one client
	// address, so one client cannot take the whole listener: shippers keep
	// a handful open, a browser six.
	DefaultHTTPMaxConnectionsPerPeer = 64

	// DefaultIngestMaxInFlightBytes is the memory budget of HTTP ingest:
	// the request bodies (after decompression) held at once by all ingest
	// requests. 256 MiB takes four full 64 MiB bodies, or hundreds of
	// ordinary batches, at once; a request that finds the budget spent is
	// answered 503 with Retry-After before its body is read further.
	DefaultIngestMaxInFlightBytes = 256 << 20

	// DefaultLoginMaxConcurrent bounds the password hashes computed at
	// once. Each argon2id check takes 64 MiB for ~100 ms, so 4 bound it to
	// 256 MiB, and more parallel logins only wait.
	DefaultLoginMaxConcurrent = 4
	// DefaultLoginMaxWait is how long a login waits for one of those slots
	// before it is answered 503.
	DefaultLoginMaxWait = 10 * time.Second
	// DefaultLoginFreeAttempts is how many password attempts a user name,
	// and a client address, get before each further one must wait.
	DefaultLoginFreeAttempts = 5
	// DefaultLoginBackoff is the wait after the free attempts; it doubles
	// with each further attempt up to DefaultLoginMaxBackoff: ten attempts
	// in a row cost 31 s, and from the fifteenth on each one waits the
	// 15 minutes, so guessing is slow while a user who mistyped waits
	// seconds.
	DefaultLoginBackoff    = time.Second
	DefaultLoginMaxBackoff = 15 * time.Minute
	// DefaultLoginForgetAfter clears the attempts of a user or address
	// quiet this long (a success clears the user's at once).
	DefaultLoginForgetAfter = 15 * time.Minute
)

// HTTPLimits bound the connections of the HTTP listener.
type HTTPLimits struct {
	// ReadHeaderTimeout bounds reading a request's headers. Default: 10s.
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	// ReadTimeout bounds reading a whole request, body included.
	// Default: 2m.
	ReadTimeout Duration `yaml:"read_timeout"`
	// IdleTimeout closes a keep-alive connection idle this long. Default: 2m.
	IdleTimeout Duration `yaml:"idle_timeout"`
	// MaxConnections bounds open connections; more are closed at once.
	// Default: 1024.
	MaxConnections int `yaml:"max_connections"`
	// MaxConnectionsPerPeer bounds the open connections of one client IP
	// address; more are closed at once. Default: 64.
	MaxConnectionsPerPeer int `yaml:"max_connections_per_peer"`
}

// Validate fills the defaults and checks the values.
func (l *HTTPLimits) Validate() error {
	def := func(d *Duration, v time.Duration) {
		if *d == 0 {
			*d = Duration(v)
		}
	}
	def(&l.ReadHeaderTimeout, DefaultHTTPReadHeaderTimeout)
	def(&l.ReadTimeout, DefaultHTTPReadTimeout)
	def(&l.IdleTimeout, DefaultHTTPIdleTimeout)
	if l.ReadHeaderTimeout < 0 || l.ReadTimeout < 0 || l.IdleTimeout < 0 {
		return errors.New("http.limits: timeouts must not be negative")
	}
	if l.MaxConnections == 0 {
		l.MaxConnections = DefaultHTTPMaxConnections
	}
	if l.MaxConnectionsPerPeer == 0 {
		l.MaxConnectionsPerPeer = DefaultHTTPMaxConnectionsPerPeer
	}
	if l.MaxConnections < 0 || l.MaxConnectionsPerPeer < 0 {
		return errors.New("http.limits: connection limits must not be negative")
	}
	return nil
}

// LoginLimits bound the password checks of HTTP Basic authentication.
type LoginLimits struct {
	// MaxConcurrent bounds password hashes computed at once. Default: 4.
	MaxConcurrent int `yaml:"max_concurrent"`
	// MaxWait is how long a login waits for a hashing slot before it is
	// answered 503. Default: 10s.
	MaxWait Duration `yaml:"max_wait"`
	// FreeAttempts per user name and per client address before backoff.
	// Default: 5.
	FreeAttempts int `yaml:"free_attempts"`
	// Backoff is the first wait after the free attempts, doubled with each
	// further attempt up to MaxBackoff. Defaults: 1s, 15m.
	Backoff    Duration `yaml:"backoff"`
	MaxBackoff Duration `yaml:"max_backoff"`
	// ForgetAfter clears the attempts of a user or an address quiet this
	// long. Default: 15m.
	ForgetAfter Duration `yaml:"forget_after"`
}

// Validate fills the defaults and checks the values.
func (l *LoginLimits) Validate() error {
	if l.MaxConcurrent == 0 {
		l.MaxConcurrent = DefaultLoginMaxConcurrent
	}
	if l.FreeAttempts == 0 {
		l.FreeAttempts = DefaultLoginFreeAttempts
	}
	def := func(d *Duration, v time.Duration) {
		if *d == 0 {
			*d = Duration(v)
		}
	}
	def(&l.MaxWait, DefaultLoginMaxWait)
	def(&l.Backoff, DefaultLoginBackoff)
	def(&l.MaxBackoff, DefaultLoginMaxBackoff)
	def(&l.ForgetAfter, DefaultLoginForgetAfter)
	if l.MaxConcurrent < 0 || l.FreeAttempts < 0 {
		return errors.New("auth.login: max_concurrent and free_attempts must not be negative")
	}
	if l.MaxWait < 0 || l.Backoff < 0 || l.ForgetAfter < 0 {
		return errors.New("auth.login: durations must not be negative")
	}
	if l.MaxBackoff < l.Backoff {
		return fmt.Errorf("auth.login: max_backoff %s is below backoff %s", l.MaxBackoff, l.Backoff)
	}
	return nil
}
