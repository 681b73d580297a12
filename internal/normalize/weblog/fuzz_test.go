package weblog

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

func FuzzWebLog(f *testing.F) {
	normtest.Fuzz(f, New(), []string{
		`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
		`<190>Jan  5 10:20:30 web01 nginx: 198.51.100.7 - - [05/Jan/2026:10:20:30 +0000] "GET /../../etc/passwd HTTP/1.1" 404 153 "-" "curl/8.0"`,
		`www.example.com:443 203.0.113.9 - - [05/Jan/2026:10:20:30 +0100] "POST /login.php HTTP/2.0" 302 - "-" "-"`,
		`[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:52446] AH00128: File does not exist: /x`,
		`2011/06/10 13:30:10 [error] 23263#0: *1 open() "/x" failed, client: 86.186.86.232, server: example.com, request: "GET /favicon.ico HTTP/1.1", host: "example.com"`,
		`[Tue Jun 16 09:12:01 2026] [auth_basic:error] [pid 1] [client 203.0.113.9:51234] AH01617: user bob: authentication failure for "/admin": Password Mismatch`,
		"[Tue Jun 16 09:12:05 2026] [auth_digest:error] [pid 1] [client 198.51.100.4:1027] AH01789: user `eve' in realm `r' not found: /s/",
		`2026/06/16 09:12:07 [error] 812#812: *32 user "mallory" was not found in "/etc/nginx/.htpasswd", client: 203.0.113.10, server: _`,
		`[Fri May 10 13:37:47 2024] [security2:error] [pid 1] [client 198.51.100.7:41022] ModSecurity: Access denied with code 403 (phase 2). Matched "x" [id "949110"] [msg "Inbound Anomaly"] [tag "attack-sqli"] [uri "/a"] [unique_id "Zj"]`,
		`2024/05/10 13:37:47 [error] 1#1: *5 [client 198.51.100.7] ModSecurity: Warning. Matched "x" [id "942100"] [msg "SQLi"] [data ""], client: 198.51.100.7, server: s, request: "GET /a HTTP/1.1"`,
	})
}
