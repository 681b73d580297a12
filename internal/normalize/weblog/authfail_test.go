package weblog

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

// Failed HTTP authentication in error logs, in the forms Apache's
// mod_auth_basic / mod_auth_digest and nginx's auth_basic module write
// (their documented messages, lines written here).
func TestWebLogAuthFailures(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 0)
	f(`[Tue Jun 16 09:12:01.123456 2026] [auth_basic:error] [pid 4242:tid 140000] [client 203.0.113.9:51234] AH01617: user bob: authentication failure for "/admin": Password Mismatch`,
		map[string]string{"user.name": "bob", "event.outcome": "failure", "event.reason": "Password Mismatch",
			"event.action": "authentication_failure", "event.category": "authentication,web", "event.type": "info",
			"source.ip": "203.0.113.9", "source.port": "51234", "error.code": "AH01617", "process.pid": "4242"})
	f(`[Tue Jun 16 09:12:02.000001 2026] [auth_basic:error] [pid 4242:tid 140000] [client 2001:db8::9:40000] AH01618: user mallory not found: /admin`,
		map[string]string{"user.name": "mallory", "event.outcome": "failure", "event.reason": "user not found",
			"source.ip": "2001:db8::9", "source.port": "40000", "error.code": "AH01618"})
	f(`[Tue Jun 16 09:12:03 2026] [auth_basic:error] [pid 1] [client 198.51.100.4:1025] AH01618: user x not found`,
		map[string]string{"user.name": "x", "event.outcome": "failure"})
	f(`[Tue Jun 16 09:12:04 2026] [auth_digest:error] [pid 1] [client 198.51.100.4:1026] AH01790: user alice: password mismatch: /secret/`,
		map[string]string{"user.name": "alice", "event.reason": "password mismatch", "source.port": "1026"})
	f("[Tue Jun 16 09:12:05 2026] [auth_digest:error] [pid 1] [client 198.51.100.4:1027] AH01789: user `eve' in realm `private' not found: /secret/",
		map[string]string{"user.name": "eve", "event.reason": "user not found"})
	// Apache 2.2: no module, no AH code.
	f(`[Sun Dec 04 04:47:44 2005] [error] [client 192.0.2.1] user bob: authentication failure for "/admin": Password Mismatch`,
		map[string]string{"user.name": "bob", "event.outcome": "failure", "source.ip": "192.0.2.1", "source.port": ""})
	f(`2026/06/16 09:12:06 [error] 812#812: *31 user "bob": password mismatch, client: 203.0.113.9, server: www.example.com, request: "GET /admin/ HTTP/1.1", host: "www.example.com"`,
		map[string]string{"user.name": "bob", "event.outcome": "failure", "event.reason": "password mismatch",
			"source.ip": "203.0.113.9", "destination.domain": "www.example.com", "url.path": "/admin/",
			"error.message": `user "bob": password mismatch`})
	f(`2026/06/16 09:12:07 [error] 812#812: *32 user "mallory" was not found in "/etc/nginx/.htpasswd", client: 203.0.113.10, server: _, request: "GET / HTTP/1.1"`,
		map[string]string{"user.name": "mallory", "event.outcome": "failure", "event.reason": "user not found", "source.ip": "203.0.113.10"})
	// Not authentication failures: no user, no outcome.
	f(`2026/06/16 09:12:08 [error] 812#812: *33 no user/password was provided for basic authentication, client: 203.0.113.9, server: _, request: "GET / HTTP/1.1"`,
		map[string]string{"user.name": "", "event.outcome": "", "source.ip": "203.0.113.9"})
	f(`[Tue Jun 16 09:12:09 2026] [core:info] [pid 1] [client 198.51.100.4:1028] AH00128: File does not exist: /user bob not found`,
		map[string]string{"user.name": "", "event.outcome": ""})
	f(`2026/06/16 09:12:10 [error] 1#1: *1 user "unterminated, client: 203.0.113.9`,
		map[string]string{"user.name": ""})
}
