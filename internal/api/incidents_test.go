package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store/incidents"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// clock is a wall clock that moves a second per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// newManager is an incident manager over an in-memory DuckDB store.
func newManager(tb testing.TB) *incident.Manager {
	tb.Helper()
	c, err := duckdb.NewConnector("?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		tb.Fatal(err)
	}
	db := sql.OpenDB(c)
	tb.Cleanup(func() { db.Close() })
	st, err := incidents.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := incident.New(context.Background(), st, incident.Config{Now: (&clock{t: t0.Add(24 * time.Hour)}).now})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// al makes an alert: at is minutes after t0, ents is a space-separated
// list of h:host u:user s:source-ip.
func al(id, level string, at float64, ents string) alert.Alert {
	t := t0.Add(time.Duration(at * float64(time.Minute)))
	a := alert.Alert{ID: id, Tenant: "default", RuleID: "rule-" + id, Title: "Rule " + id, Level: level, First: t, Last: t, Count: 1,
		EventIDs: []string{"ev-" + id}, Tags: []string{"attack.t1110"}, Status: alert.StatusOpen}
	for _, e := range strings.Fields(ents) {
		k, v, _ := strings.Cut(e, ":")
		switch k {
		case "h":
			a.Entities.Hosts = append(a.Entities.Hosts, v)
		case "u":
			a.Entities.Users = append(a.Entities.Users, v)
		case "s":
			a.Entities.SourceIPs = append(a.Entities.SourceIPs, v)
		default:
			panic("bad entity " + e)
		}
	}
	return a
}

func write(tb testing.TB, m *incident.Manager, as ...alert.Alert) {
	tb.Helper()
	if err := m.WriteAlerts(context.Background(), as); err != nil {
		tb.Fatal(err)
	}
}

// find returns the id of the incident holding alert id.
func find(tb testing.TB, m *incident.Manager, tenant, alertID string) string {
	tb.Helper()
	list, _, err := m.List(context.Background(), incident.Filter{Tenant: tenant, Limit: 10000})
	if err != nil {
		tb.Fatal(err)
	}
	for _, inc := range list {
		for _, id := range inc.AlertIDs {
			if id == alertID {
				return inc.ID
			}
		}
	}
	tb.Fatalf("no incident holds alert %s", alertID)
	return ""
}

// apiServer serves the incidents API over a manager holding:
// default: A (a1 high ws1, a2 low ws1 bob) and B (a3 medium ws9 10.0.0.9);
// other: C (c1 critical ws1).
func apiServer(t *testing.T) (*httptest.Server, map[string]string) {
	t.Helper()
	m := newManager(t)
	c1 := al("c1", "critical", 0, "h:ws1")
	c1.Tenant = "other"
	write(t, m, al("a1", "high", 0, "h:ws1"), al("a2", "low", 5, "h:ws1 u:bob"), al("a3", "medium", 200, "h:ws9 s:10.0.0.9"), c1)
	srv := httptest.NewServer(api.New(api.Deps{Mounts: []api.Mounter{api.IncidentsHandler{Incidents: m}}}).Handler())
	t.Cleanup(srv.Close)
	return srv, map[string]string{"A": find(t, m, "default", "a1"), "B": find(t, m, "default", "a3"), "C": find(t, m, "other", "c1")}
}

func call(t *testing.T, method, u, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: content type %q", method, u, ct)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s %s: %v: %s", method, u, err, b)
	}
	return resp.StatusCode, v
}

func TestIncidentsList(t *testing.T) {
	srv, ids := apiServer(t)
	f := func(query string, total int, want ...string) {
		t.Helper()
		code, v := call(t, "GET", srv.URL+"/api/v1/incidents?"+query, "")
		if code != 200 {
			t.Fatalf("GET ?%s = %d %v", query, code, v)
		}
		var got []string
		for _, x := range v["incidents"].([]any) {
			got = append(got, x.(map[string]any)["id"].(string))
		}
		var w []string
		for _, k := range want {
			w = append(w, ids[k])
		}
		if strings.Join(got, " ") != strings.Join(w, " ") || int(v["total"].(float64)) != total {
			t.Errorf("GET ?%s = %v (total %v), want %v", query, got, v["total"], want)
		}
	}
	f("", 2, "B", "A")
	f("tenant=default", 2, "B", "A")
	f("tenant=other", 1, "C")
	f("severity=high", 1, "A")
	f("severity=medium", 2, "B", "A")
	f("status=new", 2, "B", "A")
	f("status=closed", 0)
	f("status=new,closed", 2, "B", "A")
	f("entity=BOB", 1, "A")
	f("entity=10.0.0.9", 1, "B")
	f("entity=ws1", 1, "A")
	f("entity=ws1&tenant=other", 1, "C")
	f("assignee=", 2, "B", "A")
	f("assignee=zed", 0)
	f("limit=1", 2, "B")
	f("limit=1&offset=1", 2, "A")
	f("from=2026-11-23T11:00:00Z", 1, "B")
	f("to=2026-11-23T11:00:00Z", 1, "A")
	f("from=2026-11-23T10:04:00Z&to=2026-11-23T10:06:00Z", 1, "A")
}

func TestIncidentsGetAndPatch(t *testing.T) {
	srv, ids := apiServer(t)
	u := srv.URL + "/api/v1/incidents/" + ids["A"]
	code, v := call(t, "GET", u, "")
	if code != 200 || v["title"] != "Rule a1 (+1 more rule)" || v["severity"] != "high" || v["status"] != "new" {
		t.Fatalf("GET = %d %v", code, v)
	}
	if alerts := v["alerts"].([]any); len(alerts) != 2 || alerts[0].(map[string]any)["id"] != "a1" {
		t.Errorf("alerts = %v", alerts)
	}
	code, v = call(t, "PATCH", u, `{"status":"in_progress","assignee":" ann ","comment":"on it","author":"ann"}`)
	if code != 200 || v["status"] != "in_progress" || v["assignee"] != "ann" {
		t.Fatalf("PATCH = %d %v", code, v)
	}
	code, v = call(t, "PATCH", u, `{"comment":"contained","author":"bo"}`)
	if code != 200 {
		t.Fatalf("PATCH = %d %v", code, v)
	}
	comments := v["comments"].([]any)
	if len(comments) != 2 || comments[1].(map[string]any)["text"] != "contained" || comments[1].(map[string]any)["author"] != "bo" {
		t.Errorf("comments = %v", comments)
	}
	var kinds []string
	for _, e := range v["timeline"].([]any) {
		kinds = append(kinds, e.(map[string]any)["kind"].(string))
	}
	if got := strings.Join(kinds, " "); got != "alert alert status assignee comment comment" {
		t.Errorf("timeline kinds = %s", got)
	}
	// The same status again changes nothing and records nothing.
	code, v = call(t, "PATCH", u, `{"status":"in_progress"}`)
	if code != 200 || len(v["timeline"].([]any)) != 6 {
		t.Errorf("a no-op PATCH = %d, timeline %d", code, len(v["timeline"].([]any)))
	}
	// Listing sees the change.
	_, v = call(t, "GET", srv.URL+"/api/v1/incidents?assignee=ann&status=in_progress", "")
	if v["total"].(float64) != 1 {
		t.Errorf("list by assignee = %v", v)
	}
}

func TestIncidentsErrors(t *testing.T) {
	srv, ids := apiServer(t)
	f := func(method, path, body string, want int, msg string) {
		t.Helper()
		code, v := call(t, method, srv.URL+path, body)
		e, _ := v["error"].(string)
		if code != want || !strings.Contains(e, msg) {
			t.Errorf("%s %s %s = %d %v, want %d with %q", method, path, body, code, v, want, msg)
		}
	}
	a := "/api/v1/incidents/" + ids["A"]
	// Another tenant's incident does not exist for this one.
	f("GET", "/api/v1/incidents/"+ids["C"], "", 404, "not found")
	f("GET", "/api/v1/incidents/"+ids["C"]+"?tenant=acme", "", 404, "not found")
	f("PATCH", "/api/v1/incidents/"+ids["C"], `{"status":"closed"}`, 404, "not found")
	f("GET", "/api/v1/incidents/nope", "", 404, "not found")
	f("GET", a+"?tenant="+url.QueryEscape("' OR 1=1"), "", 400, "tenant")
	f("GET", "/api/v1/incidents?tenant=a%20b", "", 400, "tenant")
	f("GET", "/api/v1/incidents?severity=apocalyptic", "", 400, "severity")
	f("GET", "/api/v1/incidents?status=open", "", 400, "status")
	f("GET", "/api/v1/incidents?limit=0", "", 400, "limit")
	f("GET", "/api/v1/incidents?limit=x", "", 400, "limit")
	f("GET", "/api/v1/incidents?offset=-1", "", 400, "offset")
	f("GET", "/api/v1/incidents?from=yesterday", "", 400, "from")
	f("GET", "/api/v1/incidents?from=now&to=-1h", "", 400, "not before")
	f("PATCH", a, ``, 400, "read patch")
	f("PATCH", a, `{}`, 400, "nothing to change")
	f("PATCH", a, `{"status":"done"}`, 400, "status")
	f("PATCH", a, `{"status":"closed","colour":"red"}`, 400, "unknown field")
	f("PATCH", a, `{"comment":"   "}`, 400, "comment is empty")
	f("PATCH", a, `{"assignee":"a\u0000b"}`, 400, "control")
	f("PATCH", a, `{"comment":"x"} {"comment":"y"}`, 400, "after the JSON")
	f("PATCH", a, `{"comment":"`+strings.Repeat("x", 70<<10)+`"}`, 413, "too large")
	f("PATCH", a, `{"comment":"`+strings.Repeat("x", 17<<10)+`"}`, 400, "at most")
	f("PATCH", a, `[1]`, 400, "read patch")
}

// Behind the API's authentication, a change is made by the authenticated
// user, and a tenant the user may not see is refused.
func TestIncidentsAuthor(t *testing.T) {
	m := newManager(t)
	write(t, m, al("a1", "high", 0, "h:ws1"))
	id := find(t, m, "default", "a1")
	tok, digest, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	authn := auth.New(config.Auth{Tokens: []config.APIToken{{Name: "carol", SHA256: digest, Role: "analyst", Tenants: []string{"default"}}}})
	srv := httptest.NewServer(api.New(api.Deps{Auth: authn, Mounts: []api.Mounter{api.IncidentsHandler{Incidents: m}}}).Handler())
	defer srv.Close()
	patch := func(query string) (int, map[string]any) {
		req, _ := http.NewRequest("PATCH", srv.URL+"/api/v1/incidents/"+id+query, strings.NewReader(`{"comment":"mine","author":"mallory"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}
	code, v := patch("")
	if code != 200 {
		t.Fatalf("PATCH = %d %v", code, v)
	}
	if c := v["comments"].([]any)[0].(map[string]any); c["author"] != "carol" {
		t.Errorf("comment author = %v, want the token's user", c["author"])
	}
	if code, _ := patch("?tenant=other"); code != http.StatusForbidden {
		t.Errorf("PATCH of another tenant = %d, want 403", code)
	}
}
