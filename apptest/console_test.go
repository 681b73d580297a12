package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/testutil"
)

const consoleRule = `title: Console test failed password
id: 0c0e5e1e-0000-4000-8000-00000000c0de
logsource: {product: linux, service: sshd}
detection:
  selection:
    message|contains: 'Failed password'
  condition: selection
level: high
`

// TestConsoleSessionsAndTriage runs vigil serve with users and checks the
// console's HTTP contract through the real binary: the page with its CSP at
// /, /search, /alerts and /incidents for browsers while JSON clients still
// get the Elasticsearch banner at /; log-in sets an HttpOnly SameSite=Strict
// cookie; a cookie request that changes something needs the CSRF token;
// PATCH and bulk change alerts, recorded with the actor; a viewer may not;
// Basic auth keeps working; a query error says where.
func TestConsoleSessionsAndTriage(t *testing.T) {
	rules := t.TempDir()
	if err := os.WriteFile(filepath.Join(rules, "r.yml"), []byte(consoleRule), 0o600); err != nil {
		t.Fatal(err)
	}
	ha, _ := auth.HashPassword("alice-pw-123")
	hv, _ := auth.HashPassword("vera-pw-123")
	v := startVigil(t, fmt.Sprintf("auth:\n  users:\n    - {name: alice, password_hash: %q, role: analyst, tenants: [default]}\n"+
		"    - {name: vera, password_hash: %q, role: viewer, tenants: [default]}\n", ha, hv), "--rules", rules)

	// The page, for browsers; the banner, for shippers.
	for _, p := range []string{"/", "/search", "/alerts", "/incidents", "/alerts/x"} {
		req, _ := http.NewRequest("GET", v.url(p), nil)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		resp := do(t, req)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || !strings.Contains(string(body), `<div id="app">`) || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("GET %s: %d csp %q body %.200s", p, resp.StatusCode, csp, body)
		}
	}
	resp := do(t, mustReq("GET", v.url("/"), nil))
	var banner map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&banner)
	resp.Body.Close()
	if banner["tagline"] != "You Know, for Search" {
		t.Fatalf("GET / for a JSON client: %v", banner)
	}

	// Events that fire the rule.
	lines := ""
	for i := range 3 {
		lines += fmt.Sprintf("<38>%s web1 sshd[%d]: Failed password for root from 203.0.113.7 port %d ssh2\n", bsdStamp(time.Now()), 100+i, 4000+i)
	}
	if code, b := post(t, v.url("/api/v1/ingest?format=rfc3164"), "application/x-ndjson", "", []byte(lines)); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}

	alice := login(t, v, "alice", "alice-pw-123")
	var id string
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		var list struct {
			Alerts []struct{ ID string } `json:"alerts"`
		}
		alice.getJSON(t, "/api/v1/alerts", &list)
		if len(list.Alerts) > 0 {
			id = list.Alerts[0].ID
		}
		return id != ""
	}) {
		t.Fatalf("no alert\n%s", v.log.String())
	}

	// Not JSON (what a cross-site form could send): refused.
	req0 := mustReq("POST", v.url("/api/v1/alerts/bulk"), strings.NewReader(`{"ids":["`+id+`"],"status":"closed","comment":"x"}`))
	req0.Header.Set("Content-Type", "text/plain")
	req0.Header.Set(auth.CSRFHeader, alice.csrf)
	if resp, err := alice.c.Do(req0); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("bulk as text/plain: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// Without the CSRF token: refused, and nothing changes.
	if code, b := alice.send(t, "PATCH", "/api/v1/alerts/"+id, `{"status":"closed"}`, false); code != http.StatusForbidden {
		t.Fatalf("PATCH without CSRF token: %d %s", code, b)
	}
	if code, b := alice.send(t, "PATCH", "/api/v1/alerts/"+id, `{"status":"acknowledged","assignee":"alice","comment":"on it"}`, true); code != 200 ||
		!strings.Contains(b, `"status":"acknowledged"`) || !strings.Contains(b, `"assignee":"alice"`) || !strings.Contains(b, `"by":"alice"`) {
		t.Fatalf("PATCH: %d %s", code, b)
	}
	for _, c := range []struct{ body, want string }{
		{`{"status":"done"}`, "want open, acknowledged or closed"},
		{`{"ids":["` + id + `"],"status":"closed"}`, "needs a reason"},
		{`{"ids":["` + id + `","nope"],"status":"closed","comment":"dup"}`, "not found"},
	} {
		path := "/api/v1/alerts/bulk"
		if !strings.Contains(c.body, "ids") {
			path = "/api/v1/alerts/" + id
		}
		method := map[bool]string{true: "POST", false: "PATCH"}[strings.Contains(c.body, "ids")]
		if code, b := alice.send(t, method, path, c.body, true); code/100 != 4 || !strings.Contains(b, c.want) {
			t.Fatalf("%s %s: %d %s, want %q", method, c.body, code, b, c.want)
		}
	}
	var got struct {
		Status string
		Triage struct {
			Notes []struct{ Actor, Status, Text string }
		}
	}
	alice.getJSON(t, "/api/v1/alerts/"+id, &got)
	if got.Status != "acknowledged" || len(got.Triage.Notes) != 1 || got.Triage.Notes[0].Actor != "alice" {
		t.Fatalf("after a refused bulk change: %+v", got)
	}
	if code, b := alice.send(t, "POST", "/api/v1/alerts/bulk", `{"ids":["`+id+`"],"status":"closed","comment":"false positive"}`, true); code != 200 {
		t.Fatalf("bulk close: %d %s", code, b)
	}

	// A viewer reads but may not change; Basic auth still works.
	vera := login(t, v, "vera", "vera-pw-123")
	if code, b := vera.send(t, "PATCH", "/api/v1/alerts/"+id, `{"status":"open"}`, true); code != http.StatusForbidden {
		t.Fatalf("viewer PATCH: %d %s", code, b)
	}
	req := mustReq("GET", v.url("/api/v1/alerts?status=closed"), nil)
	req.SetBasicAuth("alice", "alice-pw-123")
	resp = do(t, req)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), id) {
		t.Fatalf("Basic auth: %d %s", resp.StatusCode, b)
	}

	// A query error says where.
	var qerr struct {
		Error  string
		Column int
	}
	code := alice.getJSON(t, "/api/v1/search?q="+strings.ReplaceAll("user.name:root | bogus 1", " ", "%20"), &qerr)
	if code != 400 || qerr.Column != 18 {
		t.Fatalf("query error: %d %+v", code, qerr)
	}

	// Log out ends the session.
	if code, b := alice.send(t, "DELETE", "/api/v1/session", "", true); code != http.StatusNoContent {
		t.Fatalf("log out: %d %s", code, b)
	}
	if code := alice.getJSON(t, "/api/v1/alerts", &struct{}{}); code != http.StatusUnauthorized {
		t.Fatalf("after log out: %d", code)
	}
}

type consoleClient struct {
	v    *vigil
	c    *http.Client
	csrf string
}

func login(t *testing.T, v *vigil, user, pw string) *consoleClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cc := &consoleClient{v: v, c: &http.Client{Jar: jar}}
	if code, b := cc.send(t, "POST", "/api/v1/session", fmt.Sprintf(`{"user":%q,"password":"wrong"}`, user), false); code != http.StatusUnauthorized {
		t.Fatalf("log in with a wrong password: %d %s", code, b)
	}
	req := mustReq("POST", v.url("/api/v1/session"), strings.NewReader(fmt.Sprintf(`{"user":%q,"password":%q}`, user, pw)))
	req.Header.Set("Content-Type", "text/plain") // what a cross-site form sends
	if resp, err := cc.c.Do(req); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("log in as text/plain: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	req = mustReq("POST", v.url("/api/v1/session"), strings.NewReader(fmt.Sprintf(`{"user":%q,"password":%q}`, user, pw)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := cc.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		User, CSRF string
		Tenants    []string
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != 200 || s.User != user || s.CSRF == "" {
		t.Fatalf("log in: %d %+v %v", resp.StatusCode, s, err)
	}
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == auth.SessionCookie {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie: %+v", ck)
	}
	cc.csrf = s.CSRF
	return cc
}

func (cc *consoleClient) send(t *testing.T, method, path, body string, withCSRF bool) (int, string) {
	t.Helper()
	req := mustReq(method, cc.v.url(path), bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	if withCSRF {
		req.Header.Set(auth.CSRFHeader, cc.csrf)
	}
	resp, err := cc.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (cc *consoleClient) getJSON(t *testing.T, path string, v any) int {
	t.Helper()
	resp, err := cc.c.Do(mustReq("GET", cc.v.url(path), nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(v)
	return resp.StatusCode
}

func mustReq(method, url string, body io.Reader) *http.Request {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		panic(err)
	}
	return req
}

func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
