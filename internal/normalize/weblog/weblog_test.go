package weblog

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

func TestWebLog(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 0)
	// Common and combined, Apache's documentation examples.
	f(`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
		map[string]string{"source.ip": "127.0.0.1", "user.name": "frank", "@timestamp": "2000-10-10T20:55:36Z",
			"http.request.method": "GET", "url.original": "/apache_pb.gif", "url.path": "/apache_pb.gif", "url.extension": "gif",
			"http.version": "1.0", "http.response.status_code": "200", "http.response.body.bytes": "2326",
			"event.category": "web", "event.type": "access", "event.outcome": "success", "user_agent.original": ""})
	f(`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1&b=2 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
		map[string]string{"url.query": "a=1&b=2", "url.path": "/apache_pb.gif", "http.request.referrer": "http://www.example.com/start.html",
			"user_agent.original": "Mozilla/4.08 [en] (Win98; I ;Nav)"})
	// The scenario's traversal, through syslog from nginx.
	f(`<190>Jan  5 10:20:30 web01 nginx: 198.51.100.7 - - [05/Jan/2026:10:20:30 +0000] "GET /../../etc/passwd HTTP/1.1" 404 153 "-" "curl/8.0"`,
		map[string]string{"source.ip": "198.51.100.7", "user.name": "", "url.original": "/../../etc/passwd", "url.path": "/../../etc/passwd",
			"http.response.status_code": "404", "event.outcome": "failure", "http.request.referrer": "", "user_agent.original": "curl/8.0",
			"host.name": "web01", "process.name": "nginx", "url.extension": ""})
	// vhost_combined: %v:%p %h %l %u %t …
	f(`www.example.com:443 203.0.113.9 - - [05/Jan/2026:10:20:30 +0100] "POST /login.php HTTP/2.0" 302 - "https://www.example.com/" "Mozilla/5.0"`,
		map[string]string{"destination.domain": "www.example.com", "destination.port": "443", "source.ip": "203.0.113.9",
			"http.request.method": "POST", "http.response.body.bytes": "0", "@timestamp": "2026-01-05T09:20:30Z", "http.version": "2.0"})
	f(`[2001:db8::80]:8443 203.0.113.9 - - [05/Jan/2026:10:20:30 +0000] "GET / HTTP/1.1" 200 5`,
		map[string]string{"destination.ip": "2001:db8::80", "destination.port": "8443", "destination.domain": ""})
	// Common with a vhost, IPv6 client, an escaped quote, a host name.
	f(`example.org 2001:db8::7 - - [05/Jan/2026:10:20:30 +0000] "GET /q?x=\"1\" HTTP/1.1" 200 5`,
		map[string]string{"destination.domain": "example.org", "source.ip": "2001:db8::7", "url.query": `x=\"1\"`})
	f(`crawler.example.net - - [05/Jan/2026:10:20:30 +0000] "GET / HTTP/1.1" 200 5`,
		map[string]string{"source.domain": "crawler.example.net", "source.ip": "", "url.path": "/"})
	// A proxy request and junk requests.
	f(`10.0.0.5 - - [05/Jan/2026:10:20:30 +0000] "GET http://evil.example/x.exe HTTP/1.1" 200 5 "-" "-"`,
		map[string]string{"url.domain": "evil.example", "url.path": "/x.exe", "url.extension": "exe"})
	// A proxy's absolute target with a port, and CONNECT's host:port (no path).
	f(`10.0.0.5 - - [05/Jan/2026:10:20:30 +0000] "GET http://intranet.example:8080/a/b.php?x=1 HTTP/1.1" 200 5 "-" "-"`,
		map[string]string{"url.domain": "intranet.example", "url.port": "8080", "url.scheme": "http", "url.path": "/a/b.php", "url.query": "x=1"})
	f(`10.0.0.5 - - [05/Jan/2026:10:20:30 +0000] "CONNECT www.example.com:443 HTTP/1.1" 200 5120 "-" "curl/8.0"`,
		map[string]string{"url.domain": "www.example.com", "url.port": "443", "url.path": "", "url.original": "www.example.com:443",
			"http.request.method": "CONNECT"})
	f(`10.0.0.5 - - [05/Jan/2026:10:20:30 +0000] "CONNECT [2001:db8::10]:8443 HTTP/1.1" 200 0 "-" "-"`,
		map[string]string{"url.domain": "2001:db8::10", "url.port": "8443", "url.path": ""})
	// Squid's "combined" logformat: Apache's combined, then %Ss:%Sh.
	f(`192.0.2.10 - jdoe [10/May/2024:11:37:47 +0000] "CONNECT www.example.com:443 HTTP/1.1" 200 5120 "-" "Mozilla/5.0" TCP_TUNNEL:HIER_DIRECT`,
		map[string]string{"source.ip": "192.0.2.10", "user.name": "jdoe", "url.domain": "www.example.com", "url.port": "443", "url.path": "",
			"destination.port": "443", "squid.result_code": "TCP_TUNNEL", "squid.hierarchy_code": "HIER_DIRECT", "event.action": "TCP_TUNNEL",
			"event.outcome": "success", "observer.product": "Squid", "observer.type": "proxy", "http.response.status_code": "200"})
	f(`192.0.2.11 - - [10/May/2024:11:37:48 +0000] "GET http://blocked.example.net/ HTTP/1.1" 403 3900 "-" "curl/8.0" TCP_DENIED:HIER_NONE`,
		map[string]string{"url.domain": "blocked.example.net", "url.path": "/", "destination.port": "80", "squid.result_code": "TCP_DENIED",
			"event.action": "TCP_DENIED", "event.outcome": "failure"})
	f(`198.51.100.7 - - [05/Jan/2026:10:20:30 +0000] "\x16\x03\x01\x00\xa5\x01" 400 226 "-" "-"`,
		map[string]string{"http.request.method": "", "url.original": "", "http.response.status_code": "400"})
	f(`198.51.100.7 - - [05/Jan/2026:10:20:30 +0000] "-" 408 0 "-" "-"`,
		map[string]string{"http.request.method": "", "http.response.status_code": "408"})

	// Error logs.
	f(`[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] Directory index forbidden by rule: /var/www/html/`,
		map[string]string{"log.level": "error", "source.ip": "1.2.3.4", "@timestamp": "2005-12-04T04:47:44Z",
			"error.message": "Directory index forbidden by rule: /var/www/html/", "event.type": "error", "event.category": "web"})
	f(`[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:52446] AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico`,
		map[string]string{"apache.error.module": "core", "process.pid": "35708", "process.thread.id": "4328636416",
			"source.ip": "72.15.99.187", "source.port": "52446", "error.code": "AH00128",
			"error.message": "File does not exist: /usr/local/apache2/htdocs/favicon.ico", "@timestamp": "2011-09-09T10:42:29.902022Z"})
	// Apache 2.4 writes an IPv6 client as "IP:PORT" without brackets.
	f(`[Sun Jun 14 10:15:30.123456 2026] [core:error] [pid 1234] [client 2001:db8::10:8080] AH00126: Invalid URI in request GET /%2e%2e/ HTTP/1.1`,
		map[string]string{"source.ip": "2001:db8::10", "source.port": "8080", "source.domain": "", "error.code": "AH00126"})
	f(`[Sun Jun 14 10:15:30 2026] [error] [client 2001:db8::10]  File does not exist: /var/www/favicon.ico`,
		map[string]string{"source.ip": "2001:db8::10", "source.port": ""})
	f(`[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties`,
		map[string]string{"log.level": "notice", "event.type": "info", "source.ip": ""})
	f(`2011/06/10 13:30:10 [error] 23263#0: *1 open() "/var/www/favicon.ico" failed (2: No such file or directory), client: 86.186.86.232, server: example.com, request: "GET /favicon.ico HTTP/1.1", host: "example.com"`,
		map[string]string{"log.level": "error", "process.pid": "23263", "process.thread.id": "0", "nginx.error.connection_id": "1",
			"source.ip": "86.186.86.232", "destination.domain": "example.com", "http.request.method": "GET", "url.path": "/favicon.ico",
			"url.domain": "example.com", "error.message": `open() "/var/www/favicon.ico" failed (2: No such file or directory)`,
			"@timestamp": "2011-06-10T13:30:10Z"})
	// A server without server_name is logged by its listen address: an
	// address is destination.ip/port, not a domain.
	f(`2026/06/14 10:15:30 [info] 1234#1234: *7 client sent invalid method while reading client request line, client: 203.0.113.9, server: 0.0.0.0:443, request: "FOO / HTTP/1.1"`,
		map[string]string{"destination.ip": "0.0.0.0", "destination.port": "443", "destination.domain": "", "source.ip": "203.0.113.9"})
	f(`2026/06/14 10:15:30 [info] 1234#1234: *8 SSL_do_handshake() failed, client: 2001:db8::9, server: [::]:8443`,
		map[string]string{"destination.ip": "::", "destination.port": "8443", "destination.domain": "", "source.ip": "2001:db8::9"})
	f(`2026/06/14 10:15:30 [error] 1234#1234: *9 upstream timed out, client: 203.0.113.9, server: 192.0.2.10, request: "GET / HTTP/1.1", host: "www.example.com"`,
		map[string]string{"destination.ip": "192.0.2.10", "destination.port": "", "destination.domain": "", "url.domain": "www.example.com"})
}

func TestWebLogIgnores(t *testing.T) {
	n := New()
	for _, line := range []string{
		`<13>Jan  5 10:20:30 host sshd[1]: Accepted password for a from 1.2.3.4 port 1 ssh2`,
		`a b c [10/Oct/2000:13:55:36 -0700] no request`,
		`a b c [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 2000 5`,
		`[not a time at all, no] [error] x`,
		`[Sun Dec 04 04:47:44 2005] [loud] x`,
		`2011/06/10 13:30:10 [error] no pid here`,
		`short`,
	} {
		e := normtest.Parse(t, line)
		if n.Normalize(e) {
			t.Errorf("recognised %q: %s", line, normtest.Dump(e))
		}
	}
}

// TestWebLogLoghub normalises every line of loghub's Apache error log
// sample: each must be recognised, with its level, and with a client
// address wherever the line names one.
func TestWebLogLoghub(t *testing.T) {
	path := filepath.Join(testutil.SharedData(t, "loghub/Apache"), "Apache_2k.log")
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	n := New()
	lines, clients := 0, 0
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		lines++
		e := normtest.Parse(t, line)
		if !n.Normalize(e) {
			t.Fatalf("line %d not recognised: %s", lines, line)
		}
		if e.GetString("log.level") == "" || e.Timestamp.Year() != 2005 {
			t.Fatalf("line %d: level %q time %v", lines, e.GetString("log.level"), e.Timestamp)
		}
		if strings.Contains(line, "[client ") {
			clients++
			if e.GetString("source.ip") == "" {
				t.Fatalf("line %d: no source.ip: %s", lines, normtest.Dump(e))
			}
		}
	}
	if lines != 2000 || clients == 0 {
		t.Fatalf("read %d lines, %d with a client", lines, clients)
	}
}
