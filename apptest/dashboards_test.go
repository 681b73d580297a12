package apptest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/tail"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// dashboardsConfig: two analysts of acme, one of globex, an admin, and an
// ingest token per tenant.
func dashboardsConfig(t *testing.T) string {
	t.Helper()
	y := "auth:\n  users:\n"
	for _, u := range []struct{ name, role, tenant string }{{"alice", "analyst", "acme"}, {"carol", "analyst", "acme"}, {"bob", "analyst", "globex"}, {"root", "admin", "'*'"}} {
		h, err := auth.HashPassword(u.name + "-pw-123")
		if err != nil {
			t.Fatal(err)
		}
		y += fmt.Sprintf("    - {name: %s, password_hash: %q, role: %s, tenants: [%s]}\n", u.name, h, u.role, u.tenant)
	}
	return y + "http:\n  ingest:\n    tokens:\n" +
		"      - {token: acme-ingest-token-000001, tenant: acme, source: apptest}\n" +
		"      - {token: globex-ingest-token-0001, tenant: globex, source: apptest}\n"
}

// TestDashboardsAndSavedSearchesPerTenant checks through the real binary
// that dashboards are kept per tenant, that a saved search is seen by its
// owner and, once shared, by the tenant's other users but never by another
// tenant's, that only the owner changes it, and that changes are audited.
func TestDashboardsAndSavedSearchesPerTenant(t *testing.T) {
	v := startVigil(t, dashboardsConfig(t))
	alice := sessionOf(t, v, "alice", "alice-pw-123")
	carol := sessionOf(t, v, "carol", "carol-pw-123")
	bob := sessionOf(t, v, "bob", "bob-pw-123")

	// Built-in dashboards are there for everyone, and cannot change.
	var list struct {
		Dashboards []struct {
			ID, Title string
			Builtin   bool
		}
	}
	if code := alice.getJSON(t, "/api/v1/dashboards?tenant=acme", &list); code != 200 || len(list.Dashboards) < 5 {
		t.Fatalf("list: %d %+v", code, list)
	}
	if code, b := alice.send(t, "PUT", "/api/v1/dashboards/builtin-windows?tenant=acme", `{"title":"mine","panels":[]}`, true); code != http.StatusConflict {
		t.Fatalf("PUT a built-in: %d %s", code, b)
	}

	// alice makes one in acme; a bad panel is refused with the reason.
	if code, b := alice.send(t, "POST", "/api/v1/dashboards?tenant=acme", `{"title":"SSH","panels":[{"title":"p","query":"user.name:root","chart":"bar"}]}`, true); code != 400 || !strings.Contains(b, "stats or timechart") {
		t.Fatalf("events query as a panel: %d %s", code, b)
	}
	code, b := alice.send(t, "POST", "/api/v1/dashboards?tenant=acme", `{"title":"SSH acme","panels":[{"title":"Failures","query":"Failed | timechart count()","chart":"line"}]}`, true)
	var d struct {
		ID, Title string
		UpdatedBy string `json:"updated_by"`
	}
	if err := json.Unmarshal([]byte(b), &d); code != 201 || err != nil || d.ID == "" || d.UpdatedBy != "alice" {
		t.Fatalf("create: %d %s", code, b)
	}
	if code := carol.getJSON(t, "/api/v1/dashboards/"+d.ID+"?tenant=acme", &d); code != 200 || d.Title != "SSH acme" {
		t.Fatalf("carol (acme) reads it: %d %+v", code, d)
	}
	// globex: not found in its own tenant, refused in acme's.
	var e struct{ Error string }
	if code := bob.getJSON(t, "/api/v1/dashboards/"+d.ID+"?tenant=globex", &e); code != 404 {
		t.Fatalf("bob reads acme's dashboard in globex: %d %v", code, e)
	}
	if code := bob.getJSON(t, "/api/v1/dashboards/"+d.ID+"?tenant=acme", &e); code != 403 {
		t.Fatalf("bob reads tenant acme: %d %v", code, e)
	}
	if code, b := bob.send(t, "DELETE", "/api/v1/dashboards/"+d.ID+"?tenant=globex", "", true); code != 404 {
		t.Fatalf("bob deletes acme's dashboard: %d %s", code, b)
	}
	list.Dashboards = nil
	bob.getJSON(t, "/api/v1/dashboards?tenant=globex", &list)
	for _, x := range list.Dashboards {
		if !x.Builtin {
			t.Errorf("globex lists %+v", x)
		}
	}

	// Saved searches: one private, one shared.
	var private, shared struct{ ID string }
	code, b = alice.send(t, "POST", "/api/v1/saved-searches?tenant=acme", `{"name":"mine","query":"user.name:root","from":"-4h"}`, true)
	if json.Unmarshal([]byte(b), &private); code != 201 || private.ID == "" {
		t.Fatalf("save: %d %s", code, b)
	}
	code, b = alice.send(t, "POST", "/api/v1/saved-searches?tenant=acme", `{"name":"team","query":"Failed password","shared":true}`, true)
	if json.Unmarshal([]byte(b), &shared); code != 201 {
		t.Fatalf("save shared: %d %s", code, b)
	}
	names := func(cc *consoleClient, tenant string) string {
		var l struct {
			SavedSearches []struct{ Name, Owner string } `json:"saved_searches"`
		}
		if code := cc.getJSON(t, "/api/v1/saved-searches?tenant="+tenant, &l); code != 200 {
			t.Fatalf("list saved searches: %d", code)
		}
		var n []string
		for _, s := range l.SavedSearches {
			n = append(n, s.Name+"/"+s.Owner)
		}
		return strings.Join(n, ",")
	}
	if n := names(alice, "acme"); n != "mine/alice,team/alice" {
		t.Errorf("alice sees %q", n)
	}
	if n := names(carol, "acme"); n != "team/alice" {
		t.Errorf("carol sees %q, want the shared one only", n)
	}
	if n := names(bob, "globex"); n != "" {
		t.Errorf("bob (globex) sees %q", n)
	}
	if code := carol.getJSON(t, "/api/v1/saved-searches/"+private.ID+"?tenant=acme", &e); code != 404 {
		t.Errorf("carol opens alice's private search: %d", code)
	}
	if code := bob.getJSON(t, "/api/v1/saved-searches/"+shared.ID+"?tenant=globex", &e); code != 404 {
		t.Errorf("bob opens acme's shared search: %d", code)
	}
	if code, b := carol.send(t, "PUT", "/api/v1/saved-searches/"+shared.ID+"?tenant=acme", `{"name":"carol's now","query":"x","shared":true}`, true); code != 404 {
		t.Errorf("carol overwrites alice's search: %d %s", code, b)
	}
	if code, b := carol.send(t, "DELETE", "/api/v1/saved-searches/"+shared.ID+"?tenant=acme", "", true); code != 404 {
		t.Errorf("carol deletes alice's search: %d %s", code, b)
	}
	if n := names(carol, "acme"); n != "team/alice" {
		t.Errorf("after carol's attempts she sees %q", n)
	}

	// Audited, with the actor and the id.
	root := sessionOf(t, v, "root", "root-pw-123")
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		var r struct{ Events []map[string]any }
		root.getJSON(t, "/api/v1/search?dataset=audit&tenant=acme&from=-1h&q="+url.QueryEscape("vigil.dashboard.id:"+d.ID), &r)
		for _, ev := range r.Events {
			if ev["user.name"] == "alice" {
				return true
			}
		}
		return false
	}) {
		t.Errorf("the dashboard's creation is not in the audit log")
	}
}

// sessionOf logs user in (login, in console_test.go, also tries a wrong
// password first, which the log-in throttle counts).
func sessionOf(t *testing.T, v *vigil, user, pw string) *consoleClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cc := &consoleClient{v: v, c: &http.Client{Jar: jar}}
	code, b := cc.send(t, "POST", "/api/v1/session", fmt.Sprintf(`{"user":%q,"password":%q}`, user, pw), false)
	var s struct{ CSRF string }
	if err := json.Unmarshal([]byte(b), &s); code != 200 || err != nil || s.CSRF == "" {
		t.Fatalf("log in %s: %d %s", user, code, b)
	}
	cc.csrf = s.CSRF
	return cc
}

// TestLiveTail opens a live tail through the real binary and sees the new
// events that match its filter, and none of another tenant's.
func TestLiveTail(t *testing.T) {
	v := startVigil(t, dashboardsConfig(t))
	alice := sessionOf(t, v, "alice", "alice-pw-123")
	if code, b := alice.send(t, "GET", "/api/v1/tail?tenant=acme&q="+url.QueryEscape("x | stats count()"), "", false); code != 400 || !strings.Contains(b, "without pipes") {
		t.Fatalf("tail with a pipe: %d %s", code, b)
	}
	resp, err := alice.c.Do(mustReq("GET", v.url("/api/v1/tail?tenant=acme&q="+url.QueryEscape("tailmarker")), nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("tail: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan string, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		kind := ""
		for sc.Scan() {
			l := sc.Text()
			if k, ok := strings.CutPrefix(l, "event: "); ok {
				kind = k
			}
			if d, ok := strings.CutPrefix(l, "data: "); ok {
				events <- kind + " " + d
			}
		}
	}()
	if first := <-events; !strings.HasPrefix(first, "ready ") {
		t.Fatalf("first event %q, want ready", first)
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for tenant, tok := range map[string]string{"globex": "globex-ingest-token-0001", "acme": "acme-ingest-token-000001"} {
		body := fmt.Sprintf(`{"@timestamp":%q,"message":"other event"}`+"\n"+`{"@timestamp":%q,"message":"tailmarker from %s"}`+"\n", now, now, tenant)
		if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer "+tok, []byte(body)); code != 200 {
			t.Fatalf("ingest %s: %d %s", tenant, code, b)
		}
	}
	select {
	case got := <-events:
		if !strings.HasPrefix(got, "event ") || !strings.Contains(got, "tailmarker from acme") {
			t.Fatalf("tail sent %q, want acme's tailmarker event", got)
		}
	case <-time.After(testutil.WaitTimeout):
		t.Fatalf("no tailed event\n%s", v.log.String())
	}
	// Nothing else of the two batches matches: the next event is acme's
	// second marker, not globex's nor "other event".
	post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer acme-ingest-token-000001",
		[]byte(fmt.Sprintf(`{"@timestamp":%q,"message":"tailmarker again"}`+"\n", now)))
	select {
	case got := <-events:
		if !strings.Contains(got, "tailmarker again") {
			t.Fatalf("tail sent %q, want only acme's matching events", got)
		}
	case <-time.After(testutil.WaitTimeout):
		t.Fatalf("no second tailed event")
	}

	// Bounded: 16 tails per tenant (one is open), the 17th is refused
	// with Retry-After, and another tenant still gets one.
	for i := 1; i < tail.DefaultMaxPerTenant; i++ {
		r, err := alice.c.Do(mustReq("GET", v.url("/api/v1/tail?tenant=acme&q=x"), nil))
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("tail %d: %v %v", i+1, r, err)
		}
		defer r.Body.Close()
	}
	over, err := alice.c.Do(mustReq("GET", v.url("/api/v1/tail?tenant=acme&q=x"), nil))
	if err != nil {
		t.Fatal(err)
	}
	over.Body.Close()
	if over.StatusCode != http.StatusServiceUnavailable || over.Header.Get("Retry-After") == "" {
		t.Fatalf("tail past the per-tenant bound: %d, Retry-After %q", over.StatusCode, over.Header.Get("Retry-After"))
	}
	bob := sessionOf(t, v, "bob", "bob-pw-123")
	other, err := bob.c.Do(mustReq("GET", v.url("/api/v1/tail?tenant=globex&q=x"), nil))
	if err != nil {
		t.Fatal(err)
	}
	other.Body.Close()
	if other.StatusCode != 200 {
		t.Fatalf("globex's tail while acme's are full: %d", other.StatusCode)
	}
}
