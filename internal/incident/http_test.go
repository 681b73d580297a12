package incident_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/incident"
)

// apiServer serves the incidents API over a manager holding:
// default: A (a1 high ws1, a2 low ws1 bob) and B (a3 medium ws9 10.0.0.9);
// other: C (c1 critical ws1).
func apiServer(t *testing.T) (*httptest.Server, map[string]string) {
	t.Helper()
	m := newManager(t, openStore(t, openDB(t)), incident.Config{})
	c1 := al("c1", "critical", 0, "h:ws1")
	c1.Tenant = "other"
	as := []alert.Alert{al("a1", "high", 0, "h:ws1"), al("a2", "low", 5, "h:ws1 u:bob"), al("a3", "medium", 200, "h:ws9 s:10.0.0.9")}
	for i := range as {
		as[i].Tenant = "default"
	}
	write(t, m, append(as, c1)...)
	mux := http.NewServeMux()
	incident.Handler{Incidents: m}.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, map[string]string{"A": find(t, m, "default", "a1").ID, "B": find(t, m, "default", "a3").ID, "C": find(t, m, "other", "c1").ID}
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

func TestAPIList(t *testing.T) {
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

func TestAPIGetAndPatch(t *testing.T) {
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

func TestAPIErrors(t *testing.T) {
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
func TestAPIAuthor(t *testing.T) {
	m := newManager(t, openStore(t, openDB(t)), incident.Config{})
	a := al("a1", "high", 0, "h:ws1")
	a.Tenant = "default"
	write(t, m, a)
	id := find(t, m, "default", "a1").ID
	tok, digest, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	incident.Handler{Incidents: m}.Register(mux)
	authn := auth.New(config.Auth{Tokens: []config.APIToken{{Name: "carol", SHA256: digest, Role: "analyst", Tenants: []string{"default"}}}})
	srv := httptest.NewServer(authn.Middleware(mux))
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
