package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestClickHouseBackend runs vigil serve with storage.backend clickhouse
// against a private ClickHouse with a password: events sent over HTTP are
// in ClickHouse's table and found by `vigil search`, and the password is
// in no log line.
func TestClickHouseBackend(t *testing.T) {
	const password = "ch-apptest-s3cret"
	srv := chtest.StartWithPassword(t, password)
	pwFile := filepath.Join(t.TempDir(), "ch-password")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rules := t.TempDir()
	if err := os.WriteFile(filepath.Join(rules, "marker.yml"), []byte(markerRule), 0o600); err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, fmt.Sprintf(`http:
  ingest:
    tokens:
      - token: %s
        source: hec
storage:
  backend: clickhouse
  clickhouse: {url: %s, database: vigil_app, user: default, password_file: %s}
`, hecToken, srv.URL, pwFile), "--rules", rules)
	var body bytes.Buffer
	for i := range 50 {
		fmt.Fprintf(&body, `{"message":"clickhouse apptest %d","observer":{"product":"apptest"},"source":{"ip":"10.9.%d.%d"},"user":{"name":"u%d"}}`+"\n", i, i%2, i, i%5)
	}
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer "+hecToken, body.Bytes()); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	rows, took := v.waitFound(`apptest source.ip:10.9.1.0/24`, 25, 5*time.Second)
	t.Logf("25 events searchable through ClickHouse after %v", took)
	if len(rows) != 25 {
		t.Errorf("CIDR search found %d events, want 25", len(rows))
	}
	st, err := v.search(`apptest | stats count() by user.name | sort user.name`)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 5 || st[0].Text("user.name") != "u0" || st[0].Text("count") != "10" {
		t.Errorf("stats = %v", st)
	}
	// Detection runs on the events as with the embedded store; the alert
	// (kept in ClickHouse too: TestClickHouseRecords) is listed.
	var reply struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	found := testutil.Poll(testutil.WaitTimeout, func() bool {
		resp, err := http.Get(v.url("/api/v1/alerts?rule_id=" + markerRuleID))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(&reply) == nil && len(reply.Alerts) == 1
	})
	if !found || reply.Alerts[0].Count != 1 {
		t.Fatalf("alerts API: %+v\n%s", reply.Alerts, v.log.String())
	}
	// The events are in ClickHouse, not in the embedded store.
	if n := chCount(t, srv.URL, password, "SELECT count() FROM vigil_app.events FINAL"); n != "50" {
		t.Errorf("ClickHouse holds %s events, want 50", n)
	}
	v.stop()
	// Vigil's own audit entries (start, stop) went to ClickHouse too.
	if n := chCount(t, srv.URL, password, "SELECT count() FROM vigil_app.audit"); n == "0" {
		t.Error("no audit entries in ClickHouse")
	}
	if strings.Contains(v.log.String(), password) {
		t.Errorf("the ClickHouse password is in vigil's log:\n%s", v.log.String())
	}
}

const markerRuleID = "6f1c1f9e-5a1b-4c2d-8e3f-0123456789ab"

const markerRule = `title: ClickHouse apptest marker
id: ` + markerRuleID + `
status: test
logsource:
  product: apptest
detection:
  sel:
    message|contains: 'apptest 7'
  condition: sel
level: high
`

func chCount(t *testing.T, base, password, q string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/?"+url.Values{"query": {q}}.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("default", password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("clickhouse %q: %d %s", q, resp.StatusCode, b)
	}
	return strings.TrimSpace(string(b))
}

// TestClickHouseRecords runs vigil serve with storage.backend clickhouse:
// an alert and its incident are raised, listed and triaged through the
// API, their rows are in ClickHouse, and a second vigil with a fresh data
// directory (no local DuckDB holding them) on the same database lists them
// with their triage and changes them further, and its rules page counts
// the rule's alert.
func TestClickHouseRecords(t *testing.T) {
	srv := chtest.Start(t)
	rules := t.TempDir()
	if err := os.WriteFile(filepath.Join(rules, "marker.yml"), []byte(markerRule), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`http:
  ingest:
    tokens:
      - token: %s
        source: hec
storage:
  backend: clickhouse
  clickhouse: {url: %s, database: vigil_rec}
`, hecToken, srv.URL)
	v := startVigil(t, cfg, "--rules", rules)
	var body bytes.Buffer
	for i := range 10 {
		fmt.Fprintf(&body, `{"message":"clickhouse apptest %d","observer":{"product":"apptest"},"host":{"name":"ws%d"}}`+"\n", i, i)
	}
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer "+hecToken, body.Bytes()); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	var alerts struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		getJSON(t, v.url("/api/v1/alerts?rule_id="+markerRuleID), &alerts)
		return len(alerts.Alerts) == 1
	}) {
		t.Fatalf("alert not listed: %+v\n%s", alerts, v.log.String())
	}
	id := alerts.Alerts[0].ID
	var incs incidentsReply
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		getJSON(t, v.url("/api/v1/incidents"), &incs)
		return len(incs.Incidents) == 1
	}) {
		t.Fatalf("incident not listed: %+v\n%s", incs, v.log.String())
	}
	incID := incs.Incidents[0].ID
	if got := incs.Incidents[0].AlertIDs; len(got) != 1 || got[0] != id {
		t.Errorf("incident alerts = %v, want [%s]", got, id)
	}
	if code, b := sendJSON(t, "PATCH", v.url("/api/v1/alerts/"+id), `{"status":"acknowledged","assignee":"alice","comment":"on it"}`); code != 200 {
		t.Fatalf("triage the alert: %d %s", code, b)
	}
	if code, b := sendJSON(t, "PATCH", v.url("/api/v1/incidents/"+incID), `{"status":"in_progress","comment":"looking","author":"alice"}`); code != 200 {
		t.Fatalf("triage the incident: %d %s", code, b)
	}
	// The rows are in ClickHouse.
	for q, want := range map[string]string{
		"SELECT count() FROM vigil_rec.alerts FINAL":                                   "1",
		"SELECT count() FROM vigil_rec.alert_notes":                                    "1",
		"SELECT count() FROM vigil_rec.incident_records FINAL WHERE kind = 'incident'": "1",
		"SELECT status FROM vigil_rec.incident_records FINAL WHERE kind = 'incident'":  "in_progress",
	} {
		if got := chCount(t, srv.URL, "", q); got != want {
			t.Errorf("%s = %s, want %s", q, got, want)
		}
	}
	v.stop()

	// A fresh node on the same database: the alert and the incident with
	// their triage, and they can be changed further.
	w := startVigil(t, cfg, "--rules", rules)
	getJSON(t, w.url("/api/v1/alerts?status=acknowledged"), &alerts)
	if len(alerts.Alerts) != 1 || alerts.Alerts[0].ID != id || alerts.Alerts[0].Assignee != "alice" {
		t.Fatalf("after restart: acknowledged alerts = %+v", alerts.Alerts)
	}
	// The rules page counts the rule's alert from ClickHouse.
	var page struct {
		Rules []struct {
			ruleRow
			Hits24h int64 `json:"hits_24h"`
		} `json:"rules"`
	}
	getJSON(t, w.url("/api/v1/rules"), &page)
	marked := false
	for _, r := range page.Rules {
		if r.ID != markerRuleID {
			continue
		}
		marked = true
		if r.Alerts24h != 1 || r.Hits24h != 1 || r.LastFired == "" {
			t.Errorf("after restart: rules page row %+v, want 1 alert of 1 event and its time", r)
		}
	}
	if !marked {
		t.Errorf("after restart: the rules page lacks the marker rule: %+v", page.Rules)
	}
	var one alert.Alert
	getJSON(t, w.url("/api/v1/alerts/"+id), &one)
	if one.Triage == nil || len(one.Triage.Notes) != 1 || one.Triage.Notes[0].Text != "on it" {
		t.Errorf("after restart: alert triage = %+v", one.Triage)
	}
	var detail struct {
		Status   string `json:"status"`
		Timeline []struct {
			Kind string `json:"kind"`
			Text string `json:"text"`
		} `json:"timeline"`
	}
	getJSON(t, w.url("/api/v1/incidents/"+incID), &detail)
	comments := 0
	for _, e := range detail.Timeline {
		if e.Kind == "comment" && e.Text == "looking" {
			comments++
		}
	}
	if detail.Status != "in_progress" || comments != 1 {
		t.Errorf("after restart: incident = %+v", detail)
	}
	if code, b := sendJSON(t, "PATCH", w.url("/api/v1/alerts/"+id), `{"status":"closed"}`); code != 200 {
		t.Fatalf("close the alert after restart: %d %s", code, b)
	}
	getJSON(t, w.url("/api/v1/alerts?status=closed"), &alerts)
	if len(alerts.Alerts) != 1 {
		t.Errorf("closed alerts after restart = %+v", alerts.Alerts)
	}
	if code, b := sendJSON(t, "PATCH", w.url("/api/v1/incidents/"+incID), `{"status":"closed"}`); code != 200 {
		t.Fatalf("close the incident after restart: %d %s", code, b)
	}
	getJSON(t, w.url("/api/v1/incidents?status=closed"), &incs)
	if len(incs.Incidents) != 1 || incs.Incidents[0].ID != incID {
		t.Errorf("closed incidents after restart = %+v", incs.Incidents)
	}
}

// sendJSON makes a request with a JSON body and returns the status and body.
func sendJSON(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestClickHouseCluster runs vigil serve with storage.clickhouse.cluster on
// two ClickHouse servers that are the two shards of a cluster (no
// ZooKeeper: Vigil is given both nodes and creates the tables on each, and
// inserts into the shards' local tables itself, insert_local): the events
// sent over HTTP spread over both shards and are found, once each, through
// the Distributed table.
func TestClickHouseCluster(t *testing.T) {
	nodes := chtest.StartCluster(t, 2)
	v := startVigil(t, fmt.Sprintf(`http:
  ingest:
    tokens:
      - token: %s
        source: hec
storage:
  backend: clickhouse
  clickhouse:
    url: %s
    database: vigil_cl
    cluster: %s
    nodes: [%s, %s]
    insert_local: true
`, hecToken, nodes[0].URL, chtest.ClusterName, nodes[0].URL, nodes[1].URL))
	var body bytes.Buffer
	for i := range 60 {
		fmt.Fprintf(&body, `{"message":"cluster apptest %d","source":{"ip":"10.9.%d.%d"},"host":{"name":"h%d"}}`+"\n", i, i%2, i, i%6)
	}
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer "+hecToken, body.Bytes()); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	rows, _ := v.waitFound(`cluster apptest source.ip:10.9.1.0/24`, 30, 5*time.Second)
	if len(rows) != 30 {
		t.Errorf("CIDR search found %d events, want 30", len(rows))
	}
	st, err := v.search(`cluster apptest | stats count() by host.name | sort host.name`)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 6 || st[0].Text("host.name") != "h0" || st[0].Text("count") != "10" {
		t.Errorf("stats = %v", st)
	}
	a := chCount(t, nodes[0].URL, "", "SELECT count() FROM vigil_cl.events_local")
	b := chCount(t, nodes[1].URL, "", "SELECT count() FROM vigil_cl.events_local")
	if a == "0" || b == "0" || chCount(t, nodes[0].URL, "", "SELECT count() FROM vigil_cl.events") != "60" {
		t.Errorf("events per shard: %s and %s, want 60 in all, on both", a, b)
	}
	v.stop()
}
