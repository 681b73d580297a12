package config

import (
	"strings"
	"testing"
	"time"
)

// TestLimitDefaults: an empty configuration gets every limit's default,
// and nonsense values are refused with the key named.
func TestLimitDefaults(t *testing.T) {
	var c Config
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	l := c.HTTP.Limits
	if l.ReadTimeout.D() != DefaultHTTPReadTimeout || l.ReadHeaderTimeout.D() != DefaultHTTPReadHeaderTimeout ||
		l.IdleTimeout.D() != DefaultHTTPIdleTimeout || l.MaxConnections != DefaultHTTPMaxConnections ||
		l.MaxConnectionsPerPeer != DefaultHTTPMaxConnectionsPerPeer {
		t.Errorf("http.limits defaults: %+v", l)
	}
	if c.HTTP.Ingest.MaxInFlightBytes != DefaultIngestMaxInFlightBytes {
		t.Errorf("http.ingest.max_in_flight_bytes default: %d", c.HTTP.Ingest.MaxInFlightBytes)
	}
	g := c.Auth.Login
	if g.MaxConcurrent != DefaultLoginMaxConcurrent || g.FreeAttempts != DefaultLoginFreeAttempts || g.Backoff.D() != time.Second ||
		g.MaxBackoff.D() != DefaultLoginMaxBackoff || g.ForgetAfter.D() != DefaultLoginForgetAfter || g.MaxWait.D() != DefaultLoginMaxWait {
		t.Errorf("auth.login defaults: %+v", g)
	}
	for _, bad := range []struct {
		yaml, want string
	}{
		{"http: {limits: {max_connections: -1}}", "http.limits"},
		{"http: {limits: {read_timeout: -1s}}", "http.limits"},
		{"auth: {login: {backoff: 1m, max_backoff: 1s}}", "auth.login"},
		{"auth: {login: {max_concurrent: -2}}", "auth.login"},
	} {
		_, err := Parse([]byte(bad.yaml))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: err %v, want one naming %s", bad.yaml, err, bad.want)
		}
	}
}
